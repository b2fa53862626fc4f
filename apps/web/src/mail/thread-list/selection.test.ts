import { describe, expect, it } from "vitest";
import { allState, pickRange } from "./selection.ts";

const order = ["a", "b", "c", "d", "e"];
const sorted = (set: Set<string>) => [...set].sort();

describe("picking conversations for a bulk action", () => {
  it("Shift picks the range from the previous pick, either way, in list order", () => {
    expect(sorted(pickRange(new Set(["b"]), order, "b", "d", true))).toEqual(["b", "c", "d"]);
    expect(sorted(pickRange(new Set(["d"]), order, "d", "a", true))).toEqual(["a", "b", "c", "d"]);
  });

  it("Shift on a picked one unpicks the range; without Shift or an anchor only the one flips", () => {
    expect(sorted(pickRange(new Set(["a", "b", "c", "d"]), order, "a", "c", true))).toEqual(["d"]);
    expect(sorted(pickRange(new Set(["b"]), order, "b", "d", false))).toEqual(["b", "d"]);
    expect(sorted(pickRange(new Set(), order, "gone", "c", true))).toEqual(["c"]);
  });

  it("the select-all box is off, mixed or on", () => {
    expect(allState(new Set(), order)).toBe(false);
    expect(allState(new Set(["a"]), order)).toBe("mixed");
    expect(allState(new Set(order), order)).toBe(true);
  });
});
