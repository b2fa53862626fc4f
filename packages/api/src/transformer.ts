import { TRPCError } from "@trpc/server";
import superjson from "superjson";

const MAX_ANNOTATION_DEPTH = 32;
const MAX_ANNOTATION_NODES = 1_000;

/**
 * superjson trusts the `meta` annotations it is given: a string where it expects a tree sends its
 * walk into endless recursion (a stack overflow whose message would reach the caller). Inputs come
 * from anyone, so their annotations are checked against the shape superjson writes before use.
 */
function isAnnotationTree(tree: unknown, budget: { nodes: number }, depth = 0): boolean {
  if (!tree) return true;
  if (depth > MAX_ANNOTATION_DEPTH || --budget.nodes < 0) return false;
  if (Array.isArray(tree)) {
    const [nodeValue, children, ...rest] = tree as unknown[];
    if (rest.length > 0 || !isTypeAnnotation(nodeValue)) return false;
    return children === undefined || isChildren(children, budget, depth);
  }
  return isChildren(tree, budget, depth);
}

function isChildren(children: unknown, budget: { nodes: number }, depth: number): boolean {
  if (typeof children !== "object" || children === null || Array.isArray(children)) return false;
  return Object.values(children).every((child) => isAnnotationTree(child, budget, depth + 1));
}

function isTypeAnnotation(value: unknown): boolean {
  if (typeof value === "string") return true;
  return Array.isArray(value) && value.length === 2 && typeof value[0] === "string" && typeof value[1] === "string";
}

function isReferentialEqualities(value: unknown): boolean {
  if (value === undefined) return true;
  const isPaths = (paths: unknown) => Array.isArray(paths) && paths.every((path) => typeof path === "string");
  if (Array.isArray(value)) {
    const [root, others, ...rest] = value as unknown[];
    return rest.length === 0 && isPaths(root) && (others === undefined || isPathRecord(others));
  }
  return isPathRecord(value);

  function isPathRecord(record: unknown): boolean {
    return (
      typeof record === "object" && record !== null && !Array.isArray(record) && Object.values(record).every(isPaths)
    );
  }
}

function isSafeMeta(meta: unknown): boolean {
  if (meta === undefined) return true;
  if (typeof meta !== "object" || meta === null || Array.isArray(meta)) return false;
  const { values, referentialEqualities, v } = meta as Record<string, unknown>;
  return (
    isAnnotationTree(values, { nodes: MAX_ANNOTATION_NODES }) &&
    isReferentialEqualities(referentialEqualities) &&
    (v === undefined || typeof v === "number")
  );
}

/** superjson both ways, with inputs' annotations checked first; a bad envelope is the caller's error. */
export const transformer = {
  input: {
    serialize: (value: unknown) => superjson.serialize(value),
    deserialize: (payload: unknown) => {
      const meta = (payload as { meta?: unknown } | null | undefined)?.meta;
      if (!isSafeMeta(meta)) throw new TRPCError({ code: "BAD_REQUEST", message: "Malformed input envelope" });
      try {
        return superjson.deserialize(payload as Parameters<typeof superjson.deserialize>[0]);
      } catch {
        throw new TRPCError({ code: "BAD_REQUEST", message: "Malformed input envelope" });
      }
    },
  },
  output: { serialize: (value: unknown) => superjson.serialize(value), deserialize: superjson.deserialize },
};
