import { accountRouter } from "./router/account.ts";
import { adminRouter } from "./router/admin.ts";
import { aiRouter } from "./router/ai/index.ts";
import { authRouter } from "./router/auth/index.ts";
import { devMailboxRouter } from "./router/dev-mailbox.ts";
import { healthRouter } from "./router/health.ts";
import { mailRouter } from "./router/mail/index.ts";
import { mailAccountRouter } from "./router/mail-account/index.ts";
import { mfaRouter } from "./router/mfa.ts";
import { sessionRouter } from "./router/session.ts";
import { createTRPCRouter } from "./trpc.ts";

export const appRouter = createTRPCRouter({
  health: healthRouter,
  auth: authRouter,
  session: sessionRouter,
  account: accountRouter,
  admin: adminRouter,
  devMailbox: devMailboxRouter,
  mailAccount: mailAccountRouter,
  mfa: mfaRouter,
  mail: mailRouter,
  ai: aiRouter,
});

export type AppRouter = typeof appRouter;
