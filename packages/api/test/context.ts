import { randomBytes } from "node:crypto";
import { createKeyRing, createMemoryRateLimiter, createMemoryRevocationStore, generateSigningKey } from "@tidings/auth";
import { loadConfig } from "@tidings/config";
import type { Database, Kysely } from "@tidings/db";
import { createInProcessProducer } from "@tidings/jobs";
import { createMemoryMailEventBus } from "@tidings/mail";
import { createAuthDeps, type InnerContext } from "../src/index.ts";

/** The inner context of a procedure, on a test database, without HTTP. */
export async function testInnerContext(db: Kysely<Database>, env: Record<string, string> = {}): Promise<InnerContext> {
  const config = loadConfig(env);
  const jobs = createInProcessProducer(
    {
      email: async () => undefined,
      maintenance: async () => undefined,
      mail: async () => undefined,
      "mail-send": async () => undefined,
      ai: async () => undefined,
    },
    () => {},
  );
  const keyRing = await createKeyRing([await generateSigningKey()]);
  const auth = createAuthDeps({
    config,
    db,
    keyRing,
    revocation: createMemoryRevocationStore(),
    encryptionKey: randomBytes(32),
    onBackgroundError: (error) => {
      throw error;
    },
  });
  return { config, db, jobs, auth, rateLimiter: createMemoryRateLimiter(), mailEvents: createMemoryMailEventBus() };
}
