import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { noPrivateHosts, parseAllowedPrivateHosts, type Resolver } from "../src/address-guard.ts";
import { createGuardedFetch } from "../src/guarded-fetch.ts";

// S24 for a user-named AI server: the same guard and allow list as mail hosts, checked on the
// address the connection is made to (names inside the connection's own lookup).

let port = 0;
let hits = 0;
const server = createServer((_request, response) => {
  hits += 1;
  response.end("ok");
});
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

// A name whose DNS answer is loopback: what a rebinding attacker would hand out.
const rebinding: Resolver = async () => ["127.0.0.1"];

/** The MailError code behind a failed fetch (undici wraps connection errors in `cause`). */
async function refusal(request: Promise<unknown>): Promise<string | undefined> {
  const error = await request.then(
    () => undefined,
    (caught: unknown) => caught as { code?: string; cause?: { code?: string } },
  );
  return error?.code ?? error?.cause?.code;
}

describe("createGuardedFetch", () => {
  it("refuses loopback addresses and names that resolve to them, without connecting", async () => {
    const before = hits;
    expect(await refusal(createGuardedFetch(noPrivateHosts)(`http://127.0.0.1:${port}/v1`))).toBe("HOST_NOT_ALLOWED");
    expect(await refusal(createGuardedFetch(noPrivateHosts, rebinding)(`http://ai.example.test:${port}/v1`))).toBe(
      "HOST_NOT_ALLOWED",
    );
    expect(hits).toBe(before);
  });

  it("connects where MAIL_ALLOWED_PRIVATE_HOSTS allows it (a local Ollama)", async () => {
    const allowed = parseAllowedPrivateHosts(["127.0.0.1"]);
    expect(await (await createGuardedFetch(allowed)(`http://127.0.0.1:${port}/v1`)).text()).toBe("ok");
    expect(await (await createGuardedFetch(allowed, rebinding)(`http://ai.example.test:${port}/v1`)).text()).toBe("ok");
  });
});
