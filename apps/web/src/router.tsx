import type { QueryClient } from "@tanstack/react-query";
import {
  createRootRouteWithContext,
  createRoute,
  createRouter,
  lazyRouteComponent,
  Outlet,
  redirect,
} from "@tanstack/react-router";
import { mailFolderRoles, mailPriorities } from "@tidings/api/schemas";
import { z } from "zod";
import { restoreSession } from "./auth/session.ts";
import { sessionStore } from "./auth/session-store.ts";
import { AppShell } from "./components/AppShell.tsx";
import { AuthLayout } from "./components/AuthLayout.tsx";
import { securityEventLabels } from "./lib/security-events.ts";
import { AdminOnly } from "./pages/admin/AdminOnly.tsx";
import { AcceptInvitationPage } from "./pages/auth/AcceptInvitationPage.tsx";
import { AccountDeletedPage } from "./pages/auth/AccountDeletedPage.tsx";
import { CheckEmailPage } from "./pages/auth/CheckEmailPage.tsx";
import { ConfirmEmailChangePage } from "./pages/auth/ConfirmEmailChangePage.tsx";
import { ForgotPasswordPage } from "./pages/auth/ForgotPasswordPage.tsx";
import { ResetPasswordPage } from "./pages/auth/ResetPasswordPage.tsx";
import { SignInPage } from "./pages/auth/SignInPage.tsx";
import { SignUpPage } from "./pages/auth/SignUpPage.tsx";
import { UnlockAccountPage } from "./pages/auth/UnlockAccountPage.tsx";
import { VerifyEmailPage } from "./pages/auth/VerifyEmailPage.tsx";
import { LandingPage } from "./pages/LandingPage.tsx";
import { NotFoundPage } from "./pages/NotFoundPage.tsx";

/** Search params are input from a URL: anything unexpected is dropped rather than trusted. */
function searchOf<Shape extends z.ZodRawShape>(shape: Shape) {
  const schema = z.object(shape);
  return (search: Record<string, unknown>): z.output<typeof schema> => {
    const result: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(shape)) {
      const parsed = (field as z.ZodType).safeParse(search[key]);
      if (parsed.success && parsed.data !== undefined) result[key] = parsed.data;
    }
    return result as z.output<typeof schema>;
  };
}

const token = z.string().max(512).optional();

// The pages behind sign-in load on demand, so the first page a visitor sees stays small.

const rootRoute = createRootRouteWithContext<{ queryClient: QueryClient }>()({
  component: Outlet,
  notFoundComponent: NotFoundPage,
});

async function isSignedIn(): Promise<boolean> {
  await restoreSession();
  return sessionStore.getState().status === "signed-in";
}

const landingRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/",
  beforeLoad: async () => {
    if (await isSignedIn()) throw redirect({ to: "/dashboard" });
  },
  component: LandingPage,
});

const devMailboxRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/dev/mailbox",
  component: lazyRouteComponent(() => import("./pages/DevMailboxPage.tsx"), "DevMailboxPage"),
});

const publicLayout = createRoute({ getParentRoute: () => rootRoute, id: "_public", component: AuthLayout });

/** Sign-in and sign-up make no sense to someone already signed in. */
const signedOutOnly = async () => {
  if (await isSignedIn()) throw redirect({ to: "/dashboard" });
};

const signInRoute = createRoute({
  getParentRoute: () => publicLayout,
  path: "/sign-in",
  validateSearch: searchOf({
    reason: z.enum(["session-ended", "signed-out", "password-reset"]).optional(),
    redirect: z.string().max(2048).optional(),
  }),
  beforeLoad: signedOutOnly,
  component: SignInPage,
});

const signUpRoute = createRoute({
  getParentRoute: () => publicLayout,
  path: "/sign-up",
  beforeLoad: signedOutOnly,
  component: SignUpPage,
});

const checkEmailRoute = createRoute({
  getParentRoute: () => publicLayout,
  path: "/check-email",
  component: CheckEmailPage,
});

const verifyEmailRoute = createRoute({
  getParentRoute: () => publicLayout,
  path: "/verify-email",
  validateSearch: searchOf({ token }),
  component: VerifyEmailPage,
});

const forgotPasswordRoute = createRoute({
  getParentRoute: () => publicLayout,
  path: "/forgot-password",
  component: ForgotPasswordPage,
});

const resetPasswordRoute = createRoute({
  getParentRoute: () => publicLayout,
  path: "/reset-password",
  validateSearch: searchOf({ token }),
  component: ResetPasswordPage,
});

const unlockAccountRoute = createRoute({
  getParentRoute: () => publicLayout,
  path: "/unlock-account",
  validateSearch: searchOf({ token }),
  component: UnlockAccountPage,
});

// The `invitation` email links to /accept-invite; /accept-invitation is kept as a spelled-out alias.
const acceptInviteRoute = createRoute({
  getParentRoute: () => publicLayout,
  path: "/accept-invite",
  validateSearch: searchOf({ token }),
  component: AcceptInvitationPage,
});
const acceptInvitationRoute = createRoute({
  getParentRoute: () => publicLayout,
  path: "/accept-invitation",
  validateSearch: searchOf({ token }),
  component: AcceptInvitationPage,
});

/** Public: the link in the `email-change` email may be opened signed out, or on another device. */
const confirmEmailChangeRoute = createRoute({
  getParentRoute: () => publicLayout,
  path: "/confirm-email-change",
  validateSearch: searchOf({ token }),
  component: ConfirmEmailChangePage,
});

/** Where deleting an account lands; no guard, since the session ends just after the tab gets here. */
const accountDeletedRoute = createRoute({
  getParentRoute: () => publicLayout,
  path: "/account-deleted",
  component: AccountDeletedPage,
});

const appLayout = createRoute({
  getParentRoute: () => rootRoute,
  id: "_app",
  beforeLoad: async ({ location }) => {
    if (!(await isSignedIn())) throw redirect({ to: "/sign-in", search: { redirect: location.href } });
  },
  component: AppShell,
});

const dashboardRoute = createRoute({
  getParentRoute: () => appLayout,
  path: "/dashboard",
  validateSearch: searchOf({ welcome: z.boolean().optional() }),
  component: lazyRouteComponent(() => import("./pages/DashboardPage.tsx"), "DashboardPage"),
});

const settingsIndexRoute = createRoute({
  getParentRoute: () => appLayout,
  path: "/settings",
  beforeLoad: () => {
    throw redirect({ to: "/settings/profile" });
  },
});
const profileRoute = createRoute({
  getParentRoute: () => appLayout,
  path: "/settings/profile",
  component: lazyRouteComponent(() => import("./pages/settings/ProfilePage.tsx"), "ProfilePage"),
});
const passwordRoute = createRoute({
  getParentRoute: () => appLayout,
  path: "/settings/password",
  component: lazyRouteComponent(() => import("./pages/settings/PasswordPage.tsx"), "PasswordPage"),
});
const sessionsRoute = createRoute({
  getParentRoute: () => appLayout,
  path: "/settings/sessions",
  component: lazyRouteComponent(() => import("./pages/settings/SessionsPage.tsx"), "SessionsPage"),
});
const securityRoute = createRoute({
  getParentRoute: () => appLayout,
  path: "/settings/security",
  component: lazyRouteComponent(() => import("./pages/settings/SecurityPage.tsx"), "SecurityPage"),
});
const activityRoute = createRoute({
  getParentRoute: () => appLayout,
  path: "/settings/activity",
  component: lazyRouteComponent(() => import("./pages/settings/ActivityPage.tsx"), "ActivityPage"),
});
const accountRoute = createRoute({
  getParentRoute: () => appLayout,
  path: "/settings/account",
  component: lazyRouteComponent(() => import("./pages/settings/AccountPage.tsx"), "AccountPage"),
});
const aiSettingsRoute = createRoute({
  getParentRoute: () => appLayout,
  path: "/settings/ai",
  component: lazyRouteComponent(() => import("./ai/AiSettingsPage.tsx"), "AiSettingsPage"),
});
const aiUsageRoute = createRoute({
  getParentRoute: () => appLayout,
  path: "/settings/ai/usage",
  component: lazyRouteComponent(() => import("./ai/AiUsagePage.tsx"), "AiUsagePage"),
});

const adminLayout = createRoute({
  getParentRoute: () => appLayout,
  id: "_admin",
  component: AdminOnly,
});
const adminUsersRoute = createRoute({
  getParentRoute: () => adminLayout,
  path: "/admin/users",
  component: lazyRouteComponent(() => import("./pages/admin/AdminUsersPage.tsx"), "AdminUsersPage"),
});
const adminEventsRoute = createRoute({
  getParentRoute: () => adminLayout,
  path: "/admin/events",
  validateSearch: searchOf({
    userId: z.uuid().optional(),
    type: z.enum(Object.keys(securityEventLabels) as [keyof typeof securityEventLabels]).optional(),
  }),
  component: lazyRouteComponent(() => import("./pages/admin/AdminEventsPage.tsx"), "AdminEventsPage"),
});
const adminInvitationsRoute = createRoute({
  getParentRoute: () => adminLayout,
  path: "/admin/invitations",
  component: lazyRouteComponent(() => import("./pages/admin/AdminInvitationsPage.tsx"), "AdminInvitationsPage"),
});

// Mail has a frame of its own: full-height panes instead of the account pages' centred column.
const mailLayout = createRoute({
  getParentRoute: () => rootRoute,
  id: "_mail",
  beforeLoad: async ({ location }) => {
    if (!(await isSignedIn())) throw redirect({ to: "/sign-in", search: { redirect: location.href } });
  },
  component: lazyRouteComponent(() => import("./mail/MailShell.tsx"), "MailShell"),
});
const mailRoute = createRoute({
  getParentRoute: () => mailLayout,
  path: "/mail",
  validateSearch: searchOf({
    role: z.enum(mailFolderRoles).optional(),
    folder: z.uuid().optional(),
    account: z.uuid().optional(),
    q: z.string().max(1000).optional(),
    unread: z.boolean().optional(),
    starred: z.boolean().optional(),
    attachments: z.boolean().optional(),
    needsReply: z.boolean().optional(),
    priority: z.enum(mailPriorities).optional(),
    sort: z.enum(["date", "priority"]).optional(),
    thread: z.uuid().optional(),
  }),
  component: lazyRouteComponent(() => import("./mail/InboxPage.tsx"), "InboxPage"),
});
const mailConnectRoute = createRoute({
  getParentRoute: () => mailLayout,
  path: "/mail/connect",
  component: lazyRouteComponent(() => import("./mail/ConnectMailboxPage.tsx"), "ConnectMailboxPage"),
});
const mailSettingsRoute = createRoute({
  getParentRoute: () => mailLayout,
  path: "/mail/settings",
  component: lazyRouteComponent(() => import("./mail/MailSettingsPage.tsx"), "MailSettingsPage"),
});

const routeTree = rootRoute.addChildren([
  landingRoute,
  devMailboxRoute,
  publicLayout.addChildren([
    signInRoute,
    signUpRoute,
    checkEmailRoute,
    verifyEmailRoute,
    forgotPasswordRoute,
    resetPasswordRoute,
    unlockAccountRoute,
    acceptInviteRoute,
    acceptInvitationRoute,
    confirmEmailChangeRoute,
    accountDeletedRoute,
  ]),
  appLayout.addChildren([
    dashboardRoute,
    settingsIndexRoute,
    profileRoute,
    passwordRoute,
    sessionsRoute,
    activityRoute,
    securityRoute,
    accountRoute,
    aiSettingsRoute,
    aiUsageRoute,
    adminLayout.addChildren([adminUsersRoute, adminEventsRoute, adminInvitationsRoute]),
  ]),
  mailLayout.addChildren([mailRoute, mailConnectRoute, mailSettingsRoute]),
]);

export function createAppRouter(queryClient: QueryClient) {
  return createRouter({ routeTree, context: { queryClient }, defaultPreload: "intent", scrollRestoration: true });
}

declare module "@tanstack/react-router" {
  interface Register {
    router: ReturnType<typeof createAppRouter>;
  }
  interface HistoryState {
    /** The address sign-up sent its link to, for the check-email page: kept out of the URL. */
    checkEmail?: string;
  }
}
