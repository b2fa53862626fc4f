import { SMTPServer } from "smtp-server";
import { createSmtpTransport } from "../../email/scratch-nagle-smtp.ts";
async function srv(secure: boolean) {
  let got = 0;
  const s = new SMTPServer({ secure, authOptional: true, disabledCommands: ["AUTH"], logger: false,
    onData(st, session, cb) { st.resume(); st.on("end", () => { got++; cb(null, `ok tls=${!!session.secure}`); }); } });
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  return { port: (s as any).server.address().port, got: () => got, close: () => new Promise<void>((r) => s.close(() => r())) };
}
const m = { from: "a@example.test", to: "b@example.test", subject: "x", html: "<p>x</p>", text: "x", messageId: "<x@y>" };
for (const [secure, proto] of [[false, "smtp"], [true, "smtps"]] as const) {
  const s = await srv(secure);
  const t = createSmtpTransport(`${proto}://127.0.0.1:${s.port}?tls.rejectUnauthorized=false&requireTLS=${!secure}`);
  const t0 = performance.now();
  for (let i = 0; i < 20; i++) await t.send(m);
  console.log(proto, "delivered", s.got(), "ms/msg", ((performance.now() - t0) / 20).toFixed(2));
  await t.close(); await s.close();
}
const bad = createSmtpTransport("smtp://127.0.0.1:1");
await bad.send(m).then(() => console.log("unexpected ok"), (e) => console.log("closed port ->", e.code, e.message));
await bad.close();
