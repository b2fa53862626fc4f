import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useEffect } from "react";
import { type UseFormReturn, useForm, useWatch } from "react-hook-form";
import { appErrorData, generalMessage } from "../api/app-error.ts";
import { FormError, PasswordField, SubmitButton } from "../components/form-parts.tsx";
import { PageHeading } from "../components/PageHeading.tsx";
import { Alert, Badge, Button, Card, FieldLabel, Spinner, TextField } from "../components/ui.tsx";
import { useTRPC } from "../trpc.ts";
import { AiNav } from "./AiNav.tsx";
import { BudgetExceededNotice } from "./BudgetNotice.tsx";
import { formatUsd } from "./format-usd.ts";
import {
  type AiSettingsInput,
  type AiSettingsValues,
  aiSettingsResolver,
  formValuesOf,
  issueMessage,
  type ProviderKind,
  providerInputOf,
  type SavedAiSettings,
} from "./settings-form.ts";

export function AiSettingsPage() {
  const trpc = useTRPC();
  const settings = useQuery(trpc.ai.settings.get.queryOptions());
  const usage = useQuery(trpc.ai.usage.queryOptions());
  const accounts = useQuery(trpc.mailAccount.list.queryOptions());

  return (
    <>
      <PageHeading description="Which model sorts, summarises and drafts your mail, what it may cost, and what it never sees.">
        AI
      </PageHeading>
      <AiNav />
      {usage.data?.budgetExceeded && (
        <BudgetExceededNotice budgetUsd={usage.data.budgetUsd} resetsAt={usage.data.resetsAt} showUsageLink />
      )}
      {settings.isPending && (
        <p role="status" className="flex items-center gap-2 text-muted">
          <Spinner /> Loading your AI settings…
        </p>
      )}
      {settings.isError && <Alert tone="error">{generalMessage(settings.error)}</Alert>}
      {settings.data && (
        <SettingsForm saved={settings.data} accounts={accounts.data ?? []} accountsPending={accounts.isPending} />
      )}
    </>
  );
}

/** The three jobs a cloud provider does, each with a model of its own: small and cheap where it runs most. */
const MODEL_TIERS = [
  {
    field: "modelTriage",
    id: "ai-model-triage",
    label: "Triage model",
    hint: "Sorts every new message: pick a small, cheap one.",
  },
  { field: "modelSummary", id: "ai-model-summary", label: "Summary model", hint: "Summarises threads." },
  { field: "modelDraft", id: "ai-model-draft", label: "Draft model", hint: "Writes reply drafts." },
] as const satisfies readonly { field: keyof AiSettingsValues; id: string; label: string; hint: string }[];

type Saved = SavedAiSettings & { maxMonthlyBudgetUsd: number; spentThisMonthUsd: number };
type Form = UseFormReturn<AiSettingsValues, unknown, AiSettingsInput>;

/** A server error where it belongs: an input issue by its field, a refused host by the base URL. */
function showServerError(form: Form, error: unknown) {
  const data = appErrorData(error) as ReturnType<typeof appErrorData> & { field?: string };
  const values = form.getValues();
  if (data.appCode === "HOST_NOT_ALLOWED") {
    const message = error instanceof Error ? error.message : "This address is not allowed";
    form.setError("baseUrl", { type: "server", message }, { shouldFocus: true });
    return;
  }
  let shown = 0;
  for (const issue of data.issues ?? []) {
    const field = issueMessage(issue.path, issue.message, values);
    if (!field) continue;
    form.setError(field.field, { type: "server", message: field.message }, { shouldFocus: shown === 0 });
    shown++;
  }
  if (shown === 0) form.setError("root.server", { type: "server", message: generalMessage(error) });
}

function SettingsForm({
  saved,
  accounts,
  accountsPending,
}: {
  saved: Saved;
  accounts: { id: string; email: string; displayName: string | null }[];
  accountsPending: boolean;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const form = useForm<AiSettingsValues, unknown, AiSettingsInput>({
    resolver: aiSettingsResolver,
    defaultValues: formValuesOf(saved),
    shouldFocusError: true,
  });
  const save = useMutation(
    trpc.ai.settings.update.mutationOptions({
      onSuccess: (updated) => {
        queryClient.setQueryData(trpc.ai.settings.get.queryKey(), updated);
        void queryClient.invalidateQueries({ queryKey: trpc.ai.usage.queryKey() });
        form.reset(formValuesOf(updated));
      },
      onError: (error) => showServerError(form, error),
    }),
  );
  const test = useMutation(
    trpc.ai.testProvider.mutationOptions({
      onSuccess: () => void queryClient.invalidateQueries({ queryKey: trpc.ai.usage.queryKey() }),
      onError: (error) => showServerError(form, error),
    }),
  );
  const provider = useWatch({ control: form.control, name: "provider" });
  const keyAction = useWatch({ control: form.control, name: "keyAction" });
  const { errors } = form.formState;
  const cloud = provider !== "local";

  // "Saved" and a test's answer belong to what was there: changing anything takes them away.
  useEffect(() => {
    const watching = form.watch((_values, { type }) => {
      // Only the person's own edits: saving resets the form too, and must leave "saved" showing.
      if (type !== "change") return;
      save.reset();
      test.reset();
    });
    return () => watching.unsubscribe();
  }, [form, save.reset, test.reset]);

  const onSubmit = form.handleSubmit((input) => save.mutate(input));
  const onTest = form.handleSubmit((input) => test.mutate(providerInputOf(input)));

  return (
    <form className="grid gap-6" onSubmit={onSubmit} noValidate>
      <Section title="Provider" description="Your mail goes to the provider you choose here, and nowhere else.">
        <fieldset className="grid gap-2">
          <legend className="mb-2 text-sm font-medium">Model</legend>
          <ProviderChoice
            form={form}
            value="local"
            title="Built-in local model"
            description="Runs inside Tidings: no network, no cost. Sorts and summarises; cannot write reply drafts."
          />
          <ProviderChoice
            form={form}
            value="openai"
            title="OpenAI"
            description="OpenAI's models with your API key. Paid per call, within your monthly budget."
          />
          <ProviderChoice
            form={form}
            value="compatible"
            title="OpenAI-compatible server"
            description="A server you run, such as Ollama, vLLM, llama.cpp or LM Studio."
          />
        </fieldset>
        {provider === "compatible" && (
          <TextField
            id="ai-base-url"
            label="Base URL"
            inputMode="url"
            autoComplete="off"
            spellCheck={false}
            placeholder="http://127.0.0.1:11434/v1"
            hint="The server's OpenAI API address, usually ending in /v1. Addresses on private networks work only if this Tidings server allows them."
            error={errors.baseUrl?.message}
            {...form.register("baseUrl")}
          />
        )}
        {cloud && (
          <>
            <div className="grid items-start gap-4 sm:grid-cols-3">
              {MODEL_TIERS.map((tier) => (
                <TextField
                  key={tier.field}
                  id={tier.id}
                  label={tier.label}
                  autoComplete="off"
                  spellCheck={false}
                  hint={tier.hint}
                  error={errors[tier.field]?.message}
                  {...form.register(tier.field)}
                />
              ))}
            </div>
            <ApiKeyField form={form} hasApiKey={saved.hasApiKey} keyAction={keyAction} />
          </>
        )}
        <div className="grid gap-3 border-t border-line pt-4">
          <div className="flex flex-wrap items-center gap-3">
            <Button variant="secondary" onClick={() => void onTest()} busy={test.isPending}>
              Test the provider
            </Button>
            <p className="text-sm text-muted">
              {cloud
                ? "Makes one tiny call with the settings above, saved or not (a fraction of a cent)."
                : "Checks that the local model answers."}
            </p>
          </div>
          <div aria-live="polite">
            {test.data?.ok && (
              <Alert tone="success" testId="ai-test-result">
                The provider answered: {test.data.model} in {test.data.latencyMs} ms.
              </Alert>
            )}
            {test.data && !test.data.ok && (
              <Alert tone="error" testId="ai-test-result">
                The provider test failed{test.data.model ? ` (${test.data.model})` : ""}: {test.data.error?.message}
              </Alert>
            )}
          </div>
        </div>
      </Section>

      <Section
        title="Monthly budget"
        description={`Spent this month: ${formatUsd(saved.spentThisMonthUsd)}. Only calls to a paid provider count; the local model is free.`}
      >
        <TextField
          id="ai-budget"
          label="Budget (US dollars per month)"
          inputMode="decimal"
          autoComplete="off"
          className="sm:max-w-48"
          hint={`Up to ${formatUsd(saved.maxMonthlyBudgetUsd)}, this server's limit. Lower it to spend less; 0 stops paid calls.`}
          error={errors.monthlyBudgetUsd?.message}
          {...form.register("monthlyBudgetUsd")}
        />
      </Section>

      <Section title="Features" description="What the AI does for you. Switched-off features make no calls at all.">
        <div className="grid gap-3">
          <Checkbox
            id="ai-feature-triage"
            label="Sort new mail"
            hint="Priority, category and whether it needs a reply."
            {...form.register("featureTriage")}
          />
          <Checkbox
            id="ai-feature-summaries"
            label="Thread summaries"
            hint="A short summary at the top of long threads."
            {...form.register("featureSummaries")}
          />
          <Checkbox
            id="ai-feature-drafts"
            label="Reply drafts"
            hint="Drafts you review before anything is sent. Needs a cloud model."
            {...form.register("featureDrafts")}
          />
        </div>
      </Section>

      <Section
        title="Never send to cloud models"
        description="Mail from these accounts and senders is only ever read by the built-in local model."
      >
        <fieldset className="grid gap-3">
          <legend className="mb-2 text-sm font-medium">Mail accounts</legend>
          {accountsPending && <p className="text-sm text-muted">Loading your mail accounts…</p>}
          {!accountsPending && accounts.length === 0 && (
            <p className="text-sm text-muted">No mail accounts connected yet.</p>
          )}
          {accounts.map((account) => (
            <Checkbox
              key={account.id}
              id={`ai-exclude-${account.id}`}
              value={account.id}
              label={account.displayName ? `${account.displayName} (${account.email})` : account.email}
              {...form.register("excludedAccountIds")}
            />
          ))}
        </fieldset>
        <div className="grid gap-1.5">
          <FieldLabel htmlFor="ai-excluded-senders">Senders</FieldLabel>
          <textarea
            id="ai-excluded-senders"
            rows={4}
            spellCheck={false}
            autoCapitalize="off"
            aria-invalid={errors.excludedSenders ? true : undefined}
            aria-describedby={`${errors.excludedSenders ? "ai-excluded-senders-error " : ""}ai-excluded-senders-hint`}
            className={`w-full rounded-lg border bg-surface px-3 py-2.5 font-mono text-base text-fg shadow-xs placeholder:text-muted sm:text-sm ${
              errors.excludedSenders ? "border-danger" : "border-line"
            }`}
            {...form.register("excludedSenders")}
          />
          {errors.excludedSenders && (
            <p id="ai-excluded-senders-error" className="text-sm text-danger" data-field-error="ai-excluded-senders">
              {errors.excludedSenders.message}
            </p>
          )}
          <p id="ai-excluded-senders-hint" className="text-sm text-muted">
            One per line: an address such as doctor@clinic.example, or a whole domain such as mybank.example.
          </p>
        </div>
      </Section>

      <FormError message={errors.root?.server?.message} />
      {save.isSuccess && <Alert tone="success">AI settings saved.</Alert>}
      <div className="flex flex-wrap gap-3">
        <SubmitButton busy={save.isPending}>Save AI settings</SubmitButton>
        {form.formState.isDirty && (
          <Button variant="ghost" onClick={() => form.reset()}>
            Undo changes
          </Button>
        )}
      </div>
    </form>
  );
}

function Section({ title, description, children }: { title: string; description: string; children: ReactNode }) {
  const id = `ai-section-${title.toLowerCase().replace(/[^a-z]+/g, "-")}`;
  return (
    <Card>
      <section aria-labelledby={id} className="grid gap-5">
        <div className="grid gap-1">
          <h2 id={id} className="text-lg font-semibold">
            {title}
          </h2>
          <p className="text-sm text-muted">{description}</p>
        </div>
        {children}
      </section>
    </Card>
  );
}

function ProviderChoice({
  form,
  value,
  title,
  description,
}: {
  form: Form;
  value: ProviderKind;
  title: string;
  description: string;
}) {
  const id = `ai-provider-${value}`;
  return (
    <label
      htmlFor={id}
      className="flex cursor-pointer gap-3 rounded-xl border border-line p-3 hover:bg-surface-muted has-[:checked]:border-accent has-[:checked]:bg-accent-soft"
    >
      <input
        id={id}
        type="radio"
        value={value}
        className="mt-1 size-4 accent-[var(--accent)]"
        aria-describedby={`${id}-description`}
        {...form.register("provider")}
      />
      <span className="grid gap-0.5">
        <span className="text-sm font-semibold">{title}</span>
        <span id={`${id}-description`} className="text-sm text-muted">
          {description}
        </span>
      </span>
    </label>
  );
}

/** Write-only: a saved key is never shown, only that there is one; it can be replaced or removed. */
function ApiKeyField({ form, hasApiKey, keyAction }: { form: Form; hasApiKey: boolean; keyAction: string }) {
  const error = form.formState.errors.apiKey?.message;
  const typing = !hasApiKey || keyAction === "replace";
  const setAction = (action: "keep" | "replace" | "clear") => {
    form.setValue("keyAction", action, { shouldDirty: true });
    form.setValue("apiKey", "", { shouldDirty: action !== "keep" });
    form.clearErrors("apiKey");
  };
  return (
    <div className="grid gap-2">
      {hasApiKey && (
        <div className="flex flex-wrap items-center gap-2">
          <span className="text-sm font-medium">API key</span>
          {keyAction === "clear" ? (
            <Badge tone="warning">Removed when you save</Badge>
          ) : (
            <Badge tone="success">Set</Badge>
          )}
          {keyAction === "keep" ? (
            <>
              <Button variant="ghost" className="px-2.5 py-1.5" onClick={() => setAction("replace")}>
                Replace key
              </Button>
              <Button variant="ghost" className="px-2.5 py-1.5" onClick={() => setAction("clear")}>
                Remove key
              </Button>
            </>
          ) : (
            <Button variant="ghost" className="px-2.5 py-1.5" onClick={() => setAction("keep")}>
              Keep the saved key
            </Button>
          )}
        </div>
      )}
      {typing && (
        <PasswordField
          id="ai-api-key"
          secretName="key"
          label={hasApiKey ? "New API key" : "API key"}
          autoComplete="off"
          spellCheck={false}
          hint="Stored encrypted and never shown again. Servers such as Ollama need none."
          error={error}
          {...form.register("apiKey", {
            onChange: (event: { target: { value: string } }) => {
              if (!hasApiKey) form.setValue("keyAction", event.target.value ? "replace" : "keep");
            },
          })}
        />
      )}
    </div>
  );
}

function Checkbox({
  id,
  label,
  hint,
  ...props
}: { id: string; label: string; hint?: string } & React.InputHTMLAttributes<HTMLInputElement> & {
    ref?: React.Ref<HTMLInputElement>;
  }) {
  return (
    <div className="flex gap-3">
      <input
        id={id}
        type="checkbox"
        className="mt-0.5 size-4 shrink-0 accent-[var(--accent)]"
        aria-describedby={hint ? `${id}-hint` : undefined}
        {...props}
      />
      <div className="grid gap-0.5">
        <label htmlFor={id} className="text-sm font-medium">
          {label}
        </label>
        {hint && (
          <p id={`${id}-hint`} className="text-sm text-muted">
            {hint}
          </p>
        )}
      </div>
    </div>
  );
}
