import { describe, expect, it } from "vitest";
import { mjmlCompileCount, render, templateNames, warmTemplates } from "../src/index.ts";
import { appUrl, sampleData } from "./fixtures.ts";

// Order matters in this file: it starts from a fresh module (vitest isolates test files), so the
// first test sees templates that have never been compiled.
describe("MJML compilation", () => {
  it("compiles a template exactly once, on its first render", async () => {
    const before = mjmlCompileCount();
    await render("welcome", sampleData.welcome, { appUrl });
    expect(mjmlCompileCount()).toBe(before + 1);
    await render("welcome", sampleData.welcome, { appUrl });
    expect(mjmlCompileCount()).toBe(before + 1);
  }, 30_000);

  it("shares one compile between concurrent first renders", async () => {
    const before = mjmlCompileCount();
    await Promise.all([1, 2, 3].map(() => render("password-reset", sampleData["password-reset"], { appUrl })));
    expect(mjmlCompileCount()).toBe(before + 1);
  }, 30_000);

  it("warmTemplates compiles the rest, once each", async () => {
    const before = mjmlCompileCount();
    await warmTemplates();
    expect(mjmlCompileCount()).toBe(before + templateNames.length - 2);
    await warmTemplates();
    expect(mjmlCompileCount()).toBe(before + templateNames.length - 2);
  }, 60_000);

  it("never runs MJML again after warming, however many emails are sent", async () => {
    const before = mjmlCompileCount();
    for (let i = 0; i < 1000; i += 1) {
      const name = templateNames[i % templateNames.length];
      if (!name) throw new Error("unreachable");
      const email = await render(name, sampleData[name] as never, { appUrl });
      expect(email.html).toContain("<html");
    }
    expect(mjmlCompileCount()).toBe(before);
  });
});
