import { useSyncExternalStore } from "react";
import { type SessionState, sessionStore, type User } from "./session-store.ts";

export function useSession(): SessionState {
  return useSyncExternalStore(sessionStore.subscribe, sessionStore.getState);
}

/** The signed-in user; only for components under the signed-in layout. */
export function useUser(): User {
  const state = useSession();
  if (state.status !== "signed-in") throw new Error("useUser outside the signed-in area");
  return state.user;
}
