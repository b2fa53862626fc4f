/** Postgres' SQLSTATE for a unique key violation; node-postgres and PGlite both report it as `code`. */
const UNIQUE_VIOLATION = "23505";

export function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === UNIQUE_VIOLATION;
}
