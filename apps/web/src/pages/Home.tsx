import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../trpc.ts";

export function Home() {
  const trpc = useTRPC();
  const ping = useQuery(trpc.health.ping.queryOptions());

  return (
    <main className="shell">
      <h1>Tidings</h1>
      <p className="tagline">Your self-hosted AI email assistant.</p>
      <section aria-labelledby="status-heading" className="card">
        <h2 id="status-heading">Server status</h2>
        {ping.isPending && <p role="status">Checking the server…</p>}
        {ping.isError && (
          <p role="alert" data-testid="ping-error">
            The server did not answer: {ping.error.message}
          </p>
        )}
        {ping.data && (
          <p role="status" data-testid="ping-result">
            Server says <strong>{ping.data.status}</strong> ({ping.data.mode} mode) at{" "}
            <time dateTime={ping.data.time.toISOString()}>{ping.data.time.toLocaleTimeString()}</time>
          </p>
        )}
        {ping.data?.mode === "embedded" && (
          <p>
            Emails this server sends land in the <a href="/dev/mailbox">dev mailbox</a>.
          </p>
        )}
      </section>
    </main>
  );
}
