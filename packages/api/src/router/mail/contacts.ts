import { searchMailContacts } from "@tidings/db";
import type { z } from "zod";
import type { InnerContext } from "../../context.ts";
import type { mailContactsInput } from "./lookup-schema.ts";

/** `mail.contacts`: the caller's correspondents for the composer's To, Cc and Bcc suggestions. */
export async function listMailContacts(
  { ctx, userId }: { ctx: InnerContext; userId: string },
  input: z.output<typeof mailContactsInput>,
) {
  const contacts = await searchMailContacts(ctx.db, userId, input.query, input.limit);
  return contacts.map((contact) => ({
    email: contact.email,
    name: contact.name,
    sent: contact.sentCount,
    received: contact.receivedCount,
    lastAt: contact.lastAt,
  }));
}
