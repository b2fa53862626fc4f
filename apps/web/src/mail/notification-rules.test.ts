import { describe, expect, it } from "vitest";
import { deservesNotification, NOTIFY_WITHIN_MS } from "./notification-rules.ts";

const now = Date.parse("2026-12-04T12:00:00Z");
const fresh = { date: new Date(now - 60_000), flags: { seen: false }, ai: { priority: "high" } };

describe("desktop notification rules", () => {
  it("announces recent unread high-priority mail", () => {
    expect(deservesNotification(fresh, now)).toBe(true);
  });
  it("stays quiet for other priorities, unanalysed, read or old mail", () => {
    expect(deservesNotification({ ...fresh, ai: { priority: "normal" } }, now)).toBe(false);
    expect(deservesNotification({ ...fresh, ai: null }, now)).toBe(false);
    expect(deservesNotification({ ...fresh, flags: { seen: true } }, now)).toBe(false);
    expect(deservesNotification({ ...fresh, date: new Date(now - NOTIFY_WITHIN_MS - 1) }, now)).toBe(false);
  });
});
