import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type RunningProcess, repoRoot, startProcess } from "@tidings/testing";

/** The server app's folder: processes are started from there by path (a test helper imports no app). */
export const serverDir = resolve(repoRoot, "apps/server");

export interface StartedServer {
  url: string;
  process: RunningProcess;
  stop(): Promise<number | string>;
}

/**
 * Starts a server process (`src/main.ts`, or a fixture script) with the given settings and waits
 * for the line that says where it listens. Without DATABASE_URL it gets an embedded data folder of its own.
 */
export async function startServer(
  env: Record<string, string | undefined>,
  script = "src/main.ts",
): Promise<StartedServer> {
  const dataDir = env.DATABASE_URL ? undefined : await mkdtemp(join(tmpdir(), "tidings-server-"));
  const child = startProcess("node", ["--import", "tsx", script], {
    cwd: serverDir,
    env: { PORT: "0", LOG_LEVEL: "info", TIDINGS_DATA_DIR: dataDir, ...env },
  });
  try {
    const [, url = ""] = await child.waitFor(/Tidings is running at (\S+)/);
    return {
      url,
      process: child,
      stop: async () => {
        const code = await child.stop();
        if (dataDir) await rm(dataDir, { recursive: true, force: true });
        return code;
      },
    };
  } catch (error) {
    await child.stop("SIGKILL");
    throw error;
  }
}

export async function waitUntil(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}
