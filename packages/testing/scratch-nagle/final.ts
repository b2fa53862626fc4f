import { render, createSmtpTransport as before } from "../../email/src/index.ts";
import { createSmtpTransport as after } from "../../email/scratch-nagle-smtp.ts";
import { startSmtpSink } from "../src/smtp.ts";
const email = await render("welcome", { displayName: "Bench" }, { appUrl: "https://mail.example.test" });
const sink = await startSmtpSink();
async function run(mk: typeof before, conns: number, senders: number, count: number) {
  const t = mk(sink.url, { maxConnections: conns });
  const send = (i: number) => t.send({ ...email, from: "b@example.test", to: `r${i}@example.test`, messageId: `<r${i}.${Math.random()}@b>` });
  await Promise.all(Array.from({ length: conns }, (_, i) => send(-1 - i)));
  const start = performance.now(); let next = 0;
  await Promise.all(Array.from({ length: senders }, async () => { while (next < count) await send(next++); }));
  const ms = performance.now() - start; await t.close();
  return `${(ms / count).toFixed(2)} ms/msg, ${Math.round((count / ms) * 1000)} emails/s`;
}
for (const [name, mk] of [["before", before], ["after", after]] as const) {
  console.log(name, "| 1 conn seq:", await run(mk, 1, 1, 200), "| 5 conn x 10 senders:", await run(mk, 5, 10, name === "before" ? 1000 : 3000));
}
await sink.close();
