import type { RouterOutputs } from "@tidings/client";

export type User = RouterOutputs["auth"]["me"];
// auth.login may stop at the second factor; every other sign-in answers a full result, as refresh does.
export type AuthResult = RouterOutputs["auth"]["refresh"];

/** Why a tab went back to the sign-in page; the page explains it. */
export type SignOutReason = "signed-out" | "session-ended";

export type SessionState =
  | { status: "restoring" }
  | { status: "signed-out"; reason?: SignOutReason }
  | { status: "signed-in"; user: User; sessionId: string };

interface AccessToken {
  value: string;
  expiresAt: number;
}

// The access token lives only in this module's memory: never in storage or a readable cookie,
// so a script injected into the page cannot carry it away after the tab closes.
let accessToken: AccessToken | undefined;
let state: SessionState = { status: "restoring" };
// Bumped by every sign-in and sign-out, so a slow answer about an older session can tell it is stale.
let generation = 0;
const listeners = new Set<() => void>();

function setState(next: SessionState) {
  state = next;
  for (const listener of listeners) listener();
}

export const sessionStore = {
  subscribe(listener: () => void) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  getState: () => state,
  getAccessToken: () => accessToken,
  getGeneration: () => generation,

  accept(result: AuthResult) {
    generation++;
    accessToken = { value: result.accessToken, expiresAt: new Date(result.accessTokenExpiresAt).getTime() };
    setState({ status: "signed-in", user: result.user, sessionId: result.session.id });
  },

  updateUser(user: User) {
    if (state.status === "signed-in") setState({ ...state, user });
  },

  clear(reason?: SignOutReason) {
    generation++;
    accessToken = undefined;
    setState(reason ? { status: "signed-out", reason } : { status: "signed-out" });
  },
};
