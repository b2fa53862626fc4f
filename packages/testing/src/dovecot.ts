import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { ImapFlow } from "imapflow";
import { freePort } from "./ports.ts";
import { type RunningProcess, startProcess } from "./process.ts";

/** Debian's dovecot-core installs the master binary here; .ci/run installs the package. */
export const DOVECOT_PATH = "/usr/sbin/dovecot";
const DOVEADM_PATH = "/usr/bin/doveadm";
/** dovecot-imapd installs the IMAP service here. */
const IMAP_PATH = "/usr/lib/dovecot/imap";

/** The special-use folders every test mailbox has, besides INBOX. */
export const DOVECOT_SPECIAL_FOLDERS = {
  Sent: "\\Sent",
  Drafts: "\\Drafts",
  Trash: "\\Trash",
  Junk: "\\Junk",
  Archive: "\\Archive",
} as const;

export function dovecotAvailable(): boolean {
  return existsSync(DOVECOT_PATH) && existsSync(DOVEADM_PATH) && existsSync(IMAP_PATH);
}

export interface DovecotOptions {
  /** Login names and their passwords (static passdb); default `{ alice: "alice-password" }`. */
  users?: Record<string, string>;
  /**
   * Also accept OAuth2 bearer tokens (SASL XOAUTH2 and OAUTHBEARER) through a second passdb,
   * `driver = oauth2`, which asks this introspection URL (GET, `Authorization: Bearer`) whether a
   * token is active and whose it is (`email` must equal the login name). The static passwords keep
   * working for PLAIN/LOGIN, so the harness's own sessions are unchanged.
   */
  oauth2?: { introspectionUrl: string };
  /**
   * Offer TLS with this certificate and key (PEM files): STARTTLS on `port` and implicit TLS on
   * `tlsPort`. Without it the server speaks plain text only.
   */
  tls?: { certFile: string; keyFile: string };
}

export interface AppendOptions {
  flags?: string[];
  internalDate?: Date;
}

export interface StoredMessage {
  uid: number;
  flags: string[];
  internalDate: Date;
  source: Buffer;
}

export interface TestDovecot {
  host: "127.0.0.1";
  port: number;
  /** Implicit TLS (imaps), when started with `tls`. */
  tlsPort?: number;
  users: Readonly<Record<string, string>>;
  /** A logged-in imapflow client for `user`; the caller logs it out. */
  connect(user: string): Promise<ImapFlow>;
  /** Appends a raw RFC 5322 message (IMAP APPEND); answers the folder's UIDVALIDITY and the new UID. */
  append(
    user: string,
    folder: string,
    raw: string | Buffer,
    options?: AppendOptions,
  ): Promise<{ uid: number; uidValidity: number }>;
  /**
   * Puts raw messages into INBOX's maildir as files, as a local delivery agent would, without IMAP:
   * 20 000 in seconds where APPEND takes many minutes on a busy machine. Unread, no flags, internal
   * date now; Dovecot numbers them (in no promised order) the next time the folder is looked at.
   */
  deliverToInbox(user: string, messages: readonly (string | Buffer)[]): Promise<void>;
  setFlags(user: string, folder: string, uids: number[], flags: string[], mode: "add" | "remove"): Promise<void>;
  /** Removes the messages for good (STORE \Deleted, then UID EXPUNGE). */
  expunge(user: string, folder: string, uids: number[]): Promise<void>;
  /** Every message of the folder, oldest UID first. */
  messages(user: string, folder: string): Promise<StoredMessage[]>;
  /** { uidValidity, uidNext, highestModseq } as the server reports them (IMAP STATUS). */
  status(user: string, folder: string): Promise<{ uidValidity: number; uidNext: number; highestModseq: bigint }>;
  /**
   * Recreates the folder as a server does after a restore: same messages and flags, new UIDs and a
   * new UIDVALIDITY (INBOX included, which IMAP cannot delete). Answers the new UIDVALIDITY.
   */
  recreateFolder(user: string, folder: string): Promise<number>;
  /** Stops the server (the mail stays); `start` brings it back on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** The server's log so far. */
  log(): string;
  /** Stops the server and deletes its folder. */
  close(): Promise<void>;
}

const run = promisify(execFile);

/**
 * A real Dovecot (IMAP only, no TLS) on a free loopback port, with its own configuration, maildir
 * mail and state in a temporary folder, so tests can run side by side and change it freely.
 */
export async function startDovecot(options: DovecotOptions = {}): Promise<TestDovecot> {
  if (!dovecotAvailable()) {
    throw new Error(`Dovecot is not installed (${DOVECOT_PATH}); install Debian's dovecot-core and dovecot-imapd`);
  }
  const users = { ...(options.users ?? { alice: "alice-password" }) };
  const root = await mkdtemp(join(tmpdir(), "tidings-dovecot-"));
  const port = await freePort();
  const tlsPort = options.tls ? await freePort() : undefined;
  const configPath = join(root, "dovecot.conf");
  const owner = await mailOwner();
  // Dovecot's own processes (not root) must reach the files below this folder.
  await chmod(root, 0o755);
  await mkdir(join(root, "home"));
  if (owner.chown) await chown(join(root, "home"), owner.chown.uid, owner.chown.gid);
  await writeFile(join(root, "users"), passwdFile(users), { mode: 0o644 });
  if (options.oauth2) await writeFile(join(root, "oauth2.conf.ext"), oauth2Settings(options.oauth2.introspectionUrl));
  await writeFile(
    configPath,
    configuration(root, { port, tlsPort, tls: options.tls }, owner.settings, Boolean(options.oauth2)),
  );

  let server: RunningProcess | undefined;
  let previousLogs = "";

  const start = async () => {
    if (server) return;
    const started = startProcess(DOVECOT_PATH, ["-F", "-c", configPath]);
    server = started;
    try {
      await waitForPort(port, started, 15_000);
      if (tlsPort !== undefined) await waitForPort(tlsPort, started, 15_000);
    } catch (error) {
      server = undefined;
      await started.stop("SIGKILL");
      throw error;
    }
  };
  const stop = async () => {
    const running = server;
    if (!running) return;
    server = undefined;
    await running.stop("SIGTERM");
    previousLogs += running.output();
  };

  const connectUser = async (user: string) => {
    const password = users[user];
    if (password === undefined) throw new Error(`no Dovecot user ${user}`);
    const client = new ImapFlow({
      host: "127.0.0.1",
      port,
      secure: false,
      doSTARTTLS: false,
      auth: { user, pass: password },
      logger: false,
    });
    await client.connect();
    return client;
  };

  const withClient = async <T>(user: string, work: (client: ImapFlow) => Promise<T>): Promise<T> => {
    const client = await connectUser(user);
    try {
      return await work(client);
    } finally {
      await client.logout().catch(() => client.close());
    }
  };

  const readMessages = (client: ImapFlow, folder: string) =>
    withLock(client, folder, async () => {
      const found: StoredMessage[] = [];
      if (!isOpenWithMessages(client)) return found;
      for await (const message of client.fetch("1:*", { uid: true, flags: true, internalDate: true, source: true })) {
        if (!message.source) throw new Error(`no source for UID ${message.uid}`);
        found.push({
          uid: message.uid,
          flags: [...(message.flags ?? [])],
          internalDate: toDate(message.internalDate),
          source: message.source,
        });
      }
      return found.sort((a, b) => a.uid - b.uid);
    });

  const doveadm = (args: string[]) => run(DOVEADM_PATH, ["-c", configPath, ...args], { timeout: 15_000 });

  await start();

  return {
    host: "127.0.0.1",
    port,
    ...(tlsPort === undefined ? {} : { tlsPort }),
    users,
    connect: connectUser,
    append: (user, folder, raw, appendOptions = {}) =>
      withClient(user, async (client) => {
        const result = await client.append(folder, raw, appendOptions.flags ?? [], appendOptions.internalDate);
        if (!result || typeof result.uid !== "number" || typeof result.uidValidity !== "bigint") {
          throw new Error(`APPEND to ${folder} answered no UID (UIDPLUS)`);
        }
        return { uid: result.uid, uidValidity: Number(result.uidValidity) };
      }),
    deliverToInbox: async (user, messages) => {
      // A login makes the user's maildir; Dovecot then picks up what lands in new/.
      await withClient(user, (client) => withLock(client, "INBOX", async () => {}));
      const maildir = join(root, "home", user, "Maildir");
      const prefix = `${Math.floor(Date.now() / 1000)}.T${randomBytes(4).toString("hex")}`;
      for (const [index, message] of messages.entries()) {
        // Maildir file names only need to be unique.
        const file = join(maildir, "new", `${prefix}_${String(index).padStart(8, "0")}.tidings-test`);
        await writeFile(file, message);
        if (owner.chown) await chown(file, owner.chown.uid, owner.chown.gid);
      }
    },
    setFlags: (user, folder, uids, flags, mode) =>
      withClient(user, (client) =>
        withLock(client, folder, async () => {
          const range = uids.join(",");
          const done =
            mode === "add"
              ? await client.messageFlagsAdd(range, flags, { uid: true })
              : await client.messageFlagsRemove(range, flags, { uid: true });
          if (!done) throw new Error(`STORE ${mode} ${flags.join(" ")} on ${folder} failed`);
        }),
      ),
    expunge: (user, folder, uids) =>
      withClient(user, (client) =>
        withLock(client, folder, async () => {
          const done = await client.messageDelete(uids.join(","), { uid: true });
          if (!done) throw new Error(`expunge on ${folder} failed`);
        }),
      ),
    messages: (user, folder) => withClient(user, (client) => readMessages(client, folder)),
    status: (user, folder) =>
      withClient(user, async (client) => {
        const status = await client.status(folder, { uidValidity: true, uidNext: true, highestModseq: true });
        if (
          !status ||
          status.uidValidity === undefined ||
          status.uidNext === undefined ||
          status.highestModseq === undefined
        ) {
          throw new Error(`STATUS ${folder} left out a field`);
        }
        return {
          uidValidity: Number(status.uidValidity),
          uidNext: status.uidNext,
          highestModseq: BigInt(status.highestModseq),
        };
      }),
    recreateFolder: (user, folder) =>
      withClient(user, async (client) => {
        const kept = await readMessages(client, folder);
        const before = await client.status(folder, { uidValidity: true });
        if (!before || before.uidValidity === undefined) throw new Error(`STATUS ${folder} failed`);
        const oldValidity = Number(before.uidValidity);
        if (kept.length) {
          await withLock(client, folder, async () => {
            await client.messageDelete("1:*");
          });
        }
        // No session may hold the folder open while its header changes under it.
        await client.mailboxClose();
        const newValidity = oldValidity + 1;
        await doveadm(["mailbox", "update", "-u", user, "--uid-validity", String(newValidity), folder]);
        for (const message of kept) {
          await client.append(folder, message.source, message.flags, message.internalDate);
        }
        return newValidity;
      }),
    stop,
    start,
    log: () => previousLogs + (server?.output() ?? ""),
    close: async () => {
      await stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}

async function withLock<T>(client: ImapFlow, folder: string, work: () => Promise<T>): Promise<T> {
  const lock = await client.getMailboxLock(folder);
  try {
    return await work();
  } finally {
    lock.release();
  }
}

function isOpenWithMessages(client: ImapFlow): boolean {
  return typeof client.mailbox === "object" && client.mailbox.exists > 0;
}

function toDate(value: Date | string | undefined): Date {
  if (value instanceof Date) return value;
  if (typeof value === "string") return new Date(value);
  throw new Error("message without INTERNALDATE");
}

function passwdFile(users: Record<string, string>): string {
  return Object.entries(users)
    .map(([user, password]) => {
      if (/[:\s]/.test(user) || /[\r\n]/.test(password)) throw new Error(`unusable Dovecot user ${user}`);
      return `${user}:{PLAIN}${password}::::::\n`;
    })
    .join("");
}

interface MailOwner {
  settings: string;
  chown?: { uid: number; gid: number };
}

/**
 * As root, Dovecot runs mail processes as an unprivileged user (Debian's `dovecot` account) and
 * login processes as `dovenull`; as anyone else it runs everything as that user.
 */
async function mailOwner(): Promise<MailOwner> {
  const me = userInfo();
  if (me.uid !== 0) {
    return {
      settings: `default_internal_user = ${me.username}\ndefault_login_user = ${me.username}\nfirst_valid_uid = ${me.uid}\n`,
    };
  }
  const ids = async (flag: string) => Number((await run("id", [flag, "dovecot"])).stdout.trim());
  const [uid, gid] = await Promise.all([ids("-u"), ids("-g")]);
  return {
    settings:
      "default_internal_user = dovecot\ndefault_login_user = dovenull\n" +
      `first_valid_uid = 100\nmail_uid = ${uid}\nmail_gid = ${gid}\n`,
    chown: { uid, gid },
  };
}

/** Dovecot 2.3's oauth2 passdb: token introspection only, no token-info URL, no local keys. */
function oauth2Settings(introspectionUrl: string): string {
  if (/[\s"]/.test(introspectionUrl)) throw new Error(`unusable introspection URL ${introspectionUrl}`);
  return `introspection_mode = auth
introspection_url = ${introspectionUrl}
username_attribute = email
active_attribute = active
active_value = true
timeout_msecs = 5000
`;
}

interface Listeners {
  port: number;
  tlsPort: number | undefined;
  tls: DovecotOptions["tls"];
}

function configuration(
  root: string,
  { port, tlsPort, tls }: Listeners,
  ownerSettings: string,
  oauth2: boolean,
): string {
  const folders = Object.entries(DOVECOT_SPECIAL_FOLDERS)
    .map(([name, use]) => `  mailbox ${name} {\n    special_use = ${use}\n    auto = subscribe\n  }\n`)
    .join("");
  return `# Written by @tidings/testing startDovecot for one test run.
base_dir = ${root}/run
state_dir = ${root}/state
instance_name = ${root}
log_path = /dev/stderr
protocols = imap
listen = 127.0.0.1
${tls ? `ssl = yes\nssl_cert = <${tls.certFile}\nssl_key = <${tls.keyFile}` : "ssl = no"}
disable_plaintext_auth = no
auth_mechanisms = plain login${oauth2 ? " xoauth2 oauthbearer" : ""}
# Tests log in wrongly on purpose; the real delays would only slow them down (all come from 127.0.0.1).
auth_failure_delay = 0
# Sync engines, IDLE and the harness's own sessions log in side by side.
mail_max_userip_connections = 100
${ownerSettings}mail_location = maildir:~/Maildir
# Test mail need not survive a power cut: without an fsync per APPEND, filling a mailbox is CPU-bound.
mail_fsync = never
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${root}/users
${oauth2 ? "  mechanisms = plain login\n" : ""}}
${oauth2 ? `passdb {\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = ${root}/oauth2.conf.ext\n}\n` : ""}userdb {
  driver = static
  args = home=${root}/home/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${tlsPort ?? 0}
    ssl = yes
  }
  chroot =
}
service anvil {
  chroot =
  # Mode 0 turns off the per-IP penalty after failed logins.
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
namespace inbox {
  inbox = yes
  separator = /
${folders}}
`;
}

/** Resolves once the port accepts connections; rejects if the process exits first or time runs out. */
async function waitForPort(port: number, server: RunningProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.child.exitCode !== null || server.child.signalCode !== null) {
      throw new Error(`Dovecot exited while starting:\n${server.output()}`);
    }
    if (await accepts(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`Dovecot did not listen on ${port} within ${timeoutMs} ms:\n${server.output()}`);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
