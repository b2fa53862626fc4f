import { appCodeOf } from "../api/app-error.ts";
import { publicClient } from "../api/public-client.ts";
import { type AuthResult, type SignOutReason, sessionStore } from "./session-store.ts";
import { announceToOtherTabs, onOtherTabs } from "./tab-sync.ts";

// Refresh a minute before the access token expires, so requests never wait for it.
const refreshAheadMs = 60_000;
// A token this close to expiry is refreshed before it is sent.
const staleAfterRemainingMs = 15_000;
const refreshLockName = "tidings-refresh";

// Whether this browser may hold a refresh cookie (HttpOnly, so unreadable here). Without it a page
// load does not ask the server, which would answer 401 on every signed-out page. A stale hint
// (cookie expired) costs one refused refresh, which then clears it. Holds no secret.
const sessionHintKey = "tidings.may-be-signed-in";

function setSessionHint(present: boolean) {
  try {
    if (present) localStorage.setItem(sessionHintKey, "1");
    else localStorage.removeItem(sessionHintKey);
  } catch {
    // Storage blocked: page loads will simply ask the server, as before.
  }
}

function maybeSignedIn(): boolean {
  try {
    return localStorage.getItem(sessionHintKey) === "1";
  } catch {
    return true;
  }
}

let refreshTimer: ReturnType<typeof setTimeout> | undefined;
let refreshInFlight: Promise<boolean> | undefined;

function scheduleRefresh(expiresAt: number) {
  clearTimeout(refreshTimer);
  const delay = Math.max(5_000, expiresAt - Date.now() - refreshAheadMs);
  refreshTimer = setTimeout(() => void refreshSession(), delay);
}

/** Keeps the tokens of a sign-in, verification or refresh answer and plans the next refresh. */
export function acceptAuthResult(result: AuthResult, options: { announce?: boolean } = {}) {
  sessionStore.accept(result);
  setSessionHint(true);
  scheduleRefresh(new Date(result.accessTokenExpiresAt).getTime());
  if (options.announce !== false) announceToOtherTabs("signed-in");
}

/** Forgets the session in this tab (and, unless it came from there, in the other tabs). */
export function endSession(reason?: SignOutReason, options: { announce?: boolean } = {}) {
  clearTimeout(refreshTimer);
  setSessionHint(false);
  sessionStore.clear(reason);
  if (options.announce !== false) announceToOtherTabs(reason === "session-ended" ? "session-ended" : "signed-out");
}

/**
 * Trades the HttpOnly refresh cookie for a new access token. One refresh at a time per tab, and
 * across tabs through a Web Lock: the cookie rotates on every use, so two tabs presenting the same
 * one at once would rely on the server's reuse grace window.
 */
export function refreshSession(): Promise<boolean> {
  refreshInFlight ??= withRefreshLock(refreshOnce).finally(() => {
    refreshInFlight = undefined;
  });
  return refreshInFlight;
}

async function refreshOnce(): Promise<boolean> {
  const startedIn = sessionStore.getGeneration();
  try {
    acceptAuthResult(await publicClient.auth.refresh.mutate({}), { announce: false });
    return true;
  } catch (error) {
    // The tab signed in while this refresh was under way (the page-load refresh racing a sign-in
    // or an emailed verification link): the failure is about a cookie that is no longer ours.
    if (sessionStore.getGeneration() !== startedIn) return sessionStore.getState().status === "signed-in";
    // No answer at all (offline) is not a verdict on the session: keep it and try again later.
    if (!appCodeOf(error)) {
      if (sessionStore.getState().status === "signed-in") {
        scheduleRefresh(Date.now() + refreshAheadMs + 15_000);
        return false;
      }
      // Signed out for now, but the cookie may still be good: keep the hint for the next load.
      sessionStore.clear();
      return false;
    }
    const wasSignedIn = sessionStore.getState().status === "signed-in";
    endSession(wasSignedIn ? "session-ended" : undefined, { announce: wasSignedIn });
    return false;
  }
}

function withRefreshLock(work: () => Promise<boolean>): Promise<boolean> {
  if (typeof navigator !== "undefined" && navigator.locks) {
    // The lock's promise settles with the callback's result (the DOM typings wrap it once more).
    return navigator.locks.request(refreshLockName, { mode: "exclusive" }, work) as unknown as Promise<boolean>;
  }
  return work();
}

/** The access token for the next request, refreshed first when it is about to expire. */
export async function currentAccessToken(): Promise<string | undefined> {
  const token = sessionStore.getAccessToken();
  if (token && token.expiresAt - Date.now() < staleAfterRemainingMs) {
    await refreshSession();
    return sessionStore.getAccessToken()?.value;
  }
  return token?.value;
}

let restored: Promise<void> | undefined;

/** On page load the access token is gone; the refresh cookie, if any, brings the session back. */
export function restoreSession(): Promise<void> {
  restored ??= (maybeSignedIn() ? refreshSession() : Promise.resolve(false)).then(() => {
    if (sessionStore.getState().status === "restoring") sessionStore.clear();
  });
  return restored;
}

onOtherTabs((message) => {
  const status = sessionStore.getState().status;
  if (message === "signed-in" && status !== "signed-in") void refreshSession();
  if (message === "signed-out" && status === "signed-in") endSession("signed-out", { announce: false });
  if (message === "session-ended" && status === "signed-in") endSession("session-ended", { announce: false });
});
