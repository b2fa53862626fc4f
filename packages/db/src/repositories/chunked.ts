// Internal to the repositories (not exported from the package): slicing for multi-row statements.

/** Rows per multi-row statement: well below Postgres' 65 535 bind parameters at 30 columns a row. */
export const ROW_CHUNK = 500;
/** Values per `in (...)` list. */
export const IN_LIST_CHUNK = 5_000;

/** The items in slices of at most `size`, in order. */
export function chunked<T>(items: readonly T[], size: number): T[][] {
  const slices: T[][] = [];
  for (let start = 0; start < items.length; start += size) slices.push(items.slice(start, start + size));
  return slices;
}
