import { type ChildProcess, spawn } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { childProcessEnv } from "@tidings/config/test-env";
import { waitUntil } from "./wait.ts";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

export interface RunningProcess {
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves when the output matches; rejects if the process exits first or time runs out. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<number | string>;
  /** Sends a signal to the whole process group and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<number | string>;
}

export interface StartOptions {
  cwd?: string;
  /** Tidings settings for the process; the rest of the environment is inherited minus Tidings settings. */
  env?: Record<string, string | undefined>;
}

/** Starts a command in its own process group so that stopping it also stops what it spawned. */
export function startProcess(command: string, args: string[], options: StartOptions = {}): RunningProcess {
  const child = spawn(command, args, {
    cwd: options.cwd ?? repoRoot,
    env: childProcessEnv(options.env),
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  const listeners = new Set<() => void>();
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  const exited = new Promise<number | string>((resolveExit) => {
    child.once("exit", (code, signal) => {
      resolveExit(code ?? signal ?? "unknown");
      for (const listener of listeners) listener();
    });
  });

  const waitFor = (pattern: RegExp, timeoutMs = 60_000) =>
    waitUntil(
      listeners,
      () => {
        const match = output.match(pattern);
        if (match) return match;
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new Error(
            `process exited (${child.exitCode ?? child.signalCode}) before printing ${pattern}:\n${output}`,
          );
        }
        return undefined;
      },
      timeoutMs,
      () => `timed out after ${timeoutMs} ms waiting for ${pattern}:\n${output}`,
    );

  const stop = async (signal: NodeJS.Signals = "SIGTERM") => {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      try {
        process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    }
    return exited;
  };

  return { child, output: () => output, waitFor, exited, stop };
}
