import { describe, expect, it } from "vitest";
import { createFairScheduler } from "../src/ai/fair-scheduler.ts";

// The ai queue's scheduler: a global limit, and turns between users.

describe("fair scheduler", () => {
  it("never runs more than its concurrency at once", async () => {
    const scheduler = createFairScheduler(3);
    let running = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 30 }, (_, index) =>
        scheduler.run(`user-${index % 4}`, async () => {
          running += 1;
          most = Math.max(most, running);
          await new Promise((resolve) => setImmediate(resolve));
          running -= 1;
        }),
      ),
    );
    expect(most).toBe(3);
  });

  it("gives a user with one job a turn before the second job of a user with many", async () => {
    const scheduler = createFairScheduler(1);
    const order: string[] = [];
    let release = () => {};
    let started = () => {};
    const running = new Promise<void>((resolve) => (started = resolve));
    const blocker = scheduler.run(
      "busy",
      () =>
        new Promise<void>((resolve) => {
          release = resolve;
          started();
        }),
    );
    const jobs = [
      ...Array.from({ length: 5 }, (_, index) => scheduler.run("busy", async () => void order.push(`busy-${index}`))),
      scheduler.run("quiet", async () => void order.push("quiet-0")),
      scheduler.run("other", async () => void order.push("other-0")),
    ];
    await running;
    release();
    await Promise.all([blocker, ...jobs]);
    // After the blocker, turns go busy, quiet, other, then busy's remaining jobs.
    expect(order.slice(0, 3)).toEqual(["busy-0", "quiet-0", "other-0"]);
    expect(order.slice(3)).toEqual(["busy-1", "busy-2", "busy-3", "busy-4"]);
  });

  it("frees the slot when work fails", async () => {
    const scheduler = createFairScheduler(1);
    await expect(scheduler.run("a", async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await expect(scheduler.run("a", async () => "next")).resolves.toBe("next");
  });

  it("runs first-sync (background) work only when no new mail waits, in at most half the slots", async () => {
    const scheduler = createFairScheduler(4);
    const order: string[] = [];
    let runningBackground = 0;
    let mostBackground = 0;
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    // Four foreground jobs hold every slot while the rest queue up behind them.
    const holders = Array.from({ length: 4 }, (_, index) =>
      scheduler.run(`user-${index}`, async () => {
        await gate;
        order.push("hold");
      }),
    );
    const background = Array.from({ length: 6 }, (_, index) =>
      scheduler.run(
        `user-${index % 2}`,
        async () => {
          runningBackground += 1;
          mostBackground = Math.max(mostBackground, runningBackground);
          order.push("first-sync");
          await new Promise((resolve) => setImmediate(resolve));
          runningBackground -= 1;
        },
        { background: true },
      ),
    );
    const fresh = scheduler.run("user-9", async () => void order.push("new"));
    release();
    await Promise.all([...holders, ...background, fresh]);
    expect(order.indexOf("new")).toBeLessThan(order.indexOf("first-sync"));
    expect(mostBackground).toBe(2);
  });
  it("prepares the next jobs on its deck while every slot is busy, so a freed slot goes straight to a prepared job", async () => {
    const scheduler = createFairScheduler(2, { deck: 2 });
    let running = 0;
    let most = 0;
    let preparedWhileSlotsBusy = 0;
    const events: string[] = [];
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, (_, index) =>
        scheduler.run(
          `user-${index % 3}`,
          async () => {
            running += 1;
            most = Math.max(most, running);
            events.push(`work-${index}`);
            await new Promise((resolve) => setTimeout(resolve, 5));
            running -= 1;
          },
          {
            prepare: async () => {
              await new Promise((resolve) => setImmediate(resolve));
              // Job 5's preparation fails (a spent budget): it never takes a slot.
              if (index === 5) throw new Error("refused");
              events.push(`prepared-${index}`);
              // Both slots doing work: this job is on the deck, not in a slot.
              if (running === 2) preparedWhileSlotsBusy += 1;
            },
          },
        ),
      ),
    );
    expect(most).toBe(2);
    expect(results.filter((result) => result.status === "rejected")).toHaveLength(1);
    expect(events).not.toContain("work-5");
    expect(events.filter((event) => event.startsWith("work-"))).toHaveLength(11);
    // Without a deck a job prepares in its slot, so never while two others work.
    expect(preparedWhileSlotsBusy).toBeGreaterThanOrEqual(2);
  });
});
