import { tidingsProject } from "./src/project.ts";

export default tidingsProject("testing");
