import { hash, parseOptions, verify } from "@node-rs/argon2";
import { argon2idAlgorithm, argon2Options, argon2Version0x13, hashOutputBytes } from "./hash-parameters.ts";
import { normalizePassword } from "./normalize-password.ts";

// The async argon2 calls run on the libuv thread pool, so hashing never blocks the event loop.

/** A PHC string: `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`. */
export async function hashPassword(password: string): Promise<string> {
  return hash(normalizePassword(password), argon2Options);
}

/** False for a wrong password and for a stored hash that cannot be parsed. */
export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await verify(hash, normalizePassword(password));
  } catch {
    // A corrupt or foreign-format hash must read as "wrong password", not as a server error.
    return false;
  }
}

/** Whether a hash that just verified should be replaced by one made with the current parameters. */
export function needsRehash(hash: string): boolean {
  try {
    const used = parseOptions(hash);
    return (
      used.algorithm !== argon2idAlgorithm ||
      used.version !== argon2Version0x13 ||
      used.memoryCost !== argon2Options.memoryCost ||
      used.timeCost !== argon2Options.timeCost ||
      used.parallelism !== argon2Options.parallelism ||
      used.outputLen !== hashOutputBytes
    );
  } catch {
    return true;
  }
}
