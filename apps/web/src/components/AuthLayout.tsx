import { Outlet } from "@tanstack/react-router";
import type { ReactNode } from "react";
import { SiteHeader } from "./SiteHeader.tsx";

/** The frame of every page outside the signed-in shell: logo and theme toggle, a centred column, footer. */
export function PublicFrame({ children }: { children: ReactNode }) {
  return (
    <div className="flex min-h-dvh flex-col">
      <SiteHeader width="max-w-6xl" />
      <main className="flex flex-1 items-start justify-center px-4 pt-4 pb-16 sm:pt-12">
        <div className="w-full max-w-md">{children}</div>
      </main>
      <footer className="px-4 py-6 text-center text-sm text-muted">
        Tidings — your self-hosted AI email assistant.
      </footer>
    </div>
  );
}

/** Sign in, sign up and the pages emailed links open: one centred card. */
export function AuthLayout() {
  return (
    <PublicFrame>
      <Outlet />
    </PublicFrame>
  );
}
