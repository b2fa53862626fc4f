import { createDecipheriv, createPrivateKey, createPublicKey, randomBytes } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";
import { sql } from "@tidings/db";
import { createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import {
  APP_URL,
  generousRateLimits,
  PASSWORD,
  type StartedServer,
  serverDir,
  startServer,
  trpcCall,
} from "@tidings/test-stack";
import { createTestRedis, type RunningProcess, services, startProcess, type TestRedis } from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// S21 from outside: the JWT private key the server generates (JWT_PRIVATE_KEYS unset) is in the
// database only sealed with AES-256-GCM under ENCRYPTION_KEY, and the SMTP password of SMTP_URL is
// used to log in to the SMTP peer but never appears in logs or answers.

const SMTP_USER = "tidings-mailer";
const SMTP_PASSWORD = `smtp-${randomBytes(12).toString("hex")}`;

interface SmtpPeer {
  port: number;
  /** user\0password pairs the client logged in with. */
  logins: { user: string; password: string }[];
  messages: string[];
  server: Server;
}

/** A small SMTP server that offers AUTH PLAIN and LOGIN (no TLS), and keeps what it is sent. */
async function startSmtpPeer(): Promise<SmtpPeer> {
  const peer: SmtpPeer = { port: 0, logins: [], messages: [], server: createServer() };
  const decode = (b64: string) => Buffer.from(b64, "base64").toString("utf8");
  peer.server.on("connection", (socket: Socket) => {
    let buffer = "";
    let data: string[] | undefined;
    let login: { step: "plain" | "user" | "password"; user?: string } | undefined;
    const reply = (line: string) => socket.write(`${line}\r\n`);
    reply("220 peer.example.test ESMTP");
    socket.setEncoding("utf8");
    socket.on("error", () => {});
    socket.on("data", (chunk: string) => {
      buffer += chunk;
      for (let end = buffer.indexOf("\r\n"); end !== -1; end = buffer.indexOf("\r\n")) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (data) {
          if (line === ".") {
            peer.messages.push(data.join("\n"));
            data = undefined;
            reply("250 2.0.0 queued");
          } else data.push(line.startsWith("..") ? line.slice(1) : line);
          continue;
        }
        if (login) {
          if (login.step === "plain") {
            const [, user = "", password = ""] = decode(line).split("\0");
            peer.logins.push({ user, password });
            login = undefined;
            reply("235 2.7.0 ok");
          } else if (login.step === "user") {
            login = { step: "password", user: decode(line) };
            reply("334 UGFzc3dvcmQ6");
          } else {
            peer.logins.push({ user: login.user ?? "", password: decode(line) });
            login = undefined;
            reply("235 2.7.0 ok");
          }
          continue;
        }
        const [verb = "", ...rest] = line.split(" ");
        switch (verb.toUpperCase()) {
          case "EHLO":
            reply("250-peer.example.test");
            reply("250-AUTH PLAIN LOGIN");
            reply("250 8BITMIME");
            break;
          case "AUTH":
            if (rest[0]?.toUpperCase() === "PLAIN" && rest[1]) {
              const [, user = "", password = ""] = decode(rest[1]).split("\0");
              peer.logins.push({ user, password });
              reply("235 2.7.0 ok");
            } else if (rest[0]?.toUpperCase() === "PLAIN") {
              login = { step: "plain" };
              reply("334 ");
            } else {
              login = { step: "user" };
              reply("334 VXNlcm5hbWU6");
            }
            break;
          case "DATA":
            data = [];
            reply("354 go ahead");
            break;
          case "QUIT":
            reply("221 bye");
            socket.end();
            break;
          default:
            reply("250 ok");
        }
      }
    });
  });
  await new Promise<void>((resolve) => peer.server.listen(0, "127.0.0.1", resolve));
  const address = peer.server.address();
  peer.port = typeof address === "object" && address ? address.port : 0;
  return peer;
}

describe.skipIf(!services().postgres || !services().redis)("secrets stay secret (S21)", () => {
  const encryptionKey = randomBytes(32);
  let testDb: TestDatabase;
  let redis: TestRedis;
  let peer: SmtpPeer;
  let server: StartedServer;
  let worker: RunningProcess;
  let url: string;

  beforeAll(async () => {
    [testDb, redis, peer] = await Promise.all([createTestDatabase(), createTestRedis(), startSmtpPeer()]);
    const env = {
      DATABASE_URL: testDb.url,
      REDIS_URL: redis.url,
      REDIS_PREFIX: redis.prefix,
      SMTP_URL: `smtp://${SMTP_USER}:${encodeURIComponent(SMTP_PASSWORD)}@127.0.0.1:${peer.port}`,
      APP_URL,
      ENCRYPTION_KEY: encryptionKey.toString("base64"),
      LOG_LEVEL: "debug",
      ...generousRateLimits,
    } as Record<string, string>;
    server = await startServer(env);
    url = server.url;
    worker = startProcess("node", ["--import", "tsx", "../worker/src/main.ts"], { cwd: serverDir, env });
    await worker.waitFor(/"msg":"worker started"/);
  });
  afterAll(async () => {
    await server?.stop();
    await worker?.stop();
    await new Promise((resolve) => peer?.server.close(resolve));
    await redis?.cleanup();
    await testDb?.drop();
  });

  it("S21: without JWT_PRIVATE_KEYS the generated private key is stored only AES-256-GCM sealed under ENCRYPTION_KEY", async () => {
    const jwks = (await (await fetch(new URL("/.well-known/jwks.json", url))).json()) as {
      keys: { kid: string; x: string; d?: string }[];
    };
    expect(jwks.keys.length).toBeGreaterThan(0);
    for (const key of jwks.keys) expect(key.d).toBeUndefined();

    const { rows } = await sql<{ kid: string; sealed: string; row: string }>`
      select kid, private_jwk_sealed as sealed, row_to_json(k)::text as row from signing_keys k`.execute(
      testDb.handle.db,
    );
    expect(rows.map((row) => row.kid).sort()).toEqual(jwks.keys.map((key) => key.kid).sort());
    for (const { kid, sealed, row } of rows) {
      // No JSON, no private member in the clear.
      expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
      expect(() => JSON.parse(sealed)).toThrow();

      // Opening it needs ENCRYPTION_KEY (AES-256-GCM, bound to the kid) and gives the key of the JWKS.
      const [, iv = "", ciphertext = "", tag = ""] = sealed.split(".");
      const open = (key: Buffer) => {
        const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"), { authTagLength: 16 });
        decipher.setAuthTag(Buffer.from(tag, "base64url"));
        decipher.setAAD(Buffer.from(kid, "utf8"));
        return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString(
          "utf8",
        );
      };
      expect(() => open(randomBytes(32))).toThrow();
      const privateJwk = JSON.parse(open(encryptionKey)) as { kty: string; crv: string; d: string; x: string };
      expect(privateJwk).toMatchObject({ kty: "OKP", crv: "Ed25519" });
      const publicJwk = createPublicKey(createPrivateKey({ key: privateJwk, format: "jwk" })).export({ format: "jwk" });
      expect(publicJwk.x).toBe(jwks.keys.find((key) => key.kid === kid)?.x);

      // The private part is nowhere in the row, the logs or the public keys.
      expect(row).not.toContain(privateJwk.d);
      expect(server.process.output()).not.toContain(privateJwk.d);
      expect(worker.output()).not.toContain(privateJwk.d);
      expect(JSON.stringify(jwks)).not.toContain(privateJwk.d);
    }
  });

  it("S21: the SMTP password of SMTP_URL logs in to the SMTP peer and is never logged or answered", async () => {
    const email = "smtp-secret@example.test";
    const registered = await trpcCall(url, "mutation", "auth.register", { email, password: PASSWORD });
    expect(registered.data).toEqual({ status: "verification_sent" });
    await expect.poll(() => peer.messages.some((message) => message.includes(email)), { timeout: 20_000 }).toBe(true);
    expect(peer.logins.length).toBeGreaterThan(0);
    for (const login of peer.logins) expect(login).toEqual({ user: SMTP_USER, password: SMTP_PASSWORD });

    // Answers of every public route, including errors.
    const answers: string[] = [];
    for (const path of [
      "/healthz",
      "/readyz",
      "/metrics",
      "/openapi.json",
      "/.well-known/jwks.json",
      "/trpc/health.ping",
      "/trpc/auth.me",
      "/trpc/no.such.procedure",
      "/no-such-page",
    ]) {
      const response = await fetch(new URL(path, url));
      answers.push(`${path} ${JSON.stringify([...response.headers])} ${await response.text()}`);
    }
    const login = await trpcCall(url, "mutation", "auth.login", { email, password: "not the password at all" });
    answers.push(JSON.stringify(login));

    // A last request marks the end of the server's log so far.
    await fetch(new URL("/healthz", url), { headers: { "x-request-id": "s21-last" } });
    await expect.poll(() => server.process.output().includes("s21-last"), { timeout: 10_000 }).toBe(true);
    const outputs = { server: server.process.output(), worker: worker.output() };
    expect(outputs.worker.length).toBeGreaterThan(0);

    const forms = [
      SMTP_PASSWORD,
      encodeURIComponent(SMTP_PASSWORD),
      Buffer.from(SMTP_PASSWORD).toString("base64"),
      Buffer.from(`\0${SMTP_USER}\0${SMTP_PASSWORD}`).toString("base64"),
      encryptionKey.toString("base64"),
      encryptionKey.toString("hex"),
    ];
    for (const form of forms) {
      expect(outputs.server, "server log").not.toContain(form);
      expect(outputs.worker, "worker log").not.toContain(form);
      for (const answer of answers) expect(answer).not.toContain(form);
    }
  });
});
