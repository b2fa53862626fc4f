import type { AppRouter } from "@tidings/client";
import type { TRPCLink } from "@trpc/client";
import { observable, type Unsubscribable } from "@trpc/server/observable";
import { endSession, refreshSession } from "../auth/session.ts";
import { sessionStore } from "../auth/session-store.ts";
import { appCodeOf } from "./app-error.ts";

const retriableCodes = new Set(["SESSION_REVOKED", "TOKEN_EXPIRED"]);

/**
 * A request refused because its access token expired or its session was ended gets one cookie
 * refresh and one more try; when the refresh fails too, the session is over and the tab signs out.
 */
export const sessionRetryLink: TRPCLink<AppRouter> =
  () =>
  ({ op, next }) =>
    observable((observer) => {
      let subscription: Unsubscribable | undefined;
      let retried = false;
      const attempt = () => {
        const hadSession = sessionStore.getState().status === "signed-in";
        subscription = next(op).subscribe({
          next: (value) => observer.next(value),
          complete: () => observer.complete(),
          error: (error) => {
            const code = appCodeOf(error);
            if (retried || !hadSession || !code || !retriableCodes.has(code)) return observer.error(error);
            retried = true;
            void refreshSession().then((refreshed) => {
              if (refreshed) return attempt();
              if (sessionStore.getState().status === "signed-in") endSession("session-ended");
              observer.error(error);
            });
          },
        });
      };
      attempt();
      return () => subscription?.unsubscribe();
    });
