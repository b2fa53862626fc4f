import type { AppRouter } from "@tidings/client";
import { createTRPCClient } from "@trpc/client";
import { currentAccessToken } from "../auth/session.ts";
import { apiLinks } from "./links.ts";
import { sessionRetryLink } from "./session-retry-link.ts";

/** The client for everything the signed-in app does: bearer token, one retry after a refresh. */
export const apiClient = createTRPCClient<AppRouter>({
  links: [sessionRetryLink, ...apiLinks(currentAccessToken)],
});
