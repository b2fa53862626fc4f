import { tidingsProject } from "@tidings/testing/project";

export default tidingsProject("auth", { testTimeout: 60_000 });
