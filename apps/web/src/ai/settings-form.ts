import { aiSettingsUpdateInput } from "@tidings/api/schemas";
import type { FieldErrors, Resolver } from "react-hook-form";
import type { z } from "zod";

export type ProviderKind = "local" | "openai" | "compatible";
export type KeyAction = "keep" | "replace" | "clear";

/** The AI settings form as people fill it in: text where they type, one line per excluded sender. */
export interface AiSettingsValues {
  provider: ProviderKind;
  baseUrl: string;
  modelTriage: string;
  modelSummary: string;
  modelDraft: string;
  /** What to do with the saved key; a new one is typed only for "replace" (or when none is saved). */
  keyAction: KeyAction;
  apiKey: string;
  monthlyBudgetUsd: string;
  featureTriage: boolean;
  featureSummaries: boolean;
  featureDrafts: boolean;
  excludedAccountIds: string[];
  excludedSenders: string;
}

export type AiSettingsInput = z.output<typeof aiSettingsUpdateInput>;

export interface SavedAiSettings {
  provider: ProviderKind;
  baseUrl: string | null;
  models: { triage: string; summary: string; draft: string };
  hasApiKey: boolean;
  monthlyBudgetUsd: number;
  features: { triage: boolean; summaries: boolean; drafts: boolean };
  excludedAccountIds: string[];
  excludedSenders: string[];
}

export function formValuesOf(saved: SavedAiSettings): AiSettingsValues {
  return {
    provider: saved.provider,
    baseUrl: saved.baseUrl ?? "",
    modelTriage: saved.models.triage,
    modelSummary: saved.models.summary,
    modelDraft: saved.models.draft,
    keyAction: "keep",
    apiKey: "",
    monthlyBudgetUsd: String(saved.monthlyBudgetUsd),
    featureTriage: saved.features.triage,
    featureSummaries: saved.features.summaries,
    featureDrafts: saved.features.drafts,
    excludedAccountIds: saved.excludedAccountIds,
    excludedSenders: saved.excludedSenders.join("\n"),
  };
}

/** The update the API takes; fields of a provider not chosen are left as saved. */
export function updateInputOf(values: AiSettingsValues): Record<string, unknown> {
  const cloud = values.provider !== "local";
  const budget = values.monthlyBudgetUsd.trim();
  return {
    provider: values.provider,
    ...(values.provider === "compatible" ? { baseUrl: values.baseUrl.trim() || null } : {}),
    ...(cloud
      ? {
          models: {
            triage: values.modelTriage.trim() || null,
            summary: values.modelSummary.trim() || null,
            draft: values.modelDraft.trim() || null,
          },
        }
      : {}),
    ...(values.keyAction === "replace" ? { apiKey: values.apiKey } : {}),
    ...(values.keyAction === "clear" ? { apiKey: null } : {}),
    // Left as text when it is not a number, so the schema's own message names the field.
    monthlyBudgetUsd: budget === "" ? "" : Number.isFinite(Number(budget)) ? Number(budget) : budget,
    features: { triage: values.featureTriage, summaries: values.featureSummaries, drafts: values.featureDrafts },
    excludedAccountIds: values.excludedAccountIds,
    excludedSenders: values.excludedSenders
      .split("\n")
      .map((line) => line.trim())
      .filter(Boolean),
  };
}

/** The part "Test the provider" sends: the provider settings as typed, saved or not. */
export function providerInputOf(input: AiSettingsInput) {
  const { provider, baseUrl, models, apiKey } = input;
  return { provider, baseUrl, models, apiKey };
}

/** The form fields an issue of the API's schema can point at. */
export type IssueField =
  | "provider"
  | "baseUrl"
  | "modelTriage"
  | "modelSummary"
  | "modelDraft"
  | "apiKey"
  | "monthlyBudgetUsd"
  | "excludedSenders";

const directFields = new Set<PropertyKey>(["provider", "baseUrl", "apiKey", "monthlyBudgetUsd"]);
const modelFields: Record<string, IssueField> = {
  triage: "modelTriage",
  summary: "modelSummary",
  draft: "modelDraft",
};

/**
 * Where an issue of the API's schema (from the browser's check or the server's answer) shows in
 * the form, and its message; a bad sender is quoted so it can be found in the list.
 */
export function issueMessage(
  path: readonly PropertyKey[],
  message: string,
  values: AiSettingsValues,
): { field: IssueField; message: string } | undefined {
  const [head, second] = path;
  if (head === "models") return { field: modelFields[String(second)] ?? "modelTriage", message };
  if (head === "excludedSenders") {
    const lines = values.excludedSenders
      .split("\n")
      .map((line) => line.trim())
      .filter(Boolean);
    const line = typeof second === "number" ? lines[second] : undefined;
    return { field: "excludedSenders", message: line ? `“${line}”: ${message}` : message };
  }
  if (head === "monthlyBudgetUsd" && /expected number/i.test(message)) {
    return { field: "monthlyBudgetUsd", message: "Enter an amount in US dollars, e.g. 2.50" };
  }
  if (head !== undefined && directFields.has(head)) return { field: head as IssueField, message };
  return undefined;
}

/** Checks the form with the API's own schema, so the browser refuses exactly what the server would. */
export const aiSettingsResolver: Resolver<AiSettingsValues, unknown, AiSettingsInput> = async (values) => {
  const parsed = aiSettingsUpdateInput.safeParse(updateInputOf(values));
  const errors: FieldErrors<AiSettingsValues> = {};
  if (values.keyAction === "replace" && !values.apiKey.trim()) {
    errors.apiKey = { type: "required", message: "Enter the key, or keep the saved one" };
  }
  if (values.monthlyBudgetUsd.trim() === "") {
    errors.monthlyBudgetUsd = { type: "required", message: "Enter a budget in US dollars (0 turns paid calls off)" };
  }
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const shown = issueMessage(issue.path, issue.message, values);
      if (shown && !errors[shown.field]) errors[shown.field] = { type: "schema", message: shown.message };
    }
  }
  if (parsed.success && Object.keys(errors).length === 0) return { values: parsed.data, errors: {} };
  return { values: {}, errors };
};
