import { Link } from "@tanstack/react-router";
import { MailIcon } from "../../components/icons.tsx";
import { Card } from "../../components/ui.tsx";

/** A user without a mailbox has nothing to see here yet: one clear way to start. */
export function ConnectFirstMailbox() {
  return (
    <Card className="grid justify-items-start gap-4">
      <span className="flex size-12 items-center justify-center rounded-xl bg-accent-soft text-link">
        <MailIcon width={24} height={24} />
      </span>
      <div className="grid gap-1">
        <h2 className="text-xl font-semibold">Connect your first mailbox</h2>
        <p className="max-w-prose text-muted">
          Tidings reads your mail over IMAP and sends through your provider. Once connected, this page shows what needs
          a reply, what is urgent and what arrived since you last looked.
        </p>
      </div>
      <Link
        to="/mail/connect"
        className="rounded-lg bg-accent px-4 py-2 font-semibold text-accent-fg no-underline hover:bg-accent-hover"
      >
        Connect a mailbox
      </Link>
    </Card>
  );
}
