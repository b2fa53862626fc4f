// The ai-pipeline bench must keep running end to end, or `pnpm bench` reports nothing for it: a
// small load here (no figures are judged), on its own database and Redis prefix, over loopback.
import { services } from "@tidings/testing";
import { describe, expect, it } from "vitest";
import { run } from "../ai-pipeline.bench.ts";

describe.skipIf(!services().postgres || !services().redis)("ai-pipeline bench", () => {
  it("analyses every message through the queue with one provider call each, and reports both ratios", async () => {
    const result = (await run({ aiMessages: "24", aiConcurrency: "4", aiLatencyMs: "20", aiLocalAnalyses: "300" })) as {
      queue: { messages: number; providerCalls: number; boundSeconds: number };
      local: { analyses: number; perSecond: number };
      lines: { measure: string; ratio?: string; verdict?: string }[];
    };
    expect(result.queue).toMatchObject({ messages: 24, providerCalls: 24 });
    expect(result.queue.boundSeconds).toBeCloseTo((24 * 0.02) / 4);
    expect(result.local.analyses).toBe(300);
    expect(result.local.perSecond).toBeGreaterThan(0);
    expect(result.lines).toHaveLength(2);
    for (const line of result.lines) expect(Number(line.ratio)).toBeGreaterThan(0);
  }, 120_000);
});
