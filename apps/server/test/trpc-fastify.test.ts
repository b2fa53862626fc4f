import { errorResponseBody, transformer } from "@tidings/api";
import { initTRPC, TRPCError } from "@trpc/server";
import Fastify, { type FastifyInstance, type FastifyReply } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerTrpc, type TrpcOptions } from "../src/trpc-fastify.ts";

// registerTrpc is tRPC's official adapter plus answers in tRPC's error shape for what Fastify refuses
// before tRPC runs. A small router of its own keeps these cases about the transport only.
const t = initTRPC.context<{ user: string | undefined; reply: FastifyReply }>().create({ transformer, isDev: false });
const router = t.router({
  me: t.procedure.query(({ ctx }) => ({
    name: ctx.user,
    since: new Date("2026-01-02T03:04:05Z"),
    tags: new Set(["a"]),
  })),
  limited: t.procedure.query(() => {
    throw new TRPCError({ code: "TOO_MANY_REQUESTS", message: "slow down" });
  }),
  rename: t.procedure
    .input((raw) => {
      if (typeof raw !== "object" || raw === null || !("name" in raw)) throw new Error("name is required");
      return raw as { name: string };
    })
    .mutation(({ input, ctx }) => {
      // As the sign-in's refresh cookie: a header set on the reply while the procedure runs.
      ctx.reply.header("x-renamed", input.name);
      return { name: input.name };
    }),
});

const trpcOptions = {
  router,
  createContext: ({ req, res }) => ({
    user: req.headers.authorization === "Bearer ok" ? "Ada" : undefined,
    reply: res,
  }),
  responseMeta: ({ errors }) =>
    errors.some((error) => error.code === "TOO_MANY_REQUESTS")
      ? { headers: new Headers({ "retry-after": "7", vary: "Origin" }) }
      : { headers: new Headers({ vary: "Origin" }) },
} satisfies TrpcOptions<typeof router>;

type Wire = { result?: { data: Parameters<typeof transformer.output.deserialize>[0] }; error?: { json: ErrorShape } };
type ErrorShape = { message: string; data: { code: string; httpStatus: number; appCode: string } };

const json = (value: unknown) => JSON.stringify(transformer.input.serialize(value));
const jsonPost = { "content-type": "application/json" };

describe("registerTrpc", () => {
  let app: FastifyInstance;

  beforeAll(async () => {
    app = Fastify({ bodyLimit: 1_000 });
    await registerTrpc(app, { prefix: "/trpc", trpcOptions, errorBody: errorResponseBody });
  });
  afterAll(async () => {
    await app?.close();
  });

  function errorOf(body: string): ErrorShape | undefined {
    return (JSON.parse(body) as Wire).error?.json;
  }

  it("answers a body past the limit with 413 in tRPC's error shape", async () => {
    const response = await app.inject({
      method: "POST",
      url: "/trpc/rename",
      headers: jsonPost,
      body: json({ name: "x".repeat(2_000) }),
    });
    expect(response.statusCode).toBe(413);
    expect(response.headers["content-type"]).toMatch(/^application\/json/);
    expect(errorOf(response.body)).toMatchObject({
      message: "Request body is too large",
      data: { code: "PAYLOAD_TOO_LARGE", httpStatus: 413, appCode: "INVALID_INPUT" },
    });
  });

  it("answers a content type it cannot read with 415 in tRPC's error shape", async () => {
    const response = await app.inject({
      method: "POST",
      url: "/trpc/rename",
      headers: { "content-type": "application/octet-stream" },
      body: "{}",
    });
    expect(response.statusCode).toBe(415);
    expect(errorOf(response.body)).toMatchObject({
      data: { code: "UNSUPPORTED_MEDIA_TYPE", httpStatus: 415, appCode: "INVALID_INPUT" },
    });
  });

  it("answers an unreadable body (a Content-Length that does not match) with 400 in tRPC's error shape", async () => {
    const response = await app.inject({
      method: "POST",
      url: "/trpc/rename",
      headers: { ...jsonPost, "content-length": "500" },
      body: json({ name: "Bo" }),
    });
    expect(response.statusCode).toBe(400);
    expect(errorOf(response.body)).toMatchObject({
      message: "Malformed request",
      data: { code: "BAD_REQUEST", httpStatus: 400, appCode: "INVALID_INPUT" },
    });
  });

  it("serves queries over GET with the transformer (a Date and a Set survive the trip)", async () => {
    const response = await app.inject({ method: "GET", url: "/trpc/me", headers: { authorization: "Bearer ok" } });
    expect(response.statusCode).toBe(200);
    const body = JSON.parse(response.body) as Wire;
    expect(transformer.output.deserialize(body.result?.data as never)).toEqual({
      name: "Ada",
      since: new Date("2026-01-02T03:04:05Z"),
      tags: new Set(["a"]),
    });
  });

  it("runs batches, with responseMeta's headers and the status of the worst call", async () => {
    const response = await app.inject({ method: "GET", url: "/trpc/me,limited?batch=1" });
    expect(response.statusCode).toBe(207);
    expect(response.headers["retry-after"]).toBe("7");
    expect(response.headers.vary).toContain("Origin");
    const body = JSON.parse(response.body) as Wire[];
    expect(body[1]?.error?.json.data.code).toBe("TOO_MANY_REQUESTS");
  });

  it("serves mutations over POST and keeps headers they set on the reply", async () => {
    const response = await app.inject({
      method: "POST",
      url: "/trpc/rename",
      headers: jsonPost,
      body: json({ name: "Di" }),
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers["x-renamed"]).toBe("Di");
    expect(response.headers.vary).toContain("Origin");
  });
});
