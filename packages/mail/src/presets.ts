export type Security = "tls" | "starttls" | "none";

export interface ServerEndpoint {
  host: string;
  port: number;
  security: Security;
}

export interface ProviderPreset {
  id: string;
  name: string;
  /** Email domains this provider hosts; the first is its main one. */
  domains: string[];
  imap: ServerEndpoint;
  smtp: ServerEndpoint;
  /** The provider's OAuth sign-in, offered only where the deployment configured a client for it. */
  oauth: "google" | "microsoft" | null;
  /** How to connect with a password (or app password) when OAuth is not set up. */
  help: string;
}

export type OAuthProvider = NonNullable<ProviderPreset["oauth"]>;

const tls = (host: string, port = 993): ServerEndpoint => ({ host, port, security: "tls" });
const starttls = (host: string, port = 587): ServerEndpoint => ({ host, port, security: "starttls" });

/** The common providers' published settings; "custom" is for every other server. */
export const providerPresets: readonly ProviderPreset[] = [
  {
    id: "gmail",
    name: "Gmail",
    domains: ["gmail.com", "googlemail.com"],
    imap: tls("imap.gmail.com"),
    smtp: tls("smtp.gmail.com", 465),
    oauth: "google",
    help: "Turn on 2-Step Verification in your Google Account, then create an app password (myaccount.google.com/apppasswords) and use it here.",
  },
  {
    id: "outlook",
    name: "Outlook / Microsoft 365",
    domains: ["outlook.com", "hotmail.com", "live.com", "msn.com"],
    imap: tls("outlook.office365.com"),
    smtp: starttls("smtp.office365.com"),
    oauth: "microsoft",
    help: "Use your password or an app password (account.microsoft.com > Security > Advanced security options); Microsoft 365 work accounts connect this way only where the administrator allows basic authentication.",
  },
  {
    id: "icloud",
    name: "iCloud Mail",
    domains: ["icloud.com", "me.com", "mac.com"],
    imap: tls("imap.mail.me.com"),
    smtp: starttls("smtp.mail.me.com"),
    oauth: null,
    help: "Use an app-specific password from account.apple.com (Sign-In and Security).",
  },
  {
    id: "yahoo",
    name: "Yahoo Mail",
    domains: ["yahoo.com", "ymail.com", "rocketmail.com"],
    imap: tls("imap.mail.yahoo.com"),
    smtp: tls("smtp.mail.yahoo.com", 465),
    oauth: null,
    help: "Generate an app password in Yahoo's account security settings.",
  },
  {
    id: "fastmail",
    name: "Fastmail",
    domains: ["fastmail.com", "fastmail.fm", "messagingengine.com"],
    imap: tls("imap.fastmail.com"),
    smtp: tls("smtp.fastmail.com", 465),
    oauth: null,
    help: "Create an app password in Fastmail's Settings > Privacy & Security.",
  },
  {
    id: "proton-bridge",
    name: "Proton Mail Bridge",
    domains: ["proton.me", "protonmail.com", "pm.me"],
    imap: starttls("127.0.0.1", 1143),
    smtp: starttls("127.0.0.1", 1025),
    oauth: null,
    help: "Run Proton Mail Bridge and use the password it shows; the server must allow 127.0.0.1 in MAIL_ALLOWED_PRIVATE_HOSTS.",
  },
  {
    id: "gmx",
    name: "GMX",
    domains: ["gmx.com", "gmx.net", "gmx.de"],
    imap: tls("imap.gmx.com"),
    smtp: starttls("mail.gmx.com"),
    oauth: null,
    help: "Turn on IMAP access in GMX's settings and use your password.",
  },
  {
    id: "zoho",
    name: "Zoho Mail",
    domains: ["zoho.com", "zohomail.com"],
    imap: tls("imap.zoho.com"),
    smtp: tls("smtp.zoho.com", 465),
    oauth: null,
    help: "Turn on IMAP access in Zoho Mail's settings; with two-factor sign-in, use an app-specific password.",
  },
  {
    id: "custom",
    name: "Other (IMAP/SMTP)",
    domains: [],
    imap: tls("", 993),
    smtp: starttls("", 587),
    oauth: null,
    help: "Enter the IMAP and SMTP servers your provider documents.",
  },
];

/** The preset for an address's domain (case-insensitive), or undefined for an unknown domain. */
export function presetForEmail(email: string): ProviderPreset | undefined {
  const at = email.lastIndexOf("@");
  if (at < 0) return undefined;
  const domain = email
    .slice(at + 1)
    .trim()
    .toLowerCase()
    .replace(/\.$/, "");
  if (!domain) return undefined;
  return providerPresets.find((preset) => preset.domains.includes(domain));
}

const oauthWording: Record<OAuthProvider, string> = {
  google: "Sign in with Google, or instead: ",
  microsoft: "Sign in with Microsoft, or instead: ",
};

/**
 * The presets as a deployment offers them: OAuth only for the providers it has a client for
 * (`oauth` null otherwise, so nobody is sent to a sign-in that cannot finish), and help that says
 * which way to connect.
 */
export function offeredPresets(oauthConfigured: Record<OAuthProvider, boolean>): ProviderPreset[] {
  return providerPresets.map((preset) => {
    if (preset.oauth === null || !oauthConfigured[preset.oauth]) return { ...preset, oauth: null };
    const help = oauthWording[preset.oauth];
    return { ...preset, help: `${help}${preset.help.charAt(0).toLowerCase()}${preset.help.slice(1)}` };
  });
}
