import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // The timing project runs after the others (its sequence.groupOrder is higher).
    projects: ["packages/*", "apps/*", "apps/server/vitest.timing.config.ts"],
    // The JSON report is what .ci/run counts; the default reporter is for people.
    reporters: ["default", "json"],
    outputFile: { json: "test-results/vitest.json" },
  },
});
