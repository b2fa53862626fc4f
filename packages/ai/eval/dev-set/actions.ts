import type { UserBehaviour } from "../../src/index.ts";
import { automated, bulk, type DevMessage, label, owner } from "./types.ts";

/**
 * 30 earlier messages and what Maya did with each, replayed to the local model before the set is
 * evaluated again. None of them is in the evaluated set; they share senders and kinds with it, as a
 * real mailbox's history does.
 */
export interface SimulatedAction {
  message: DevMessage;
  did: UserBehaviour[];
}

const me = [owner.personal];
// The label is what the message was; the learning check only uses `did`.
const past = (message: Omit<DevMessage, "label">, did: UserBehaviour[]): SimulatedAction => ({
  message: { ...message, label: label("normal", "work") },
  did,
});

export const simulatedActions: SimulatedAction[] = [
  past(
    {
      id: "h01",
      from: "Daniel Okafor <daniel.okafor@helix-retail.com>",
      subject: "Invoices missing VAT ID",
      text: "Hi Maya, our invoices from last month are missing our VAT ID. Can you check?",
    },
    ["openedSoon", "replied"],
  ),
  past(
    {
      id: "h02",
      from: "Sentry <noreply@md.getsentry.com>",
      subject: "[api-prod] Error: connection terminated unexpectedly",
      text: "New issue in api-prod. Events: 120 in the last hour. Users affected: 40.",
      headers: automated,
    },
    ["openedSoon", "starred"],
  ),
  past(
    {
      id: "h03",
      from: "Zoom <no-reply@zoom.us>",
      subject: "Cloud recording is now available: Sprint review",
      text: "Your cloud recording is now available. Topic: Sprint review.",
      headers: automated,
    },
    ["archivedUnread"],
  ),
  past(
    {
      id: "h04",
      from: "Datadog <alerts@dtdg.co>",
      subject: "[Recovered] error rate on billing-worker above 2%",
      text: "Recovered: error rate on billing-worker is back below 2%.",
      headers: automated,
    },
    ["archivedUnread"],
  ),
  past(
    {
      id: "h05",
      from: "PagerDuty <no-reply@pagerduty.com>",
      subject: "[Resolved] #4380: Queue depth above 10k",
      text: "Incident #4380 has been resolved. Service: Background workers.",
      headers: automated,
    },
    ["archivedUnread"],
  ),
  past(
    {
      id: "h06",
      from: "Slack <feedback@slack.com>",
      subject: "You have 9 unread messages in Northwind Labs",
      text: "You have 9 unread messages in Northwind Labs.",
      headers: automated,
    },
    ["deletedUnread"],
  ),
  past(
    {
      id: "h07",
      from: "Vercel <notifications@vercel.com>",
      subject: "Deployment ready: northwind-docs (preview)",
      text: "Your deployment of northwind-docs is ready. Branch: maya/rate-limits",
      headers: automated,
    },
    ["archivedUnread"],
  ),
  past(
    {
      id: "h08",
      from: "Workday <workday@northwind.myworkday.com>",
      subject: "Action required: approve expense report for Ben Carter",
      text: "Ben Carter has submitted an expense report. Please approve or deny it in Workday.",
      headers: automated,
    },
    ["openedSoon", "starred"],
  ),
  past(
    {
      id: "h09",
      from: "DocuSign <dse@docusign.net>",
      subject: "Please DocuSign: Mutual NDA – FinTrack",
      text: "Olivia Grant sent you a document to review and sign.",
      headers: automated,
    },
    ["openedSoon", "starred"],
  ),
  past(
    {
      id: "h10",
      from: "Carlos Mendes <carlos@talentbridge.io>",
      subject: "Following up: Staff role",
      text: "Hi Maya, following up on my note last week about the Staff Engineer role. Any interest?",
    },
    ["deletedUnread"],
  ),
  past(
    {
      id: "h11",
      from: "Nadia Haddad <nadia@brightpath.consulting>",
      subject: "SOC 2 readiness for Northwind",
      text: "Hi Maya, BrightPath helps SaaS companies get SOC 2 ready in 90 days. Would you be open to a call?",
    },
    ["archivedUnread"],
  ),
  past(
    {
      id: "h12",
      from: "Tanya from Gong <tanya.r@gong.io>",
      subject: "Maya, thoughts?",
      text: "Hi Maya, did you see my last email about call recording for your sales team?",
    },
    ["deletedUnread"],
  ),
  past(
    {
      id: "h13",
      from: "Anna Lindqvist <anna.lindqvist@icloud.com>",
      to: me,
      subject: "Söndag?",
      text: "Ska vi ringa på söndag? Pappa vill visa dig det nya växthuset.",
    },
    ["openedSoon", "replied"],
  ),
  past(
    {
      id: "h14",
      from: "Leo Martins <leo.martins@gmail.com>",
      to: me,
      subject: "groceries",
      text: "Do we need anything else from the shop besides oat milk?",
    },
    ["openedSoon", "replied"],
  ),
  past(
    {
      id: "h15",
      from: "Chloe Bennett <chloe.bennett@outlook.com>",
      to: me,
      subject: "Saturday hike?",
      text: "Want to do the Grunewald loop on Saturday morning?",
    },
    ["openedSoon", "replied"],
  ),
  past(
    {
      id: "h16",
      from: "Morning Brew <crew@morningbrew.com>",
      to: me,
      subject: "☕ The rate cut nobody expected",
      text: "Good morning. Markets, the rate cut and more. Unsubscribe",
      headers: bulk("morningbrew.com"),
    },
    ["archivedUnread"],
  ),
  past(
    {
      id: "h17",
      from: "TLDR <dan@tldrnewsletter.com>",
      subject: "Bun 2.0, SQLite everywhere",
      text: "TLDR 2026-11-10. Bun 2.0 ships...",
      headers: bulk("tldrnewsletter.com"),
    },
    ["archivedUnread"],
  ),
  past(
    {
      id: "h18",
      from: "Postgres Weekly <peter@postgresweekly.com>",
      subject: "Postgres Weekly #611",
      text: "#611 — logical replication in practice.",
      headers: bulk("postgresweekly.com"),
    },
    ["openedSoon", "readNotReplied"],
  ),
  past(
    {
      id: "h19",
      from: "Zalando <news@zalando.de>",
      to: me,
      subject: "Cyber Week: 50 % auf Wintermode",
      text: "Jetzt shoppen: 50 % auf Wintermode.",
      headers: bulk("zalando.de"),
    },
    ["deletedUnread"],
  ),
  past(
    {
      id: "h20",
      from: "LinkedIn <messages-noreply@linkedin.com>",
      subject: "You appeared in 18 searches this week",
      text: "See who's looking at your profile. Try Premium for free.",
      headers: bulk("linkedin.com"),
    },
    ["deletedUnread"],
  ),
  past(
    {
      id: "h21",
      from: "Jonas Berg <jonas@northwind.io>",
      subject: "Pairing on the ledger backfill?",
      text: "Do you have an hour tomorrow to pair on the ledger backfill script?",
    },
    ["openedSoon", "replied"],
  ),
  past(
    {
      id: "h22",
      from: "Priya Raman <priya@northwind.io>",
      subject: "Postmortem action items",
      text: "Can you take the action item about connection pool limits from the postmortem?",
    },
    ["openedSoon", "replied"],
  ),
  past(
    {
      id: "h23",
      from: "Olivia Grant <olivia@northwind.io>",
      to: ["everyone@northwind.io"],
      subject: "Holiday party photos",
      text: "Photos from the holiday party are in the shared drive!",
      headers: { "list-id": "<everyone.northwind.io>" },
    },
    ["archivedUnread"],
  ),
  past(
    {
      id: "h24",
      from: "Northwind IT <it@northwind.io>",
      to: ["everyone@northwind.io"],
      subject: "Wi-Fi password rotation",
      text: "The office Wi-Fi password changes on Monday. The new one is on the board.",
      headers: { "list-id": "<everyone.northwind.io>" },
    },
    ["archivedUnread"],
  ),
  past(
    {
      id: "h25",
      from: "Uber Receipts <noreply@uber.com>",
      to: me,
      subject: "Your Friday evening trip with Uber",
      text: "Thanks for riding, Maya. Total: €14.20.",
      headers: automated,
    },
    ["archivedUnread"],
  ),
  past(
    {
      id: "h26",
      from: "Hetzner Online <billing@hetzner.com>",
      subject: "Invoice R0019011223 for your Hetzner account",
      text: "Your invoice for October 2026 is available: €179.40.",
      headers: automated,
    },
    ["archivedUnread"],
  ),
  past(
    {
      id: "h27",
      from: "Kenji Watanabe <kenji@tanaka-logistics.jp>",
      subject: "Sandbox access",
      text: "Could you enable sandbox access for our second team? Their account is tanaka-logistics-2.",
    },
    ["openedSoon", "replied"],
  ),
  past(
    {
      id: "h28",
      from: "Linear <notifications@linear.app>",
      subject: "Tom Whitfield commented on NW-1690",
      text: "Tom Whitfield commented on NW-1690: 'Customer confirmed the fix.'",
      headers: automated,
    },
    ["openedSoon", "readNotReplied"],
  ),
  past(
    {
      id: "h29",
      from: "Strava <no-reply@strava.com>",
      to: me,
      subject: "Chloe Bennett gave you kudos",
      text: "Chloe Bennett gave you kudos on your activity 'Evening run'.",
      headers: automated,
    },
    ["deletedUnread"],
  ),
  past(
    {
      id: "h30",
      from: "Marta Nowak <marta@northwind.io>",
      subject: "Missing receipt for October",
      text: "Hi Maya, I'm missing the receipt for your October conference ticket. Could you upload it?",
    },
    ["openedSoon", "replied"],
  ),
];
