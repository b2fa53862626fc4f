import type { Options } from "@node-rs/argon2";

/** OWASP's argon2id baseline. Changing these makes every stored hash report `needsRehash`. */
export const passwordHashParameters = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

// The package declares Algorithm and Version as const enums with no runtime object, which
// isolatedModules cannot inline, so their numeric values are spelled out here.
export const argon2idAlgorithm = 2;
export const argon2Version0x13 = 1;
export const hashOutputBytes = 32;

export const argon2Options = {
  ...passwordHashParameters,
  algorithm: argon2idAlgorithm,
  version: argon2Version0x13,
  outputLen: hashOutputBytes,
} satisfies Options;
