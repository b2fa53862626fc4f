import { DataFolderInUseError } from "@tidings/db";
import { runServer } from "./run.ts";

runServer().catch((error: unknown) => {
  // A folder in use is the operator's situation, not a bug: the message says what to do, no stack.
  const detail =
    error instanceof DataFolderInUseError
      ? error.message
      : error instanceof Error
        ? (error.stack ?? error.message)
        : String(error);
  process.stderr.write(`Tidings server failed to start: ${detail}\n`);
  process.exit(1);
});
