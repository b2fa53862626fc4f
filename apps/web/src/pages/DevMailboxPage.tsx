import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTRPC } from "../trpc.ts";

/** Every email the server sent while no SMTP server is configured; a development tool only. */
export function DevMailbox() {
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
    <main className="shell wide">
      <h1>Dev mailbox</h1>
      <p className="tagline">Emails sent while no SMTP server is configured. Not available in production.</p>
      <form className="inline-form" onSubmit={onSend}>
        <label htmlFor="test-recipient">Send a test email to</label>
        <input id="test-recipient" type="email" value={to} onChange={(event) => setTo(event.target.value)} required />
        <button type="submit" disabled={sendTest.isPending}>
          Send
        </button>
        {sendTest.isError && <span role="alert">{sendTest.error.message}</span>}
      </form>
      <div className="mailbox">
        <section aria-label="Messages" className="card message-list">
          {list.isError && <p role="alert">{list.error.message}</p>}
          {list.data?.length === 0 && <p>No emails yet.</p>}
          <ul>
            {list.data?.map((item) => (
              <li key={item.id}>
                <button
                  type="button"
                  className={item.id === selected ? "message selected" : "message"}
                  aria-current={item.id === selected}
                  onClick={() => setSelected(item.id)}
                  data-testid="mailbox-item"
                >
                  <strong>{item.subject}</strong>
                  <span>to {item.recipient}</span>
                  <time dateTime={item.created_at.toISOString()}>{item.created_at.toLocaleString()}</time>
                </button>
              </li>
            ))}
          </ul>
        </section>
        <section aria-label="Message" className="card message-view">
          {!selected && <p>Select an email to read it.</p>}
          {email.data && (
            <article data-testid="mailbox-message">
              <h2>{email.data.subject}</h2>
              <dl>
                <dt>From</dt>
                <dd>{email.data.sender}</dd>
                <dt>To</dt>
                <dd>{email.data.recipient}</dd>
                <dt>Message-ID</dt>
                <dd>{email.data.message_id}</dd>
              </dl>
              <h3>HTML</h3>
              <iframe
                title="HTML part"
                data-testid="mailbox-html"
                // No scripts in the email; its links open the app in a new tab (buttons) or this one, unsandboxed.
                sandbox="allow-popups allow-popups-to-escape-sandbox allow-top-navigation-by-user-activation"
                srcDoc={`<base target="_top">${email.data.html}`}
              />
              <h3>Text</h3>
              <pre data-testid="mailbox-text">
                <LinkifiedText text={email.data.text} />
              </pre>
            </article>
          )}
        </section>
      </div>
    </main>
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
