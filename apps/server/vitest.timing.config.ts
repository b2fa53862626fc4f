import { tidingsProject } from "@tidings/testing/project";

// Tests that compare response times (S5: no enumeration by timing) measure the server, not the
// machine: they run after every other project has finished (a later group), one file at a time.
export default tidingsProject("server-timing", {
  include: ["test/**/*.timing.test.ts"],
  testTimeout: 180_000,
  hookTimeout: 180_000,
  fileParallelism: false,
  sequence: { groupOrder: 1 },
});
