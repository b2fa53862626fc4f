import { createRequire } from "node:module";
import net from "node:net";
import { SMTPServer } from "smtp-server";
import { render } from "../../email/src/index.ts";
import { startSmtpSink } from "../src/smtp.ts";

const require = createRequire(new URL("../../email/package.json", import.meta.url));
const nodemailer = require("nodemailer");
const email = await render("welcome", { displayName: "Bench" }, { appUrl: "https://mail.example.test" });

async function drainServer(serverNoDelay: boolean) {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onConnect(session, cb) {
      cb();
    },
    onData(stream, _s, cb) {
      stream.on("data", () => {});
      stream.on("end", () => cb(null, "ok"));
    },
  });
  if (!serverNoDelay) {
    // undo smtp-server's setNoDelay(true) on accepted sockets
    const orig = (server as any)._handleProxy ?? null;
    (server as any).server.prependListener("connection", (s: net.Socket) => {
      setImmediate(() => s.setNoDelay(false));
    });
  }
  await new Promise<void>((r) => server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", r));
  const port = (server as any).server.address().port;
  return { url: `smtp://127.0.0.1:${port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

function getSocketFor(mode: string) {
  if (mode === "none") return undefined;
  if (mode === "socket")
    return (_o: any, cb: any) => {
      const s = new net.Socket();
      s.setNoDelay(true);
      cb(null, { socket: s });
    };
  if (mode.startsWith("connection")) {
    const nd = mode === "connection";
    return (o: any, cb: any) => {
      const s = net.connect({ host: o.host, port: o.port }, () => cb(null, { connection: s }));
      s.setNoDelay(nd);
      s.once("error", cb);
    };
  }
}

async function bench(url: string, mode: string, conns: number, senders: number, count: number) {
  const u = new URL(url);
  const tr = nodemailer.createTransport({
    host: u.hostname,
    port: Number(u.port),
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: conns,
    maxMessages: 1000,
    getSocket: getSocketFor(mode),
  });
  const send = (i: number) =>
    tr.sendMail({
      from: "b@example.test",
      to: `r${i}@example.test`,
      subject: email.subject,
      html: email.html,
      text: email.text,
      messageId: `<m${i}.${Math.random()}@b>`,
    });
  await Promise.all(Array.from({ length: conns }, (_, i) => send(-1 - i)));
  const start = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: senders }, async () => {
      while (next < count) await send(next++);
    }),
  );
  const ms = performance.now() - start;
  tr.close();
  return `${(ms / count).toFixed(2)} ms/msg, ${Math.round((count / ms) * 1000)}/s`;
}

const servers: Record<string, () => Promise<{ url: string; close(): Promise<void> }>> = {
  sink: () => startSmtpSink(),
  drain: () => drainServer(true),
  drainNagle: () => drainServer(false),
};
const only = process.argv[2]?.split(",");
for (const [name, mk] of Object.entries(servers)) {
  if (only && !only.includes(name)) continue;
  const s = await mk();
  for (const mode of process.argv[3]?.split(",") ?? ["socket", "none", "connection-nagle", "connection"]) {
    console.log(
      name.padEnd(10),
      mode.padEnd(17),
      "seq1:",
      await bench(s.url, mode, 1, 1, Number(process.env.N ?? 60)),
      "| 5conn/10:",
      process.env.N ? "-" : await bench(s.url, mode, 5, 10, 500),
    );
  }
  await s.close();
}
