import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { generateEncryptionKey, parseEncryptionKey } from "../crypto/index.ts";

/**
 * The key that seals secrets in the database: ENCRYPTION_KEY when set; otherwise (single-machine
 * use) one generated on first start into the data folder, beside rather than inside the database.
 */
export async function resolveEncryptionKey(configured: string | undefined, dataDir: string): Promise<Buffer> {
  if (configured) return parseEncryptionKey(configured);
  const file = join(dataDir, "encryption.key");
  await mkdir(dataDir, { recursive: true });
  try {
    // "wx": of two processes starting together, one creates the file and the other reads it.
    await writeFile(file, `${generateEncryptionKey()}\n`, { flag: "wx", mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  return parseEncryptionKey((await readFile(file, "utf8")).trim());
}
