import { transformer } from "@tidings/api";
import { initTRPC, TRPCError } from "@trpc/server";
import { fastifyTRPCPlugin } from "@trpc/server/adapters/fastify";
import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { registerTrpc, type TrpcOptions } from "../src/trpc-fastify.ts";

// Counts the requests registerTrpc hands to tRPC's own handler, so each case can say which path
// answered it (the official plugin calls its handler internally, not through this export).
const handedOver = vi.hoisted(() => ({ count: 0 }));
vi.mock("@trpc/server/adapters/fastify", async (importOriginal) => {
  const adapter = await importOriginal<typeof import("@trpc/server/adapters/fastify")>();
  return {
    ...adapter,
    fastifyRequestHandler: (...args: Parameters<typeof adapter.fastifyRequestHandler>) => {
      handedOver.count++;
      return adapter.fastifyRequestHandler(...args);
    },
  };
});

// registerTrpc answers plain GET queries itself and hands everything else to tRPC's handler. Its
// answers must be byte-for-byte those of the official fastifyTRPCPlugin: same router, same requests.
const t = initTRPC.context<{ user: string | undefined }>().create({ transformer, isDev: false });
const authed = t.procedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in first" });
  return next({ ctx: { user: ctx.user } });
});
const router = t.router({
  me: authed.query(({ ctx }) => ({ name: ctx.user, since: new Date("2026-01-02T03:04:05Z"), tags: new Set(["a"]) })),
  echo: t.procedure
    .input((raw) => {
      if (typeof raw !== "object" || raw === null || !("text" in raw)) throw new Error("text is required");
      return raw as { text: string; at?: Date };
    })
    .query(({ input }) => ({ text: input.text, at: input.at ?? null })),
  limited: t.procedure.query(() => {
    throw new TRPCError({ code: "TOO_MANY_REQUESTS", message: "slow down" });
  }),
  broken: t.procedure.query(() => {
    throw new Error("database said something private");
  }),
  nothing: t.procedure.query(() => undefined),
  save: t.procedure.mutation(() => ({ saved: true })),
});

const trpcOptions = {
  router,
  createContext: ({ req }) => ({ user: req.headers.authorization === "Bearer ok" ? "Ada" : undefined }),
  responseMeta: ({ errors }) =>
    errors.some((error) => error.code === "TOO_MANY_REQUESTS") ? { headers: new Headers({ "retry-after": "7" }) } : {},
} satisfies TrpcOptions<typeof router>;

const input = (value: unknown) => encodeURIComponent(JSON.stringify(transformer.input.serialize(value)));
// `fast`: answered by registerTrpc itself; otherwise handed to tRPC's handler.
const requests: { url: string; headers?: Record<string, string>; fast: boolean }[] = [
  { url: "/trpc/me", headers: { authorization: "Bearer ok" }, fast: true },
  { url: "/trpc/me", fast: true },
  { url: `/trpc/echo?input=${input({ text: "hi", at: new Date(0) })}`, fast: true },
  { url: `/trpc/echo?input=${input({ nope: 1 })}`, fast: true },
  { url: "/trpc/echo?input=%7Bnot-json", fast: false },
  { url: "/trpc/limited", fast: true },
  { url: "/trpc/broken", fast: true },
  { url: "/trpc/nothing", fast: true },
  { url: "/trpc/missing", fast: false },
  { url: "/trpc/save", fast: false },
  {
    url: `/trpc/me,echo,limited?batch=1&input=${input({ 1: { text: "x" } })}`,
    headers: { authorization: "Bearer ok" },
    fast: true,
  },
  { url: `/trpc/me,echo?batch=1&input=${input({ 1: { nope: true } })}`, fast: true },
  { url: "/trpc/me,save?batch=1", fast: false },
  { url: "/trpc/me,missing?batch=1", fast: false },
];

describe("tRPC GET queries answered by registerTrpc", () => {
  let ours: FastifyInstance;
  let official: FastifyInstance;

  beforeAll(async () => {
    ours = Fastify();
    await registerTrpc(ours, { prefix: "/trpc", trpcOptions });
    official = Fastify();
    await official.register(fastifyTRPCPlugin, { prefix: "/trpc", trpcOptions });
  });
  afterAll(async () => {
    await ours?.close();
    await official?.close();
  });

  it.each(requests)("$url answers as fastifyTRPCPlugin does (fast path: $fast)", async ({ url, headers, fast }) => {
    handedOver.count = 0;
    const mine = await ours.inject({ method: "GET", url, headers: headers ?? {} });
    expect(handedOver.count === 0, "answered by the fast path").toBe(fast);
    const theirs = await official.inject({ method: "GET", url, headers: headers ?? {} });
    expect(mine?.statusCode).toBe(theirs?.statusCode);
    expect(mine?.body).toBe(theirs?.body);
    for (const name of ["content-type", "retry-after", "vary"]) {
      expect(mine?.headers[name], name).toEqual(theirs?.headers[name]);
    }
  });

  it("serializes outputs with the transformer (a Date and a Set survive the trip)", async () => {
    const response = await ours.inject({ method: "GET", url: "/trpc/me", headers: { authorization: "Bearer ok" } });
    const body = JSON.parse(response.body) as {
      result: { data: Parameters<typeof transformer.output.deserialize>[0] };
    };
    expect(transformer.output.deserialize(body.result.data)).toEqual({
      name: "Ada",
      since: new Date("2026-01-02T03:04:05Z"),
      tags: new Set(["a"]),
    });
  });
});
