import { createRequire } from "node:module";
import { tidingsProject } from "@tidings/testing/project";

const require = createRequire(import.meta.url);

// Browser tests against real server processes: slow by nature. The app is built once per run
// into a folder of its own (never apps/web/dist, which `pnpm start` in another test writes).
export default tidingsProject("web", {
  include: ["test/**/*.test.ts"],
  testTimeout: 180_000,
  hookTimeout: 240_000,
  globalSetup: [require.resolve("@tidings/testing/global-setup"), "./test/build-web-app.ts"],
});
