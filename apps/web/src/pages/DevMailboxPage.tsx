import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { PageHeading } from "../components/PageHeading.tsx";
import { SiteHeader } from "../components/SiteHeader.tsx";
import { Button, FieldLabel } from "../components/ui.tsx";
import { useTRPC } from "../trpc.ts";

/** Every email the server sent while no SMTP server is configured; a development tool only. */
export function DevMailboxPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [selected, setSelected] = useState<string | undefined>();
  const list = useQuery({ ...trpc.devMailbox.list.queryOptions({ limit: 100 }), refetchInterval: 2_000 });
  const email = useQuery({ ...trpc.devMailbox.get.queryOptions({ id: selected ?? "" }), enabled: !!selected });
  const [to, setTo] = useState("you@example.com");
  const sendTest = useMutation(
    trpc.devMailbox.sendTest.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.devMailbox.list.queryKey() }),
    }),
  );

  const onSend = (event: FormEvent) => {
    event.preventDefault();
    sendTest.mutate({ to });
  };

  return (
    <div className="min-h-dvh">
      <SiteHeader width="max-w-7xl" />
      <main className="mx-auto grid w-full max-w-7xl gap-6 px-4 pb-16 sm:px-6">
        <PageHeading description="Emails sent while no SMTP server is configured. Not available in production.">
          Dev mailbox
        </PageHeading>
        <form className="flex flex-wrap items-center gap-2" onSubmit={onSend}>
          <FieldLabel htmlFor="test-recipient">Send a test email to</FieldLabel>
          <input
            id="test-recipient"
            type="email"
            value={to}
            onChange={(event) => setTo(event.target.value)}
            required
            className="min-w-0 flex-1 rounded-lg border border-line bg-surface px-3 py-2 text-sm sm:max-w-xs"
          />
          <Button type="submit" disabled={sendTest.isPending}>
            Send
          </Button>
          {sendTest.isError && (
            <span role="alert" className="text-sm text-danger">
              {sendTest.error.message}
            </span>
          )}
        </form>
        <div className="grid gap-4 md:grid-cols-[minmax(16rem,1fr)_2fr]">
          <section aria-label="Messages" className="rounded-2xl border border-line bg-surface p-2">
            {list.isError && (
              <p role="alert" className="p-3 text-danger">
                {list.error.message}
              </p>
            )}
            {list.data?.length === 0 && <p className="p-3 text-muted">No emails yet.</p>}
            <ul>
              {list.data?.map((item) => (
                <li key={item.id}>
                  <button
                    type="button"
                    className={`grid w-full gap-0.5 rounded-lg px-3 py-2.5 text-left ${
                      item.id === selected ? "bg-accent-soft" : "hover:bg-surface-muted"
                    }`}
                    aria-current={item.id === selected}
                    onClick={() => setSelected(item.id)}
                    data-testid="mailbox-item"
                  >
                    <strong className="text-sm">{item.subject}</strong>
                    <span className="text-sm text-muted">to {item.recipient}</span>
                    <time className="text-xs text-muted" dateTime={item.created_at.toISOString()}>
                      {item.created_at.toLocaleString()}
                    </time>
                  </button>
                </li>
              ))}
            </ul>
          </section>
          <section aria-label="Message" className="min-w-0 rounded-2xl border border-line bg-surface p-5">
            {!selected && <p className="text-muted">Select an email to read it.</p>}
            {email.data && (
              <article data-testid="mailbox-message" className="grid gap-4">
                <h2 className="text-xl font-semibold">{email.data.subject}</h2>
                <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
                  <dt className="text-muted">From</dt>
                  <dd className="break-all">{email.data.sender}</dd>
                  <dt className="text-muted">To</dt>
                  <dd className="break-all">{email.data.recipient}</dd>
                  <dt className="text-muted">Message-ID</dt>
                  <dd className="break-all">{email.data.message_id}</dd>
                </dl>
                <h3 className="font-semibold">HTML</h3>
                <iframe
                  title="HTML part"
                  data-testid="mailbox-html"
                  className="min-h-[32rem] w-full rounded-lg border border-line bg-white"
                  // No scripts in the email; its links open the app in a new tab (buttons) or this one, unsandboxed.
                  sandbox="allow-popups allow-popups-to-escape-sandbox allow-top-navigation-by-user-activation"
                  srcDoc={`<base target="_top">${email.data.html}`}
                />
                <h3 className="font-semibold">Text</h3>
                <pre data-testid="mailbox-text" className="text-sm break-words whitespace-pre-wrap">
                  <LinkifiedText text={email.data.text} />
                </pre>
              </article>
            )}
          </section>
        </div>
      </main>
    </div>
  );
}

function LinkifiedText({ text }: { text: string }) {
  const parts = text.split(/(https?:\/\/[^\s<>"]+)/g);
  return (
    <>
      {parts.map((part, index) =>
        /^https?:\/\//.test(part) ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one fixed text never reorder
          <a key={index} href={part}>
            {part}
          </a>
        ) : (
          part
        ),
      )}
    </>
  );
}
