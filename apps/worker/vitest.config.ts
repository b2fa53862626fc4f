import { tidingsProject } from "@tidings/testing/project";

// These tests start worker processes and an SMTP server; they are slow by nature.
export default tidingsProject("worker", { testTimeout: 120_000, hookTimeout: 120_000 });
