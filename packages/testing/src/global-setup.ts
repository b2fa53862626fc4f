import type { TestProject } from "vitest/node";
import { dropStaleTestDatabases } from "./database.ts";
import { missingServices, probeServices, type ServiceStatus } from "./services.ts";

/**
 * Probes Postgres, Redis and Chromium once per run. With CI=true or REQUIRE_SERVICES=1 a missing
 * one fails the run here; otherwise the tests that need it skip, and this says so loudly.
 */
export default async function setup(project: TestProject) {
  // Each project runs this setup; the probe and the banner happen once per run.
  const shared = globalThis as { tidingsServiceProbe?: Promise<ServiceStatus> };
  const first = !shared.tidingsServiceProbe;
  shared.tidingsServiceProbe ??= probeServices();
  const status = await shared.tidingsServiceProbe;
  const missing = missingServices(status);
  if (missing.length && status.requireServices) {
    throw new Error(
      `Required test services are not reachable (CI=true or REQUIRE_SERVICES=1):\n  ${missing.join("\n  ")}`,
    );
  }
  if (first && status.postgres.available) await dropStaleTestDatabases(status.postgres.url);
  project.provide("services", status);
  const banner = () => {
    if (!missing.length || !first) return;
    const line = "!".repeat(78);
    process.stdout.write(
      `\n${line}\n!! SKIPPED: tests needing these services did not run:\n!!   ${missing.join("\n!!   ")}\n` +
        `!! Database tests ran on PGlite instead of PostgreSQL where possible.\n${line}\n\n`,
    );
  };
  banner();
  return banner;
}
