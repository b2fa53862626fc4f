export { createFastify, registerRoutes } from "./app.ts";
export { type RunOptions, runServer } from "./run.ts";
export { createServices, type Services } from "./services.ts";
