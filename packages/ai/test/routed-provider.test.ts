import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AiDisabledError, createOpenAiProvider, createRoutedProvider, defaultModelPrices } from "../src/index.ts";
import { completion, startFakeOpenAi } from "./fake-openai.ts";
import { email, me, memoryMeter } from "./fixtures.ts";

let fake: Awaited<ReturnType<typeof startFakeOpenAi>>;
beforeAll(async () => {
  fake = await startFakeOpenAi((request) => {
    const format = (request.body.response_format as { json_schema?: { schema?: { properties?: object } } }).json_schema;
    const isDraft = "subject" in (format?.schema?.properties ?? {});
    const answer = isDraft
      ? { subject: "Re: Quarterly numbers", text: "Here they are." }
      : {
          priority: "normal",
          category: "work",
          needsReply: true,
          summary: "From the cloud.",
          actionItems: [],
          reasons: [],
        };
    return { json: completion(JSON.stringify(answer)) };
  });
});
afterAll(() => fake?.close());

function routed() {
  return createRoutedProvider({
    cloud: createOpenAiProvider({
      kind: "compatible",
      apiKey: undefined,
      baseUrl: fake.baseUrl,
      models: { triage: "m", summary: "m", draft: "m" },
      prices: defaultModelPrices,
      timeoutMs: 5_000,
      maxRetries: 0,
    }),
    exclusions: { accountIds: ["account-private"], senders: ["doctor@clinic.example", "@bank.example"] },
  });
}

describe("routing between the cloud and the local provider", () => {
  it("never sends excluded accounts or senders, nor bulk mail, to the cloud", async () => {
    const provider = routed();
    const context = { meter: memoryMeter().meter, recipient: me };
    const before = fake.requests.length;
    const local = await Promise.all([
      provider.analyze(email({ accountId: "account-private" }), context),
      provider.analyze(email({ from: { name: "Dr", email: "Doctor@Clinic.example" } }), context),
      provider.analyze(email({ from: { name: "Bank", email: "alerts@mail.bank.example" } }), context),
      provider.analyze(email({ headers: { "list-id": "<news.example>" } }), context),
      provider.analyze(email({ from: { name: "", email: "no-reply@shop.example" } }), context),
    ]);
    expect(local.map((analysis) => analysis.provider)).toEqual(["local", "local", "local", "local", "local"]);
    await expect(
      provider.summarizeThread([email(), email({ id: "m2", accountId: "account-private" })], context),
    ).resolves.toMatchObject({ provider: "local" });
    await expect(
      provider.draftReply(
        [email({ from: { name: "Dr", email: "doctor@clinic.example" } })],
        { tone: "neutral", instructions: undefined, styleSamples: [] },
        context,
      ),
    ).rejects.toBeInstanceOf(AiDisabledError);
    expect(fake.requests.length).toBe(before);

    // Ordinary mail from others does go to the cloud.
    const cloud = await provider.analyze(email({ from: { name: "", email: "ada@notbank.example" } }), context);
    expect(cloud).toMatchObject({ provider: "compatible", summary: "From the cloud." });
    expect(fake.requests.length).toBe(before + 1);
    // Without a key nothing pretends to have one.
    expect(fake.requests.at(-1)?.headers.authorization).toBe("Bearer not-needed");
  });
});
