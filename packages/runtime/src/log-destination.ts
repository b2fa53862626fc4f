import { basename, dirname } from "node:path";
import type { Config } from "@tidings/config";
import { type DestinationStream, multistream } from "pino";
import pinoPretty from "pino-pretty";
import { createStream } from "rotating-file-stream";

export interface LogDestination {
  /** Where pino writes; undefined: pino's own stdout destination (the fast default). */
  stream: DestinationStream | undefined;
  /** Flushes and closes the log file, if any. */
  close(): Promise<void>;
}

/**
 * Where a process's logs go: JSON lines on stdout (pretty in development on a terminal, or with
 * LOG_PRETTY=true) and, with LOG_FILE, the same JSON lines in a file rotated by size (and by time
 * with LOG_FILE_INTERVAL) the logrotate way: LOG_FILE, LOG_FILE.1 (newest rotated), LOG_FILE.2, ...
 * Redaction happens before any destination sees a line. Give each process its own LOG_FILE.
 */
export function createLogDestination(config: Config): LogDestination {
  const pretty =
    config.log.pretty === "auto" ? config.nodeEnv === "development" && process.stdout.isTTY : config.log.pretty;
  const stdout: DestinationStream | undefined = pretty ? pinoPretty({ colorize: process.stdout.isTTY }) : undefined;
  const file = config.log.file;
  if (!file) return { stream: stdout, close: async () => {} };

  const name = basename(file.path);
  // Classical rotation: the generator gets the rotation index (null for the live file).
  const rotating = createStream(
    (index: number | Date | null) => (typeof index === "number" && index > 0 ? `${name}.${index}` : name),
    {
      path: dirname(file.path),
      size: file.maxSize,
      rotate: file.maxFiles,
      ...(file.interval ? { interval: file.interval } : {}),
    },
  );
  // A log file that cannot be written must not bring the process down; say so on stderr once.
  let reported = false;
  rotating.on("error", (error: Error) => {
    if (reported) return;
    reported = true;
    process.stderr.write(`LOG_FILE ${file.path}: ${error.message}\n`);
  });
  const stream = multistream([
    { level: "trace", stream: stdout ?? process.stdout },
    { level: "trace", stream: rotating },
  ]);
  return {
    stream,
    close: () =>
      new Promise<void>((resolve) => {
        if (rotating.destroyed || rotating.writableEnded) return resolve();
        rotating.end(() => resolve());
      }),
  };
}
