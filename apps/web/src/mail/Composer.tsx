import * as Dialog from "@radix-ui/react-dialog";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { sendMailInput } from "@tidings/api/schemas";
import { type FormEvent, type KeyboardEvent, useEffect, useId, useRef, useState } from "react";
import { appErrorData, generalMessage } from "../api/app-error.ts";
import { currentAccessToken } from "../auth/session.ts";
import { Button } from "../components/ui.tsx";
import { useTRPC } from "../trpc.ts";
import { mailKeys } from "./live-updates.ts";
import { RecipientField } from "./RecipientField.tsx";
import { formatAddress, parseRecipients } from "./recipients.ts";
import { useToasts } from "./toasts.tsx";

export interface ComposeInit {
  title: string;
  accountId?: string;
  to?: string;
  cc?: string;
  bcc?: string;
  subject?: string;
  text?: string;
  inReplyTo?: string;
  forwardOf?: string;
  attachments?: UploadedFile[];
  /** A draft already saved (an AI reply draft): edits update it, Send sends it. */
  draftId?: string;
  /** A line under the title, such as who wrote the text. */
  note?: string;
}

interface UploadedFile {
  id: string;
  filename: string;
  size: number;
}

// Kept importable from here, where they began.
export { formatAddress, parseRecipients };

function sizeLabel(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

async function uploadAttachment(file: File): Promise<UploadedFile> {
  const token = await currentAccessToken();
  const form = new FormData();
  form.append("file", file, file.name);
  const response = await fetch("/attachments", {
    method: "POST",
    headers: token ? { authorization: `Bearer ${token}` } : {},
    body: form,
  });
  const body = (await response.json().catch(() => ({}))) as { attachmentId?: string; error?: { message?: string } };
  if (!response.ok || !body.attachmentId) throw new Error(body.error?.message ?? `Upload failed (${response.status})`);
  return { id: body.attachmentId, filename: file.name, size: file.size };
}

/**
 * Writing a message: new, reply, reply all or forward. Drafts are saved as you type; Send hands the
 * message to the server, which waits out the undo window before it goes, and the toast offers Undo
 * until then. Undo brings the message back here.
 */
export function Composer({
  init,
  onClose,
  onReopen,
}: {
  init: ComposeInit;
  onClose: () => void;
  onReopen: (init: ComposeInit) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toasts = useToasts();
  const accounts = useQuery(trpc.mailAccount.list.queryOptions());
  const [accountId, setAccountId] = useState(init.accountId ?? "");
  const [to, setTo] = useState(init.to ?? "");
  const [cc, setCc] = useState(init.cc ?? "");
  const [bcc, setBcc] = useState(init.bcc ?? "");
  const [showCc, setShowCc] = useState(Boolean(init.cc || init.bcc));
  const [subject, setSubject] = useState(init.subject ?? "");
  const [text, setText] = useState(init.text ?? "");
  const [attachments, setAttachments] = useState<UploadedFile[]>(init.attachments ?? []);
  const [uploading, setUploading] = useState(0);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string>();
  const [saved, setSaved] = useState<"idle" | "saving" | "saved" | "failed">(init.draftId ? "saved" : "idle");
  const draftId = useRef<string | undefined>(init.draftId);
  const saving = useRef<Promise<unknown>>(Promise.resolve());
  const changed = useRef(false);
  const ids = useId();
  const fileInput = useRef<HTMLInputElement>(null);

  const saveDraft = useMutation(trpc.mail.saveDraft.mutationOptions());
  const send = useMutation(trpc.mail.send.mutationOptions());
  const cancelSend = useMutation(trpc.mail.cancelSend.mutationOptions());

  useEffect(() => {
    if (!accountId && accounts.data?.[0]) setAccountId(accounts.data[0].id);
  }, [accountId, accounts.data]);

  const fields = () => ({
    accountId,
    to: parseRecipients(to).good,
    cc: parseRecipients(cc).good,
    bcc: parseRecipients(bcc).good,
    subject,
    text,
    attachmentIds: attachments.map((file) => file.id),
    ...(init.inReplyTo ? { inReplyTo: init.inReplyTo } : {}),
  });

  // Drafts saved as you type: a second after the last change, one save at a time so the first
  // answer's draftId is used by the next. `unsaved` says a change is waiting for its save.
  const unsaved = useRef(false);
  const saveNow = () => {
    if (!unsaved.current || !accountId) return;
    unsaved.current = false;
    const values = fields();
    setSaved("saving");
    // mutateAsync: a save started as the editor closes still finishes after it is gone.
    saving.current = saving.current
      .then(() => saveDraft.mutateAsync({ ...values, ...(draftId.current ? { draftId: draftId.current } : {}) }))
      .then((answer) => {
        draftId.current = answer.draftId;
        setSaved("saved");
      })
      .catch(() => setSaved("failed"));
  };
  // biome-ignore lint/correctness/useExhaustiveDependencies: saving follows what was typed
  useEffect(() => {
    if (!changed.current || !accountId) return;
    unsaved.current = true;
    // "Draft saved" would no longer be true.
    setSaved((now) => (now === "saved" ? "idle" : now));
    const timer = setTimeout(saveNow, 1_000);
    return () => clearTimeout(timer);
  }, [accountId, to, cc, bcc, subject, text, attachments]);

  /** Closing keeps what was typed in the last second too. */
  const closeEditor = () => {
    saveNow();
    onClose();
  };

  const edit =
    <T,>(setter: (value: T) => void) =>
    (value: T) => {
      changed.current = true;
      setter(value);
    };

  const addFiles = async (files: FileList | null) => {
    if (!files) return;
    for (const file of Array.from(files)) {
      setUploading((count) => count + 1);
      try {
        const uploaded = await uploadAttachment(file);
        changed.current = true;
        setAttachments((all) => [...all, uploaded]);
      } catch (error) {
        toasts.show({
          tone: "error",
          message: `${file.name}: ${error instanceof Error ? error.message : "upload failed"}`,
        });
      } finally {
        setUploading((count) => count - 1);
      }
    }
  };

  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    setFormError(undefined);
    const toParsed = parseRecipients(to);
    const ccParsed = parseRecipients(cc);
    const bccParsed = parseRecipients(bcc);
    const found: Record<string, string> = {};
    if (toParsed.bad.length) found.to = `Not an email address: ${toParsed.bad.join(", ")}`;
    if (ccParsed.bad.length) found.cc = `Not an email address: ${ccParsed.bad.join(", ")}`;
    if (bccParsed.bad.length) found.bcc = `Not an email address: ${bccParsed.bad.join(", ")}`;
    const input = { ...fields(), ...(init.forwardOf ? { forwardOf: init.forwardOf } : {}) };
    const parsed = sendMailInput.safeParse(input);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const key = String(issue.path[0] ?? "form");
        found[key] ??= issue.message;
      }
    }
    if (Object.keys(found).length > 0 || !parsed.success) {
      setErrors(found);
      const first = Object.keys(found)[0];
      if (first) document.getElementById(`${ids}-${first}`)?.focus();
      return;
    }
    setErrors({});
    // A save in flight would otherwise recreate the draft after it was sent.
    unsaved.current = false;
    await saving.current;
    try {
      const answer = await send.mutateAsync({
        ...parsed.data,
        ...(draftId.current ? { draftId: draftId.current } : {}),
      });
      // The sent draft is gone: an undone send starts a new one.
      const { draftId: _sentDraft, ...unsent } = init;
      const snapshot: ComposeInit = { ...unsent, accountId, to, cc, bcc, subject, text, attachments };
      onClose();
      const windowMs = Math.max(1_000, new Date(answer.sendAt).getTime() - Date.now());
      toasts.show({
        message: "Sending…",
        durationMs: windowMs,
        action: {
          label: "Undo",
          run: () => {
            // mutateAsync: this editor is closed by now, and a closed editor's callbacks never run.
            cancelSend
              .mutateAsync({ outgoingId: answer.outgoingId })
              .then(() => {
                toasts.show({ message: "Sending cancelled. The message is back in the editor." });
                onReopen(snapshot);
              })
              .catch((error: unknown) =>
                toasts.show({
                  tone: "error",
                  message:
                    appErrorData(error).appCode === "NOT_FOUND"
                      ? "Too late to undo: the message has been sent."
                      : `Could not undo: ${generalMessage(error)}`,
                }),
              );
          },
        },
      });
      setTimeout(() => void queryClient.invalidateQueries({ queryKey: mailKeys.threads }), windowMs + 2_000);
    } catch (error) {
      const data = appErrorData(error);
      const fieldIssues = (data.issues ?? []).filter((issue) => issue.path[0]);
      if (fieldIssues.length > 0) {
        setErrors(Object.fromEntries(fieldIssues.map((issue) => [issue.path[0] as string, issue.message])));
        return;
      }
      setFormError(generalMessage(error));
    }
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Enter" && (event.metaKey || event.ctrlKey)) {
      event.preventDefault();
      void submit();
    }
  };

  const input = "w-full bg-transparent px-0 py-2 text-sm text-fg placeholder:text-muted focus:outline-none";
  const row = (key: string) =>
    `flex items-center gap-2 border-b px-4 focus-within:border-accent ${errors[key] ? "border-danger" : "border-line"}`;

  return (
    <Dialog.Root open onOpenChange={(open) => !open && closeEditor()}>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-40 bg-black/30 sm:bg-black/20" />
        <Dialog.Content
          aria-describedby={undefined}
          onKeyDown={onKeyDown}
          // Escape in a recipient field with its suggestions open closes them, not the editor.
          onEscapeKeyDown={(event) => {
            const target = event.target;
            if (target instanceof HTMLElement && target.getAttribute("aria-expanded") === "true")
              event.preventDefault();
          }}
          className="fixed inset-0 z-50 flex flex-col bg-surface text-fg shadow-2xl sm:inset-auto sm:right-6 sm:bottom-6 sm:h-[min(40rem,calc(100dvh-3rem))] sm:w-[min(40rem,calc(100vw-3rem))] sm:rounded-2xl sm:border sm:border-line"
        >
          <form className="flex min-h-0 flex-1 flex-col" onSubmit={(event) => void submit(event)} noValidate>
            <div className="flex items-center justify-between gap-2 border-b border-line px-4 py-3">
              <div className="min-w-0">
                <Dialog.Title className="font-semibold">{init.title}</Dialog.Title>
                {init.note && <p className="text-xs text-muted">{init.note}</p>}
              </div>
              <span className="text-xs text-muted" role="status" data-testid="draft-status">
                {saved === "saving"
                  ? "Saving…"
                  : saved === "saved"
                    ? "Draft saved"
                    : saved === "failed"
                      ? "Draft not saved"
                      : ""}
              </span>
            </div>
            {accounts.data && accounts.data.length > 1 && (
              <div className={row("accountId")}>
                <label htmlFor={`${ids}-accountId`} className="w-16 shrink-0 text-sm text-muted">
                  From
                </label>
                <select
                  id={`${ids}-accountId`}
                  value={accountId}
                  onChange={(event) => edit(setAccountId)(event.target.value)}
                  className={`${input} cursor-pointer`}
                >
                  {accounts.data.map((account) => (
                    <option key={account.id} value={account.id}>
                      {account.displayName ? `${account.displayName} <${account.email}>` : account.email}
                    </option>
                  ))}
                </select>
              </div>
            )}
            <RecipientField
              id={`${ids}-to`}
              label="To"
              value={to}
              onChange={edit(setTo)}
              error={errors.to}
              autoFocus={!init.to}
              after={
                !showCc && (
                  <button type="button" className="shrink-0 text-sm text-link" onClick={() => setShowCc(true)}>
                    Cc Bcc
                  </button>
                )
              }
            />
            {showCc && (
              <>
                <RecipientField id={`${ids}-cc`} label="Cc" value={cc} onChange={edit(setCc)} error={errors.cc} />
                <RecipientField id={`${ids}-bcc`} label="Bcc" value={bcc} onChange={edit(setBcc)} error={errors.bcc} />
              </>
            )}
            <div className={row("subject")}>
              <label htmlFor={`${ids}-subject`} className="w-16 shrink-0 text-sm text-muted">
                Subject
              </label>
              <input
                id={`${ids}-subject`}
                className={input}
                value={subject}
                onChange={(event) => edit(setSubject)(event.target.value)}
                aria-invalid={errors.subject ? true : undefined}
              />
            </div>
            {errors.subject && <p className="px-4 pt-1 text-sm text-danger">{errors.subject}</p>}
            <label htmlFor={`${ids}-text`} className="sr-only">
              Message
            </label>
            <textarea
              id={`${ids}-text`}
              className="min-h-40 flex-1 resize-none bg-transparent px-4 py-3 text-sm leading-relaxed text-fg focus:outline-none"
              value={text}
              onChange={(event) => edit(setText)(event.target.value)}
              // biome-ignore lint/a11y/noAutofocus: a reply starts in its text
              autoFocus={Boolean(init.to)}
              onFocus={(event) => {
                // A reply starts above the quote.
                if (init.inReplyTo && !changed.current) event.target.setSelectionRange(0, 0);
              }}
            />
            {(attachments.length > 0 || uploading > 0) && (
              <ul className="flex flex-wrap gap-2 border-t border-line px-4 py-2" aria-label="Attachments">
                {attachments.map((file) => (
                  <li key={file.id} className="flex items-center gap-2 rounded-lg bg-surface-muted px-2.5 py-1 text-sm">
                    <span className="max-w-48 truncate">{file.filename}</span>
                    <span className="text-xs text-muted">{sizeLabel(file.size)}</span>
                    <button
                      type="button"
                      aria-label={`Remove ${file.filename}`}
                      className="rounded px-1 text-muted hover:text-fg"
                      onClick={() => edit(setAttachments)(attachments.filter((other) => other.id !== file.id))}
                    >
                      ×
                    </button>
                  </li>
                ))}
                {uploading > 0 && (
                  <li className="px-2.5 py-1 text-sm text-muted" role="status">
                    Uploading…
                  </li>
                )}
              </ul>
            )}
            {(formError || errors.form) && (
              <p role="alert" className="px-4 py-2 text-sm text-danger">
                {formError ?? errors.form}
              </p>
            )}
            <div className="flex items-center gap-2 border-t border-line px-4 py-3">
              <Button type="submit" busy={send.isPending} disabled={uploading > 0}>
                Send
              </Button>
              <span className="hidden text-xs text-muted sm:inline">Ctrl+Enter</span>
              <input
                ref={fileInput}
                type="file"
                multiple
                className="sr-only"
                id={`${ids}-files`}
                tabIndex={-1}
                aria-hidden="true"
                onChange={(event) => {
                  void addFiles(event.target.files);
                  event.target.value = "";
                }}
              />
              <Button variant="ghost" onClick={() => fileInput.current?.click()}>
                Attach files
              </Button>
              <Dialog.Close asChild>
                <Button variant="ghost" className="ml-auto">
                  Close
                </Button>
              </Dialog.Close>
            </div>
          </form>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
