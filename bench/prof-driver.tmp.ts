import { run } from "./mail-sync.bench.ts";
const r = await run({ mailSyncMessages: process.env.N ?? "1000", mailSyncRssMessages: "300" });
console.log(JSON.stringify({ raw: r.raw, synced: r.synced, ratio: r.ratio, child: r.child }));
