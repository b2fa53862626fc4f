import { useInfiniteQuery } from "@tanstack/react-query";
import { getRouteApi, Link, useNavigate } from "@tanstack/react-router";
import { generalMessage } from "../../api/app-error.ts";
import { PageHeading } from "../../components/PageHeading.tsx";
import { SecurityEventList } from "../../components/SecurityEventList.tsx";
import { Alert, Button, Card, FieldLabel } from "../../components/ui.tsx";
import { type SecurityEventType, securityEventLabels } from "../../lib/security-events.ts";
import { useTRPC } from "../../trpc.ts";

const route = getRouteApi("/_app/_admin/admin/events");
const eventTypes = Object.keys(securityEventLabels) as SecurityEventType[];

export function AdminEventsPage() {
  const trpc = useTRPC();
  const navigate = useNavigate();
  const search = route.useSearch();
  const userId = search.userId;
  const type = search.type as SecurityEventType | undefined;
  const events = useInfiniteQuery({
    ...trpc.admin.events.list.infiniteQueryOptions(
      { userId, type, limit: 25 },
      { getNextPageParam: (page) => page.nextCursor ?? undefined },
    ),
    staleTime: 0,
  });
  const items = events.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <>
      <PageHeading description="The security audit trail of every account on this server.">Events</PageHeading>
      <Card className="grid gap-4">
        <div className="flex flex-col gap-3 sm:flex-row sm:items-end">
          <div className="grid gap-1.5">
            <FieldLabel htmlFor="event-type">Event type</FieldLabel>
            <select
              id="event-type"
              value={type ?? ""}
              onChange={(event) =>
                void navigate({
                  to: "/admin/events",
                  search: { userId, type: (event.target.value || undefined) as SecurityEventType | undefined },
                })
              }
              className="rounded-lg border border-line bg-surface px-3 py-2.5 text-sm"
            >
              <option value="">All events</option>
              {eventTypes.map((value) => (
                <option key={value} value={value}>
                  {securityEventLabels[value]}
                </option>
              ))}
            </select>
          </div>
          {userId && (
            <p className="text-sm text-muted">
              One user only.{" "}
              <Link to="/admin/events" search={{ type }} className="font-medium">
                Show everyone
              </Link>
            </p>
          )}
        </div>
        {events.isError && <Alert tone="error">{generalMessage(events.error)}</Alert>}
        {events.isPending ? (
          <p className="text-muted">Loading…</p>
        ) : (
          <SecurityEventList events={items} userLabel={(event) => whoAndByWhom(event, { showAccount: !userId })} />
        )}
        {events.hasNextPage && (
          <div>
            <Button variant="secondary" busy={events.isFetchingNextPage} onClick={() => void events.fetchNextPage()}>
              Show older events
            </Button>
          </div>
        )}
      </Card>
    </>
  );
}

type Person = { id: string; email: string } | null;

/** "ada@example.test · by admin@example.test": whose account, and which admin acted, if one did. */
function whoAndByWhom(
  event: { userId: string | null; user: Person; actor: Person },
  { showAccount }: { showAccount: boolean },
): string | undefined {
  const account = event.user?.email ?? (event.userId ? "A deleted account" : undefined);
  const parts = [showAccount ? account : undefined, event.actor ? `by ${event.actor.email}` : undefined];
  return parts.filter(Boolean).join(" · ") || undefined;
}
