import { ImapFlow } from "imapflow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { services, startDovecot, type TestDovecot } from "../src/index.ts";

function rawMessage(subject: string, messageId: string): string {
  return [
    "From: Bob <bob@example.test>",
    "To: Alice <alice@example.test>",
    `Subject: ${subject}`,
    `Message-ID: <${messageId}>`,
    "Date: Thu, 03 Dec 2026 10:00:00 +0000",
    "Content-Type: text/plain; charset=utf-8",
    "",
    `Body of ${subject}`,
    "",
  ].join("\r\n");
}

describe.skipIf(!services().dovecot)("Dovecot test harness", () => {
  let dovecot: TestDovecot;

  beforeAll(async () => {
    dovecot = await startDovecot({ users: { alice: "alice-pw", bob: "bob-pw" } });
  });
  afterAll(async () => {
    await dovecot?.close();
  });

  it("offers the special-use folders and CONDSTORE/QRESYNC", async () => {
    const client = await dovecot.connect("alice");
    try {
      expect(client.capabilities.has("CONDSTORE")).toBe(true);
      expect(client.capabilities.has("QRESYNC")).toBe(true);
      const folders = await client.list();
      const roles = Object.fromEntries(folders.map((folder) => [folder.path, folder.specialUse ?? null]));
      expect(roles).toEqual({
        INBOX: "\\Inbox",
        Sent: "\\Sent",
        Drafts: "\\Drafts",
        Trash: "\\Trash",
        Junk: "\\Junk",
        Archive: "\\Archive",
      });
    } finally {
      await client.logout();
    }
  });

  it("refuses a wrong password", async () => {
    const client = new ImapFlow({
      host: dovecot.host,
      port: dovecot.port,
      secure: false,
      auth: { user: "alice", pass: "wrong" },
      logger: false,
    });
    client.on("error", () => {});
    await expect(client.connect()).rejects.toMatchObject({ authenticationFailed: true });
  });

  it("appends, flags and expunges messages, per user", async () => {
    const first = await dovecot.append("alice", "INBOX", rawMessage("one", "one@test"));
    const second = await dovecot.append("alice", "INBOX", rawMessage("two", "two@test"), { flags: ["\\Seen"] });
    expect(second.uid).toBeGreaterThan(first.uid);
    expect(second.uidValidity).toBe(first.uidValidity);

    const before = await dovecot.status("alice", "INBOX");
    await dovecot.setFlags("alice", "INBOX", [first.uid], ["\\Flagged"], "add");
    await dovecot.setFlags("alice", "INBOX", [second.uid], ["\\Seen"], "remove");
    const after = await dovecot.status("alice", "INBOX");
    expect(after.highestModseq).toBeGreaterThan(before.highestModseq);

    let messages = await dovecot.messages("alice", "INBOX");
    expect(messages.map((message) => [message.uid, message.flags])).toEqual([
      [first.uid, ["\\Flagged"]],
      [second.uid, []],
    ]);
    expect(messages[0]?.source.toString()).toContain("Subject: one");

    await dovecot.expunge("alice", "INBOX", [first.uid]);
    messages = await dovecot.messages("alice", "INBOX");
    expect(messages.map((message) => message.uid)).toEqual([second.uid]);
    expect(await dovecot.messages("bob", "INBOX")).toEqual([]);
  });

  it("recreates INBOX and other folders with a new UIDVALIDITY, keeping messages and flags", async () => {
    await dovecot.append("bob", "Archive", rawMessage("kept", "kept@test"), { flags: ["\\Seen", "\\Flagged"] });
    await dovecot.append("bob", "INBOX", rawMessage("inbox", "inbox@test"));
    for (const folder of ["INBOX", "Archive"]) {
      const before = await dovecot.status("bob", folder);
      const oldMessages = await dovecot.messages("bob", folder);
      const newValidity = await dovecot.recreateFolder("bob", folder);
      expect(newValidity).not.toBe(before.uidValidity);
      expect((await dovecot.status("bob", folder)).uidValidity).toBe(newValidity);
      const newMessages = await dovecot.messages("bob", folder);
      expect(newMessages.map((message) => [message.source.toString(), message.flags.sort()])).toEqual(
        oldMessages.map((message) => [message.source.toString(), message.flags.sort()]),
      );
      expect(newMessages.map((message) => message.uid)).not.toEqual(oldMessages.map((message) => message.uid));
    }
  });

  it("stops and starts again on the same port with the mail kept", async () => {
    await dovecot.append("alice", "Sent", rawMessage("before restart", "restart@test"));
    await dovecot.stop();
    const refused = new ImapFlow({
      host: dovecot.host,
      port: dovecot.port,
      secure: false,
      auth: { user: "alice", pass: "alice-pw" },
      logger: false,
    });
    refused.on("error", () => {});
    await expect(refused.connect()).rejects.toMatchObject({ code: "ECONNREFUSED" });
    await dovecot.start();
    const sent = await dovecot.messages("alice", "Sent");
    expect(sent.map((message) => message.source.toString())).toEqual([rawMessage("before restart", "restart@test")]);
    // A stop and a start each wait on a process (up to 15 s for the port); 5 s was too tight on a
    // loaded CI machine. This bounds a hang, it measures nothing.
  }, 40_000);
});
