import { tidingsProject } from "@tidings/testing/project";

// The web app's logic that needs no browser (the strength meter's verdict, say): plain Node, fast,
// and without the production build the browser tests wait for.
export default tidingsProject("web-unit", { include: ["src/**/*.test.ts"] });
