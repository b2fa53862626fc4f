import type { Links } from "./links.ts";
import type { TemplateData } from "./schemas.ts";
import type { TemplateName } from "./template-names.ts";

/**
 * One email. Every string may hold `{{name}}` placeholders; `values` supplies them per send. The
 * strings are fixed, so the MJML is compiled once and sending only fills in values.
 */
export interface EmailTemplate<T extends TemplateName> {
  /** Plain text. */
  subject: string;
  /** The line inbox lists show after the subject. */
  preview: string;
  /** MJML for the message card, below the greeting. */
  html: string;
  /** The same message, written for plain-text readers. */
  text: string;
  /** Why the recipient got this email, in plain text; the footer of both parts. */
  reason: string;
  /** Runs on every send, so it must stay cheap: no MJML here. */
  values(data: TemplateData<T>, links: Links): Record<string, string>;
}

export function greeting(displayName: string | null | undefined): string {
  const name = displayName?.trim();
  return name ? `Hi ${name},` : "Hi,";
}

const instantFormat = new Intl.DateTimeFormat("en-GB", { dateStyle: "long", timeStyle: "short", timeZone: "UTC" });

/** The values of the sign-in activity block: when, from where, on what. */
export function activityValues(data: { at: string; ip: string; userAgent: string }): Record<string, string> {
  // UTC because the server cannot know the reader's time zone, and saying so avoids a wrong guess.
  return { at: `${instantFormat.format(new Date(data.at))} UTC`, ip: data.ip, userAgent: data.userAgent };
}
