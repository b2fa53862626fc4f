import { createHmac, createPublicKey, generateKeyPairSync, type KeyObject, randomUUID, sign } from "node:crypto";
import {
  APP_URL,
  type AuthResultBody,
  type AuthStack,
  bearer,
  signIn,
  signUp,
  startAuthStack,
  trpcCall,
} from "@tidings/test-stack";
import { services } from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// S12 from outside: access tokens are built here with node:crypto only, the way an attacker would,
// and sent to `auth.me` as a bearer token.

type Json = Record<string, unknown>;
interface PublicJwk {
  kty: string;
  crv: string;
  x: string;
  kid: string;
  alg?: string;
  use?: string;
}

const AUDIENCE = "tidings";

const b64url = (data: Buffer | string) => Buffer.from(data).toString("base64url");
const encodePart = (part: Json) => b64url(JSON.stringify(part));

function decodeToken(token: string): { header: Json; payload: Json; signature: string } {
  const [header = "", payload = "", signature = ""] = token.split(".");
  return {
    header: JSON.parse(Buffer.from(header, "base64url").toString("utf8")) as Json,
    payload: JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Json,
    signature,
  };
}

/** A compact JWS signed with an Ed25519 key (EdDSA). */
function signEdDsa(header: Json, payload: Json, privateKey: KeyObject): string {
  const input = `${encodePart(header)}.${encodePart(payload)}`;
  return `${input}.${b64url(sign(null, Buffer.from(input), privateKey))}`;
}

/** A compact JWS with an HMAC-SHA256 signature, the secret being whatever the attacker picked. */
function signHs256(header: Json, payload: Json, secret: Buffer | string): string {
  const input = `${encodePart(header)}.${encodePart(payload)}`;
  return `${input}.${b64url(createHmac("sha256", secret).update(input).digest())}`;
}

function newEd25519Key(kid: string) {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const jwk = privateKey.export({ format: "jwk" }) as { kty: string; crv: string; x: string; d: string };
  return { kid, privateKey, publicKey, privateJwk: { ...jwk, kid, alg: "EdDSA", use: "sig" } };
}

const me = (url: string, token: string) => trpcCall(url, "query", "auth.me", undefined, bearer(token));

async function expectRefused(url: string, token: string, appCode: "TOKEN_INVALID" | "TOKEN_EXPIRED" = "TOKEN_INVALID") {
  const answer = await me(url, token);
  expect(answer.status).toBe(401);
  expect(answer.error?.data.code).toBe("UNAUTHORIZED");
  expect(answer.error?.data.appCode).toBe(appCode);
  expect(answer.data).toBeUndefined();
}

describe.skipIf(!services().postgres || !services().redis)("forged access tokens are refused (S12)", () => {
  let stack: AuthStack;
  let url: string;
  let victim: AuthResultBody;
  let other: AuthResultBody;
  let serverKey: PublicJwk;
  let header: Json;
  let payload: Json;

  // signUp polls the SMTP sink with expect.poll, which only runs inside a test: each test awaits
  // this once-only setup instead of a beforeAll.
  let accounts: Promise<void> | undefined;
  const signedUp = () =>
    (accounts ??= (async () => {
      victim = await signUp(stack, "jwt-victim@example.test", "Victim");
      other = await signUp(stack, "jwt-other@example.test", "Other");
      const jwks = (await (await fetch(new URL("/.well-known/jwks.json", url))).json()) as { keys: PublicJwk[] };
      ({ header, payload } = decodeToken(victim.accessToken));
      const signing = jwks.keys.find((key) => key.kid === header.kid);
      if (!signing) throw new Error("the kid of a fresh access token is not in the JWKS");
      serverKey = signing;
    })());

  beforeAll(async () => {
    stack = await startAuthStack();
    url = stack.servers[0]?.url ?? "";
  });
  afterAll(() => stack?.stop());

  it("issues tokens of the documented shape, and the untouched token works", async () => {
    await signedUp();
    expect(header).toEqual({ alg: "EdDSA", kid: serverKey.kid, typ: "at+jwt" });
    expect(payload).toMatchObject({ iss: APP_URL, aud: AUDIENCE, sub: victim.user.id, sid: victim.session.id });
    expect(typeof payload.jti).toBe("string");
    expect(typeof payload.iat).toBe("number");
    expect(typeof payload.exp).toBe("number");
    expect(serverKey).toMatchObject({ kty: "OKP", crv: "Ed25519" });
    expect(serverKey).not.toHaveProperty("d");

    const answer = await me(url, victim.accessToken);
    expect(answer.status).toBe(200);
    expect(answer.data).toMatchObject({ id: victim.user.id, email: "jwt-victim@example.test" });
  });

  it('refuses alg "none" with an empty signature', async () => {
    await signedUp();
    for (const alg of ["none", "None", "NONE"]) {
      const input = `${encodePart({ ...header, alg })}.${encodePart(payload)}`;
      await expectRefused(url, `${input}.`);
      await expectRefused(url, input);
    }
    await expectRefused(url, `${encodePart({ alg: "none", typ: "at+jwt" })}.${encodePart(payload)}.`);
  });

  it("refuses HS256 signed with the server's public key (raw x, JWK JSON, PEM, DER)", async () => {
    await signedUp();
    const publicKey = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: serverKey.x }, format: "jwk" });
    const pem = publicKey.export({ type: "spki", format: "pem" }) as string;
    const der = publicKey.export({ type: "spki", format: "der" });
    const secrets: (Buffer | string)[] = [
      Buffer.from(serverKey.x, "base64url"),
      serverKey.x,
      JSON.stringify(serverKey),
      JSON.stringify({ keys: [serverKey] }),
      pem,
      pem.trim(),
      der,
    ];
    expect(Buffer.from(serverKey.x, "base64url")).toHaveLength(32);
    for (const secret of secrets) {
      await expectRefused(url, signHs256({ ...header, alg: "HS256" }, payload, secret));
    }
  });

  it("refuses a token re-signed with another Ed25519 key, under the server's kid or its own", async () => {
    await signedUp();
    const attacker = newEd25519Key("attacker-key");
    const variants: Json[] = [
      payload,
      { ...payload, iss: "https://evil.example.test" },
      { ...payload, aud: "not-tidings" },
      { ...payload, sub: other.user.id, sid: other.session.id },
    ];
    for (const claims of variants) {
      await expectRefused(url, signEdDsa(header, claims, attacker.privateKey));
      await expectRefused(url, signEdDsa({ ...header, kid: attacker.kid }, claims, attacker.privateKey));
      // The key itself in the header (jwk) or a URL to it (jku) must never be trusted.
      const ownJwk = { ...attacker.publicKey.export({ format: "jwk" }), kid: attacker.kid };
      await expectRefused(url, signEdDsa({ ...header, kid: attacker.kid, jwk: ownJwk }, claims, attacker.privateKey));
      await expectRefused(
        url,
        signEdDsa({ ...header, jku: "https://evil.example.test/jwks.json" }, claims, attacker.privateKey),
      );
    }
  });

  it("refuses an unknown kid and a missing kid", async () => {
    await signedUp();
    const [, body = "", signature = ""] = victim.accessToken.split(".");
    for (const kid of ["unknown-kid", randomUUID(), "", `${serverKey.kid}x`, "../../../dev/null"]) {
      await expectRefused(url, `${encodePart({ ...header, kid })}.${body}.${signature}`);
    }
    const { kid: _kid, ...withoutKid } = header;
    await expectRefused(url, `${encodePart(withoutKid)}.${body}.${signature}`);
  });

  it("refuses a payload edited under the original signature", async () => {
    await signedUp();
    const [head = "", , signature = ""] = victim.accessToken.split(".");
    const edits: Json[] = [
      { ...payload, sub: other.user.id },
      { ...payload, sub: other.user.id, sid: other.session.id },
      { ...payload, exp: (payload.exp as number) + 3600 },
      { ...payload, iss: "https://evil.example.test" },
      { ...payload, aud: "not-tidings" },
    ];
    for (const edited of edits) {
      await expectRefused(url, `${head}.${encodePart(edited)}.${signature}`);
    }
    // Another user's genuine payload with the victim's signature, and the other way round.
    const [, otherBody = "", otherSignature = ""] = other.accessToken.split(".");
    await expectRefused(url, `${head}.${otherBody}.${signature}`);
    const [, victimBody = ""] = victim.accessToken.split(".");
    await expectRefused(url, `${head}.${victimBody}.${otherSignature}`);
  });

  it("refuses a truncated, emptied or bit-flipped signature", async () => {
    await signedUp();
    const [head = "", body = "", signature = ""] = victim.accessToken.split(".");
    const raw = Buffer.from(signature, "base64url");
    expect(raw).toHaveLength(64);
    const flipped = Buffer.from(raw);
    flipped[10] = (flipped[10] ?? 0) ^ 0x01;
    for (const forged of [
      `${head}.${body}.${signature.slice(0, -1)}`,
      `${head}.${body}.${signature.slice(0, -4)}`,
      `${head}.${body}.${b64url(raw.subarray(0, 32))}`,
      `${head}.${body}.`,
      `${head}.${body}`,
      `${head}.${body}.${b64url(flipped)}`,
      `${head}.${body}.${b64url(Buffer.alloc(64))}`,
    ]) {
      await expectRefused(url, forged);
    }
  });

  it("refuses malformed tokens with TOKEN_INVALID, not a server error", async () => {
    await signedUp();
    for (const forged of ["", "not-a-jwt", "a.b.c", `${victim.accessToken}.extra`, "x".repeat(10_000)]) {
      await expectRefused(url, forged);
    }
  });

  it("still accepts the untouched token after all of that", async () => {
    await signedUp();
    const answer = await me(url, victim.accessToken);
    expect(answer.status).toBe(200);
    expect(answer.data).toMatchObject({ id: victim.user.id });
    const otherAnswer = await me(url, other.accessToken);
    expect(otherAnswer.data).toMatchObject({ id: other.user.id });
  });
});

describe.skipIf(!services().postgres || !services().redis)(
  "claims checked on tokens signed with the server's own key (S12)",
  () => {
    // The operator supplies the signing key (JWT_PRIVATE_KEYS), so this test can sign tokens that
    // carry a valid signature and reach the issuer, audience and expiry checks.
    const trusted = newEd25519Key("test-known-key");
    let stack: AuthStack;
    let url: string;
    let session: AuthResultBody;
    let header: Json;
    let payload: Json;

    beforeAll(async () => {
      stack = await startAuthStack({
        env: {
          ACCESS_TOKEN_TTL_SECONDS: "30",
          JWT_PRIVATE_KEYS: JSON.stringify({ keys: [trusted.privateJwk] }),
        },
      });
      url = stack.servers[0]?.url ?? "";
    });
    afterAll(() => stack?.stop());

    let account: Promise<void> | undefined;
    const signedUp = () =>
      (account ??= (async () => {
        session = await signUp(stack, "jwt-expiry@example.test", "Expiry");
        ({ header, payload } = decodeToken(session.accessToken));
      })());

    const fresh = () => {
      const iat = Math.floor(Date.now() / 1000);
      return { ...payload, jti: randomUUID(), iat, exp: iat + 30 };
    };

    it("serves the configured key, and accepts a token this test signs with it (control)", async () => {
      await signedUp();
      expect(header).toEqual({ alg: "EdDSA", kid: trusted.kid, typ: "at+jwt" });
      expect((payload.exp as number) - (payload.iat as number)).toBe(30);
      const jwks = (await (await fetch(new URL("/.well-known/jwks.json", url))).json()) as { keys: PublicJwk[] };
      expect(jwks.keys.map((key) => key.kid)).toContain(trusted.kid);
      const answer = await me(url, signEdDsa(header, fresh(), trusted.privateKey));
      expect(answer.status).toBe(200);
      expect(answer.data).toMatchObject({ id: session.user.id });
    });

    it("refuses another issuer or audience even with a valid signature", async () => {
      await signedUp();
      const claims = fresh();
      for (const iss of ["https://evil.example.test", `${APP_URL}/`, "http://mail.example.test", "", undefined]) {
        await expectRefused(url, signEdDsa(header, { ...claims, iss }, trusted.privateKey));
      }
      for (const aud of ["not-tidings", "Tidings", ["other"], "", undefined]) {
        await expectRefused(url, signEdDsa(header, { ...claims, aud }, trusted.privateKey));
      }
    });

    it("refuses a validly signed token of another type or algorithm label", async () => {
      await signedUp();
      await expectRefused(url, signEdDsa({ ...header, typ: "JWT" }, fresh(), trusted.privateKey));
      await expectRefused(url, signEdDsa({ ...header, alg: "Ed25519" }, fresh(), trusted.privateKey));
    });

    it("answers TOKEN_EXPIRED for a validly signed token past exp and the clock tolerance", async () => {
      await signedUp();
      const iat = Math.floor(Date.now() / 1000) - 120;
      await expectRefused(
        url,
        signEdDsa(header, { ...payload, jti: randomUUID(), iat, exp: iat + 60 }, trusted.privateKey),
        "TOKEN_EXPIRED",
      );
    });

    it("answers TOKEN_EXPIRED for a server-issued token once its 30 s lifetime (+5 s tolerance) is over", async () => {
      await signedUp();
      const { accessToken } = await signIn(url, "jwt-expiry@example.test");
      const exp = decodeToken(accessToken).payload.exp as number;
      expect((await me(url, accessToken)).status).toBe(200);
      const waitMs = (exp + 5 + 2) * 1000 - Date.now();
      if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
      await expectRefused(url, accessToken, "TOKEN_EXPIRED");
    }, 90_000);
  },
);
