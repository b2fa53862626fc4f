import { Link, Outlet } from "@tanstack/react-router";
import { SigningOut, useSignedInFrame } from "../auth/use-signed-in-frame.tsx";
import { UserMenu } from "../components/AppShell.tsx";
import { HomeIcon } from "../components/icons.tsx";
import { Logo } from "../components/Logo.tsx";
import { ThemeToggle } from "../components/ThemeToggle.tsx";
import { useMailEvents } from "./live-updates.ts";
import { ToastProvider } from "./toasts.tsx";

/** The signed-in frame for mail: a slim bar, then the panes take the whole height of the window. */
export function MailShell() {
  const session = useSignedInFrame();
  useMailEvents(session.status === "signed-in");

  if (session.status !== "signed-in") return <SigningOut />;
  const { user } = session;
  return (
    <ToastProvider>
      <div className="flex h-dvh flex-col overflow-hidden">
        <a
          href="#content"
          className="sr-only rounded-lg bg-accent px-4 py-2 text-accent-fg focus:not-sr-only focus:fixed focus:top-2 focus:left-2 focus:z-50"
        >
          Skip to content
        </a>
        <header className="flex h-14 shrink-0 items-center justify-between gap-2 border-b border-line bg-surface px-3 sm:px-4">
          <div className="flex items-center gap-3">
            <Logo />
          </div>
          <nav aria-label="Main" className="flex items-center gap-1">
            <Link
              to="/dashboard"
              className="inline-flex size-10 items-center justify-center rounded-lg text-muted hover:bg-surface-muted hover:text-fg"
              aria-label="Overview"
              title="Overview"
            >
              <HomeIcon />
            </Link>
            <Link
              to="/mail/settings"
              className="inline-flex size-10 items-center justify-center rounded-lg text-muted hover:bg-surface-muted hover:text-fg"
              aria-label="Mailbox settings"
              title="Mailbox settings"
            >
              <svg
                viewBox="0 0 24 24"
                width="20"
                height="20"
                fill="none"
                stroke="currentColor"
                strokeWidth="1.8"
                strokeLinecap="round"
                aria-hidden="true"
              >
                <path d="M4 6h10M18 6h2M4 12h4M12 12h8M4 18h12M20 18h0" />
                <circle cx="16" cy="6" r="2" />
                <circle cx="10" cy="12" r="2" />
                <circle cx="18" cy="18" r="2" />
              </svg>
            </Link>
            <ThemeToggle />
            <UserMenu name={user.displayName || user.email} email={user.email} />
          </nav>
        </header>
        <main id="content" className="min-h-0 flex-1">
          <Outlet />
        </main>
      </div>
    </ToastProvider>
  );
}
