import { providerUnderTest, testProvider } from "@tidings/jobs";
import { MailError } from "@tidings/mail";
import type { z } from "zod";
import { AppError } from "../../errors.ts";
import { aiDeps, assertAllowedBaseUrl, type Caller } from "./handlers.ts";
import type { aiTestProviderInput } from "./schema.ts";

export interface ProviderTestView {
  ok: boolean;
  model?: string;
  latencyMs?: number;
  error?: { code: "AI_PROVIDER_ERROR" | "AI_BUDGET_EXCEEDED" | "HOST_NOT_ALLOWED"; message: string };
}

/**
 * ai.testProvider: one tiny call through the saved settings with the form's unsaved ones laid over
 * them. Input problems (no base URL, a refused host) are errors naming the field; what the
 * provider did (refused the key, timed out, unreachable, budget spent) is the answer.
 */
export async function testProviderFor(
  { ctx, userId }: Caller,
  input: z.output<typeof aiTestProviderInput>,
): Promise<ProviderTestView> {
  const deps = aiDeps(ctx);
  const target = await providerUnderTest(deps, userId, input ?? {});
  if (target.settings.provider === "compatible") {
    if (!target.settings.baseUrl) {
      throw new AppError("INVALID_INPUT", "An OpenAI-compatible provider needs its base URL", {
        issues: [{ path: ["baseUrl"], message: "Enter the server's URL, e.g. http://127.0.0.1:11434/v1" }],
      });
    }
    await assertAllowedBaseUrl(ctx, target.settings.baseUrl);
  }
  const result = await testProvider(deps, userId, target);
  if (result.ok) return { ok: true, model: result.model, latencyMs: result.latencyMs };
  // The guard also runs inside the connection's DNS lookup (a name that now resolves inward).
  const refused = hostRefusal(result.cause);
  return {
    ok: false,
    model: result.model,
    ...(result.latencyMs === undefined ? {} : { latencyMs: result.latencyMs }),
    error: refused ? { code: "HOST_NOT_ALLOWED", message: refused.message } : result.error,
  };
}

function hostRefusal(error: unknown): MailError | undefined {
  for (let at = error, depth = 0; at && depth < 5; at = (at as { cause?: unknown }).cause, depth++) {
    if (at instanceof MailError && at.code === "HOST_NOT_ALLOWED") return at;
  }
  return undefined;
}
