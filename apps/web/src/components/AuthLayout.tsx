import { Outlet } from "@tanstack/react-router";
import { SiteHeader } from "./SiteHeader.tsx";

/** Sign in, sign up and the pages emailed links open: one centred card. */
export function AuthLayout() {
  return (
    <div className="flex min-h-dvh flex-col">
      <SiteHeader width="max-w-6xl" />
      <main className="flex flex-1 items-start justify-center px-4 pt-4 pb-16 sm:pt-12">
        <div className="w-full max-w-md">
          <Outlet />
        </div>
      </main>
      <footer className="px-4 py-6 text-center text-sm text-muted">
        Tidings — your self-hosted AI email assistant.
      </footer>
    </div>
  );
}
