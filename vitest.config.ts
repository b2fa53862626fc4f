import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Most test files wait on processes they start (servers, workers, Chromium) rather than use a
    // core, so more files than cores run at once; the timing project runs after all of them (its
    // sequence.groupOrder is higher), alone.
    maxWorkers: 3,

    projects: [
      "packages/*",
      "apps/*",
      "bench",
      "apps/server/vitest.timing.config.ts",
      "apps/web/vitest.unit.config.ts",
    ],
    // The JSON report is what .ci/run counts; the default reporter is for people.
    reporters: ["default", "json"],
    outputFile: { json: "test-results/vitest.json" },
  },
});
