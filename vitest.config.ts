import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Most test files wait on processes they start (servers, workers, Chromium) rather than use a
    // core, so files run side by side; the timing project runs after all of them (its
    // sequence.groupOrder is higher), alone. Vitest 5 with projects ignores a maxWorkers set here
    // (its default on this 2-core machine is one file at a time: 27 minutes), so the `test` script
    // passes --maxWorkers=2 on the command line, which it does honour.

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
