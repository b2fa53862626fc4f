import type { Executor } from "@tidings/db";
import type { ParsedMessage } from "../parse.ts";
import { type StoredMessage, storeMessages } from "./store-batch.ts";

export interface MessageToStore {
  accountId: string;
  userId: string;
  folderId: string;
  uid: number;
  modseq: bigint | null;
  flags: ReadonlySet<string>;
  internalDate: Date;
  size: number;
  providerThreadId: string | null;
  parsed: ParsedMessage;
  /** False beyond the sync window: only headers are kept. */
  withBody: boolean;
}

/**
 * Files one message in its thread (merging the threads it links) and stores it; answers the thread
 * id, or null when the folder already had this UID. Run it inside a transaction.
 */
export async function storeMessage(trx: Executor, message: MessageToStore): Promise<string | null> {
  return (await storeMessageWithIds(trx, message))?.threadId ?? null;
}

/** As storeMessage, answering the new message's id and the threads merged away too (for the events). */
export async function storeMessageWithIds(trx: Executor, message: MessageToStore): Promise<StoredMessage | null> {
  // One code path for one message and for a sync's batches, so they cannot file mail differently.
  const [stored] = await storeMessages(trx, [message]);
  return stored ?? null;
}

// Kept here too for the modules that have always imported it from this one.
export { flagsOf } from "./store-batch.ts";
