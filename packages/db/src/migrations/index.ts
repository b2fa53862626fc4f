import type { Migration } from "kysely/migration";
import * as users from "./2026-11-24T0900-users.ts";
import * as outboxAndEmail from "./2026-11-24T1000-outbox-and-email.ts";
import * as auth from "./2026-11-25T0000-auth.ts";
import * as sessionsRevokedAt from "./2026-11-25T1300-sessions-revoked-at.ts";
import * as mail from "./2026-12-04T0500-mail.ts";
import * as ai from "./2026-12-04T0600-ai.ts";
import * as mailControl from "./2026-12-04T1300-mail-control.ts";
import * as mailOAuth from "./2026-12-04T1600-mail-oauth.ts";
import * as accountProtection from "./2026-12-04T1700-account-protection.ts";
import * as mailLeases from "./2026-12-04T1800-mail-leases.ts";
import * as mailOutgoing from "./2026-12-04T1900-mail-outgoing.ts";
import * as passkeys from "./2026-12-05T0300-passkeys.ts";
import * as aiProviderTest from "./2026-12-05T0410-ai-provider-test.ts";
import * as remoteContentSenders from "./2026-12-05T0430-remote-content-senders.ts";
import * as dashboardVisits from "./2026-12-05T0440-dashboard-visits.ts";
import * as mailMessageHeaders from "./2026-12-05T0510-mail-message-headers.ts";
import * as mailContacts from "./2026-12-05T0610-mail-contacts.ts";
import * as mailRecentSearches from "./2026-12-05T0611-mail-recent-searches.ts";
import * as aiReservationTrust from "./2026-12-05T0630-ai-reservation-trust.ts";

/**
 * Every migration, listed explicitly so that bundling or a stray file can never change what runs.
 * Names sort by time; append new ones at the end.
 */
export const migrations: Record<string, Migration> = {
  "2026-11-24T0900-users": users,
  "2026-11-24T1000-outbox-and-email": outboxAndEmail,
  "2026-11-25T0000-auth": auth,
  "2026-11-25T1300-sessions-revoked-at": sessionsRevokedAt,
  "2026-12-04T0500-mail": mail,
  "2026-12-04T0600-ai": ai,
  "2026-12-04T1300-mail-control": mailControl,
  "2026-12-04T1600-mail-oauth": mailOAuth,
  "2026-12-04T1700-account-protection": accountProtection,
  "2026-12-04T1800-mail-leases": mailLeases,
  "2026-12-04T1900-mail-outgoing": mailOutgoing,
  "2026-12-05T0300-passkeys": passkeys,
  "2026-12-05T0410-ai-provider-test": aiProviderTest,
  "2026-12-05T0430-remote-content-senders": remoteContentSenders,
  "2026-12-05T0440-dashboard-visits": dashboardVisits,
  "2026-12-05T0510-mail-message-headers": mailMessageHeaders,
  "2026-12-05T0610-mail-contacts": mailContacts,
  "2026-12-05T0611-mail-recent-searches": mailRecentSearches,
  "2026-12-05T0630-ai-reservation-trust": aiReservationTrust,
};
