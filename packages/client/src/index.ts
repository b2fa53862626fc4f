import type { AppRouter } from "@tidings/api";
import { createTRPCClient, httpBatchLink, type TRPCClient, type TRPCLink } from "@trpc/client";
import superjson from "superjson";

export type { AppRouter, RouterInputs, RouterOutputs } from "@tidings/api";
export { TRPCClientError } from "@trpc/client";

export interface TidingsClientOptions {
  /** The server's tRPC endpoint, e.g. `https://mail.example.com/trpc`. */
  url: string;
  /** Called before each request; its token goes into `Authorization: Bearer`. */
  getAccessToken?: () => string | undefined | Promise<string | undefined>;
  /** For runtimes or tests that bring their own fetch. */
  fetch?: typeof fetch;
}

/** The links the web app and internal tools share: batching, superjson, the bearer token. */
export function tidingsLinks(options: TidingsClientOptions): TRPCLink<AppRouter>[] {
  return [
    httpBatchLink({
      url: options.url,
      transformer: superjson,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      async headers() {
        const token = await options.getAccessToken?.();
        return token ? { authorization: `Bearer ${token}` } : {};
      },
    }),
  ];
}

export type TidingsClient = TRPCClient<AppRouter>;

/** The typed client for internal tools: every procedure of `@tidings/api` with its input and output types. */
export function createTidingsClient(options: TidingsClientOptions): TidingsClient {
  return createTRPCClient<AppRouter>({ links: tidingsLinks(options) });
}
