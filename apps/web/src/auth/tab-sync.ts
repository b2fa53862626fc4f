export type TabMessage = "signed-in" | "signed-out" | "session-ended";

// Tabs share the refresh cookie but not the access token; this keeps their idea of the session in step.
const channel = typeof BroadcastChannel === "undefined" ? undefined : new BroadcastChannel("tidings-session");

export function announceToOtherTabs(message: TabMessage) {
  channel?.postMessage(message);
}

export function onOtherTabs(listener: (message: TabMessage) => void) {
  channel?.addEventListener("message", (event: MessageEvent<TabMessage>) => listener(event.data));
}
