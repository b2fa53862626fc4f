import { createRequire } from "node:module";
import { render } from "../../email/src/index.ts";
import { startSmtpSink } from "../src/smtp.ts";

const require = createRequire(new URL("../../email/package.json", import.meta.url));
const nodemailer = require("nodemailer");
const email = await render("welcome", { displayName: "Bench" }, { appUrl: "https://mail.example.test" });
const sink = await startSmtpSink();
const url = new URL(sink.url);
let t0 = performance.now();
const log =
  (lvl: string) =>
  (meta: any, fmt: string, ...args: any[]) => {
    let s = String(fmt)
      .replace(/%s/g, () => String(args.shift()))
      .replace(/\n/g, "\\n");
    if (s.length > 90) s = s.slice(0, 90) + "...";
    if (process.env.QUIET && !/^(C:|S:|Sending|Send|Using)/.test(s)) return;
    console.log((performance.now() - t0).toFixed(2).padStart(8), lvl, meta?.tnx ?? "", s);
  };
const logger = { info: log("I"), debug: log("D"), error: log("E"), warn: log("W"), trace: log("T"), fatal: log("F") };
const mode = process.env.MODE ?? "socket";
const { Socket } = await import("node:net");
const getSocket =
  mode === "none"
    ? undefined
    : (_o: any, cb: any) => {
        const s = new Socket();
        s.setNoDelay(true);
        cb(null, { socket: s });
      };
const tr = nodemailer.createTransport({
  host: url.hostname,
  port: Number(url.port),
  secure: false,
  ignoreTLS: true,
  pool: true,
  maxConnections: 1,
  logger,
  debug: true,
  getSocket,
});
for (let i = 0; i < 3; i++) {
  t0 = performance.now();
  console.log(`--- message ${i}`);
  await tr.sendMail({
    from: "b@example.test",
    to: `r${i}@example.test`,
    subject: email.subject,
    html: email.html,
    text: email.text,
    messageId: `<p${i}@b>`,
  });
  console.log((performance.now() - t0).toFixed(2).padStart(8), "done");
}
tr.close();
await sink.close();
