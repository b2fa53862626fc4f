import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../trpc.ts";

/** health.ping: whether this server runs in embedded mode, where emails land in the dev mailbox. */
export function useServerPing() {
  const trpc = useTRPC();
  return useQuery({ ...trpc.health.ping.queryOptions(), staleTime: 60_000 });
}

export function useIsEmbedded(): boolean {
  return useServerPing().data?.mode === "embedded";
}
