import { tidingsProject } from "@tidings/testing/project";

export default tidingsProject("ai");
