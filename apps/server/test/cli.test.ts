import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { verifyPassword } from "@tidings/auth";
import { createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import { serverDir, startServer, trpcCall } from "@tidings/test-stack";
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

  it("refuses a password from standard input that is empty, exit code 1", async () => {
    const cli = run(["user:create", "--email", "stdin@example.test"]);
    expect(await cli.exited).toBe(1);
    expect(cli.output()).toMatch(/password refused/);
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

describe("pnpm tidings: exit codes of a wrong command line", () => {
  it("exits 2 with the usage on an unknown command or option, or without --email", async () => {
    for (const args of [["user:delete"], ["user:create", "--emial", "a@example.test"], ["user:create"]]) {
      const cli = startProcess("pnpm", ["tidings", ...args]);
      expect(await cli.exited, args.join(" ")).toBe(2);
      expect(cli.output(), args.join(" ")).toContain("Usage:");
    }
  });
});

describe("one process per embedded data folder", () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "tidings-shared-folder-"));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  const env = () => ({ TIDINGS_DATA_DIR: dataDir });
  const password = "a passphrase for the cli 2026";

  it("refuses the CLI and a second server while a server runs there; the account lasts once it is stopped", async () => {
    const server = await startServer(env());
    try {
      const cli = startProcess(
        "pnpm",
        ["tidings", "user:create", "--email", "cli@example.test", "--password", password],
        {
          env: env(),
        },
      );
      expect(await cli.exited).toBe(1);
      expect(cli.output()).toContain(`The data folder ${dataDir} is in use by another Tidings process`);
      expect(cli.output()).toContain(`pid ${server.process.child.pid}`);
      expect(cli.output()).not.toMatch(/Created user/);

      const second = startProcess("node", ["--import", "tsx", "src/main.ts"], {
        cwd: serverDir,
        env: { ...env(), PORT: "0" },
      });
      expect(await second.exited).toBe(1);
      expect(second.output()).toContain(`Tidings server failed to start: The data folder ${dataDir} is in use`);
      expect(second.output()).not.toMatch(/\n\s+at /);

      // The running server was not disturbed.
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    } finally {
      expect(await server.stop()).toBe(0);
    }

    const cli = startProcess(
      "pnpm",
      ["tidings", "user:create", "--email", "cli@example.test", "--password", password],
      {
        env: env(),
      },
    );
    expect(await cli.exited, cli.output()).toBe(0);

    const restarted = await startServer(env());
    try {
      const login = await trpcCall(restarted.url, "mutation", "auth.login", { email: "cli@example.test", password });
      expect(login.status, JSON.stringify(login.error)).toBe(200);
    } finally {
      await restarted.stop();
    }
  });
});
