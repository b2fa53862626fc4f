import { createHash } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { checkPasswordPolicy } from "../src/password/index.ts";

/** Stands in for api.pwnedpasswords.com, which tests cannot reach. */
interface SeenRequest {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingHttpHeaders;
  body: string;
}

const breachedPassword = "Hunter2-but-longer!";
const cleanPassword = "ajwq93-FzPlx";

function sha1(text: string): string {
  return createHash("sha1").update(text, "utf8").digest("hex").toUpperCase();
}

let server: Server;
let baseUrl: string;
let seen: SeenRequest[] = [];
let respond: "range" | "hang" | "error" = "range";

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => {
      body += chunk;
    });
    request.on("end", () => {
      seen.push({ method: request.method, url: request.url, headers: request.headers, body });
      if (respond === "hang") return;
      if (respond === "error") {
        response.writeHead(503).end();
        return;
      }
      const breached = sha1(breachedPassword);
      const lines = ["0018A45C4D1DEF81644B54AB7F969B88D65:3", "00D4F6E8FA6EECAD2A3AA415EEC418D38EC:0"];
      if (request.url === `/range/${breached.slice(0, 5)}`) lines.push(`${breached.slice(5)}:42`);
      const clean = sha1(cleanPassword);
      // A padding line for the clean password: listed, but with a count of zero.
      if (request.url === `/range/${clean.slice(0, 5)}`) lines.push(`${clean.slice(5)}:0`);
      response.writeHead(200, { "content-type": "text/plain" }).end(lines.join("\r\n"));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  seen = [];
  respond = "range";
});

describe("Have I Been Pwned range check", () => {
  it("sends only the first five hex characters of the SHA-1, with padding requested", async () => {
    const check = await checkPasswordPolicy(cleanPassword, {}, { hibp: { enabled: true, baseUrl } });
    expect(check).toEqual({ ok: true, reasons: [] });

    expect(seen).toHaveLength(1);
    const [request] = seen;
    const digest = sha1(cleanPassword);
    expect(request?.method).toBe("GET");
    expect(request?.url).toBe(`/range/${digest.slice(0, 5)}`);
    expect(request?.url).toMatch(/^\/range\/[0-9A-F]{5}$/);
    expect(request?.headers["add-padding"]).toBe("true");
    expect(request?.body).toBe("");
    const everythingSent = JSON.stringify(request).toUpperCase();
    expect(everythingSent).not.toContain(digest.slice(5));
    expect(everythingSent).not.toContain(cleanPassword.toUpperCase());
  });

  it("refuses a breached password", async () => {
    const check = await checkPasswordPolicy(breachedPassword, {}, { hibp: { enabled: true, baseUrl } });
    expect(check.ok).toBe(false);
    expect(check.reasons.map((reason) => reason.code)).toEqual(["breached"]);
    expect(check.breachCheckSkipped).toBeUndefined();
  });

  it("does not ask at all when disabled", async () => {
    const check = await checkPasswordPolicy(breachedPassword, {}, { hibp: { enabled: false, baseUrl } });
    expect(check).toEqual({ ok: true, reasons: [] });
    expect(seen).toHaveLength(0);
  });

  it("lets the password through and says the check was skipped when the server times out", async () => {
    respond = "hang";
    const started = performance.now();
    const check = await checkPasswordPolicy(breachedPassword, {}, { hibp: { enabled: true, baseUrl, timeoutMs: 200 } });
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(check).toEqual({ ok: true, reasons: [], breachCheckSkipped: true });
    expect(seen).toHaveLength(1);
  });

  it("treats an error status or an unreachable server as skipped", async () => {
    respond = "error";
    expect(await checkPasswordPolicy(breachedPassword, {}, { hibp: { enabled: true, baseUrl } })).toEqual({
      ok: true,
      reasons: [],
      breachCheckSkipped: true,
    });

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const closedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const check = await checkPasswordPolicy(breachedPassword, {}, { hibp: { enabled: true, baseUrl: closedUrl } });
    expect(check).toEqual({ ok: true, reasons: [], breachCheckSkipped: true });
  });

  it("uses an injected fetch", async () => {
    const urls: string[] = [];
    const fakeFetch: typeof fetch = async (input) => {
      urls.push(String(input));
      return new Response(`${sha1(breachedPassword).slice(5)}:7\r\n`);
    };
    const check = await checkPasswordPolicy(breachedPassword, {}, { hibp: { enabled: true, fetch: fakeFetch } });
    expect(check.reasons.map((reason) => reason.code)).toEqual(["breached"]);
    expect(urls).toEqual([`https://api.pwnedpasswords.com/range/${sha1(breachedPassword).slice(0, 5)}`]);
  });
});
