import { sql } from "@tidings/db";
import {
  type AuthResultBody,
  type AuthStack,
  PASSWORD,
  signIn,
  startAuthStack,
  tokenFromEmail,
  trpcCall,
} from "@tidings/test-stack";
import { services } from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// S6 (one account per email, whatever its case and surrounding spaces) and S7 with
// AUTH_REQUIRE_VERIFIED_EMAIL=false (the default, true, is shown by auth-flow.test.ts).

describe.skipIf(!services().postgres || !services().redis)(
  "accounts: email identity and AUTH_REQUIRE_VERIFIED_EMAIL=false (S6, S7)",
  () => {
    let stack: AuthStack;
    let url: string;

    beforeAll(async () => {
      stack = await startAuthStack({ env: { AUTH_REQUIRE_VERIFIED_EMAIL: "false" } });
      url = stack.servers[0]?.url ?? "";
    });
    afterAll(() => stack?.stop());

    const db = () => stack.testDb.handle.db;
    const register = (email: string, password = PASSWORD) =>
      trpcCall(url, "mutation", "auth.register", { email, password, displayName: "Grace" });
    const accountsLike = async (pattern: string) => {
      const { rows } = await sql<{ id: string; email: string; email_normalized: string }>`
        select id, email, email_normalized from users where email_normalized like ${pattern}`.execute(db());
      return rows;
    };
    const linkToken = (text = "") => decodeURIComponent(/\?token=([A-Za-z0-9_%-]+)/.exec(text)?.[1] ?? "");
    const mailsTo = (to: string, subject: RegExp) =>
      stack.smtp.accepted.filter((mail) => mail.to.toLowerCase() === to.toLowerCase() && subject.test(mail.subject));

    it("S6: Grace.Hopper@Example.test, grace.hopper@example.test and ' GRACE.HOPPER@EXAMPLE.TEST ' are one account", async () => {
      const original = "Grace.Hopper@Example.test";
      expect((await register(original)).data).toEqual({ status: "verification_sent" });
      for (const variant of [
        "grace.hopper@example.test",
        " GRACE.HOPPER@EXAMPLE.TEST ",
        "\tgrace.HOPPER@example.Test\n",
      ]) {
        // The same answer as for a new address (S5), and no second account.
        const again = await register(variant, "another long passphrase for 2 accounts");
        expect(again.status).toBe(200);
        expect(again.data).toEqual({ status: "verification_sent" });
      }
      const accounts = await accountsLike("%hopper%");
      expect(accounts).toHaveLength(1);
      expect(accounts[0]?.email_normalized).toBe("grace.hopper@example.test");

      // The owner got one verification link and, for each repeat, an "account exists" notice.
      await expect.poll(() => mailsTo(original, /already have a Tidings account/).length, { timeout: 20_000 }).toBe(3);
      expect(mailsTo(original, /./).filter((mail) => /verify-email\?token=/.test(mail.text))).toHaveLength(1);

      // The repeats did not replace the password: only the first one signs in, under any spelling.
      const token = linkToken(mailsTo(original, /./).find((mail) => /verify-email\?token=/.test(mail.text))?.text);
      const verified = await trpcCall<AuthResultBody>(url, "mutation", "auth.verifyEmail", {
        token,
        refreshTokenTransport: "body",
      });
      expect(verified.status).toBe(200);
      for (const spelling of [original, "grace.hopper@example.test", "  GRACE.hopper@EXAMPLE.test  "]) {
        expect((await signIn(url, spelling)).user.id).toBe(accounts[0]?.id);
        const wrong = await trpcCall(url, "mutation", "auth.login", {
          email: spelling,
          password: "another long passphrase for 2 accounts",
        });
        expect(wrong.error?.data.appCode).toBe("INVALID_CREDENTIALS");
      }

      // A reset requested under another spelling reaches the one account.
      expect(
        (await trpcCall(url, "mutation", "auth.requestPasswordReset", { email: "GRACE.HOPPER@example.test" })).data,
      ).toEqual({
        status: "ok",
      });
      await expect
        .poll(() => mailsTo(original, /./).filter((mail) => /reset-password\?token=/.test(mail.text)).length, {
          timeout: 20_000,
        })
        .toBe(1);
    });

    it("S6: compatibility (NFKC) forms of an address never make a second account", async () => {
      // Full-width letters and a combining accent fold to the ASCII address under NFKC; the API
      // refuses such addresses as input, so they cannot name another account.
      for (const variant of [
        "ＧＲＡＣＥ.ＨＯＰＰＥＲ@example.test",
        "grace.hopper@ｅｘａｍｐｌｅ.test",
        "grace.hopper\u200b@example.test",
      ]) {
        const answer = await register(variant, "yet another passphrase to try here");
        expect(answer.status).toBe(400);
        expect(answer.error?.data.appCode).toBe("INVALID_INPUT");
        expect(answer.error?.data.issues).toEqual([expect.objectContaining({ path: ["email"] })]);
        const login = await trpcCall(url, "mutation", "auth.login", { email: variant, password: PASSWORD });
        expect(login.error?.data.appCode).toBe("INVALID_INPUT");
      }
      expect(await accountsLike("%hopper%")).toHaveLength(1);
    });

    it("S7: with AUTH_REQUIRE_VERIFIED_EMAIL=false an unverified account signs in, and stays unverified until the link is used", async () => {
      const email = "unverified@example.test";
      expect((await register(email)).data).toEqual({ status: "verification_sent" });
      const signedIn = await signIn(url, email);
      expect(signedIn.user).toMatchObject({ email, emailVerified: false });

      const token = await tokenFromEmail(stack.smtp, email, "verify-email");
      const verified = await trpcCall<AuthResultBody>(url, "mutation", "auth.verifyEmail", {
        token,
        refreshTokenTransport: "body",
      });
      expect(verified.data?.user).toMatchObject({ id: signedIn.user.id, emailVerified: true });
      expect((await signIn(url, email)).user.emailVerified).toBe(true);
    });
  },
);
