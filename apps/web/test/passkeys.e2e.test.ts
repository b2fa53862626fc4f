import { totpCodeAt } from "@tidings/auth";
import { bearer, signIn, trpcCall } from "@tidings/test-stack";
import { services, startTcpProxy } from "@tidings/testing";
import type { CDPSession, Page, Request } from "playwright-core";
import { describe, expect, it } from "vitest";
import { PASSWORD, screenshot, seriousViolations, signUpInBrowser, webStackForSuite } from "./web-stack.ts";

// Passkeys in Chromium with a virtual authenticator (the DevTools protocol's WebAuthn domain):
// the browser makes and uses real credentials, the server verifies them as it would a phone's.

const ready = services();

/** A platform authenticator with user verification, as a laptop's fingerprint reader would be. */
async function addVirtualAuthenticator(page: Page): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}

/** The code of the next 30 s step, which the server accepts (one step of clock drift) and no earlier use spent. */
const codeOfNextStep = (secret: string) => totpCodeAt(secret, new Date(Date.now() + 30_000));

/** The input of the auth.passkeyLogin call in a (batched) tRPC request the page sent. */
function passkeyLoginInput(request: Request): { response: { response: { clientDataJSON: string } } } {
  const paths = decodeURIComponent(new URL(request.url()).pathname.split("/trpc/")[1] ?? "").split(",");
  const body = request.postDataJSON() as Record<string, { json: unknown }>;
  return body[String(paths.indexOf("auth.passkeyLogin"))]?.json as ReturnType<typeof passkeyLoginInput>;
}

/** Collects every auth.passkeyLogin input the page sends and the server's answer, passing both on unchanged. */
async function capturePasskeyLogins(page: Page) {
  const sent: ReturnType<typeof passkeyLoginInput>[] = [];
  const answers: string[] = [];
  await page.route(
    (url) => url.pathname.includes("auth.passkeyLogin"),
    async (route) => {
      sent.push(passkeyLoginInput(route.request()));
      const response = await route.fetch();
      answers.push(await response.text());
      await route.fulfill({ response });
    },
  );
  return { sent, answers };
}

/** The origin the browser signed into an assertion (clientDataJSON, base64url JSON). */
const signedOrigin = (input: ReturnType<typeof passkeyLoginInput> | undefined) =>
  (
    JSON.parse(Buffer.from(input?.response.response.clientDataJSON ?? "", "base64url").toString("utf8")) as {
      origin: string;
    }
  ).origin;

async function signOutInBrowser(page: Page) {
  await page.getByRole("button", { name: /Account menu/ }).click();
  await page.getByRole("menuitem", { name: "Sign out" }).click();
  await page.waitForURL(/\/sign-in/);
}

describe.skipIf(!ready.postgres || !ready.redis || !ready.chromium)("passkeys in Chromium", () => {
  // WebAuthn needs a domain for its RP ID (an IP address is refused), so the app is at localhost.
  const suite = webStackForSuite({}, { host: "localhost" });

  it("registers a passkey on the Security page, signs out, signs in with it without a password, and removes it", async () => {
    const { page, context } = await suite.open();
    const email = "passkey@example.test";
    await signUpInBrowser(suite.web, page, email, "Pass Key");
    const { cdp, authenticatorId } = await addVirtualAuthenticator(page);

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Security", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "Security" }).waitFor();
    await page.getByTestId("no-passkeys").waitFor();
    await page.getByLabel("Name for a new passkey").fill("Work laptop");
    await page.getByRole("button", { name: "Add a passkey" }).click();
    await page.getByText("Passkey “Work laptop” added.", { exact: false }).waitFor();
    await page.getByTestId("passkey").filter({ hasText: "Work laptop" }).waitFor();
    const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
    expect(credentials).toHaveLength(1);
    expect(credentials[0]?.isResidentCredential).toBe(true);
    await screenshot(page, "security-passkeys");
    expect(await seriousViolations(page)).toEqual([]);

    await signOutInBrowser(page);
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    // Signed in without a password, back on the page the sign-out left.
    await page.waitForURL(/\/settings\/security$/);
    await page.getByRole("heading", { level: 1, name: "Security" }).waitFor();
    // The authenticator signed once more; the server stored the use.
    const after = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
    expect(after.credentials[0]?.signCount).toBeGreaterThan(0);

    const listed = page.getByTestId("passkey").filter({ hasText: "Work laptop" });
    await listed.getByText(/Last used/).waitFor();
    await listed.getByRole("button", { name: "Remove passkey Work laptop" }).click();
    await page.getByRole("alertdialog").getByRole("button", { name: "Remove passkey" }).click();
    await page.getByTestId("no-passkeys").waitFor();

    // The key is still in the authenticator, but the server no longer knows it.
    await signOutInBrowser(page);
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    await expect
      .poll(() => page.getByTestId("passkey-error").textContent())
      .toBe("That passkey was not accepted. Try again.");
    await screenshot(page, "sign-in-passkey-refused");
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  });

  it("refuses the browser's assertion replayed over HTTP, and a passkey used from another origin", async () => {
    const { page, context } = await suite.open();
    const email = "replay@example.test";
    await signUpInBrowser(suite.web, page, email, "Re Play");
    await addVirtualAuthenticator(page);
    await page.goto("/settings/security");
    await page.getByLabel("Name for a new passkey").fill("Desk");
    await page.getByRole("button", { name: "Add a passkey" }).click();
    await page.getByTestId("passkey").filter({ hasText: "Desk" }).waitFor();
    await signOutInBrowser(page);

    const { sent, answers } = await capturePasskeyLogins(page);
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    await page.waitForURL((url) => !url.pathname.startsWith("/sign-in"));
    expect(sent).toHaveLength(1);
    expect(signedOrigin(sent[0])).toBe(suite.web.url);
    // The very assertion that just signed in, sent again by someone who captured it: its challenge is spent.
    const server = suite.web.stack.servers[0]?.url ?? "";
    const replayed = await trpcCall(server, "mutation", "auth.passkeyLogin", sent[0]);
    expect(replayed.status).toBe(401);
    expect(replayed.error?.data).toMatchObject({ code: "UNAUTHORIZED", appCode: "MFA_INVALID" });

    // The same server reached at another origin (a look-alike site relaying to it): the browser
    // signs that origin into the assertion, and the server, expecting APP_URL's, refuses it.
    await signOutInBrowser(page);
    const proxy = await startTcpProxy({ host: "127.0.0.1", port: Number(new URL(server).port) });
    try {
      const elsewhere = `http://localhost:${proxy.port}`;
      await page.goto(`${elsewhere}/sign-in`);
      await page.getByRole("button", { name: "Sign in with a passkey" }).click();
      await expect
        .poll(() => page.getByTestId("passkey-error").textContent())
        .toBe("That passkey was not accepted. Try again.");
      expect(sent).toHaveLength(2);
      expect(signedOrigin(sent[1])).toBe(elsewhere);
      // Refused as an assertion (MFA_INVALID), not for anything else about the request.
      expect(answers[1]).toContain('"appCode":"MFA_INVALID"');
      expect(new URL(page.url()).pathname).toBe("/sign-in");
    } finally {
      await proxy.close();
    }

    // The passkey itself still works where it belongs.
    await page.goto("/sign-in");
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    await page.waitForURL((url) => !url.pathname.startsWith("/sign-in"));
    expect(sent).toHaveLength(3);
    await context.close();
  });

  it("offers the passkey as the second step of a password sign-in when two-factor is on", async () => {
    const { page, context } = await suite.open();
    const email = "second-step@example.test";
    await signUpInBrowser(suite.web, page, email, "Second Step");
    await addVirtualAuthenticator(page);
    await page.goto("/settings/security");
    await page.getByLabel("Name for a new passkey").fill("Phone");
    await page.getByRole("button", { name: "Add a passkey" }).click();
    await page.getByTestId("passkey").filter({ hasText: "Phone" }).waitFor();

    // Two-factor (TOTP) turned on through the API, as the account's owner would with an app.
    const server = suite.web.stack.servers[0]?.url ?? "";
    const { accessToken } = await signIn(server, email);
    const setup = await trpcCall<{ secret: string }>(
      server,
      "mutation",
      "mfa.totp.setup",
      undefined,
      bearer(accessToken),
    );
    const secret = setup.data?.secret ?? "";
    const enabled = await trpcCall(
      server,
      "mutation",
      "mfa.totp.enable",
      { code: totpCodeAt(secret, new Date()) },
      bearer(accessToken),
    );
    expect(enabled.status).toBe(200);

    await signOutInBrowser(page);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "Two-factor sign-in" }).waitFor();
    await screenshot(page, "sign-in-second-step");
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole("button", { name: "Use your passkey" }).click();
    await page.waitForURL(/\/settings\/security$/);
    await page.getByRole("heading", { level: 1, name: "Security" }).waitFor();
    await context.close();
  });

  it("sets up two-factor on the Security page from its key, signs in with a recovery code once, and turns it off", async () => {
    const { page, context } = await suite.open();
    const email = "two-factor@example.test";
    await signUpInBrowser(suite.web, page, email, "Two Factor");
    await page.goto("/settings/security");
    const section = page.getByTestId("two-factor");
    await section.getByRole("button", { name: "Turn on two-factor authentication" }).click();
    await section.getByTestId("totp-qr").waitFor();
    const secret = (await section.getByTestId("totp-secret").textContent()) ?? "";
    await screenshot(page, "security-two-factor-setup");
    expect(await seriousViolations(page)).toEqual([]);
    // A wrong code is refused in place; the app's current code turns it on.
    await section.getByLabel("Code from the app").fill("000000");
    await section.getByRole("button", { name: "Turn on" }).click();
    await section.locator('[role="alert"], #totp-code[aria-invalid="true"]').first().waitFor();
    await section.getByLabel("Code from the app").fill(totpCodeAt(secret, new Date()));
    await section.getByRole("button", { name: "Turn on" }).click();
    const codes = page.getByRole("list", { name: "Recovery codes" }).getByRole("listitem");
    await codes.first().waitFor();
    expect(await codes.count()).toBe(10);
    const recoveryCode = (await codes.first().textContent()) ?? "";
    const secondRecoveryCode = (await codes.nth(1).textContent()) ?? "";
    await screenshot(page, "security-recovery-codes");
    await page.getByRole("button", { name: "I have saved them" }).click();
    await section.getByText(/^On: .* 10 recovery codes left\./).waitFor();

    // Sign-in now asks for the second step; a recovery code works once.
    await signOutInBrowser(page);
    const passwordStep = async () => {
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      await page.getByRole("heading", { level: 1, name: "Two-factor sign-in" }).waitFor();
    };
    await passwordStep();
    await page.getByLabel("Authenticator or recovery code").fill(recoveryCode);
    await page.getByRole("button", { name: "Verify" }).click();
    await page.waitForURL((url) => !url.pathname.startsWith("/sign-in"));
    await signOutInBrowser(page);
    await passwordStep();
    await page.getByLabel("Authenticator or recovery code").fill(recoveryCode);
    await page.getByRole("button", { name: "Verify" }).click();
    await page.getByTestId("mfa-error").waitFor();
    await page.getByLabel("Authenticator or recovery code").fill(codeOfNextStep(secret));
    await page.getByRole("button", { name: "Verify" }).click();
    await page.waitForURL((url) => !url.pathname.startsWith("/sign-in"));

    // Turning it off takes the password and a code; afterwards the password alone signs in.
    await page.goto("/settings/security");
    await section.getByText(/9 recovery codes left/).waitFor();
    await section.locator("#off-password").fill(PASSWORD);
    // A second recovery code (the app's codes up to the one just used are spent).
    await section.getByLabel("Code from the app, or a recovery code").fill(secondRecoveryCode);
    await section.getByRole("button", { name: "Turn off two-factor" }).click();
    await section.getByRole("button", { name: "Turn on two-factor authentication" }).waitFor();
    await signOutInBrowser(page);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.waitForURL((url) => !url.pathname.startsWith("/sign-in"));
    await context.close();
  });
});
