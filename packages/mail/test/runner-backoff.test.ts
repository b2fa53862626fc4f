import { describe, expect, it } from "vitest";
import { backoffDelay, defaultBackoff } from "../src/index.ts";

describe("reconnect backoff", () => {
  it("doubles from 5 s to a 5 min cap, waiting between half and all of each step", () => {
    const lowest = (attempt: number) => backoffDelay(defaultBackoff, attempt, () => 0);
    const highest = (attempt: number) => backoffDelay(defaultBackoff, attempt, () => 1);
    expect([1, 2, 3, 4].map(highest)).toEqual([5_000, 10_000, 20_000, 40_000]);
    expect([1, 2, 3, 4].map(lowest)).toEqual([2_500, 5_000, 10_000, 20_000]);
    expect(highest(7)).toBe(300_000);
    expect(highest(1_000)).toBe(300_000);
    expect(lowest(1_000)).toBe(150_000);
  });

  it("spreads the accounts of one server over the interval (jitter)", () => {
    const waits = new Set(Array.from({ length: 50 }, () => backoffDelay(defaultBackoff, 3)));
    expect(waits.size).toBeGreaterThan(10);
    for (const wait of waits) {
      expect(wait).toBeGreaterThanOrEqual(10_000);
      expect(wait).toBeLessThanOrEqual(20_000);
    }
  });
});
