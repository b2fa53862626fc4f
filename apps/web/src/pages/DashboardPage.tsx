import { useQuery } from "@tanstack/react-query";
import { getRouteApi, Link } from "@tanstack/react-router";
import { useUser } from "../auth/use-session.ts";
import { EmailAddress } from "../components/EmailAddress.tsx";
import { DevicesIcon, KeyIcon, ShieldIcon } from "../components/icons.tsx";
import { PageHeading } from "../components/PageHeading.tsx";
import { SecurityEventList } from "../components/SecurityEventList.tsx";
import { Alert, Badge, Card } from "../components/ui.tsx";
import { useTRPC } from "../trpc.ts";

const route = getRouteApi("/_app/dashboard");

function greeting(hour: number): string {
  if (hour < 12) return "Good morning";
  if (hour < 18) return "Good afternoon";
  return "Good evening";
}

export function DashboardPage() {
  const user = useUser();
  const { welcome } = route.useSearch();
  const trpc = useTRPC();
  const sessions = useQuery(trpc.session.list.queryOptions());
  const events = useQuery(trpc.account.securityEvents.queryOptions({ limit: 5 }));
  const firstName = user.displayName?.split(" ")[0];

  return (
    <>
      <PageHeading description="Here is what is happening with your account.">
        {greeting(new Date().getHours())}
        {firstName ? `, ${firstName}` : ""}
      </PageHeading>
      {welcome && <Alert tone="success">Your email is confirmed and you are signed in. Welcome to Tidings!</Alert>}
      <div className="grid gap-4 sm:grid-cols-3">
        <SummaryCard
          icon={<ShieldIcon />}
          title="Account"
          value={user.emailVerified ? "Verified" : "Unverified"}
          detail={<EmailAddress email={user.email} />}
          extra={user.role === "admin" ? <Badge tone="accent">Administrator</Badge> : undefined}
        />
        <SummaryCard
          icon={<DevicesIcon />}
          title="Active sessions"
          value={sessions.data ? String(sessions.data.length) : "…"}
          detail={
            <Link to="/settings/sessions" className="font-medium">
              Review devices
            </Link>
          }
        />
        <SummaryCard
          icon={<KeyIcon />}
          title="Password"
          value="Protected"
          detail={
            <Link to="/settings/password" className="font-medium">
              Change password
            </Link>
          }
        />
      </div>
      <Card>
        <div className="mb-2 flex items-center justify-between gap-2">
          <h2 className="text-lg font-semibold">Recent security activity</h2>
          <Link to="/settings/activity" className="text-sm font-medium">
            See all
          </Link>
        </div>
        {events.data ? <SecurityEventList events={events.data.items} /> : <p className="text-muted">Loading…</p>}
      </Card>
    </>
  );
}

function SummaryCard({
  icon,
  title,
  value,
  detail,
  extra,
}: {
  icon: React.ReactNode;
  title: string;
  value: string;
  detail: React.ReactNode;
  extra?: React.ReactNode | undefined;
}) {
  return (
    <Card className="grid gap-2">
      <div className="flex items-center justify-between gap-2 text-muted">
        <h2 className="text-sm font-medium">{title}</h2>
        <span className="text-link">{icon}</span>
      </div>
      <p className="text-2xl font-semibold">{value}</p>
      <div className="flex flex-wrap items-center gap-2 text-sm text-muted">
        {detail}
        {extra}
      </div>
    </Card>
  );
}
