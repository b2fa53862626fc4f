import { tidingsProject } from "@tidings/testing/project";
import { configDefaults } from "vitest/config";

// These tests start real processes (pnpm, node, Chromium); they are slow by nature. Timing tests
// (`*.timing.test.ts`) run in their own project, after everything else (vitest.timing.config.ts).
export default tidingsProject("server", {
  testTimeout: 120_000,
  hookTimeout: 180_000,
  exclude: [...configDefaults.exclude, "test/**/*.timing.test.ts"],
});
