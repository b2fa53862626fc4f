import {
  type AnyTRPCRouter,
  getErrorShape,
  getTRPCErrorFromUnknown,
  TRPCError,
  transformTRPCResponse,
} from "@trpc/server";
import { type FastifyTRPCPluginOptions, fastifyRequestHandler } from "@trpc/server/adapters/fastify";
import { getHTTPStatusCode } from "@trpc/server/http";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

export type TrpcOptions<TRouter extends AnyTRPCRouter> = FastifyTRPCPluginOptions<TRouter>["trpcOptions"];

/**
 * tRPC over Fastify, wire-compatible with `fastifyTRPCPlugin` (same options; same status, headers,
 * body and onError calls, sent with a Content-Length where the official adapter streams). The
 * official adapter turns every request into a Fetch `Request`, an `AbortSignal.any()` chain and a
 * streamed `Response`; that bookkeeping and its GC cost several times the whole request. What
 * httpBatchLink sends (GET queries and JSON POST mutations, batched or not) is answered here
 * directly with tRPC's own building blocks, `responseMeta` included; anything else (subscriptions,
 * jsonl streaming, other content types, malformed requests, unknown paths) goes to the official
 * handler untouched.
 */
export async function registerTrpc<TRouter extends AnyTRPCRouter>(
  app: FastifyInstance,
  opts: { prefix: string; trpcOptions: TrpcOptions<TRouter> },
): Promise<void> {
  const trpcOptions = opts.trpcOptions;
  const { router, responseMeta } = trpcOptions;
  const createContext = trpcOptions.createContext as
    | ((o: { req: FastifyRequest; res: FastifyReply; info: unknown }) => unknown)
    | undefined;
  const onError = trpcOptions.onError as ((o: Record<string, unknown>) => void) | undefined;
  const maxBatchSize = (trpcOptions as { maxBatchSize?: number }).maxBatchSize;
  const allowBatching = (trpcOptions as { allowBatching?: boolean }).allowBatching ?? true;
  const config = router._def._config;
  const procedures = router._def.procedures as Record<string, { _def: { type: string } } | undefined>;
  const serialize = config.transformer.output.serialize;
  // What transformTRPCResponse does to these two shapes, without its object spreads.
  const onTheWire = (item: QueryResult) =>
    "error" in item ? { error: serialize(item.error) } : { result: { data: serialize(item.result.data) } };

  /**
   * Returns false when the request is not a plain query (GET, input in the URL) or mutation (POST,
   * JSON body); then nothing has been run or sent.
   */
  async function handleCall(req: FastifyRequest<{ Params: { path: string } }>, reply: FastifyReply) {
    const { headers } = req;
    if (headers["trpc-accept"] || headers.accept?.includes("application/jsonl")) return false;
    const type = req.method === "GET" ? "query" : req.method === "POST" ? "mutation" : undefined;
    if (!type) return false;
    if (type === "query" ? headers["content-type"] !== undefined : !isJsonContentType(headers["content-type"]))
      return false;
    // The body as the content-type parser below left it; an empty one is tRPC's own parse error.
    if (type === "mutation" && (typeof req.body !== "string" || req.body === "")) return false;
    const query = req.query as Record<string, unknown>;
    // Repeated parameters (arrays) and connectionParams are rare: the official handler does them.
    if (typeof query.batch === "object" || typeof query.input === "object" || query.connectionParams !== undefined)
      return false;
    const isBatch = query.batch === "1";
    if (isBatch && !allowBatching) return false;
    let paths: string[];
    let inputs: unknown[];
    try {
      const path = decodeURIComponent(req.params.path);
      paths = isBatch ? path.split(",") : [path];
      if (isBatch && typeof maxBatchSize === "number" && paths.length > maxBatchSize) return false;
      if (!paths.every((p) => procedures[p]?._def.type === type)) return false;
      const text = type === "query" ? (query.input as string | undefined) : (req.body as string);
      const raw = text ? JSON.parse(text) : undefined;
      if (isBatch && raw !== undefined && (typeof raw !== "object" || raw === null || Array.isArray(raw))) return false;
      const deserialize = config.transformer.input.deserialize;
      inputs = paths.map((_, i) => {
        const value = raw === undefined ? undefined : isBatch ? raw[i] : raw;
        return value === undefined ? undefined : deserialize(value);
      });
    } catch {
      return false; // malformed: let the official handler produce its exact error
    }

    const abort = new AbortController();
    // As tRPC's memoized inputs: `result()` (what onError and error shapes get as input) stays
    // undefined until some call of the request has read its input, e.g. when a middleware refuses
    // before the input parser runs.
    let inputsRead = false;
    const calls = paths.map((path, index) => ({
      path,
      procedure: router._def.procedures[path],
      // Methods, not arrow properties: under tsx each named closure also costs a defineProperty.
      async getRawInput() {
        inputsRead = true;
        return inputs[index];
      },
      result() {
        return inputsRead ? inputs[index] : undefined;
      },
    }));
    const info = {
      isBatchCall: isBatch,
      accept: null,
      type,
      calls,
      connectionParams: null,
      signal: abort.signal,
      get url() {
        return new URL(req.url, `${req.protocol}://${req.host}`);
      },
    };
    let ctx: unknown;
    try {
      ctx = await createContext?.({ req, res: reply, info });
    } catch {
      return false; // the official handler runs createContext again and reports its error
    }
    reply.raw.once("close", () => {
      if (!reply.raw.writableEnded) abort.abort();
    });
    const errors: TRPCError[] = [];
    const outcomes = await Promise.all(
      paths.map(async (path, index): Promise<CallOutcome> => {
        const call = calls[index] as (typeof calls)[number];
        try {
          const data = await (router._def.procedures[path] as (o: unknown) => Promise<unknown>)({
            path,
            getRawInput: call.getRawInput,
            ctx,
            type,
            signal: abort.signal,
            batchIndex: index,
          });
          // As resolveResponse: stream-like data needs httpBatchStreamLink; in a batch it is that
          // call's error (onError not called), alone it is a request error without path.
          if (!isStreamLike(data)) return { data };
          const error = new TRPCError({
            code: "UNSUPPORTED_MEDIA_TYPE",
            message: "Cannot use stream-like response in non-streaming request - use httpBatchStreamLink",
          });
          errors.push(error);
          if (isBatch) return { error };
          onError?.({ error, path: undefined, input: undefined, ctx, type, req });
          return { error, ofRequest: true };
        } catch (cause) {
          const error = getTRPCErrorFromUnknown(cause);
          errors.push(error);
          onError?.({ error, path, input: call.result(), ctx, type, req });
          return { error };
        }
      }),
    );
    // Error shapes are made once every call has ended, as tRPC makes them (with the inputs read by then).
    const results: QueryResult[] = outcomes.map((outcome, index) => {
      if (!("error" in outcome)) return { result: { data: outcome.data } };
      const { error } = outcome;
      if (outcome.ofRequest) {
        return { error: getErrorShape({ config, ctx, error, input: undefined, path: undefined, type }) };
      }
      const input = calls[index]?.result();
      return { error: getErrorShape({ config, ctx, error, input, path: paths[index], type }) };
    });
    let status = getHTTPStatusCode((isBatch ? results : results[0]) as never);
    // As resolveResponse's initResponse: responseMeta may add headers (to tRPC's own Vary, too) and
    // replace the status.
    const metaOf = (data: unknown[], errorsSoFar: TRPCError[]) =>
      responseMeta?.({ ctx, info, paths, type, data, errors: errorsSoFar, eagerGeneration: false } as never) as
        | ResponseMeta
        | undefined;
    let meta = metaOf(results, errors);
    let answerHeaders = meta?.headers ? withTrpcHeaders(undefined, meta.headers) : undefined;
    if (meta?.status) status = meta.status;
    let payload: string;
    try {
      payload = JSON.stringify(isBatch ? results.map(onTheWire) : onTheWire(results[0] as QueryResult));
    } catch (cause) {
      // A result the transformer refuses (superjson throws on a "__proto__" or "constructor" key):
      // as resolveResponse's last catch, one error for the whole request, responseMeta asked again.
      const error = getTRPCErrorFromUnknown(cause);
      onError?.({ error, path: undefined, input: undefined, ctx, type, req });
      const failure = { error: getErrorShape({ config, ctx, error, input: undefined, path: undefined, type }) };
      status = getHTTPStatusCode(failure as never);
      meta = metaOf([failure], [error]);
      if (meta?.headers) answerHeaders = withTrpcHeaders(answerHeaders, meta.headers);
      if (meta?.status) status = meta.status;
      payload = JSON.stringify(onTheWire(failure));
    }
    if (answerHeaders) for (const [key, value] of answerHeaders) reply.header(key, value);
    else reply.header("vary", TRPC_VARY);
    // A Buffer, so Fastify sends the content-type as is (tRPC sends no charset).
    reply.code(status).header("content-type", "application/json").send(Buffer.from(payload));
    return true;
  }

  await app.register(
    async (scope) => {
      // As fastifyTRPCPlugin: tRPC reads request bodies itself.
      scope.removeContentTypeParser("application/json");
      scope.addContentTypeParser("application/json", { parseAs: "string" }, (_req, body, done) => done(null, body));
      scope.removeContentTypeParser("multipart/form-data");
      scope.addContentTypeParser("multipart/form-data", {}, (_req, body, done) => done(null, body));
      // Any other body reaches tRPC too, which answers in its own shape (415 for what it cannot read).
      scope.addContentTypeParser("*", { parseAs: "string" }, (_req, body, done) => done(null, body));
      // What Fastify refuses before tRPC runs (a body past the limit, an unreadable one) still gets
      // an answer in tRPC's shape with an app code, so clients need one error path only.
      scope.setErrorHandler((error: FastifyError, req, reply) => {
        const status = error.statusCode ?? 500;
        if (status >= 500) req.log.error({ err: error }, "request failed before tRPC");
        const trpcError = new TRPCError({
          code:
            status === 413
              ? "PAYLOAD_TOO_LARGE"
              : status === 415
                ? "UNSUPPORTED_MEDIA_TYPE"
                : status < 500
                  ? "BAD_REQUEST"
                  : "INTERNAL_SERVER_ERROR",
          message:
            status === 413 ? "Request body is too large" : status < 500 ? "Malformed request" : "Internal server error",
        });
        const shape = getErrorShape({
          config,
          ctx: undefined,
          error: trpcError,
          input: undefined,
          path: undefined,
          type: "unknown",
        });
        return reply
          .code(Math.min(status, 500))
          .header("content-type", "application/json")
          .send(Buffer.from(JSON.stringify(transformTRPCResponse(config, { error: shape } as never))));
      });
      scope.all<{ Params: { path: string } }>("/:path", async (req, reply) => {
        if (await handleCall(req, reply)) return reply;
        await fastifyRequestHandler({ ...trpcOptions, req, res: reply, path: req.params.path } as never);
        return reply;
      });
    },
    { prefix: opts.prefix },
  );
}

type QueryResult = { result: { data: unknown } } | { error: unknown };
/** A call's end: its data, or its error (`ofRequest`: an error of the whole request, as tRPC reports it). */
type CallOutcome = { data: unknown } | { error: TRPCError; ofRequest?: boolean };
type ResponseMeta = { headers?: Headers | Record<string, string | string[] | undefined>; status?: number };

const TRPC_VARY = "trpc-accept, accept";

/** responseMeta's headers merged into tRPC's own (its Vary, then what earlier responseMeta calls added), as initResponse merges them. */
function withTrpcHeaders(earlier: Headers | undefined, extra: NonNullable<ResponseMeta["headers"]>): Headers {
  const headers = earlier ?? new Headers([["vary", TRPC_VARY]]);
  if (extra instanceof Headers) {
    for (const [key, value] of extra.entries()) headers.append(key, value);
  } else {
    for (const [key, value] of Object.entries(extra)) {
      if (Array.isArray(value)) for (const item of value) headers.append(key, item);
      else if (typeof value === "string") headers.set(key, value);
    }
  }
  return headers;
}

/** As tRPC's hasContentType: the media type alone, any case, parameters such as charset ignored. */
function isJsonContentType(value: string | undefined): boolean {
  return value?.split(";", 1)[0]?.trim().toLowerCase() === "application/json";
}

/** Same test as tRPC's resolveResponse (isDataStream): such data needs httpBatchStreamLink. */
function isStreamLike(value: unknown): boolean {
  if (!isObject(value)) return false;
  if (isAsyncIterable(value)) return true;
  const values = Object.values(value);
  return values.some(isPromise) || values.some(isAsyncIterable);
}

// Module-level, not inside isStreamLike: it runs on every query, and closures made per call cost.
function isObject(value: unknown): value is object {
  return !!value && !Array.isArray(value) && typeof value === "object";
}

function isAsyncIterable(value: unknown): boolean {
  return isObject(value) && Symbol.asyncIterator in value;
}

function isPromise(value: unknown): boolean {
  return (
    (isObject(value) || typeof value === "function") &&
    typeof (value as { then?: unknown }).then === "function" &&
    typeof (value as { catch?: unknown }).catch === "function"
  );
}
