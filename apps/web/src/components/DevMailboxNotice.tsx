import { MailIcon } from "./icons.tsx";
import { useIsEmbedded } from "./server-mode.ts";

/** In embedded mode no email leaves the machine; this points a new user at where it went. */
export function DevMailboxNotice({ prominent = false }: { prominent?: boolean }) {
  if (!useIsEmbedded()) return null;
  return (
    <div
      className={`flex items-start gap-3 rounded-xl border border-line p-4 text-sm ${prominent ? "bg-accent-soft" : "bg-surface"}`}
    >
      <MailIcon className="mt-0.5 shrink-0 text-link" />
      <p>
        This server runs in embedded mode, so emails are not sent out. Read them in the{" "}
        <a href="/dev/mailbox" className="font-semibold underline">
          dev mailbox
        </a>
        .
      </p>
    </div>
  );
}
