import { type Config, listenUrl, loadConfigOrExit } from "@tidings/config";
import { createLogDestination } from "@tidings/runtime";
import type { FastifyInstance } from "fastify";
import { createFastify, registerRoutes } from "./app.ts";
import { createServices } from "./services.ts";

export interface RunOptions {
  /** Extra routes registered before listening (used by tests that need a slow request). */
  extraRoutes?: (app: FastifyInstance) => void | Promise<void>;
}

/**
 * Starts the server process: config, connections, migrations (embedded), routes, listen, and a
 * graceful shutdown on SIGTERM/SIGINT: stop accepting, finish requests in flight, close pools.
 */
export async function runServer(options: RunOptions = {}): Promise<void> {
  const config: Config = loadConfigOrExit();
  const logDestination = createLogDestination(config);
  const app = createFastify(config, logDestination.stream);
  const services = await createServices(config, app.log);
  app.addHook("onClose", async () => services.close());
  await registerRoutes(app, { config, services });
  await options.extraRoutes?.(app);

  installShutdown(app, config.shutdownTimeoutMs, logDestination.close);
  await app.listen({ host: config.host, port: config.port });

  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const url = listenUrl(config.host, port);
  app.log.info({ url, mode: config.mode, database: services.database.kind }, "server listening");
  process.stdout.write(`\nTidings is running at ${url} (${config.mode} mode)\n\n`);
}

function installShutdown(app: FastifyInstance, timeoutMs: number, closeLog: () => Promise<void>): void {
  let closing = false;
  // Node closes only the connections idle at the moment of close(); a keep-alive connection whose
  // request finishes later would hold the process until the timeout. Tell those clients to hang up.
  // Synchronous: an async hook costs a promise on every request.
  app.addHook("onSend", (_request, reply, _payload, done) => {
    if (closing) reply.header("connection", "close");
    done();
  });
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, "shutting down: finishing requests in flight");
    const force = setTimeout(() => {
      app.log.error({ timeoutMs }, "shutdown took too long; exiting");
      process.exit(1);
    }, timeoutMs);
    force.unref();
    app.close().then(
      () => {
        app.log.info("shut down cleanly");
        closeLog().finally(() => process.exit(0));
      },
      (error: unknown) => {
        app.log.error({ err: error }, "error during shutdown");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", shutdown);
  process.on("SIGINT", shutdown);
}
