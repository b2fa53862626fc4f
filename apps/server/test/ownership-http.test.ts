import { randomBytes, randomUUID } from "node:crypto";
import { appRouter } from "@tidings/api";
import { insertMailDraft, insertMailOutgoing, insertPasskey } from "@tidings/db";
import { createMailFixture } from "@tidings/db/testing";
import { signAttachmentToken } from "@tidings/mail";
import { type AuthResultBody, type AuthStack, bearer, signUp, startAuthStack, trpcCall } from "@tidings/test-stack";
import { readZip, services, startOAuthServer, type TestOAuthServer } from "@tidings/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

// Issue #16 must-hold 8 (S27) over HTTP, against a server and a worker on Postgres and Redis: user A
// calls every procedure of the app router that takes an id, and the id-bearing routes, with user B's
// ids. Each answers NOT_FOUND (404 for routes), exactly as for an id that exists nowhere, so the
// answer tells nothing about B; afterwards B's rows are as they were.
//
// The sweep is complete by construction: the id-like input fields (a name ending in `id`/`Id`/`Ids`,
// or a UUID-typed field such as `inReplyTo`) are read from the router's own input schemas, and the
// table of cases below must cover exactly those fields, so a new id-taking procedure or field without
// a case here fails the first test.

/** The ids one user owns (or, for the "nowhere" set, that exist for no one). */
interface Ids {
  userId: string;
  sessionId: string;
  accountId: string;
  folderId: string;
  threadId: string;
  messageId: string;
  /** An upload (POST /attachments), the kind compose takes. */
  uploadId: string;
  /** An attachment of a received message. */
  attachmentId: string;
  draftId: string;
  outgoingId: string;
  passkeyId: string;
}

interface Case {
  procedure: string;
  /** The id-like field (dotted path) this case puts a foreign id in. */
  field: string;
  /** The input, with `other`'s id in `field` and the caller's own valid ids everywhere else. */
  input: (other: Ids, own: Ids) => unknown;
  /**
   * NOT_FOUND for ownership; FORBIDDEN where a role gate answers before any id is looked at (the
   * admin procedures act on any user's id by design, and an ordinary user gets no further).
   */
  expected: "NOT_FOUND" | "FORBIDDEN";
}

const to = [{ name: "Bob", email: "bob@example.test" }];
const compose = (own: Ids) => ({ accountId: own.accountId, to, subject: "Hello", text: "Hi" });

const cases: Case[] = [
  {
    procedure: "session.revoke",
    field: "sessionId",
    input: (o) => ({ sessionId: o.sessionId }),
    expected: "NOT_FOUND",
  },

  { procedure: "admin.users.unlock", field: "userId", input: (o) => ({ userId: o.userId }), expected: "FORBIDDEN" },
  {
    procedure: "admin.users.setDisabled",
    field: "userId",
    input: (o) => ({ userId: o.userId, disabled: true }),
    expected: "FORBIDDEN",
  },
  {
    procedure: "admin.users.revokeSessions",
    field: "userId",
    input: (o) => ({ userId: o.userId }),
    expected: "FORBIDDEN",
  },
  { procedure: "admin.events.list", field: "userId", input: (o) => ({ userId: o.userId }), expected: "FORBIDDEN" },
  // Invitations belong to the deployment, not to a user: the role gate is the whole check.
  {
    procedure: "admin.invitations.revoke",
    field: "invitationId",
    input: () => ({ invitationId: randomUUID() }),
    expected: "FORBIDDEN",
  },
  // The dev mailbox is no one's and is not served in production (startAuthStack runs production).
  { procedure: "devMailbox.get", field: "id", input: () => ({ id: randomUUID() }), expected: "NOT_FOUND" },

  {
    procedure: "mailAccount.update",
    field: "accountId",
    input: (o) => ({ accountId: o.accountId, displayName: "Taken over", paused: false }),
    expected: "NOT_FOUND",
  },
  {
    procedure: "mailAccount.resync",
    field: "accountId",
    input: (o) => ({ accountId: o.accountId }),
    expected: "NOT_FOUND",
  },
  {
    procedure: "mailAccount.remove",
    field: "accountId",
    input: (o) => ({ accountId: o.accountId }),
    expected: "NOT_FOUND",
  },

  { procedure: "mail.folders", field: "accountId", input: (o) => ({ accountId: o.accountId }), expected: "NOT_FOUND" },
  { procedure: "mail.threads", field: "accountId", input: (o) => ({ accountId: o.accountId }), expected: "NOT_FOUND" },
  { procedure: "mail.threads", field: "folderId", input: (o) => ({ folderId: o.folderId }), expected: "NOT_FOUND" },
  { procedure: "mail.thread", field: "threadId", input: (o) => ({ threadId: o.threadId }), expected: "NOT_FOUND" },
  {
    procedure: "mail.thread",
    field: "loadRemoteFor",
    input: (o, own) => ({ threadId: own.threadId, loadRemoteFor: [o.messageId] }),
    expected: "NOT_FOUND",
  },
  {
    procedure: "mail.update",
    field: "threadIds",
    input: (o) => ({ threadIds: [o.threadId], seen: true, flagged: true }),
    expected: "NOT_FOUND",
  },
  // One foreign id among the caller's own: the whole call is refused and nothing changes.
  {
    procedure: "mail.update",
    field: "threadIds",
    input: (o, own) => ({ threadIds: [own.threadId, o.threadId], moveTo: { role: "inbox" } }),
    expected: "NOT_FOUND",
  },
  {
    procedure: "mail.update",
    field: "messageIds",
    input: (o, own) => ({ messageIds: [own.messageId, o.messageId], seen: true }),
    expected: "NOT_FOUND",
  },
  {
    procedure: "mail.update",
    field: "moveTo.folderId",
    input: (o, own) => ({ messageIds: [own.messageId], moveTo: { folderId: o.folderId } }),
    expected: "NOT_FOUND",
  },
  {
    procedure: "mail.saveDraft",
    field: "accountId",
    input: (o, own) => ({ ...compose(own), accountId: o.accountId }),
    expected: "NOT_FOUND",
  },
  {
    procedure: "mail.saveDraft",
    field: "draftId",
    input: (o, own) => ({ ...compose(own), draftId: o.draftId }),
    expected: "NOT_FOUND",
  },
  {
    procedure: "mail.saveDraft",
    field: "inReplyTo",
    input: (o, own) => ({ ...compose(own), inReplyTo: o.messageId }),
    expected: "NOT_FOUND",
  },
  {
    procedure: "mail.saveDraft",
    field: "attachmentIds",
    input: (o, own) => ({ ...compose(own), attachmentIds: [own.uploadId, o.uploadId] }),
    expected: "NOT_FOUND",
  },
  {
    procedure: "mail.send",
    field: "accountId",
    input: (o, own) => ({ ...compose(own), accountId: o.accountId }),
    expected: "NOT_FOUND",
  },
  {
    procedure: "mail.send",
    field: "draftId",
    input: (o, own) => ({ ...compose(own), draftId: o.draftId }),
    expected: "NOT_FOUND",
  },
  {
    procedure: "mail.send",
    field: "inReplyTo",
    input: (o, own) => ({ ...compose(own), inReplyTo: o.messageId }),
    expected: "NOT_FOUND",
  },
  {
    procedure: "mail.send",
    field: "forwardOf",
    input: (o, own) => ({ ...compose(own), forwardOf: o.messageId }),
    expected: "NOT_FOUND",
  },
  {
    procedure: "mail.send",
    field: "attachmentIds",
    input: (o, own) => ({ ...compose(own), attachmentIds: [own.uploadId, o.uploadId] }),
    expected: "NOT_FOUND",
  },
  // A received attachment is not something compose attaches; another user's one must not be either.
  {
    procedure: "mail.send",
    field: "attachmentIds",
    input: (o, own) => ({ ...compose(own), attachmentIds: [o.attachmentId] }),
    expected: "NOT_FOUND",
  },
  {
    procedure: "mail.cancelSend",
    field: "outgoingId",
    input: (o) => ({ outgoingId: o.outgoingId }),
    expected: "NOT_FOUND",
  },
  {
    procedure: "mail.attachmentUrl",
    field: "attachmentId",
    input: (o) => ({ attachmentId: o.uploadId }),
    expected: "NOT_FOUND",
  },
  {
    procedure: "mail.attachmentUrl",
    field: "attachmentId",
    input: (o) => ({ attachmentId: o.attachmentId }),
    expected: "NOT_FOUND",
  },
  {
    procedure: "mfa.passkey.remove",
    field: "passkeyId",
    input: (o) => ({ passkeyId: o.passkeyId }),
    expected: "NOT_FOUND",
  },
  // AI: a foreign message, thread or account is as unknown as one that exists nowhere.
  {
    procedure: "ai.settings.update",
    field: "excludedAccountIds",
    input: (o, own) => ({ excludedAccountIds: [own.accountId, o.accountId] }),
    expected: "NOT_FOUND",
  },
  { procedure: "ai.analysis", field: "messageId", input: (o) => ({ messageId: o.messageId }), expected: "NOT_FOUND" },
  {
    procedure: "ai.summarizeThread",
    field: "threadId",
    input: (o) => ({ threadId: o.threadId }),
    expected: "NOT_FOUND",
  },
  {
    procedure: "ai.draftReply",
    field: "messageId",
    input: (o) => ({ messageId: o.messageId, tone: "brief" }),
    expected: "NOT_FOUND",
  },
  {
    procedure: "ai.feedback",
    field: "messageId",
    input: (o) => ({ messageId: o.messageId, priority: "high" }),
    expected: "NOT_FOUND",
  },
];

/**
 * Fields named like ids that refer to no row: a position in the caller's own event stream, so
 * another user's value can only pick from the caller's own events (packages/api mail-events.test.ts).
 */
const notRowIds: Array<[procedure: string, field: string]> = [
  ["mail.events", "lastEventId"],
  // A filter on the list, not a row to open: another user's threads are simply not among the
  // answered ones, as for ids that exist nowhere (packages/api mail-read.test.ts, "threadIds").
  ["mail.threads", "threadIds"],
  // WebAuthn answers name the authenticator's credential; they count only when signed by its key
  // for a challenge of this caller's (packages/api passkeys.test.ts).
  ["auth.passkeyLogin", "response.id"],
  ["auth.passkeyLogin", "response.rawId"],
  ["auth.verifyMfa", "passkey.id"],
  ["auth.verifyMfa", "passkey.rawId"],
  ["mfa.passkey.register", "response.id"],
  ["mfa.passkey.register", "response.rawId"],
];

// --- Reading the router: which procedures take ids, and in which fields -------------------------

interface SchemaLike {
  _zod?: { def: Record<string, unknown> & { type: string } };
}
interface ProcedureLike {
  _def: { type: "query" | "mutation" | "subscription"; inputs: unknown[] };
}

const idName = /(^id|Id|Ids)$/;

/** The schema under wrappers that do not change what a field holds. */
function unwrap(schema: unknown): SchemaLike | undefined {
  const def = (schema as SchemaLike | undefined)?._zod?.def;
  if (!def) return undefined;
  switch (def.type) {
    case "optional":
    case "nullable":
    case "default":
    case "prefault":
    case "nonoptional":
    case "readonly":
    case "catch":
      return unwrap(def.innerType);
    case "pipe":
      return unwrap(def.in);
    case "array":
      return unwrap(def.element);
    case "lazy":
      return unwrap((def.getter as () => unknown)());
    default:
      return schema as SchemaLike;
  }
}

const isUuid = (schema: unknown) => {
  const def = unwrap(schema)?._zod?.def;
  return def?.type === "string" && (def.format === "uuid" || def.format === "guid");
};

/** Dotted paths of the id-like fields of an input schema, objects and unions looked into. */
function idFields(schema: unknown, prefix = ""): string[] {
  const inner = unwrap(schema);
  const def = inner?._zod?.def;
  if (!def) return [];
  if (def.type === "object") {
    return Object.entries(def.shape as Record<string, unknown>).flatMap(([key, value]) => {
      const path = prefix ? `${prefix}.${key}` : key;
      return [...(idName.test(key) || isUuid(value) ? [path] : []), ...idFields(value, path)];
    });
  }
  if (def.type === "union") return (def.options as unknown[]).flatMap((option) => idFields(option, prefix));
  if (def.type === "intersection") return [...idFields(def.left, prefix), ...idFields(def.right, prefix)];
  return [];
}

// tRPC has no public way to list a router's procedures; `_def.procedures` (path to procedure, each
// with the schemas it parses its input with) is what its own tooling reads.
const procedures = (appRouter as unknown as { _def: { procedures: Record<string, ProcedureLike> } })._def.procedures;

function idFieldsOfRouter(): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  for (const [path, procedure] of Object.entries(procedures)) {
    const fields = new Set(procedure._def.inputs.flatMap((input) => idFields(input)));
    if (fields.size > 0) found.set(path, fields);
  }
  return found;
}

const coverage = (entries: Iterable<[string, Iterable<string>]>) =>
  [...entries].flatMap(([procedure, fields]) => [...fields].map((field) => `${procedure} ${field}`)).sort();

// --- The stack ---------------------------------------------------------------------------------

describe.skipIf(!services().postgres || !services().redis)("S27: another user's ids answer NOT_FOUND over HTTP", () => {
  let stack: AuthStack;
  let oauth: TestOAuthServer;
  let url: string;
  let encryptionKey: Buffer;
  let a: AuthResultBody;
  let b: AuthResultBody;
  let ownIds: Ids;
  let bIds: Ids;
  let ready: Promise<void> | undefined;

  const db = () => stack.testDb.handle.db;
  const call = <T = Record<string, unknown>>(kind: "query" | "mutation", path: string, input: unknown, token: string) =>
    trpcCall<T>(url, kind, path, input, bearer(token));
  const kindOf = (path: string) => {
    const type = procedures[path]?._def.type;
    if (type !== "query" && type !== "mutation") throw new Error(`${path} is not a query or mutation`);
    return type;
  };

  beforeAll(async () => {
    oauth = await startOAuthServer();
    stack = await startAuthStack({
      env: {
        MAIL_OAUTH_GOOGLE_CLIENT_ID: "tidings-ownership-client",
        MAIL_OAUTH_GOOGLE_CLIENT_SECRET: "tidings-ownership-secret",
        // Nothing listens there: the mailbox connected at the end is never synced, only owned.
        MAIL_OAUTH_GOOGLE_ENDPOINTS: JSON.stringify({
          ...oauth.endpoints,
          imap: { host: "127.0.0.1", port: 9, security: "none" },
          smtp: { host: "127.0.0.1", port: 9, security: "none" },
        }),
      },
    });
    url = stack.servers[0]?.url ?? "";
    encryptionKey = Buffer.from(stack.env.ENCRYPTION_KEY ?? "", "base64");
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    await oauth?.close();
  });

  const upload = async (token: string, name: string): Promise<string> => {
    const form = new FormData();
    form.append("file", new Blob([`content of ${name}`], { type: "text/plain" }), name);
    const answer = await fetch(new URL("/attachments", url), { method: "POST", headers: bearer(token), body: form });
    expect(answer.status).toBe(201);
    return ((await answer.json()) as { attachmentId: string }).attachmentId;
  };

  /** A user's mailbox rows as tests need them; the account paused so the worker leaves it alone. */
  async function mailOf(user: AuthResultBody): Promise<Ids> {
    const fixture = await createMailFixture(db(), user.user.id);
    await db().updateTable("mail_accounts").set({ status: "paused" }).where("id", "=", fixture.accountId).execute();
    const { messageId, threadId } = await fixture.newMessage();
    const attachment = await db()
      .insertInto("mail_attachments")
      .values({ message_id: messageId, filename: "report.pdf", content_type: "application/pdf", size: 10 })
      .returning("id")
      .executeTakeFirstOrThrow();
    const uploadId = await upload(user.accessToken, `${user.user.email}.txt`);
    const from = { name: "", email: user.user.email };
    // Written through the repositories rather than mail.saveDraft and mail.send, so no worker job
    // touches them; the outgoing message waits a day, well inside its undo window.
    const draft = await insertMailDraft(db(), {
      userId: user.user.id,
      accountId: fixture.accountId,
      messageId: `draft-${randomUUID()}@tidings.test`,
      to,
      cc: [],
      bcc: [],
      subject: "Draft",
      text: "Draft text",
      html: null,
      replyToMessageId: messageId,
      attachmentIds: [uploadId],
    });
    const outgoing = await insertMailOutgoing(db(), {
      userId: user.user.id,
      accountId: fixture.accountId,
      draftId: null,
      sendAt: new Date(Date.now() + 24 * 60 * 60 * 1000),
      messageId: `out-${randomUUID()}@tidings.test`,
      from,
      to,
      cc: [],
      bcc: [],
      subject: "Later",
      text: "Later text",
      html: null,
      inReplyTo: null,
      references: [],
      replyToMessageId: null,
      attachmentIds: [],
    });
    // A passkey row as registration leaves it (the WebAuthn ceremony itself is passkeys.test.ts's).
    const passkey = await insertPasskey(db(), {
      userId: user.user.id,
      credentialId: randomBytes(16).toString("base64url"),
      publicKey: randomBytes(77).toString("base64url"),
      counter: 0,
      transports: ["internal"],
      deviceType: "singleDevice",
      backedUp: false,
      name: "Laptop",
    });
    if (!passkey) throw new Error("passkey not stored");
    return {
      passkeyId: passkey.id,
      userId: user.user.id,
      sessionId: user.session.id,
      accountId: fixture.accountId,
      folderId: fixture.folderId,
      threadId,
      messageId,
      uploadId,
      attachmentId: attachment.id,
      draftId: draft.id,
      outgoingId: outgoing.id,
    };
  }

  const nowhere = (): Ids => ({
    userId: randomUUID(),
    sessionId: randomUUID(),
    accountId: randomUUID(),
    folderId: randomUUID(),
    threadId: randomUUID(),
    messageId: randomUUID(),
    uploadId: randomUUID(),
    attachmentId: randomUUID(),
    draftId: randomUUID(),
    outgoingId: randomUUID(),
    passkeyId: randomUUID(),
  });

  /** Everything of B's, ordered, to compare before and after A's calls. */
  async function snapshotOf(ids: Ids) {
    const userId = ids.userId;
    const accounts = db().selectFrom("mail_accounts").select("id").where("user_id", "=", userId);
    const messages = db().selectFrom("mail_messages").select("id").where("user_id", "=", userId);
    return {
      user: await db().selectFrom("users").selectAll().where("id", "=", userId).execute(),
      sessions: await db().selectFrom("sessions").selectAll().where("user_id", "=", userId).orderBy("id").execute(),
      accounts: await db().selectFrom("mail_accounts").selectAll().where("user_id", "=", userId).execute(),
      folders: await db()
        .selectFrom("mail_folders")
        .selectAll()
        .where("account_id", "in", accounts)
        .orderBy("id")
        .execute(),
      threads: await db().selectFrom("mail_threads").selectAll().where("user_id", "=", userId).orderBy("id").execute(),
      messages: await db()
        .selectFrom("mail_messages")
        .selectAll()
        .where("user_id", "=", userId)
        .orderBy("id")
        .execute(),
      attachments: await db()
        .selectFrom("mail_attachments")
        .selectAll()
        .where("message_id", "in", messages)
        .orderBy("id")
        .execute(),
      uploads: await db().selectFrom("mail_uploads").selectAll().where("user_id", "=", userId).orderBy("id").execute(),
      passkeys: await db().selectFrom("passkeys").selectAll().where("user_id", "=", userId).orderBy("id").execute(),
      drafts: await db().selectFrom("mail_drafts").selectAll().where("user_id", "=", userId).orderBy("id").execute(),
      outgoing: await db()
        .selectFrom("mail_outgoing")
        .selectAll()
        .where("user_id", "=", userId)
        .orderBy("id")
        .execute(),
    };
  }

  // signUp polls the dev SMTP sink with expect.poll, which only runs inside a test.
  beforeEach(() => {
    ready ??= (async () => {
      [a, b] = await Promise.all([
        signUp(stack, "ada@example.test", "Ada"),
        signUp(stack, "bert@example.test", "Bert"),
      ]);
      [ownIds, bIds] = await Promise.all([mailOf(a), mailOf(b)]);
    })();
    return ready;
  }, 60_000);

  it("has a case for every id-like input field of every procedure, read from the router", () => {
    const table = new Map<string, Set<string>>();
    for (const { procedure, field } of cases) table.set(procedure, (table.get(procedure) ?? new Set()).add(field));
    for (const [procedure, field] of notRowIds) table.set(procedure, (table.get(procedure) ?? new Set()).add(field));
    // A procedure whose input gained an id, or a new one taking an id, needs a case above.
    expect(coverage(table)).toEqual(coverage(idFieldsOfRouter()));
    // The reading itself works: the fields it must see in the mail procedures are there.
    expect([...(idFieldsOfRouter().get("mail.send") ?? [])].sort()).toEqual(
      ["accountId", "attachmentIds", "draftId", "forwardOf", "inReplyTo"].sort(),
    );
  });

  it("answers every id-taking procedure with B's ids as for ids that exist nowhere, and changes nothing of B's or A's", async () => {
    const before = await snapshotOf(bIds);
    // Several cases mix A's own ids with one of B's: a refused call changes nothing of A's either.
    const ownBefore = await snapshotOf(ownIds);
    const answers: { label: string; status: number; appCode: string | undefined; same: boolean }[] = [];
    for (const [index, entry] of cases.entries()) {
      const kind = kindOf(entry.procedure);
      const foreign = await call(kind, entry.procedure, entry.input(bIds, ownIds), a.accessToken);
      const unknown = await call(kind, entry.procedure, entry.input(nowhere(), ownIds), a.accessToken);
      answers.push({
        label: `#${index} ${entry.procedure} ${entry.field}`,
        status: foreign.status,
        appCode: foreign.error?.data.appCode,
        same:
          JSON.stringify({ status: unknown.status, error: unknown.error }) ===
          JSON.stringify({ status: foreign.status, error: foreign.error }),
      });
    }
    const status = { NOT_FOUND: 404, FORBIDDEN: 403 };
    expect(answers).toEqual(
      cases.map((entry, index) => ({
        label: `#${index} ${entry.procedure} ${entry.field}`,
        status: status[entry.expected],
        appCode: entry.expected,
        same: true,
      })),
    );
    expect(await snapshotOf(bIds)).toEqual(before);
    expect(await snapshotOf(ownIds)).toEqual(ownBefore);
    // B's session still works.
    expect((await call("query", "auth.me", undefined, b.accessToken)).data).toMatchObject({ id: bIds.userId });
  });

  it("GET /attachments/:token serves only the caller's own attachments, even under a validly signed token (S27, S28)", async () => {
    // A's own link works: the 404s below are about ownership, not a broken route.
    const own = await call("query", "mail.attachmentUrl", { attachmentId: ownIds.uploadId }, a.accessToken);
    expect(own.error).toBeUndefined();
    const ownPath = new URL((own.data as { url: string }).url).pathname;
    expect((await fetch(new URL(ownPath, url))).status).toBe(200);

    // Tokens are sealed with the server's key, so A cannot make one for B's attachment; minted here
    // with that key anyway, the route still looks the attachment up as A's and finds nothing.
    const expiresAt = new Date(Date.now() + 60_000);
    const download = async (kind: "upload" | "received", attachmentId: string) => {
      const token = signAttachmentToken(encryptionKey, { kind, attachmentId, userId: a.user.id, expiresAt });
      const answer = await fetch(new URL(`/attachments/${token}`, url));
      return { status: answer.status, body: await answer.text() };
    };
    for (const [kind, foreignId] of [
      ["upload", bIds.uploadId],
      ["received", bIds.attachmentId],
    ] as const) {
      const foreign = await download(kind, foreignId);
      expect(foreign.status).toBe(404);
      expect(foreign).toEqual(await download(kind, randomUUID()));
      expect(foreign.body).not.toContain("content of");
    }
  });

  it("GET /exports/:token gives the caller's data only, and an unknown token is 404", async () => {
    const exported = await call("mutation", "account.export", undefined, a.accessToken);
    expect(exported.error).toBeUndefined();
    const path = new URL((exported.data as { url: string }).url).pathname;
    const answer = await fetch(new URL(path, url));
    expect(answer.status).toBe(200);
    // Every file of the ZIP (account.json and A's mailboxes), as text.
    const files = await readZip(Buffer.from(await answer.arrayBuffer()));
    const body = [...files.values()].map((file) => file.toString("utf8")).join("\n");
    expect(body).toContain(a.user.id);
    for (const id of [b.user.email, ...Object.values(bIds)]) expect(body).not.toContain(id);

    const forged = await fetch(new URL(`${path.slice(0, -4)}AAAA`, url));
    expect(forged.status).toBe(404);
    expect((await fetch(new URL(`/exports/${randomUUID()}`, url))).status).toBe(404);
  });

  // Last: the mailbox it connects is B's, and the worker then tries it (B's rows change).
  it("GET /oauth/mail/callback: the state names the owner, so B's flow followed with A's credentials lands on B; an unknown state creates nothing", async () => {
    const listOf = async (token: string) =>
      ((await call<{ id: string }[]>("query", "mailAccount.list", undefined, token)).data ?? [])
        .map(({ id }) => id)
        .sort();
    const aBefore = await listOf(a.accessToken);
    const bBefore = await listOf(b.accessToken);
    oauth.signInAs("bert-mailbox@tidings.test");
    const started = await call("mutation", "mailAccount.oauthStart", { provider: "google" }, b.accessToken);
    expect(started.error).toBeUndefined();
    const approval = await fetch((started.data as { authorizeUrl: string }).authorizeUrl, { redirect: "manual" });
    expect(approval.status).toBe(302);
    const callback = new URL(approval.headers.get("location") ?? "");
    // Followed by A's browser: A's Bearer token is sent along, and means nothing to this route.
    const follow = async (target: URL) => {
      const answer = await fetch(new URL(target.pathname + target.search, url), {
        headers: bearer(a.accessToken),
        redirect: "manual",
      });
      expect(answer.status).toBe(302);
      return new URL(answer.headers.get("location") ?? "");
    };

    const unknownState = new URL(callback);
    unknownState.searchParams.set("state", randomBytes(32).toString("base64url"));
    expect((await follow(unknownState)).searchParams.get("error")).toBe("invalid_state");
    expect(await listOf(a.accessToken)).toEqual(aBefore);
    expect(await listOf(b.accessToken)).toEqual(bBefore);

    const landing = await follow(callback);
    const connected = landing.searchParams.get("connected") ?? "";
    expect(connected).toMatch(/^[0-9a-f-]{36}$/);
    expect(await listOf(a.accessToken)).toEqual(aBefore);
    expect(await listOf(b.accessToken)).toEqual([...bBefore, connected].sort());
    // And A cannot reach it by its id.
    const resync = await call("mutation", "mailAccount.resync", { accountId: connected }, a.accessToken);
    expect(resync.error?.data.appCode).toBe("NOT_FOUND");
  });
});
