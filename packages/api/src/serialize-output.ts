import superjson from "superjson";

type SuperJSONResult = ReturnType<typeof superjson.serialize>;

// Returned by the walk for anything it does not copy itself; superjson then serializes the whole value.
const NOT_PLAIN = Symbol("not plain");

/**
 * `superjson.serialize`, with the common case done in one pass: procedure results made of strings,
 * finite numbers, booleans, null, plain objects, arrays and valid Dates. superjson walks every
 * value through its whole list of transformers and copies its path arrays at each level, a visible
 * share of a cheap query's cost. Anything else (undefined, Map, Set, BigInt, NaN, -0, class instances,
 * an object met twice, keys superjson escapes or refuses) goes to superjson itself, so the output
 * is always superjson's own (`serialize-output.test.ts` compares the two on random values).
 */
export function serializeOutput(value: unknown): SuperJSONResult {
  const json = copyPlain(value, new Set());
  const values = found;
  found = undefined;
  if (json === NOT_PLAIN) return superjson.serialize(value);
  return values
    ? { json: json as SuperJSONResult["json"], meta: { values, v: 1 } }
    : { json: json as SuperJSONResult["json"] };
}

type Annotations = Record<string, ["Date"]>;

/**
 * What the copyPlain call that just returned found to annotate: `["Date"]` for a Date, a level's
 * paths for a container holding Dates, else undefined. A variable, not a returned pair, so a
 * value without Dates (most of them) allocates nothing for it; the walk is synchronous.
 */
let found: ["Date"] | Annotations | undefined;

function copyPlain(value: unknown, seen: Set<object>): unknown {
  found = undefined;
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      // superjson annotates -0 as well as NaN and the infinities.
      return Number.isFinite(value) && !Object.is(value, -0) ? value : NOT_PLAIN;
    case "object":
      break;
    default:
      return NOT_PLAIN;
  }
  if (value === null) return null;
  // superjson reports an object found at two paths (referentialEqualities); that is its job.
  if (seen.has(value)) return NOT_PLAIN;
  seen.add(value);
  if (value instanceof Date) {
    if (Number.isNaN(value.valueOf())) return NOT_PLAIN;
    found = ["Date"];
    return value.toISOString();
  }
  let level: Annotations | undefined;
  if (Array.isArray(value)) {
    // Holes and extra properties change what superjson's Object.entries walk sees.
    if (Object.keys(value).length !== value.length) return NOT_PLAIN;
    const copy = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      const item = copyPlain(value[i], seen);
      if (item === NOT_PLAIN) return NOT_PLAIN;
      copy[i] = item;
      if (found) level = annotate(level, String(i), found);
    }
    found = level;
    return copy;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return NOT_PLAIN;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    if (!isPlainKey(key)) return NOT_PLAIN;
    const item = copyPlain((value as Record<string, unknown>)[key], seen);
    if (item === NOT_PLAIN) return NOT_PLAIN;
    copy[key] = item;
    if (found) level = annotate(level, key, found);
  }
  found = level;
  return copy;
}

/**
 * Adds a child's annotations to its container's level the way superjson's walker does: a level is
 * an object per container, flattened into its parent's, so the key order (integer-like keys first,
 * as in any JS object) comes out the same.
 */
function annotate(level: Annotations | undefined, key: string, child: ["Date"] | Annotations): Annotations {
  const into = level ?? {};
  if (Array.isArray(child)) into[key] = child;
  else for (const path of Object.keys(child)) into[`${key}.${path}`] = child[path] as ["Date"];
  return into;
}

/** Keys superjson neither escapes in annotation paths nor refuses as a prototype-pollution risk. */
function isPlainKey(key: string): boolean {
  return (
    !key.includes(".") && !key.includes("\\") && key !== "__proto__" && key !== "constructor" && key !== "prototype"
  );
}
