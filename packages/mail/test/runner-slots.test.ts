import { describe, expect, it } from "vitest";
import { createSlots } from "../src/runner/account-runner.ts";

describe("connecting-pass slots", () => {
  it("runs at most `size` at once, the rest in order as slots free up, and frees a slot on failure", async () => {
    const slots = createSlots(2);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const job = (id: number, fail = false) =>
      slots.run(async () => {
        running += 1;
        most = Math.max(most, running);
        await new Promise((resolve) => setTimeout(resolve, 20));
        running -= 1;
        order.push(id);
        if (fail) throw new Error(`job ${id} failed`);
        return id;
      });
    const results = await Promise.allSettled([job(1), job(2, true), job(3), job(4), job(5)]);
    expect(most).toBe(2);
    expect(order).toEqual([1, 2, 3, 4, 5]);
    expect(results.map((result) => result.status)).toEqual([
      "fulfilled",
      "rejected",
      "fulfilled",
      "fulfilled",
      "fulfilled",
    ]);
    // Every slot came back.
    expect(await Promise.all([slots.run(async () => "a"), slots.run(async () => "b")])).toEqual(["a", "b"]);
  });
});
