import { bulkMessages } from "./bulk.ts";
import { personalMessages } from "./personal.ts";
import type { DevMessage } from "./types.ts";
import { workMessages } from "./work.ts";

export { type SimulatedAction, simulatedActions } from "./actions.ts";
export { type DevMessage, type Label, ownAddresses, owner, recipientFor, toEmail } from "./types.ts";

/** The hand-written development set: 150 present-day messages to one person, each labelled. */
export const devSet: DevMessage[] = [...workMessages, ...personalMessages, ...bulkMessages];
