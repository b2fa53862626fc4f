import type { AppRouter } from "@tidings/api";
import {
  createTRPCClient,
  httpBatchLink,
  httpSubscriptionLink,
  splitLink,
  type TRPCClient,
  type TRPCLink,
} from "@trpc/client";
import { EventSource } from "eventsource";
import superjson from "superjson";

export type { AppRouter, RouterInputs, RouterOutputs } from "@tidings/api";
export { TRPCClientError } from "@trpc/client";

export interface TidingsClientOptions {
  /** The server's tRPC endpoint, e.g. `https://mail.example.com/trpc`. */
  url: string;
  /** Called before each request; its token goes into `Authorization: Bearer`. */
  getAccessToken?: () => string | undefined | Promise<string | undefined>;
  /** For runtimes or tests that bring their own fetch (also used by subscriptions). */
  fetch?: typeof fetch;
}

/**
 * The links the web app and internal tools share: batching, superjson, the bearer token; and
 * subscriptions (`mail.events`) as server-sent events.
 *
 * A browser's own EventSource cannot send an Authorization header, and the token must not go in
 * the URL (URLs end up in access logs). So subscriptions use the `eventsource` package, which
 * reads the stream with fetch and so can add the header. It asks for the token again on each
 * (re)connection, so a reconnect after the token was refreshed carries the new one.
 */
export function tidingsLinks(options: TidingsClientOptions): TRPCLink<AppRouter>[] {
  const authorization = async (): Promise<Record<string, string>> => {
    const token = await options.getAccessToken?.();
    return token ? { authorization: `Bearer ${token}` } : {};
  };
  const baseFetch: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  return [
    splitLink({
      condition: (op) => op.type === "subscription",
      true: httpSubscriptionLink({
        url: options.url,
        transformer: superjson,
        EventSource,
        eventSourceOptions: {
          fetch: async (input, init) =>
            baseFetch(input, { ...init, headers: { ...init.headers, ...(await authorization()) } }),
        },
      }),
      false: httpBatchLink({
        url: options.url,
        transformer: superjson,
        ...(options.fetch ? { fetch: options.fetch } : {}),
        headers: authorization,
      }),
    }),
  ];
}

export type TidingsClient = TRPCClient<AppRouter>;

/** The typed client for internal tools: every procedure of `@tidings/api` with its input and output types. */
export function createTidingsClient(options: TidingsClientOptions): TidingsClient {
  return createTRPCClient<AppRouter>({ links: tidingsLinks(options) });
}
