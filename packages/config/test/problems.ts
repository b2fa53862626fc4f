import { ConfigError, loadConfig } from "../src/index.ts";

/** The problems loadConfig names for an environment it refuses. */
export function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected a ConfigError");
}
