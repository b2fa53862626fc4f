import { createSmtpTransport, render } from "../../email/src/index.ts";
import { startSmtpSink } from "../src/smtp.ts";

const email = await render("welcome", { displayName: "Bench" }, { appUrl: "https://mail.example.test" });
console.log("html bytes", email.html.length, "text", email.text.length);
const sink = await startSmtpSink();
async function run(conns: number, senders: number, count: number) {
  const t = createSmtpTransport(sink.url, { maxConnections: conns });
  // warm up
  await t.send({ ...email, from: "b@example.test", to: "w@example.test", messageId: `<w${Math.random()}@b>` });
  const start = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: senders }, async () => {
      while (next < count) {
        const i = next++;
        await t.send({
          ...email,
          from: "b@example.test",
          to: `r${i}@example.test`,
          messageId: `<r${i}.${Math.random()}@b>`,
        });
      }
    }),
  );
  const ms = performance.now() - start;
  await t.close();
  return { conns, senders, count, msPerMsg: +(ms / count).toFixed(2), perSec: Math.round((count / ms) * 1000) };
}
console.log(await run(1, 1, 100));
console.log(await run(5, 10, 1000));
await sink.close();
