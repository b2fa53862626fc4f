import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { verifiedTokenCacheSize } from "../src/flows/authenticate.ts";
import { AuthFailure, authenticate } from "../src/flows/index.ts";
import {
  CLOCK_TOLERANCE_SECONDS,
  createKeyRing,
  generateSigningKey,
  type KeyRing,
  signAccessToken,
} from "../src/jwt/index.ts";
import { createMemoryRevocationStore, type RevocationStore } from "../src/revocation.ts";

const tokens = { issuer: "https://auth.tidings.test", audience: "tidings-api", ttlSeconds: 60 };
const subject = { userId: "user-1", sessionId: "session-1" };

let ring: KeyRing;
beforeAll(async () => {
  ring = await createKeyRing([await generateSigningKey()]);
});
afterEach(() => {
  vi.useRealTimers();
});

async function freshDeps() {
  // A ring of its own per test, so each test starts with an empty cache.
  const keyRing = await createKeyRing([await generateSigningKey()]);
  const revocation = createMemoryRevocationStore();
  return { keyRing, tokens, revocation };
}

async function failureOf(promise: Promise<unknown>): Promise<AuthFailure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AuthFailure);
  return error as AuthFailure;
}

describe("authenticate: verified-token cache", () => {
  it("remembers a verified token and answers the same principal", async () => {
    const deps = await freshDeps();
    const { token } = await signAccessToken(deps.keyRing, subject, tokens);
    expect(await authenticate(deps, token)).toEqual(subject);
    expect(verifiedTokenCacheSize(deps.keyRing)).toBe(1);
    expect(await authenticate(deps, token)).toEqual(subject);
    expect(verifiedTokenCacheSize(deps.keyRing)).toBe(1);
  });

  it("consults the revocation list on every request, cached or not", async () => {
    const deps = await freshDeps();
    const isRevoked = vi.fn(deps.revocation.isRevoked);
    const revocation: RevocationStore = { revoke: deps.revocation.revoke, isRevoked };
    const { token } = await signAccessToken(deps.keyRing, subject, tokens);
    for (let i = 0; i < 3; i++) await authenticate({ ...deps, revocation }, token);
    expect(isRevoked).toHaveBeenCalledTimes(3);
    await deps.revocation.revoke([subject.sessionId], 60);
    const failure = await failureOf(authenticate({ ...deps, revocation }, token));
    expect(failure.code).toBe("SESSION_REVOKED");
    expect(isRevoked).toHaveBeenCalledTimes(4);
  });

  it("never uses an entry past the token's exp: expired tokens still answer TOKEN_EXPIRED", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const start = new Date("2030-01-01T00:00:00Z");
    vi.setSystemTime(start);
    const deps = await freshDeps();
    const { token, expiresAt } = await signAccessToken(deps.keyRing, subject, tokens, start);
    expect(await authenticate(deps, token)).toEqual(subject);
    expect(verifiedTokenCacheSize(deps.keyRing)).toBe(1);

    vi.setSystemTime(expiresAt.getTime() + (CLOCK_TOLERANCE_SECONDS + 1) * 1000);
    const failure = await failureOf(authenticate(deps, token));
    expect(failure.code).toBe("TOKEN_EXPIRED");
    expect(verifiedTokenCacheSize(deps.keyRing)).toBe(0);
  });

  it("does not keep a token accepted only within the clock tolerance", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const start = new Date("2030-01-01T00:00:00Z");
    vi.setSystemTime(start);
    const deps = await freshDeps();
    const { token, expiresAt } = await signAccessToken(deps.keyRing, subject, tokens, start);
    vi.setSystemTime(expiresAt.getTime() + 1000);
    expect(await authenticate(deps, token)).toEqual(subject);
    expect(verifiedTokenCacheSize(deps.keyRing)).toBe(0);
  });

  it("does not remember refused tokens", async () => {
    const deps = await freshDeps();
    const { token } = await signAccessToken(ring, subject, tokens); // signed by a key deps' ring lacks
    expect((await failureOf(authenticate(deps, token))).code).toBe("TOKEN_INVALID");
    expect(verifiedTokenCacheSize(deps.keyRing)).toBe(0);
  });

  it("a cache entry made under one issuer/audience does not satisfy another", async () => {
    const deps = await freshDeps();
    const { token } = await signAccessToken(deps.keyRing, subject, tokens);
    await authenticate(deps, token);
    const other = { ...deps, tokens: { ...tokens, audience: "someone-else" } };
    expect((await failureOf(authenticate(other, token))).code).toBe("TOKEN_INVALID");
  });
});
