import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DataFolderInUseError, lockDataFolder, lockFileName } from "../src/data-folder-lock.ts";

let folder: string;
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), "tidings-lock-"));
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

const lockFile = () => join(folder, lockFileName);
const holderPid = () => (JSON.parse(readFileSync(lockFile(), "utf8")) as { pid: number }).pid;

/** Another process that stays alive until killed. */
function otherProcess() {
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = () => {
    child.kill("SIGKILL");
    return exited;
  };
  return { pid: child.pid ?? 0, stop };
}

describe("data folder lock", () => {
  it("is refused while another live process holds it, naming the folder, the process and what to do", () => {
    const other = otherProcess();
    try {
      writeFileSync(lockFile(), JSON.stringify({ pid: other.pid, command: "dist/main.js" }));
      const attempt = () => lockDataFolder(folder);
      expect(attempt).toThrow(DataFolderInUseError);
      expect(attempt).toThrow(folder);
      expect(attempt).toThrow(`pid ${other.pid}: dist/main.js`);
      expect(attempt).toThrow(/Stop that process first/);
      expect(holderPid()).toBe(other.pid);
    } finally {
      void other.stop();
    }
  });

  it("takes over a lock whose process is gone (a crash or kill -9)", async () => {
    const other = otherProcess();
    await other.stop();
    writeFileSync(lockFile(), JSON.stringify({ pid: other.pid, command: "crashed" }));
    const lock = lockDataFolder(folder);
    expect(holderPid()).toBe(process.pid);
    lock.release();
  });

  it("takes over a torn lock file, and is free again once released", () => {
    writeFileSync(lockFile(), "{");
    lockDataFolder(folder).release();
    expect(existsSync(lockFile())).toBe(false);
    const again = lockDataFolder(folder);
    expect(holderPid()).toBe(process.pid);
    again.release();
  });
});
