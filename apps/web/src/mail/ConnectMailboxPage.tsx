import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { mailAccountAddInput } from "@tidings/api/schemas";
import type { RouterOutputs } from "@tidings/client";
import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import { appErrorData, generalMessage } from "../api/app-error.ts";
import { FormError, PasswordField } from "../components/form-parts.tsx";
import { MailIcon } from "../components/icons.tsx";
import { Alert, Badge, Button, Card, TextField } from "../components/ui.tsx";
import { useTRPC } from "../trpc.ts";
import { mailKeys } from "./live-updates.ts";

type Preset = RouterOutputs["mailAccount"]["presets"][number];
type Security = "tls" | "starttls" | "none";

interface Side {
  host: string;
  port: string;
  security: Security;
}

/** Field ids, for errors: `imap.host`, `password`, … */
type FieldErrors = Partial<Record<string, string>>;

function presetFor(presets: Preset[], email: string): Preset | undefined {
  const domain = email.split("@")[1]?.trim().toLowerCase();
  if (!domain) return undefined;
  return presets.find((preset) => preset.domains.some((known) => known.toLowerCase() === domain));
}

const sideFromPreset = (side: { host: string; port: number; security: Security } | undefined): Side => ({
  host: side?.host ?? "",
  port: side ? String(side.port) : "",
  security: side?.security ?? "tls",
});

/**
 * Connecting a mailbox: the address first, which picks the provider's settings and help; then the
 * password (or app password) and, for unknown providers, the servers. The server tests both sides
 * before saving and says which one failed; then the first sync is shown as it runs.
 */
export function ConnectMailboxPage({ first = false, onDone }: { first?: boolean; onDone?: () => void }) {
  const trpc = useTRPC();
  const presets = useQuery(trpc.mailAccount.presets.queryOptions());
  const [step, setStep] = useState<"address" | "details">("address");
  const [email, setEmail] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [preset, setPreset] = useState<Preset | undefined>();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [imap, setImap] = useState<Side>(sideFromPreset(undefined));
  const [smtp, setSmtp] = useState<Side>(sideFromPreset(undefined));
  const [showServers, setShowServers] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string>();
  const [added, setAdded] = useState<RouterOutputs["mailAccount"]["add"]>();
  const queryClient = useQueryClient();
  const headingRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    headingRef.current?.focus();
  }, []);

  const add = useMutation(trpc.mailAccount.add.mutationOptions());
  const oauth = useMutation(trpc.mailAccount.oauthStart.mutationOptions());

  const focusField = (id: string) => {
    // After the error renders.
    setTimeout(() => document.getElementById(`connect-${id.replace(".", "-")}`)?.focus(), 0);
  };

  const continueWithAddress = (event: FormEvent) => {
    event.preventDefault();
    const parsed = mailAccountAddInput.shape.email.safeParse(email);
    if (!parsed.success) {
      setErrors({ email: parsed.error.issues[0]?.message ?? "Enter a valid email address" });
      focusField("email");
      return;
    }
    const found = presetFor(presets.data ?? [], parsed.data);
    const custom = presets.data?.find((candidate) => candidate.id === "custom");
    const chosen = found ?? custom;
    setPreset(chosen);
    setImap(sideFromPreset(found?.imap));
    setSmtp(sideFromPreset(found?.smtp));
    setUsername(parsed.data);
    setShowServers(!found);
    setErrors({});
    setStep("details");
    focusField("password");
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFormError(undefined);
    const input = {
      email,
      displayName: displayName || null,
      imap: { ...imap, port: Number(imap.port), username, password },
      smtp: { ...smtp, port: Number(smtp.port), username, password },
    };
    const parsed = mailAccountAddInput.safeParse(input);
    if (!parsed.success) {
      const found: FieldErrors = {};
      for (const issue of parsed.error.issues) {
        const [first, second] = issue.path.map(String);
        // One user name and password serve both sides here.
        const key = second === "password" || second === "username" ? second : second ? `${first}.${second}` : first;
        if (key && !found[key]) found[key] = issue.message;
      }
      setErrors(found);
      if (Object.keys(found).some((key) => key.includes("."))) setShowServers(true);
      const firstKey = Object.keys(found)[0];
      if (firstKey) focusField(firstKey);
      return;
    }
    setErrors({});
    try {
      const account = await add.mutateAsync(parsed.data);
      await queryClient.invalidateQueries({ queryKey: mailKeys.accounts });
      setAdded(account);
    } catch (error) {
      const data = appErrorData(error) as ReturnType<typeof appErrorData> & { protocol?: "imap" | "smtp" };
      const side = data.protocol === "smtp" ? "SMTP (sending)" : "IMAP (reading)";
      switch (data.appCode) {
        case "MAIL_AUTH_FAILED":
          setErrors({
            password: `${generalMessage(error)}. Check the password; many providers need an app password here.`,
          });
          focusField("password");
          return;
        case "MAIL_CONNECTION_FAILED":
        case "HOST_NOT_ALLOWED": {
          const key = `${data.protocol ?? "imap"}.host`;
          setErrors({ [key]: `${side}: ${generalMessage(error)}` });
          setShowServers(true);
          focusField(key);
          return;
        }
      }
      const issues = data.issues ?? [];
      if (issues.length > 0) {
        const found: FieldErrors = {};
        for (const issue of issues) found[issue.path.slice(0, 2).join(".")] ??= issue.message;
        setErrors(found);
        const firstKey = Object.keys(found)[0];
        if (firstKey) focusField(firstKey);
        return;
      }
      setFormError(generalMessage(error));
    }
  };

  if (added) return <SyncProgress accountId={added.id} email={added.email} onDone={onDone} />;

  return (
    <div className="h-full overflow-y-auto">
      <div className="mx-auto grid w-full max-w-xl gap-6 px-4 py-8 sm:py-12">
        <div className="grid gap-2 text-center">
          <span className="mx-auto flex size-12 items-center justify-center rounded-2xl bg-accent-soft text-link">
            <MailIcon width={24} height={24} />
          </span>
          <h1 ref={headingRef} tabIndex={-1} className="text-2xl font-semibold tracking-tight sm:text-3xl">
            {first ? "Connect your first mailbox" : "Connect a mailbox"}
          </h1>
          <p className="text-muted">
            Tidings reads and sends through your provider's IMAP and SMTP servers. Your mail stays on the server.
          </p>
        </div>
        <Card>
          {step === "address" ? (
            <form className="grid gap-5" onSubmit={continueWithAddress} noValidate aria-label="Mailbox address">
              <TextField
                id="connect-email"
                label="Email address"
                type="email"
                autoComplete="email"
                value={email}
                error={errors.email}
                onChange={(event) => setEmail(event.target.value)}
                placeholder="you@example.com"
              />
              <TextField
                id="connect-displayName"
                label="Your name on sent mail (optional)"
                autoComplete="name"
                value={displayName}
                error={errors.displayName}
                onChange={(event) => setDisplayName(event.target.value)}
              />
              <Button type="submit" busy={presets.isPending} className="w-full">
                Continue
              </Button>
              {presets.data && <ProviderList presets={presets.data} />}
            </form>
          ) : (
            <form
              className="grid gap-5"
              onSubmit={(event) => void submit(event)}
              noValidate
              aria-label="Mailbox sign-in"
            >
              <div className="flex items-center justify-between gap-3">
                <div className="min-w-0">
                  <p className="truncate font-semibold">{email}</p>
                  <p className="text-sm text-muted">
                    {preset && preset.id !== "custom" ? preset.name : "Other provider"}
                  </p>
                </div>
                <Button variant="ghost" onClick={() => setStep("address")}>
                  Change
                </Button>
              </div>
              {preset?.oauth && (
                <div className="grid gap-2">
                  <Button
                    variant="secondary"
                    busy={oauth.isPending}
                    onClick={() => {
                      const provider = preset.oauth;
                      if (!provider) return;
                      oauth.mutate(
                        { provider },
                        {
                          onSuccess: ({ authorizeUrl }) => window.location.assign(authorizeUrl),
                          onError: (error) => setFormError(generalMessage(error)),
                        },
                      );
                    }}
                  >
                    Sign in with {preset.oauth === "google" ? "Google" : "Microsoft"}
                  </Button>
                  <p className="text-center text-xs text-muted">or use an app password below</p>
                </div>
              )}
              {preset && (
                <Alert tone="info">
                  <span data-testid="provider-help">{preset.help}</span>
                </Alert>
              )}
              <PasswordField
                id="connect-password"
                label={preset && preset.id !== "custom" ? "App password or password" : "Password"}
                autoComplete="current-password"
                value={password}
                error={errors.password}
                onChange={(event) => setPassword(event.target.value)}
              />
              <details
                open={showServers}
                onToggle={(event) => setShowServers((event.target as HTMLDetailsElement).open)}
                className="grid gap-4 rounded-xl border border-line p-4"
              >
                <summary className="cursor-pointer text-sm font-semibold">Server settings</summary>
                <div className="mt-4 grid gap-4">
                  <TextField
                    id="connect-username"
                    label="User name"
                    autoComplete="username"
                    value={username}
                    error={errors.username}
                    onChange={(event) => setUsername(event.target.value)}
                  />
                  <ServerFields
                    protocol="imap"
                    title="Incoming (IMAP)"
                    side={imap}
                    onChange={setImap}
                    errors={errors}
                  />
                  <ServerFields
                    protocol="smtp"
                    title="Outgoing (SMTP)"
                    side={smtp}
                    onChange={setSmtp}
                    errors={errors}
                  />
                </div>
              </details>
              <FormError message={formError} testId="form-error" />
              <Button type="submit" busy={add.isPending} className="w-full">
                {add.isPending ? "Testing the connection…" : "Connect mailbox"}
              </Button>
            </form>
          )}
        </Card>
        {!first && (
          <p className="text-center text-sm">
            <Link to="/mail">Back to mail</Link>
          </p>
        )}
      </div>
    </div>
  );
}

function ProviderList({ presets }: { presets: Preset[] }) {
  const named = presets.filter((preset) => preset.id !== "custom");
  return (
    <div className="grid gap-2 border-t border-line pt-4">
      <p className="text-sm text-muted">Works with</p>
      <ul className="flex flex-wrap gap-1.5" aria-label="Known providers">
        {named.map((preset) => (
          <li key={preset.id}>
            <Badge>{preset.name}</Badge>
          </li>
        ))}
        <li>
          <Badge>any IMAP server</Badge>
        </li>
      </ul>
    </div>
  );
}

function ServerFields({
  protocol,
  title,
  side,
  onChange,
  errors,
}: {
  protocol: "imap" | "smtp";
  title: string;
  side: Side;
  onChange: (side: Side) => void;
  errors: FieldErrors;
}) {
  const securityId = useId();
  return (
    <fieldset className="grid gap-3">
      <legend className="mb-2 text-sm font-semibold">{title}</legend>
      <div className="grid gap-3 sm:grid-cols-[1fr_6rem]">
        <TextField
          id={`connect-${protocol}-host`}
          label="Server"
          value={side.host}
          error={errors[`${protocol}.host`]}
          onChange={(event) => onChange({ ...side, host: event.target.value })}
          autoCapitalize="off"
          spellCheck={false}
        />
        <TextField
          id={`connect-${protocol}-port`}
          label="Port"
          inputMode="numeric"
          value={side.port}
          error={errors[`${protocol}.port`]}
          onChange={(event) => onChange({ ...side, port: event.target.value })}
        />
      </div>
      <div className="grid gap-1.5">
        <label htmlFor={securityId} className="text-sm font-medium">
          Security
        </label>
        <select
          id={securityId}
          value={side.security}
          onChange={(event) => onChange({ ...side, security: event.target.value as Security })}
          className="rounded-lg border border-line bg-surface px-3 py-2.5 text-sm text-fg"
          aria-label={`${title} security`}
        >
          <option value="tls">TLS</option>
          <option value="starttls">STARTTLS</option>
          <option value="none">None (unencrypted)</option>
        </select>
      </div>
    </fieldset>
  );
}

const statusWords: Record<string, string> = {
  connecting: "Connecting…",
  syncing: "Syncing your mail…",
  ready: "Up to date",
  error: "Stopped with an error",
  paused: "Paused",
};

/** The first sync as it runs: status, folders found and messages so far. */
function SyncProgress({
  accountId,
  email,
  onDone,
}: {
  accountId: string;
  email: string;
  onDone?: (() => void) | undefined;
}) {
  const trpc = useTRPC();
  const navigate = useNavigate();
  const accounts = useQuery({ ...trpc.mailAccount.list.queryOptions(), refetchInterval: 1_000 });
  const account = accounts.data?.find((candidate) => candidate.id === accountId);
  const folders = useQuery({ ...trpc.mail.folders.queryOptions({ accountId }), refetchInterval: 1_500 });
  const status = account?.status ?? "connecting";
  const done = status === "ready";
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    headingRef.current?.focus();
  }, []);
  return (
    <div className="h-full overflow-y-auto">
      <div className="mx-auto grid w-full max-w-xl gap-6 px-4 py-8 sm:py-12">
        <div className="grid gap-2 text-center">
          <h1 ref={headingRef} tabIndex={-1} className="text-2xl font-semibold tracking-tight sm:text-3xl">
            {done ? "Your mailbox is ready" : "Bringing in your mail"}
          </h1>
          <p className="break-words text-muted">{email}</p>
        </div>
        <Card className="grid gap-5">
          <div className="grid gap-2">
            <div className="flex items-center justify-between text-sm">
              <span role="status" data-testid="sync-status" className="font-medium">
                {statusWords[status] ?? status}
              </span>
              <span className="text-muted">{account ? `${account.messageCount} messages` : ""}</span>
            </div>
            <div
              role="progressbar"
              aria-label="First sync"
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={done ? 100 : undefined}
              className="h-2 overflow-hidden rounded-full bg-surface-muted"
            >
              <div className={`h-full rounded-full bg-accent ${done ? "w-full" : "w-1/3 animate-pulse"}`} />
            </div>
          </div>
          {account?.error && <Alert tone="error">{account.error.message}</Alert>}
          {folders.data && folders.data.length > 0 && (
            <ul className="grid gap-1 text-sm" aria-label="Folders">
              {folders.data.map((folder) => (
                <li key={folder.id} className="flex justify-between rounded-lg px-2 py-1 odd:bg-surface-muted">
                  <span>{folder.name}</span>
                  <span className="text-muted">
                    {folder.total} {folder.unread > 0 ? `· ${folder.unread} unread` : ""}
                  </span>
                </li>
              ))}
            </ul>
          )}
          <Button
            onClick={() => (onDone ? onDone() : void navigate({ to: "/mail" }))}
            variant={done ? "primary" : "secondary"}
          >
            {done ? "Open your inbox" : "Open the inbox now"}
          </Button>
        </Card>
      </div>
    </div>
  );
}
