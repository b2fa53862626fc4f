import { apiClient } from "../api/client.ts";
import { endSession } from "./session.ts";

/** Signs this browser out: the server ends the session and clears the cookie. */
export async function signOut(): Promise<void> {
  try {
    await apiClient.auth.logout.mutate();
  } finally {
    endSession("signed-out");
  }
}
