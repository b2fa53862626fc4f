import { tidingsProject } from "@tidings/testing/project";

export default tidingsProject("bench", { testTimeout: 60_000 });
