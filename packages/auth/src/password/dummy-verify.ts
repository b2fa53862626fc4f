import { verifyPassword } from "./hash-password.ts";

/**
 * A hash of a random, discarded secret, made with the current parameters. The test suite checks
 * that it still matches them, so the dummy costs exactly what a real verification costs.
 */
export const dummyPasswordHash =
  "$argon2id$v=19$m=19456,t=2,p=1$a/QffwD2lYT3uy3N+l3xoQ$2/kjhTfh0RP2/cHbckZsyoD5iTKbQhvSl7XYVKk6yco";

/**
 * For sign-ins with an unknown email: spends the same time as `verifyPassword` so that the
 * response time does not reveal whether an account exists.
 */
export async function dummyVerify(password: string): Promise<void> {
  await verifyPassword(dummyPasswordHash, password);
}
