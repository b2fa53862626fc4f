export { createProcessors } from "./processors.ts";
