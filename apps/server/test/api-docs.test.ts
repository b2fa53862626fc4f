import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { Validator } from "@seriousme/openapi-schema-validator";
import { type AuthStack, PASSWORD, signUp, startAuthStack } from "@tidings/test-stack";
import { launchChromium, repoRoot, services } from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const EMAIL = "documented@example.test";

interface OpenApiDocument {
  openapi: string;
  servers?: { url: string }[];
  paths: Record<string, Record<string, { operationId?: string; security?: Record<string, string[]>[] }>>;
  components: { securitySchemes: Record<string, { type: string; flows?: { password?: { tokenUrl: string } } }> };
}

describe.skipIf(!services().postgres || !services().redis)("OpenAPI description and the /docs viewer", () => {
  let stack: AuthStack;
  let url: string;

  beforeAll(async () => {
    stack = await startAuthStack();
    url = stack.servers[0]?.url ?? "";
  });
  afterAll(() => stack?.stop());

  it("/openapi.json is valid OpenAPI 3.1, and a client driven by it signs in and calls auth.me", async () => {
    await signUp(stack, EMAIL);
    const documentUrl = new URL("/openapi.json", url);
    const response = await fetch(documentUrl);
    expect(response.status).toBe(200);
    const document = (await response.json()) as OpenApiDocument;
    const validator = new Validator();
    const result = await validator.validate(document as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");

    // Everything below comes from the document: the API base, the token URL, auth.me's path and method.
    const base = new URL(document.servers?.[0]?.url ?? "/", documentUrl);
    const oauth = Object.values(document.components.securitySchemes).find((scheme) => scheme.type === "oauth2");
    const tokenUrl = new URL(oauth?.flows?.password?.tokenUrl ?? "", base);
    const [mePath, meMethod, meOperation] =
      Object.entries(document.paths)
        .flatMap(([path, item]) => Object.entries(item).map(([method, op]) => [path, method, op] as const))
        .find(([, , op]) => op.operationId === "auth.me") ?? [];
    expect(mePath).toBeDefined();
    expect(meOperation?.security?.length).toBeGreaterThan(0);
    // The contract's other routes and procedures are described too.
    for (const path of ["/healthz", "/readyz", "/.well-known/jwks.json", "/oauth/token", "/trpc/auth.login"]) {
      expect(Object.keys(document.paths)).toContain(path);
    }

    const token = await fetch(tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "password", username: EMAIL, password: PASSWORD }),
    });
    expect(token.status).toBe(200);
    const tokens = (await token.json()) as { access_token: string; token_type: string };
    expect(tokens.token_type).toBe("Bearer");

    const me = await fetch(new URL(`.${mePath}`, base), {
      method: meMethod?.toUpperCase(),
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(me.status).toBe(200);
    const body = (await me.json()) as { result: { data: { json: { email: string } } } };
    expect(body.result.data.json.email).toBe(EMAIL);
  });

  it.skipIf(!services().chromium)(
    "/docs renders the operations in Chromium under the CSP; a person authorises and tries auth.me",
    async () => {
      const browser = await launchChromium();
      try {
        const page = await browser.newPage();
        const violations: string[] = [];
        page.on("console", (message) => {
          if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
        });
        await page.addInitScript(
          'document.addEventListener("securitypolicyviolation", (e) => console.error("Refused to: CSP violation " + e.violatedDirective + " " + e.blockedURI));',
        );
        const external: string[] = [];
        page.on("request", (request) => {
          if (!request.url().startsWith(url) && !request.url().startsWith("data:")) external.push(request.url());
        });
        const response = await page.goto(new URL("/docs", url).href);
        expect(response?.status()).toBe(200);
        expect(response?.headers()["content-security-policy"]).toContain("script-src 'self'");
        await page.getByText("/trpc/auth.login", { exact: true }).first().waitFor({ timeout: 30_000 });
        for (const path of ["/trpc/auth.me", "/trpc/auth.register", "/oauth/token", "/healthz"]) {
          await expect(page.getByText(path, { exact: true }).first().isVisible(), path).resolves.toBe(true);
        }
        // A person authorises with the password flow, then tries auth.me.
        await page
          .getByRole("button", { name: /Authorize/ })
          .first()
          .click();
        const passwordFlow = page.locator(".auth-container", { hasText: "Flow: password" });
        await passwordFlow.locator("#oauth_username").fill(EMAIL);
        await passwordFlow.locator("#oauth_password").fill(PASSWORD);
        await passwordFlow.locator("button.authorize").click();
        await passwordFlow.locator("button", { hasText: "Logout" }).waitFor({ timeout: 10_000 });
        await page.locator(".modal-ux button.btn-done").first().click();
        await page.getByText("/trpc/auth.me", { exact: true }).first().click();
        const operation = page.locator(".opblock", { has: page.getByText("/trpc/auth.me", { exact: true }) });
        await operation.locator("button.execute").click();
        await operation.locator(".live-responses-table").getByText(EMAIL, { exact: false }).first().waitFor({
          timeout: 10_000,
        });

        const screenshots = join(repoRoot, "test-results", "screenshots");
        await mkdir(screenshots, { recursive: true });
        await page.screenshot({ path: join(screenshots, "docs.png"), fullPage: true });
        expect(violations).toEqual([]);
        expect(external).toEqual([]);
      } finally {
        await browser.close();
      }
    },
  );
});
