import { randomBytes } from "node:crypto";
import type { Executor } from "@tidings/db";

export const origin = { ip: "127.0.0.1", userAgent: "vitest" };

export async function insertUser(db: Executor, email = `u${randomBytes(4).toString("hex")}@example.test`) {
  return db
    .insertInto("users")
    .values({ email, email_normalized: email.toLowerCase() })
    .returningAll()
    .executeTakeFirstOrThrow();
}
