import { type EmailTemplate, greeting } from "../email-template.ts";
import { actionButton, note, paragraph, textAction } from "../layout.ts";

// Sent at most twice a month per user (80% and 100%), by whichever job crosses the line first.
export const aiBudget: EmailTemplate<"ai-budget"> = {
  subject: "{{headline}}",
  preview: "{{headline}}. You can change the budget or the provider in the AI settings.",
  html: `${paragraph("{{headline}}: <strong>{{spent}}</strong> of your <strong>{{budget}}</strong> monthly budget for AI features is spent.")}
        ${paragraph("{{consequence}}")}
        ${actionButton("Open the AI settings", "settingsUrl")}
        ${note("The budget starts again on {{resetsOn}}. The built-in local model is free and keeps sorting your mail without a budget.")}`,
  text: `{{headline}}: {{spent}} of your {{budget}} monthly budget for AI features is spent.

{{consequence}}

${textAction("Open the AI settings", "settingsUrl")}

The budget starts again on {{resetsOn}}. The built-in local model is free and keeps sorting your mail without a budget.`,
  reason: "You received this email because your Tidings account uses a paid AI provider with a monthly budget.",
  values: (data, links) => ({
    greeting: greeting(data.displayName),
    headline: data.level === 100 ? "Your AI budget is spent" : "80% of your AI budget is spent",
    consequence:
      data.level === 100
        ? "Until the budget starts again, no more requests go to the AI provider: new mail is sorted by the local model, and summaries and drafts are refused."
        : "When the budget is spent, no more requests go to the AI provider until it starts again.",
    spent: `$${data.spentUsd.toFixed(2)}`,
    budget: `$${data.budgetUsd.toFixed(2)}`,
    resetsOn: data.resetsOn,
    settingsUrl: links.to("/settings/ai"),
  }),
};
