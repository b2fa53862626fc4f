import { useQuery } from "@tanstack/react-query";
import { getRouteApi } from "@tanstack/react-router";
import { useUser } from "../auth/use-session.ts";
import { PageHeading } from "../components/PageHeading.tsx";
import { Alert, Spinner } from "../components/ui.tsx";
import { inboxUnread, mailRefetch, useMailEvents } from "../mail/live-updates.ts";
import { useUnreadTitle } from "../mail/unread-title.ts";
import { useTRPC } from "../trpc.ts";
import { AiSpend } from "./dashboard/AiSpend.tsx";
import { ConnectFirstMailbox } from "./dashboard/ConnectFirstMailbox.tsx";
import { MailboxStatus } from "./dashboard/MailboxStatus.tsx";
import { MailCounts } from "./dashboard/MailCounts.tsx";
import { SinceLastVisit } from "./dashboard/SinceLastVisit.tsx";

const route = getRouteApi("/_app/dashboard");

function greeting(hour: number): string {
  if (hour < 12) return "Good morning";
  if (hour < 18) return "Good afternoon";
  return "Good evening";
}

/** The signed-in home: the state of the user's mail at a glance, kept current by the live events. */
export function DashboardPage() {
  const user = useUser();
  const { welcome } = route.useSearch();
  const trpc = useTRPC();
  useMailEvents(true);
  const accounts = useQuery({ ...trpc.mailAccount.list.queryOptions(), ...mailRefetch });
  const hasMail = (accounts.data?.length ?? 0) > 0;
  const overview = useQuery({ ...trpc.mail.overview.queryOptions(), ...mailRefetch, enabled: hasMail });
  const folders = useQuery({ ...trpc.mail.folders.queryOptions({}), ...mailRefetch, enabled: hasMail });
  const usage = useQuery({ ...trpc.ai.usage.queryOptions(), enabled: hasMail });
  useUnreadTitle("Overview", hasMail ? inboxUnread(folders.data) : undefined);
  const firstName = user.displayName?.split(" ")[0];

  return (
    <>
      <PageHeading description={hasMail ? "Here is where your mail stands." : undefined}>
        {greeting(new Date().getHours())}
        {firstName ? `, ${firstName}` : ""}
      </PageHeading>
      {welcome && <Alert tone="success">Your email is confirmed and you are signed in. Welcome to Tidings!</Alert>}
      {accounts.isPending ? (
        <p className="flex items-center gap-2 text-muted" role="status">
          <Spinner /> Loading your mail…
        </p>
      ) : accounts.isError ? (
        <Alert tone="error">Your mailboxes could not be loaded. Try again in a moment.</Alert>
      ) : !hasMail ? (
        <ConnectFirstMailbox />
      ) : (
        <>
          <MailCounts counts={overview.data?.counts} />
          <SinceLastVisit arrived={overview.data?.sinceLastVisit} />
          <div className="grid gap-x-4 gap-y-6 md:grid-cols-2">
            <MailboxStatus accounts={accounts.data} />
            <AiSpend usage={usage.data} />
          </div>
        </>
      )}
    </>
  );
}
