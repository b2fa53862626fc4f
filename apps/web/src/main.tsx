import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { RouterProvider } from "@tanstack/react-router";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { apiClient } from "./api/client.ts";
import { restoreSession } from "./auth/session.ts";
import { createAppRouter } from "./router.tsx";
import "./styles.css";
import { TRPCProvider } from "./trpc.ts";

const queryClient = new QueryClient({ defaultOptions: { queries: { retry: 1, staleTime: 5_000 } } });
const router = createAppRouter(queryClient);

// Starts at once, in parallel with the first render; routes that need a user wait for it.
void restoreSession();

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");

createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={apiClient} queryClient={queryClient}>
        <RouterProvider router={router} />
      </TRPCProvider>
    </QueryClientProvider>
  </StrictMode>,
);
