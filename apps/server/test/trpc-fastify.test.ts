import { transformer } from "@tidings/api";
import { initTRPC, TRPCError } from "@trpc/server";
import { fastifyTRPCPlugin } from "@trpc/server/adapters/fastify";
import Fastify, { type FastifyInstance, type FastifyReply } from "fastify";
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

// registerTrpc answers GET queries and JSON POST mutations itself and hands everything else to tRPC's
// handler. Its answers must be those of the official fastifyTRPCPlugin (status, body, headers, onError
// calls), for the same router and requests; only the framing differs (Content-Length, not chunked).
const t = initTRPC.context<{ user: string | undefined; reply: FastifyReply }>().create({ transformer, isDev: false });
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
  rename: authed
    .input((raw) => {
      if (typeof raw !== "object" || raw === null || !("name" in raw)) throw new Error("name is required");
      return raw as { name: string; at?: Date };
    })
    .mutation(({ input, ctx }) => {
      // As the sign-in's refresh cookie: a header set on the reply while the procedure runs.
      ctx.reply.header("x-renamed", input.name);
      return { name: input.name, at: input.at ?? null };
    }),
  flood: t.procedure.mutation(() => {
    throw new TRPCError({ code: "TOO_MANY_REQUESTS", message: "slow down" });
  }),
  crash: t.procedure.mutation(() => {
    throw new Error("database said something private");
  }),
  // superjson refuses these keys (prototype pollution), after the procedure has run.
  unsendable: t.procedure.query(() => ({ constructor: "x" })),
  unsendableSave: t.procedure.mutation(() => ({ constructor: "x" })),
});

// What each server reported to onError, to compare the two.
const reported: unknown[] = [];

const trpcOptions = {
  router,
  createContext: ({ req, res }) => ({
    user: req.headers.authorization === "Bearer ok" ? "Ada" : undefined,
    reply: res,
  }),
  onError: ({ error, path, input, type }) => reported.push({ code: error.code, path, input, type }),
  responseMeta: ({ errors }) =>
    errors.some((error) => error.code === "TOO_MANY_REQUESTS")
      ? { headers: new Headers({ "retry-after": "7", vary: "Origin" }) }
      : {},
} satisfies TrpcOptions<typeof router>;

const json = (value: unknown) => JSON.stringify(transformer.input.serialize(value));
const input = (value: unknown) => encodeURIComponent(json(value));
// A batch's inputs: each call's own serialized input under its index.
const batchJson = (inputs: Record<number, unknown>) =>
  JSON.stringify(Object.fromEntries(Object.entries(inputs).map(([i, v]) => [i, transformer.input.serialize(v)])));
const batchInput = (inputs: Record<number, unknown>) => encodeURIComponent(batchJson(inputs));
const jsonPost = { "content-type": "application/json" };
const signedInPost = { ...jsonPost, authorization: "Bearer ok" };
// `fast`: answered by registerTrpc itself; otherwise handed to tRPC's handler.
const requests: {
  method?: "GET" | "POST";
  url: string;
  headers?: Record<string, string>;
  body?: string;
  fast: boolean;
}[] = [
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
    url: `/trpc/me,echo,limited?batch=1&input=${batchInput({ 1: { text: "x" } })}`,
    headers: { authorization: "Bearer ok" },
    fast: true,
  },
  { url: `/trpc/me,echo?batch=1&input=${batchInput({ 1: { nope: true } })}`, fast: true },
  { url: "/trpc/me,save?batch=1", fast: false },
  { url: "/trpc/me,missing?batch=1", fast: false },
  // Mutations: a JSON body, as httpBatchLink posts them.
  { method: "POST", url: "/trpc/save", headers: jsonPost, body: "{}", fast: true },
  {
    method: "POST",
    url: "/trpc/rename",
    headers: signedInPost,
    body: json({ name: "Bo", at: new Date(0) }),
    fast: true,
  },
  { method: "POST", url: "/trpc/rename", headers: signedInPost, body: json({ nope: 1 }), fast: true },
  { method: "POST", url: "/trpc/rename", headers: jsonPost, body: json({ name: "Bo" }), fast: true },
  {
    method: "POST",
    url: "/trpc/rename",
    headers: { ...signedInPost, "content-type": "Application/JSON; charset=utf-8" },
    body: json({ name: "Cy" }),
    fast: true,
  },
  { method: "POST", url: "/trpc/flood", headers: jsonPost, body: "{}", fast: true },
  { method: "POST", url: "/trpc/crash", headers: jsonPost, body: "{}", fast: true },
  {
    method: "POST",
    url: "/trpc/save,rename,flood?batch=1",
    headers: signedInPost,
    body: batchJson({ 1: { name: "Di", at: new Date(1) } }),
    fast: true,
  },
  {
    method: "POST",
    url: "/trpc/rename,save?batch=1",
    headers: jsonPost,
    body: batchJson({ 0: { nope: 1 } }),
    fast: true,
  },
  { url: "/trpc/unsendable", fast: true },
  { url: "/trpc/me,unsendable?batch=1", headers: { authorization: "Bearer ok" }, fast: true },
  { method: "POST", url: "/trpc/unsendableSave", headers: jsonPost, body: "{}", fast: true },
  // Left to tRPC: malformed or empty bodies, other content types, a query posted, unknown paths.
  { method: "POST", url: "/trpc/rename", headers: signedInPost, body: "{not-json", fast: false },
  { method: "POST", url: "/trpc/save", headers: jsonPost, body: "", fast: false },
  { method: "POST", url: "/trpc/save", headers: { "content-type": "text/plain" }, body: "{}", fast: false },
  { method: "POST", url: "/trpc/me", headers: signedInPost, body: "{}", fast: false },
  { method: "POST", url: "/trpc/missing", headers: jsonPost, body: "{}", fast: false },
  { method: "POST", url: "/trpc/save,me?batch=1", headers: jsonPost, body: "{}", fast: false },
  { method: "POST", url: "/trpc/save,rename?batch=1", headers: jsonPost, body: "[1,2]", fast: false },
];

describe("tRPC queries and mutations answered by registerTrpc", () => {
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

  const labelled = requests.map((request) => ({
    ...request,
    label: `${request.method ?? "GET"} ${request.url}${request.body === undefined ? "" : ` ${request.body}`}`,
  }));
  it.each(labelled)("$label answers as fastifyTRPCPlugin does (fast path: $fast)", async (request) => {
    const { method = "GET", url, headers = {}, body, fast } = request;
    handedOver.count = 0;
    reported.length = 0;
    const mine = await ours.inject({ method, url, headers, ...(body === undefined ? {} : { body }) });
    expect(handedOver.count === 0, "answered by the fast path").toBe(fast);
    const reportedByMine = reported.splice(0);
    const theirs = await official.inject({ method, url, headers, ...(body === undefined ? {} : { body }) });
    expect(reportedByMine, "onError calls").toEqual(reported);
    expect(mine?.statusCode).toBe(theirs?.statusCode);
    expect(mine?.body).toBe(theirs?.body);
    for (const name of ["content-type", "retry-after", "vary", "x-renamed"]) {
      expect(mine?.headers[name], name).toEqual(theirs?.headers[name]);
    }
  });

  it("runs each call of a batch of mutations with its own input and keeps headers they set", async () => {
    const response = await ours.inject({
      method: "POST",
      url: "/trpc/save,rename?batch=1",
      headers: signedInPost,
      body: batchJson({ 1: { name: "Di", at: new Date(1) } }),
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers["x-renamed"]).toBe("Di");
    const body = JSON.parse(response.body) as {
      result: { data: Parameters<typeof transformer.output.deserialize>[0] };
    }[];
    expect(body.map((item) => transformer.output.deserialize(item.result.data))).toEqual([
      { saved: true },
      { name: "Di", at: new Date(1) },
    ]);
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
