import { Link } from "@tanstack/react-router";
import { InboxIcon, KeyIcon, ShieldIcon } from "../components/icons.tsx";
import { Logo } from "../components/Logo.tsx";
import { PageHeading } from "../components/PageHeading.tsx";
import { useServerPing } from "../components/server-mode.ts";
import { ThemeToggle } from "../components/ThemeToggle.tsx";
import { buttonClass } from "../components/ui.tsx";

const features = [
  {
    icon: InboxIcon,
    title: "Your inbox, sorted",
    text: "Tidings reads along, summarises long threads and drafts replies — on a server you run.",
  },
  {
    icon: ShieldIcon,
    title: "Private by design",
    text: "Your mail never leaves your machine unless you point it at an AI provider you choose.",
  },
  {
    icon: KeyIcon,
    title: "Secure sign-in",
    text: "Modern password rules, short-lived tokens and a clear view of every signed-in device.",
  },
];

export function LandingPage() {
  return (
    <div className="flex min-h-dvh flex-col">
      <header className="mx-auto flex w-full max-w-6xl items-center justify-between gap-2 px-4 py-4 sm:px-6">
        <Logo />
        <nav aria-label="Account" className="flex items-center gap-1 sm:gap-2">
          <ThemeToggle />
          <Link to="/sign-in" className={buttonClass("ghost", "no-underline")}>
            Sign in
          </Link>
          <Link to="/sign-up" className={buttonClass("primary", "no-underline max-sm:hidden")}>
            Get started
          </Link>
        </nav>
      </header>
      <main className="mx-auto grid w-full max-w-6xl flex-1 gap-12 px-4 pt-10 pb-16 sm:px-6 sm:pt-20">
        <section className="grid max-w-3xl gap-6">
          <PageHeading>
            <span className="block text-4xl leading-tight sm:text-5xl">Email that sorts itself out.</span>
          </PageHeading>
          <p className="text-lg text-muted">
            Tidings is a self-hosted AI email assistant. Connect your mailboxes, let it triage and summarise, and keep
            every message on hardware you trust.
          </p>
          <div className="flex flex-wrap gap-3">
            <Link to="/sign-up" className={buttonClass("primary", "no-underline")}>
              Create your account
            </Link>
            <Link to="/sign-in" className={buttonClass("secondary", "no-underline")}>
              I already have one
            </Link>
          </div>
        </section>
        <section aria-label="Features" className="grid gap-4 sm:grid-cols-3">
          {features.map(({ icon: FeatureIcon, title, text }) => (
            <div key={title} className="rounded-2xl border border-line bg-surface p-5">
              <FeatureIcon className="text-link" width={24} height={24} />
              <h2 className="mt-3 font-semibold">{title}</h2>
              <p className="mt-1 text-sm text-muted">{text}</p>
            </div>
          ))}
        </section>
        <ServerStatusCard />
      </main>
    </div>
  );
}

function ServerStatusCard() {
  const ping = useServerPing();
  return (
    <section aria-labelledby="status-heading" className="rounded-2xl border border-line bg-surface p-5">
      <h2 id="status-heading" className="font-semibold">
        Server status
      </h2>
      {ping.isPending && (
        <p role="status" className="mt-1 text-sm text-muted">
          Checking the server…
        </p>
      )}
      {ping.isError && (
        <p role="alert" data-testid="ping-error" className="mt-1 text-sm text-danger">
          The server did not answer: {ping.error.message}
        </p>
      )}
      {ping.data && (
        <p role="status" data-testid="ping-result" className="mt-1 text-sm text-muted">
          Server says <strong className="text-fg">{ping.data.status}</strong> ({ping.data.mode} mode) at{" "}
          <time dateTime={ping.data.time.toISOString()}>{ping.data.time.toLocaleTimeString()}</time>
        </p>
      )}
      {ping.data?.mode === "embedded" && (
        <p className="mt-2 text-sm">
          Emails this server sends land in the <a href="/dev/mailbox">dev mailbox</a>.
        </p>
      )}
    </section>
  );
}
