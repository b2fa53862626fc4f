import { useInfiniteQuery } from "@tanstack/react-query";
import { generalMessage } from "../../api/app-error.ts";
import { PageHeading } from "../../components/PageHeading.tsx";
import { SecurityEventList } from "../../components/SecurityEventList.tsx";
import { Alert, Button, Card } from "../../components/ui.tsx";
import { useTRPC } from "../../trpc.ts";

export function ActivityPage() {
  const trpc = useTRPC();
  const events = useInfiniteQuery({
    ...trpc.account.securityEvents.infiniteQueryOptions(
      { limit: 20 },
      { getNextPageParam: (page) => page.nextCursor ?? undefined },
    ),
    staleTime: 0,
    refetchOnMount: "always",
  });
  const items = events.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <>
      <PageHeading description="Sign-ins, password changes and other security events on your account.">
        Security activity
      </PageHeading>
      <Card className="grid gap-4">
        {events.isError && <Alert tone="error">{generalMessage(events.error)}</Alert>}
        {events.isPending ? <p className="text-muted">Loading…</p> : <SecurityEventList events={items} />}
        {events.hasNextPage && (
          <div>
            <Button variant="secondary" busy={events.isFetchingNextPage} onClick={() => void events.fetchNextPage()}>
              Show older activity
            </Button>
          </div>
        )}
      </Card>
    </>
  );
}
