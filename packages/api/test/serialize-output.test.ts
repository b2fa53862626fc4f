import fc from "fast-check";
import superjson from "superjson";
import { afterEach, describe, expect, it, vi } from "vitest";
import { serializeOutput } from "../src/serialize-output.ts";

/** Both serializers' outcome as text: the JSON (key order included), or the error thrown. */
function outcome(serialize: (value: unknown) => unknown, value: unknown): string {
  try {
    return `ok ${JSON.stringify(serialize(value))}`;
  } catch (error) {
    return `threw ${(error as Error).message}`;
  }
}

function sameAsSuperjson(value: unknown): void {
  expect(outcome(serializeOutput, value)).toBe(outcome((v) => superjson.serialize(v), value));
}

// Values of every kind superjson knows, nested, with keys that need escaping or are refused.
const anyValue = fc.anything({
  key: fc.oneof(fc.string(), fc.constantFrom("a.b", "a\\b", "__proto__", "constructor", "prototype", "0", "")),
  withDate: true,
  withMap: true,
  withSet: true,
  withBigInt: true,
  withNullPrototype: true,
  withBoxedValues: true,
  withSparseArray: true,
  withTypedArray: true,
  withUnicodeString: true,
  maxDepth: 4,
});

// The shapes procedures return: JSON values and Dates (valid or not), sometimes the same Date twice.
const resultLike = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.string(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.date(),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fc.string(), tie("value"), { maxKeys: 4 }),
  ),
})).value;

describe("serializeOutput", () => {
  afterEach(() => vi.restoreAllMocks());

  it("writes what superjson writes for any value, or throws what it throws", () => {
    fc.assert(fc.property(anyValue, sameAsSuperjson), { numRuns: 2_000 });
  });

  it("writes what superjson writes for result-shaped values", () => {
    fc.assert(fc.property(resultLike, sameAsSuperjson), { numRuns: 2_000 });
    fc.assert(fc.property(fc.date({ noInvalidDate: true }), (date) => sameAsSuperjson({ at: date, again: [date] })));
  });

  it("matches superjson on the cases it leaves to superjson", () => {
    const date = new Date("2026-01-02T03:04:05Z");
    for (const value of [
      date,
      { a: undefined },
      { at: date, same: date },
      { list: Object.assign(new Array(3), { 0: 1, 2: 3 }) },
      { n: Number.NaN, i: Number.POSITIVE_INFINITY, z: -0 },
      { "a.b": date },
      { "a\\b": date },
      { big: 1n },
      { tags: new Set(["a"]), map: new Map([[1, date]]) },
      { bad: new Date(Number.NaN) },
      // superjson's Date test reads valueOf, not getTime.
      { odd: Object.assign(new (class extends Date {})(0), { valueOf: () => Number.NaN }) },
      Object.assign(Object.create(null), { a: 1 }),
      JSON.parse('{"__proto__": 1}'),
      { constructor: 1 },
      undefined,
    ]) {
      sameAsSuperjson(value);
    }
  });

  it("serializes a user view with its Dates without handing it to superjson", () => {
    const serialize = vi.spyOn(superjson, "serialize");
    const view = {
      id: "u1",
      email: "ada@example.test",
      displayName: null,
      emailVerified: true,
      createdAt: new Date("2026-01-02T03:04:05Z"),
      sessions: [{ id: "s1", lastUsedAt: new Date(0), current: true, score: 0.5 }],
    };
    const result = serializeOutput(view);
    expect(serialize).not.toHaveBeenCalled();
    serialize.mockRestore();
    expect(JSON.stringify(result)).toBe(JSON.stringify(superjson.serialize(view)));
    expect(result.meta?.values).toEqual({ createdAt: ["Date"], "sessions.0.lastUsedAt": ["Date"] });
    expect(superjson.deserialize(result)).toEqual(view);
  });

  it("hands values it does not copy itself to superjson", () => {
    const serialize = vi.spyOn(superjson, "serialize");
    serializeOutput({ tags: new Set(["a"]) });
    expect(serialize).toHaveBeenCalledTimes(1);
  });
});
