import { readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * PGlite is one Postgres in one process: a second process opening the same folder gets its own copy
 * in memory, and what it writes is lost or overwrites the first one's. So one process at a time
 * holds a folder, recorded in a lock file with its pid; a lock whose process is gone (a crash, a
 * kill -9) is taken over.
 */
export class DataFolderInUseError extends Error {
  constructor(
    readonly folder: string,
    readonly holder: LockHolder,
  ) {
    super(
      `The data folder ${folder} is in use by another Tidings process (pid ${holder.pid}: ${holder.command}).\n` +
        "The embedded database allows one process at a time. Stop that process first (Ctrl-C where it runs), " +
        "then run this again; or give this one another folder with TIDINGS_DATA_DIR.",
    );
    this.name = "DataFolderInUseError";
  }
}

export interface LockHolder {
  pid: number;
  command: string;
}

export interface DataFolderLock {
  /** Removes the lock file if this process still holds it. */
  release(): void;
}

export const lockFileName = "tidings.lock";

/** Takes the folder's lock or throws DataFolderInUseError naming the process that holds it. */
export function lockDataFolder(folder: string): DataFolderLock {
  const path = join(folder, lockFileName);
  const me: LockHolder = { pid: process.pid, command: process.argv.slice(1).join(" ") };
  // Bounded: each round either takes the lock, throws, or removes a stale lock once.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(path, JSON.stringify(me), { flag: "wx" });
      const release = () => {
        if (readHolder(path)?.pid === process.pid) unlinkQuietly(path);
      };
      // A process that exits without closing the database still leaves the folder free.
      process.once("exit", release);
      return {
        release: () => {
          process.removeListener("exit", release);
          release();
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = readHolder(path);
    if (holder && holder.pid !== process.pid && isRunning(holder.pid)) throw new DataFolderInUseError(folder, holder);
    unlinkQuietly(path);
  }
  throw new Error(`could not lock the data folder ${folder} (${path} keeps coming back)`);
}

function readHolder(path: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as Partial<LockHolder>;
    return typeof parsed.pid === "number" ? { pid: parsed.pid, command: String(parsed.command ?? "") } : undefined;
  } catch {
    // Missing, or torn by a crash mid-write: no live holder to respect.
    return undefined;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}
