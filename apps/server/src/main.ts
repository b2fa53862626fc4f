import { runServer } from "./run.ts";

runServer().catch((error: unknown) => {
  process.stderr.write(
    `Tidings server failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
