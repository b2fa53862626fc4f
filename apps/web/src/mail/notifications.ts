import { useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useCallback, useSyncExternalStore } from "react";
import { useTRPC } from "../trpc.ts";
import { senderName } from "./format.ts";
import { deservesNotification } from "./notification-rules.ts";

// Desktop notifications for high-priority mail: opt-in per browser (the permission is per browser
// too), asked for only when the user turns them on, never on page load.

const STORAGE_KEY = "tidings.notify.high-priority";
const listeners = new Set<() => void>();

const supported = () => typeof window !== "undefined" && "Notification" in window;

function readEnabled(): boolean {
  return supported() && Notification.permission === "granted" && localStorage.getItem(STORAGE_KEY) === "on";
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener("storage", listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("storage", listener);
  };
}

/** The mail settings' switch: on asks the browser's permission (this must run from a click). */
export function useNotificationSetting() {
  const enabled = useSyncExternalStore(subscribe, readEnabled, () => false);
  const setEnabled = useCallback(async (on: boolean): Promise<"on" | "off" | "denied" | "unsupported"> => {
    if (!supported()) return "unsupported";
    if (on) {
      const permission =
        Notification.permission === "default" ? await Notification.requestPermission() : Notification.permission;
      if (permission !== "granted") return "denied";
      localStorage.setItem(STORAGE_KEY, "on");
    } else {
      localStorage.removeItem(STORAGE_KEY);
    }
    for (const listener of listeners) listener();
    return on ? "on" : "off";
  }, []);
  return { supported: supported(), enabled, setEnabled };
}

/** Announces an analysed message when it is high priority, recent and unread (if the user opted in). */
export function useHighPriorityNotifications() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return useCallback(
    async (event: { messageId: string; threadId: string }) => {
      if (!readEnabled()) return;
      const thread = await queryClient.fetchQuery(trpc.mail.thread.queryOptions({ threadId: event.threadId }));
      const message = thread.messages.find((candidate) => candidate.id === event.messageId);
      if (!message || !deservesNotification(message)) return;
      // The tag makes a second open tab replace this notification rather than add another.
      const notification = new Notification(message.subject || "(no subject)", {
        body: `High priority · ${senderName(message.from)}`,
        tag: `tidings-${message.id}`,
      });
      notification.onclick = () => {
        window.focus();
        void navigate({ to: "/mail", search: { thread: event.threadId } });
      };
    },
    [trpc, queryClient, navigate],
  );
}
