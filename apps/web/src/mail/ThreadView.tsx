import { useQuery, useQueryClient } from "@tanstack/react-query";
import type { RouterOutputs } from "@tidings/client";
import { useEffect, useRef, useState } from "react";
import { generalMessage } from "../api/app-error.ts";
import { Spinner } from "../components/ui.tsx";
import { useTRPC } from "../trpc.ts";
import type { ComposeInit } from "./Composer.tsx";
import { longTime, senderName } from "./format.ts";
import { mailRefetch } from "./live-updates.ts";
import { DraftReply } from "./reading/DraftReply.tsx";
import { MessageAnalysis } from "./reading/MessageAnalysis.tsx";
import { RemoteContentNotice } from "./reading/RemoteContentNotice.tsx";
import { ThreadSummary } from "./reading/ThreadSummary.tsx";
import { useToasts } from "./toasts.tsx";

export type ThreadDetail = RouterOutputs["mail"]["thread"];
export type MailMessage = ThreadDetail["messages"][number];

/**
 * The HTML document the sandboxed frame shows: its own CSP allows no script at all, and remote
 * images, fonts and styles only after the user asked for them (the server also removed them).
 * Links open in a new tab, away from the app.
 */
function frameDocument(html: string, loadRemote: boolean): string {
  const remote = loadRemote ? " https:" : "";
  const csp = `default-src 'none'; script-src 'none'; img-src data: cid:${remote}; style-src 'unsafe-inline'${remote}; font-src data:${remote}; form-action 'none'`;
  return `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="${csp}"><base target="_blank"><style>html,body{margin:0;padding:0;background:#fff;color:#16181d;font:14px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;overflow-wrap:anywhere}body{padding:16px}img{max-width:100%;height:auto}table{max-width:100%}pre{white-space:pre-wrap}</style></head><body>${html}</body></html>`;
}

/** Mail HTML in an iframe sandboxed without scripts, as tall as its content. */
function HtmlBody({ html, loadRemote, title }: { html: string; loadRemote: boolean; title: string }) {
  const frame = useRef<HTMLIFrameElement>(null);
  const [height, setHeight] = useState(120);
  const measure = () => {
    const body = frame.current?.contentDocument?.documentElement;
    if (body) setHeight(Math.min(20_000, Math.max(60, body.scrollHeight)));
  };
  useEffect(() => {
    // Images arrive after load and change the height.
    const timer = setInterval(measure, 500);
    const stop = setTimeout(() => clearInterval(timer), 5_000);
    return () => {
      clearInterval(timer);
      clearTimeout(stop);
    };
  });
  return (
    <iframe
      ref={frame}
      title={title}
      // No allow-scripts: nothing in the mail runs. Same origin only so the app can measure the height.
      sandbox="allow-same-origin allow-popups allow-popups-to-escape-sandbox"
      srcDoc={frameDocument(html, loadRemote)}
      onLoad={measure}
      className="w-full rounded-lg border border-line bg-white"
      style={{ height }}
      data-testid="message-html"
    />
  );
}

function AddressLine({ label, list }: { label: string; list: { name: string; email: string }[] }) {
  if (list.length === 0) return null;
  return (
    <p className="truncate text-xs text-muted">
      {label} {list.map((address) => senderName(address)).join(", ")}
    </p>
  );
}

function Attachments({ message }: { message: MailMessage }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toasts = useToasts();
  const files = message.attachments.filter((attachment) => !attachment.inline);
  if (files.length === 0) return null;
  const download = async (attachmentId: string) => {
    try {
      const { url } = await queryClient.fetchQuery({
        ...trpc.mail.attachmentUrl.queryOptions({ attachmentId }),
        staleTime: 0,
      });
      // The link is served as an attachment: the browser downloads it and the page stays.
      window.location.assign(url);
    } catch (error) {
      toasts.show({ tone: "error", message: `Could not download: ${generalMessage(error)}` });
    }
  };
  return (
    <ul className="flex flex-wrap gap-2" aria-label="Attachments">
      {files.map((file) => (
        <li key={file.id}>
          <button
            type="button"
            onClick={() => void download(file.id)}
            className="flex items-center gap-2 rounded-lg border border-line px-3 py-1.5 text-sm hover:bg-surface-muted"
          >
            <PaperclipGlyph />
            <span className="max-w-56 truncate">{file.filename}</span>
            <span className="text-xs text-muted">{Math.max(1, Math.round(file.size / 1024))} KB</span>
          </button>
        </li>
      ))}
    </ul>
  );
}

export function PaperclipGlyph() {
  return (
    <svg
      viewBox="0 0 24 24"
      width="14"
      height="14"
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
      aria-hidden="true"
    >
      <path d="m21 11-8.5 8.5a5 5 0 0 1-7-7L14 4a3.5 3.5 0 0 1 5 5l-8.5 8.5a2 2 0 0 1-3-3L15 7" />
    </svg>
  );
}

/** The message's body: its sanitized HTML, or its plain text (the fallback, and on request). */
function MessageBody({ message }: { message: MailMessage }) {
  const [plain, setPlain] = useState(false);
  if (message.html === null && message.text === null) {
    return (
      <p className="rounded-lg bg-surface-muted px-3 py-2 text-sm text-muted">
        This message is older than the mailbox's sync window, so only its headers were downloaded.
      </p>
    );
  }
  const canSwitch = message.html !== null && Boolean(message.text?.trim());
  return (
    <>
      {message.html !== null && !plain ? (
        <HtmlBody
          html={message.html}
          loadRemote={message.remoteContentShown}
          title={`Message from ${senderName(message.from)}`}
        />
      ) : (
        <div className="text-sm leading-relaxed break-words whitespace-pre-wrap" data-testid="message-text">
          {message.text}
        </div>
      )}
      {canSwitch && (
        <button
          type="button"
          className="justify-self-start text-xs font-semibold text-link hover:underline"
          aria-pressed={plain}
          onClick={() => setPlain((now) => !now)}
        >
          {plain ? "Show formatted" : "Show plain text"}
        </button>
      )}
    </>
  );
}

function MessageCard({
  message,
  expanded,
  onToggle,
  onLoadRemote,
}: {
  message: MailMessage;
  expanded: boolean;
  onToggle: () => void;
  onLoadRemote: () => void;
}) {
  return (
    <article
      className="rounded-xl border border-line bg-surface shadow-xs"
      aria-label={`From ${senderName(message.from)}, ${longTime(message.date)}`}
      data-testid="message"
    >
      <button
        type="button"
        onClick={onToggle}
        aria-expanded={expanded}
        className="flex w-full items-start gap-3 rounded-xl px-4 py-3 text-left hover:bg-surface-muted/60"
      >
        <span
          aria-hidden="true"
          className="flex size-9 shrink-0 items-center justify-center rounded-full bg-accent-soft text-sm font-semibold text-link"
        >
          {senderName(message.from).slice(0, 1).toUpperCase()}
        </span>
        <span className="min-w-0 flex-1">
          {/* A phone has no room for name, address and time on one line: the address gets a line of
              its own under them, whole (it is what tells two "Bob"s apart), instead of being cut
              off after a few letters. Wider, the three share a line as before. */}
          <span className="grid grid-cols-[minmax(0,1fr)_auto] items-baseline gap-x-2 sm:grid-cols-[minmax(0,auto)_minmax(0,1fr)_auto] sm:gap-x-1.5">
            <span className="col-start-1 row-start-1 truncate font-semibold">{senderName(message.from)}</span>
            {message.from.name && (
              <span className="col-span-2 text-xs break-all text-muted sm:col-span-1 sm:col-start-2 sm:row-start-1 sm:truncate sm:text-base sm:break-normal">
                &lt;{message.from.email}&gt;
              </span>
            )}
            <time
              className="col-start-2 row-start-1 text-xs text-muted sm:col-start-3"
              dateTime={new Date(message.date).toISOString()}
            >
              {longTime(message.date)}
            </time>
          </span>
          {expanded ? (
            <>
              <AddressLine label="To" list={message.to} />
              <AddressLine label="Cc" list={message.cc} />
            </>
          ) : (
            <span className="block truncate text-sm text-muted">{message.text?.slice(0, 200)}</span>
          )}
        </span>
      </button>
      {expanded && (
        <div className="grid grid-cols-1 gap-3 px-4 pb-4">
          <MessageAnalysis messageId={message.id} analysis={message.ai} />
          {message.hasRemoteContent && (
            <RemoteContentNotice
              sender={message.from.email}
              shown={message.remoteContentShown}
              always={message.remoteContentAlways}
              onLoadOnce={onLoadRemote}
            />
          )}
          <MessageBody message={message} />
          <Attachments message={message} />
        </div>
      )}
    </article>
  );
}

// Read messages in the middle of a long conversation fold into one line, as in most mail apps.
const FOLD_AT_LEAST = 3;

/** Messages to show, with runs of folded read messages between the first and the last two replaced by a count. */
function withFolds(messages: MailMessage[], open: Set<string>): (MailMessage | { folded: MailMessage[] })[] {
  const shown: (MailMessage | { folded: MailMessage[] })[] = [];
  let run: MailMessage[] = [];
  const flush = () => {
    if (run.length >= FOLD_AT_LEAST) shown.push({ folded: run });
    else shown.push(...run);
    run = [];
  };
  messages.forEach((message, index) => {
    const middle = index > 0 && index < messages.length - 2;
    if (middle && !open.has(message.id)) {
      run.push(message);
      return;
    }
    flush();
    shown.push(message);
  });
  flush();
  return shown;
}

/**
 * The conversation, oldest first; read messages fold up except the newest. Above it the thread's
 * AI summary, below it "Draft a reply" (opened in the editor through `onCompose`).
 */
export function ThreadView({
  threadId,
  onLoaded,
  onCompose,
}: {
  threadId: string;
  onLoaded?: (thread: ThreadDetail) => void;
  onCompose?: (init: ComposeInit) => void;
}) {
  const trpc = useTRPC();
  // Messages whose remote images the user loaded here, one by one.
  const [remoteFor, setRemoteFor] = useState<string[]>([]);
  const thread = useQuery({
    ...trpc.mail.thread.queryOptions({ threadId, ...(remoteFor.length ? { loadRemoteFor: remoteFor } : {}) }),
    ...mailRefetch,
    placeholderData: (previous) => (previous?.id === threadId ? previous : undefined),
  });
  const accounts = useQuery(trpc.mailAccount.list.queryOptions());
  const [open, setOpen] = useState<Set<string>>(new Set());
  const [unfolded, setUnfolded] = useState(false);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const loadedFor = useRef<string | undefined>(undefined);

  useEffect(() => {
    if (!thread.data || loadedFor.current === thread.data.id) return;
    loadedFor.current = thread.data.id;
    const messages = thread.data.messages;
    const unread = messages.filter((message) => !message.flags.seen).map((message) => message.id);
    const newest = messages.at(-1)?.id;
    setOpen(new Set([...unread, ...(newest ? [newest] : [])]));
    onLoaded?.(thread.data);
  }, [thread.data, onLoaded]);

  if (thread.isPending) {
    return (
      <div className="flex items-center justify-center gap-2 p-10 text-muted" role="status">
        <Spinner /> Loading the conversation…
      </div>
    );
  }
  if (thread.isError) {
    return (
      <p role="alert" className="p-6 text-danger">
        {generalMessage(thread.error)}
      </p>
    );
  }
  const { subject, messages } = thread.data;
  const toggle = (id: string) =>
    setOpen((now) => {
      const next = new Set(now);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  // "Draft a reply" answers the newest message someone else wrote.
  const own = new Set(accounts.data?.map((account) => account.email.toLowerCase()));
  const answerable = messages.findLast((message) => !own.has(message.from.email.toLowerCase())) ?? messages.at(-1);
  return (
    // One column no wider than the pane: a long unbroken line (a folded message's snippet) must not widen it.
    <div className="grid grid-cols-1 gap-3">
      <h2
        ref={headingRef}
        tabIndex={-1}
        id="thread-heading"
        className="text-xl font-semibold tracking-tight break-words focus:outline-none"
      >
        {subject || "(no subject)"}
      </h2>
      <p className="text-sm text-muted">
        {messages.length} message{messages.length === 1 ? "" : "s"}
      </p>
      <ThreadSummary threadId={threadId} messageIds={messages.map((message) => message.id)} />
      {(unfolded ? messages : withFolds(messages, open)).map((entry) =>
        "folded" in entry ? (
          <button
            key={`folded-${entry.folded[0]?.id}`}
            type="button"
            onClick={() => setUnfolded(true)}
            className="flex items-center gap-3 rounded-xl border border-dashed border-line px-4 py-2 text-sm text-muted hover:bg-surface-muted"
          >
            <span className="flex size-6 items-center justify-center rounded-full bg-surface-muted text-xs font-semibold">
              {entry.folded.length}
            </span>
            {entry.folded.length} earlier messages — show them
          </button>
        ) : (
          <MessageCard
            key={entry.id}
            message={entry}
            expanded={open.has(entry.id)}
            onToggle={() => toggle(entry.id)}
            onLoadRemote={() => setRemoteFor((now) => (now.includes(entry.id) ? now : [...now, entry.id]))}
          />
        ),
      )}
      {answerable && onCompose && <DraftReply message={answerable} onCompose={onCompose} />}
    </div>
  );
}
