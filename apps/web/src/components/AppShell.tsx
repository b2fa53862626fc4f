import * as DropdownMenu from "@radix-ui/react-dropdown-menu";
import { Link, type LinkProps, Outlet, useNavigate } from "@tanstack/react-router";
import { type ComponentType, type SVGProps, useState } from "react";
import { signOut } from "../auth/sign-out.ts";
import { SigningOut, useSignedInFrame } from "../auth/use-signed-in-frame.tsx";
import {
  DevicesIcon,
  HomeIcon,
  InboxIcon,
  KeyIcon,
  ListIcon,
  LockIcon,
  LogOutIcon,
  MailIcon,
  MenuIcon,
  ShieldIcon,
  SparklesIcon,
  UserCogIcon,
  UserIcon,
  UsersIcon,
} from "./icons.tsx";
import { Logo } from "./Logo.tsx";
import { ThemeToggle } from "./ThemeToggle.tsx";

interface NavItem {
  to: LinkProps["to"];
  label: string;
  icon: ComponentType<SVGProps<SVGSVGElement>>;
}

const homeNav: NavItem[] = [
  { to: "/dashboard", label: "Overview", icon: HomeIcon },
  { to: "/mail", label: "Mail", icon: InboxIcon },
];

// Account security lives with the other settings; the overview is about mail.
const settingsNav: NavItem[] = [
  { to: "/settings/profile", label: "Profile", icon: UserIcon },
  { to: "/settings/password", label: "Password", icon: KeyIcon },
  { to: "/settings/sessions", label: "Sessions", icon: DevicesIcon },
  { to: "/settings/security", label: "Security", icon: LockIcon },
  { to: "/settings/activity", label: "Security activity", icon: ShieldIcon },
  { to: "/settings/account", label: "Account", icon: UserCogIcon },
  { to: "/settings/ai", label: "AI", icon: SparklesIcon },
];

const adminNav: NavItem[] = [
  { to: "/admin/users", label: "Users", icon: UsersIcon },
  { to: "/admin/events", label: "Events", icon: ListIcon },
  { to: "/admin/invitations", label: "Invitations", icon: MailIcon },
];

/** The signed-in frame: navigation, the user menu, and the way out when the session ends. */
export function AppShell() {
  const session = useSignedInFrame();
  const [menuOpen, setMenuOpen] = useState(false);

  if (session.status !== "signed-in") return <SigningOut />;
  const { user } = session;
  const name = user.displayName || user.email;

  const nav = (onNavigate?: () => void) => (
    <nav aria-label="Main" className="grid gap-6">
      <NavSection title="Home" items={homeNav} onNavigate={onNavigate} />
      <NavSection title="Settings" items={settingsNav} onNavigate={onNavigate} />
      {user.role === "admin" && <NavSection title="Administration" items={adminNav} onNavigate={onNavigate} />}
    </nav>
  );

  return (
    <div className="min-h-dvh lg:grid lg:grid-cols-[16rem_1fr]">
      <a
        href="#content"
        className="sr-only rounded-lg bg-accent px-4 py-2 text-accent-fg focus:not-sr-only focus:fixed focus:top-2 focus:left-2 focus:z-50"
      >
        Skip to content
      </a>
      <aside className="hidden border-r border-line bg-surface px-4 py-5 lg:flex lg:flex-col lg:gap-8">
        <Logo />
        {nav()}
      </aside>
      <div className="flex min-w-0 flex-col">
        <header className="sticky top-0 z-30 flex items-center justify-between gap-2 border-b border-line bg-surface/95 px-4 py-3 backdrop-blur sm:px-6">
          <div className="flex items-center gap-2 lg:hidden">
            <button
              type="button"
              className="inline-flex size-10 items-center justify-center rounded-lg hover:bg-surface-muted"
              aria-expanded={menuOpen}
              aria-controls="mobile-nav"
              aria-label={menuOpen ? "Close menu" : "Open menu"}
              onClick={() => setMenuOpen((open) => !open)}
            >
              <MenuIcon />
            </button>
            <Logo />
          </div>
          <div className="hidden lg:block" />
          <div className="flex items-center gap-1">
            <ThemeToggle />
            <UserMenu name={name} email={user.email} />
          </div>
        </header>
        {menuOpen && (
          <div id="mobile-nav" className="border-b border-line bg-surface px-4 py-4 lg:hidden">
            {nav(() => setMenuOpen(false))}
          </div>
        )}
        <main id="content" className="mx-auto grid w-full max-w-4xl gap-6 px-4 py-6 sm:px-6 sm:py-10">
          <Outlet />
        </main>
      </div>
    </div>
  );
}

function NavSection({ title, items, onNavigate }: { title: string; items: NavItem[]; onNavigate?: () => void }) {
  return (
    <div className="grid gap-1">
      <p className="px-3 text-xs font-semibold tracking-wide text-muted uppercase">{title}</p>
      <ul className="grid gap-0.5">
        {items.map(({ to, label, icon: NavIcon }) => (
          <li key={label}>
            <Link
              to={to}
              onClick={onNavigate}
              className="flex items-center gap-3 rounded-lg px-3 py-2 text-sm font-medium text-fg no-underline hover:bg-surface-muted"
              activeProps={{ className: "bg-accent-soft", "aria-current": "page" }}
            >
              <NavIcon className="text-muted" />
              {label}
            </Link>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function UserMenu({ name, email }: { name: string; email: string }) {
  const navigate = useNavigate();
  const initials = name.trim().slice(0, 1).toUpperCase() || "?";
  return (
    // Not modal: a modal menu hides the rest of the page with aria-hidden while it stays focusable.
    <DropdownMenu.Root modal={false}>
      <DropdownMenu.Trigger
        className="inline-flex items-center gap-2 rounded-lg py-1 pr-2 pl-1 hover:bg-surface-muted"
        data-testid="user-menu"
      >
        <span
          className="flex size-8 items-center justify-center rounded-full bg-accent text-sm font-semibold text-accent-fg"
          aria-hidden="true"
        >
          {initials}
        </span>
        <span className="sr-only">Account menu: </span>
        <span className="sr-only max-w-40 truncate text-sm font-medium sm:not-sr-only">{name}</span>
      </DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content
          align="end"
          sideOffset={6}
          className="z-50 min-w-56 rounded-xl border border-line bg-surface p-1 text-fg shadow-lg"
        >
          <DropdownMenu.Label className="px-3 py-2 text-sm">
            <span className="block font-semibold">{name}</span>
            <span className="block truncate text-muted">{email}</span>
          </DropdownMenu.Label>
          <DropdownMenu.Separator className="my-1 h-px bg-line" />
          <DropdownMenu.Item
            className="cursor-pointer rounded-lg px-3 py-2 text-sm outline-none data-highlighted:bg-surface-muted"
            onSelect={() => void navigate({ to: "/settings/profile" })}
          >
            Account settings
          </DropdownMenu.Item>
          <DropdownMenu.Item
            className="flex cursor-pointer items-center gap-2 rounded-lg px-3 py-2 text-sm outline-none data-highlighted:bg-surface-muted"
            onSelect={() => void signOut()}
          >
            <LogOutIcon width={16} height={16} /> Sign out
          </DropdownMenu.Item>
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}
