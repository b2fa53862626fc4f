import { useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useEffect } from "react";
import { Spinner } from "../components/ui.tsx";
import type { SessionState } from "./session-store.ts";
import { useSession } from "./use-session.ts";

/**
 * The session for a signed-in frame (the account pages' and mail's): once it ends, here or in
 * another tab, cached data is dropped and the tab goes to sign-in, saying why, with the way back.
 */
export function useSignedInFrame(): SessionState {
  const session = useSession();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  useEffect(() => {
    if (session.status !== "signed-out") return;
    queryClient.clear();
    void navigate({
      to: "/sign-in",
      search: { reason: session.reason ?? "signed-out", redirect: window.location.pathname },
      replace: true,
    });
  }, [session, navigate, queryClient]);
  return session;
}

/** What a signed-in frame shows in the moment between the session ending and sign-in. */
export function SigningOut() {
  return (
    <div className="flex min-h-dvh items-center justify-center" role="status">
      <Spinner /> <span className="ml-2">Signing out…</span>
    </div>
  );
}
