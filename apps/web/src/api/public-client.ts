import type { AppRouter } from "@tidings/client";
import { createTRPCClient } from "@trpc/client";
import { apiLinks } from "./links.ts";

/** Calls that never carry an access token, such as the cookie refresh itself. */
export const publicClient = createTRPCClient<AppRouter>({ links: apiLinks() });
