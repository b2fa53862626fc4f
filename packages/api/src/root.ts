import { accountRouter } from "./router/account.ts";
import { adminRouter } from "./router/admin.ts";
import { authRouter } from "./router/auth/index.ts";
import { devMailboxRouter } from "./router/dev-mailbox.ts";
import { healthRouter } from "./router/health.ts";
import { mailAccountRouter } from "./router/mail-account/index.ts";
import { mailSendProcedures } from "./router/mail-send/index.ts";
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
  mail: { ...mailSendProcedures },
});

export type AppRouter = typeof appRouter;
