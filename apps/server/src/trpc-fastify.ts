import type { AnyTRPCRouter, TRPCError } from "@trpc/server";
import { type FastifyTRPCPluginOptions, fastifyTRPCPlugin } from "@trpc/server/adapters/fastify";
import type { FastifyError, FastifyInstance } from "fastify";

export type TrpcOptions<TRouter extends AnyTRPCRouter> = FastifyTRPCPluginOptions<TRouter>["trpcOptions"];

type TrpcErrorCode = ConstructorParameters<typeof TRPCError>[0]["code"];

export interface RegisterTrpcOptions<TRouter extends AnyTRPCRouter> {
  prefix: string;
  trpcOptions: TrpcOptions<TRouter>;
  /** The wire body tRPC sends for an error raised outside any procedure (see errorResponseBody). */
  errorBody: (code: TrpcErrorCode, message: string) => unknown;
}

/**
 * tRPC's official Fastify adapter, in a scope of its own whose error handler answers what Fastify
 * refuses before tRPC runs (a body past the limit, a content type it cannot read, an unreadable
 * body) in tRPC's error shape with an app code, so clients need one error path only.
 */
export async function registerTrpc<TRouter extends AnyTRPCRouter>(
  app: FastifyInstance,
  { prefix, trpcOptions, errorBody }: RegisterTrpcOptions<TRouter>,
): Promise<void> {
  await app.register(
    async (scope) => {
      scope.setErrorHandler((error: FastifyError, req, reply) => {
        const status = Math.min(error.statusCode ?? 500, 500);
        if (status >= 500) req.log.error({ err: error }, "request failed before tRPC");
        const [code, message] = refusal(status);
        return reply
          .code(status)
          .header("content-type", "application/json")
          .send(JSON.stringify(errorBody(code, message)));
      });
      await scope.register(fastifyTRPCPlugin, { trpcOptions } as FastifyTRPCPluginOptions<TRouter>);
    },
    { prefix },
  );
}

function refusal(status: number): [TrpcErrorCode, string] {
  if (status === 413) return ["PAYLOAD_TOO_LARGE", "Request body is too large"];
  if (status === 415) return ["UNSUPPORTED_MEDIA_TYPE", "Unsupported content type"];
  if (status < 500) return ["BAD_REQUEST", "Malformed request"];
  return ["INTERNAL_SERVER_ERROR", "Internal server error"];
}
