import {
  acquireMailLeases,
  insertMailAccount,
  type MailAccountRow,
  releaseMailLeases,
  renewMailLeases,
  setLeasedMailAccountStatus,
  sql,
} from "@tidings/db";
import { createTestDatabase, type TestDatabase } from "@tidings/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The lease rules on a real database; the runner tests show them at work with Dovecot.
describe("mail account leases", () => {
  let testDb: TestDatabase;
  const accounts: MailAccountRow[] = [];
  const db = () => testDb.handle.db;
  const owners = async () =>
    (await sql<{ id: string; lease_owner: string | null }>`select id, lease_owner from mail_accounts`.execute(db()))
      .rows;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    const { id: userId } = await db()
      .insertInto("users")
      .values({ email: "lease@example.test", email_normalized: "lease@example.test" })
      .returning("id")
      .executeTakeFirstOrThrow();
    for (let index = 0; index < 12; index += 1) {
      accounts.push(
        await insertMailAccount(db(), {
          userId,
          email: `box${index}@example.test`,
          provider: "custom",
          imap: { host: "127.0.0.1", port: 1, security: "none", username: "u" },
          smtp: { host: "127.0.0.1", port: 1, security: "none", username: "u" },
          credentialsSealed: "sealed",
        }),
      );
    }
    await db()
      .updateTable("mail_accounts")
      .set({ status: "paused" })
      .where("id", "=", accounts[11]?.id ?? "")
      .execute();
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  it("hands each account to one worker, up to each worker's limit, never a paused one", async () => {
    // Four workers ask at the same moment, each for up to 4.
    const taken = await Promise.all(
      ["w1", "w2", "w3", "w4"].map((owner) => acquireMailLeases(db(), { owner, seconds: 30, limit: 4 })),
    );
    const ids = taken.flat().map((row) => row.id);
    expect(ids).toHaveLength(11);
    expect(new Set(ids).size).toBe(11);
    expect(taken.every((rows) => rows.length <= 4)).toBe(true);
    expect(ids).not.toContain(accounts[11]?.id);
    expect(await acquireMailLeases(db(), { owner: "w5", seconds: 30, limit: 4 })).toEqual([]);
  });

  it("renews only the owner's leases, and an expired lease goes to the next worker", async () => {
    const victim = (await owners()).find((row) => row.lease_owner !== null)?.lease_owner ?? "";
    const w1 = (await owners()).filter((row) => row.lease_owner === victim).map((row) => row.id);
    expect(w1.length).toBeGreaterThan(0);
    // Another worker cannot renew them.
    expect(await renewMailLeases(db(), "someone-else", w1, 30)).toEqual([]);
    expect((await renewMailLeases(db(), victim, w1, 30)).map((row) => row.id).sort()).toEqual([...w1].sort());

    // The holder stops renewing (dies): once its leases run out, w5 takes them; its renewal then fails.
    await sql`update mail_accounts set lease_expires_at = now() - interval '1 second' where lease_owner = ${victim}`.execute(
      db(),
    );
    const takenOver = await acquireMailLeases(db(), { owner: "w5", seconds: 30, limit: 10 });
    expect(takenOver.map((row) => row.id).sort()).toEqual([...w1].sort());
    expect(await renewMailLeases(db(), victim, w1, 30)).toEqual([]);
    // A stale holder's status write is ignored too.
    const [first] = w1;
    if (!first) throw new Error("no account");
    await setLeasedMailAccountStatus(db(), victim, first, "error", { code: "X", message: "stale" });
    expect(
      (await db().selectFrom("mail_accounts").select("status").where("id", "=", first).executeTakeFirstOrThrow())
        .status,
    ).not.toBe("error");
  });

  it("drops a paused account from the renewal, and a released lease is free at once", async () => {
    // Whichever worker holds the most (SKIP LOCKED shares them out unevenly under contention).
    const rows = await owners();
    const counts = new Map<string, number>();
    for (const row of rows) if (row.lease_owner) counts.set(row.lease_owner, (counts.get(row.lease_owner) ?? 0) + 1);
    const holder = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? "";
    const w2 = rows.filter((row) => row.lease_owner === holder).map((row) => row.id);
    const [paused, ...rest] = w2;
    if (!paused || !rest.length) throw new Error("no worker holds two accounts");
    await db().updateTable("mail_accounts").set({ status: "paused" }).where("id", "=", paused).execute();
    expect((await renewMailLeases(db(), holder, w2, 30)).map((row) => row.id).sort()).toEqual([...rest].sort());
    // Nor can the holder's runner write over the pause.
    await setLeasedMailAccountStatus(db(), holder, paused, "ready");
    expect(
      (await db().selectFrom("mail_accounts").select("status").where("id", "=", paused).executeTakeFirstOrThrow())
        .status,
    ).toBe("paused");

    await releaseMailLeases(db(), holder, w2);
    const next = await acquireMailLeases(db(), { owner: "w6", seconds: 30, limit: 10 });
    expect(next.map((row) => row.id).sort()).toEqual([...rest].sort());
  });
});
