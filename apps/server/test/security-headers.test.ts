import { type StartedServer, startServer } from "@tidings/test-stack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** S20: security headers on every kind of answer, HSTS only over https, CORS only for the app's origin. */
describe("security headers (S20)", () => {
  let https: StartedServer;
  let http: StartedServer;
  beforeAll(async () => {
    [https, http] = await Promise.all([
      startServer({ APP_URL: "https://mail.example.test" }),
      startServer({ APP_URL: "http://localhost:8080" }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([https?.stop(), http?.stop()]);
  });

  const paths = [
    "/healthz",
    "/trpc/health.ping",
    "/trpc/auth.me",
    "/trpc/no.such.procedure",
    "/.well-known/jwks.json",
    "/settings/sessions",
    "/no-such-file.js",
  ];

  it.each(paths)("%s carries the CSP and the other helmet headers", async (path) => {
    const response = await fetch(new URL(path, https.url));
    const csp = response.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("upgrade-insecure-requests");
    expect(response.headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    expect(response.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    expect(response.headers.get("cross-origin-opener-policy")).toBe("same-origin");
    expect(response.headers.get("x-powered-by")).toBeNull();
  });

  it("sends no HSTS and no upgrade-insecure-requests when the app is served over http", async () => {
    const response = await fetch(new URL("/healthz", http.url));
    expect(response.headers.get("strict-transport-security")).toBeNull();
    expect(response.headers.get("content-security-policy")).not.toContain("upgrade-insecure-requests");
    expect(response.headers.get("content-security-policy")).toContain("default-src 'self'");
  });

  // CORS answers differ by Origin, so a cache must not hand one origin's answer to another. tRPC sets
  // a Vary of its own, which must add to CORS's, not replace it.
  it.each([
    { path: "/healthz", trpc: false },
    { path: "/trpc/health.ping", trpc: true },
    { path: "/trpc/health.ping,auth.me?batch=1", trpc: true },
    { path: "/trpc/no.such.procedure", trpc: true },
    { path: "/trpc/auth.login", trpc: true, body: { json: { email: "nobody@example.test", password: "x" } } },
  ])("$path answers with Vary: Origin", async ({ path, trpc, body }) => {
    const response = await fetch(new URL(path, https.url), {
      headers: { origin: "https://mail.example.test", ...(body ? { "content-type": "application/json" } : {}) },
      ...(body ? { method: "POST", body: JSON.stringify(body) } : {}),
    });
    const vary = (response.headers.get("vary") ?? "").split(",").map((name) => name.trim().toLowerCase());
    expect(vary).toContain("origin");
    if (trpc) expect(vary).toContain("trpc-accept");
    expect(response.headers.get("access-control-allow-origin")).toBe("https://mail.example.test");
  });

  it("allows cross-origin calls from APP_URL's origin only", async () => {
    const preflight = (origin: string) =>
      fetch(new URL("/trpc/auth.login", https.url), {
        method: "OPTIONS",
        headers: {
          origin,
          "access-control-request-method": "POST",
          "access-control-request-headers": "content-type,x-tidings-csrf",
        },
      });
    const own = await preflight("https://mail.example.test");
    expect(own.headers.get("access-control-allow-origin")).toBe("https://mail.example.test");
    expect(own.headers.get("access-control-allow-credentials")).toBe("true");
    const foreign = await preflight("https://evil.example");
    expect(foreign.headers.get("access-control-allow-origin")).toBeNull();
  });
});
