import type { RouterOutputs } from "@tidings/client";

export type Folder = RouterOutputs["mail"]["folders"][number];
export type Role = NonNullable<Folder["role"]>;

export const roleNames: Record<Role, string> = {
  inbox: "Inbox",
  sent: "Sent",
  drafts: "Drafts",
  archive: "Archive",
  trash: "Trash",
  junk: "Junk",
  all: "All mail",
};

/** The order folders of a role are listed in, most used first. */
export const roleOrder: Role[] = ["inbox", "drafts", "sent", "archive", "junk", "trash"];
