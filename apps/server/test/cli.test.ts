import { verifyPassword } from "@tidings/auth";
import { createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import { services, startProcess } from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

describe.skipIf(!services().postgres)("pnpm tidings user:create", () => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createTestDatabase();
  });
  afterAll(() => testDb?.drop());

  const run = (args: string[]) => startProcess("pnpm", ["tidings", ...args], { env: { DATABASE_URL: testDb.url } });

  it("creates a verified admin whose password works", async () => {
    const password = "first admin passphrase 2026";
    const cli = run([
      "user:create",
      "--email",
      "Root@Example.test",
      "--name",
      "Root",
      "--admin",
      "--password",
      password,
    ]);
    expect(await cli.exited).toBe(0);
    expect(cli.output()).toMatch(/Created admin Root@Example.test/);
    const user = await testDb.handle.db
      .selectFrom("users")
      .selectAll()
      .where("email_normalized", "=", "root@example.test")
      .executeTakeFirstOrThrow();
    expect(user.role).toBe("admin");
    expect(user.email_verified_at).toBeInstanceOf(Date);
    expect(await verifyPassword(user.password_hash ?? "", password)).toBe(true);
  });

  it("refuses a weak password and an email that is taken, saying why", async () => {
    const weak = run(["user:create", "--email", "weak@example.test", "--password", "password1234"]);
    expect(await weak.exited).toBe(1);
    expect(weak.output()).toMatch(/password refused/);
    const taken = run(["user:create", "--email", "root@example.test", "--password", "another fine passphrase 1"]);
    expect(await taken.exited).toBe(1);
    expect(taken.output()).toMatch(/already exists/);
  });
});
