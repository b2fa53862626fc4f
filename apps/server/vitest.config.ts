import { tidingsProject } from "@tidings/testing/project";

// These tests start real processes (pnpm, node, Chromium); they are slow by nature.
export default tidingsProject("server", { testTimeout: 120_000, hookTimeout: 180_000 });
