// Checks of infra/ and docs/deployment.md: Prometheus config and alert rules through the real
// promtool, the Grafana dashboard and the alerts against the metrics a running server and worker
// really export, and the compose file, Dockerfile and env example against the config schema.
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { createKeyRing, parseSigningKeys } from "@tidings/auth";
import { envSchema } from "@tidings/config";
import { loadTestEnv } from "@tidings/config/test-env";
import { type AuthStack, startAuthStack } from "@tidings/test-stack";
import { repoRoot, services } from "@tidings/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";

const infra = resolve(repoRoot, "infra");
const read = (path: string) => readFileSync(resolve(repoRoot, path), "utf8");
const schemaVariables = new Set(Object.keys(envSchema.shape));

// ---------------------------------------------------------------------------------------------
// promtool

const promtoolVersion = spawnSync("promtool", ["--version"], { encoding: "utf8" });
const promtoolAvailable = promtoolVersion.status === 0;
if (!promtoolAvailable) {
  const line = "!".repeat(78);
  const consequence = loadTestEnv().requireServices
    ? "FAILING: CI=true / REQUIRE_SERVICES=1 requires it"
    : "SKIPPED: the promtool checks of infra/prometheus did not run";
  process.stdout.write(
    `\n${line}\n!! promtool not found on PATH (Debian: apt-get install prometheus)\n!! ${consequence}\n${line}\n\n`,
  );
}

function promtool(...args: string[]) {
  const run = spawnSync("promtool", args, { cwd: resolve(infra, "prometheus"), encoding: "utf8" });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe("Prometheus configuration (promtool)", () => {
  it("promtool is installed (required with CI=true or REQUIRE_SERVICES=1)", (context) => {
    if (!promtoolAvailable && !loadTestEnv().requireServices) context.skip();
    expect(promtoolAvailable, "promtool --version (Debian: apt-get install prometheus)").toBe(true);
  });

  describe.skipIf(!promtoolAvailable)("with promtool", () => {
    it("prometheus.yml passes promtool check config", () => {
      const result = promtool("check", "config", "prometheus.yml");
      expect(result.output).toContain("SUCCESS");
      expect(result.status, result.output).toBe(0);
    });

    it("alerts.yml passes promtool check rules", () => {
      const result = promtool("check", "rules", "alerts.yml");
      expect(result.status, result.output).toBe(0);
    });

    it("alerts.yml passes its unit tests (promtool test rules alerts.test.yml)", () => {
      const result = promtool("test", "rules", "alerts.test.yml");
      expect(result.status, result.output).toBe(0);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// PromQL: which metric names an expression uses

const PROMQL_WORDS = new Set([
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "and",
  "or",
  "unless",
  "bool",
  "offset",
  "inf",
  "nan",
]);

/** The metric names an expression selects: identifiers that are not functions, keywords, labels or strings. */
function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""') // string literals
    .replace(/\{[^}]*\}/g, " ") // label matchers
    .replace(/\[[^\]]*\]/g, " ") // ranges and subqueries
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ") // label lists
    .replace(/\$\{?\w+\}?/g, " "); // Grafana variables
  const names = new Set<string>();
  for (const match of stripped.matchAll(/(?<![\w.$])([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)) {
    const [, name = "", call] = match;
    if (call || PROMQL_WORDS.has(name.toLowerCase())) continue;
    names.add(name);
  }
  return [...names];
}

describe("metricNames", () => {
  it("finds the metrics of an expression and nothing else", () => {
    expect(
      metricNames(
        'histogram_quantile(0.99, sum by (le, procedure) (rate(tidings_trpc_request_duration_seconds_bucket{status!="ok"}[$__rate_interval])))',
      ),
    ).toEqual(["tidings_trpc_request_duration_seconds_bucket"]);
    expect(metricNames('absent(up{job="tidings-server"} == 1)')).toEqual(["up"]);
    expect(metricNames("max(tidings_outbox_backlog) > 100\nand\nmax(deriv(tidings_outbox_backlog[15m])) > 0")).toEqual([
      "tidings_outbox_backlog",
    ]);
    expect(metricNames("sum(a) / ignoring(x) group_left(y) b offset 5m")).toEqual(["a", "b"]);
  });
});

// ---------------------------------------------------------------------------------------------
// The dashboard and the alert rules

interface Panel {
  type: string;
  title?: string;
  datasource?: { type: string; uid: string };
  targets?: { expr?: string }[];
  panels?: Panel[];
}

const dashboardText = read("infra/grafana/dashboards/tidings.json");

function dashboardQueries(): { panel: string; expr: string }[] {
  const dashboard = JSON.parse(dashboardText) as { panels: Panel[] };
  const queries: { panel: string; expr: string }[] = [];
  const visit = (panels: Panel[]) => {
    for (const panel of panels) {
      for (const target of panel.targets ?? []) queries.push({ panel: panel.title ?? "?", expr: target.expr ?? "" });
      visit(panel.panels ?? []);
    }
  };
  visit(dashboard.panels);
  return queries;
}

interface RuleGroup {
  name: string;
  rules: { alert?: string; record?: string; expr: string; for?: string; labels?: Record<string, string> }[];
}

function alertRules() {
  return (parseYaml(read("infra/prometheus/alerts.yml")) as { groups: RuleGroup[] }).groups.flatMap(
    (group) => group.rules,
  );
}

describe("Grafana dashboard and alert rules (static)", () => {
  it("the dashboard parses, has a uid and uses the provisioned datasource", () => {
    const dashboard = JSON.parse(dashboardText) as { uid: string; panels: Panel[] };
    expect(dashboard.uid).toBeTruthy();
    const datasources = parseYaml(read("infra/grafana/provisioning/datasources/prometheus.yml")) as {
      datasources: { uid: string; url: string }[];
    };
    const uid = datasources.datasources[0]?.uid;
    for (const panel of dashboard.panels.filter((p) => p.type !== "row")) {
      expect(panel.datasource?.uid, panel.title).toBe(uid);
    }
  });

  it("every dashboard query names at least one metric", () => {
    const queries = dashboardQueries();
    expect(queries.length).toBeGreaterThan(20);
    for (const { panel, expr } of queries) expect(metricNames(expr), `${panel}: ${expr}`).not.toEqual([]);
  });

  it("covers the metrics the brief lists", () => {
    const used = new Set(dashboardQueries().flatMap(({ expr }) => metricNames(expr)));
    for (const name of [
      "tidings_http_requests_total",
      "tidings_http_request_duration_seconds_bucket",
      "tidings_trpc_requests_total",
      "tidings_trpc_request_duration_seconds_bucket",
      "tidings_auth_sign_ins_total",
      "tidings_auth_lockouts_total",
      "tidings_auth_refresh_reuse_detected_total",
      "tidings_rate_limit_rejections_total",
      "tidings_active_sessions",
      "tidings_outbox_backlog",
      "tidings_queue_jobs",
      "tidings_job_duration_seconds_bucket",
      "tidings_emails_sent_total",
      "tidings_emails_failed_total",
      "process_cpu_seconds_total",
      "process_resident_memory_bytes",
      "nodejs_eventloop_lag_seconds",
    ]) {
      expect(used, name).toContain(name);
    }
  });

  it("every alert has a severity, a summary and a description, and names a metric", () => {
    const rules = alertRules();
    expect(rules.map((rule) => rule.alert)).toEqual(
      expect.arrayContaining([
        "TidingsHigh5xxRate",
        "TidingsLoginFailureSpike",
        "TidingsRefreshTokenReuse",
        "TidingsOutboxBacklogGrowing",
        "TidingsJobsFailing",
        "TidingsPostgresDown",
        "TidingsRedisDown",
        "TidingsTargetDown",
      ]),
    );
    const doc = parseYaml(read("infra/prometheus/alerts.yml")) as {
      groups: { rules: { alert: string; annotations?: Record<string, string> }[] }[];
    };
    for (const rule of doc.groups.flatMap((group) => group.rules)) {
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
      expect(rule.annotations?.description, rule.alert).toBeTruthy();
    }
    for (const rule of rules) {
      expect(["critical", "warning", "info"], rule.alert).toContain(rule.labels?.severity);
      expect(rule.for, `${rule.alert} has an explicit for:`).toMatch(/^\d+[smh]$/);
      expect(metricNames(rule.expr), rule.alert).not.toEqual([]);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Against the real exports: a production-mode server and worker, scraped

/** Metric names in a Prometheus text exposition, with _bucket/_sum/_count for histograms (and summaries). */
function exportedNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const line of exposition.split("\n")) {
    const type = line.match(/^# TYPE (\S+) (\w+)/);
    if (type) {
      const [, name = "", kind] = type;
      names.add(name);
      if (kind === "histogram") for (const suffix of ["_bucket", "_sum", "_count"]) names.add(name + suffix);
      if (kind === "summary") for (const suffix of ["_sum", "_count"]) names.add(name + suffix);
      continue;
    }
    const sample = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/);
    if (sample?.[1]) names.add(sample[1]);
  }
  return names;
}

/** Series Prometheus makes itself for every target; no app exports them. */
const PROMETHEUS_SERIES = new Set(["up"]);

const servicesUp = services().postgres && services().redis;

describe.skipIf(!servicesUp)("dashboard and alerts against the metrics a running server and worker export", () => {
  let stack: AuthStack | undefined;
  let serverExposition = "";
  let workerExposition = "";

  beforeAll(async () => {
    stack = await startAuthStack();
    const serverUrl = stack.servers[0]?.url ?? "";
    serverExposition = await (await fetch(`${serverUrl}/metrics`)).text();
    // The worker opens its metrics port before it says "worker started".
    workerExposition = await (await fetch(stack.workerMetricsUrl)).text();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const exported = () => new Set([...exportedNames(serverExposition), ...exportedNames(workerExposition)]);

  it("the server and the worker both answer /metrics with tidings_ metrics", () => {
    expect([...exportedNames(serverExposition)].some((name) => name.startsWith("tidings_"))).toBe(true);
    expect([...exportedNames(workerExposition)].some((name) => name.startsWith("tidings_"))).toBe(true);
  });

  it("every metric the dashboard names is exported", () => {
    const names = exported();
    const missing = dashboardQueries().flatMap(({ panel, expr }) =>
      metricNames(expr)
        .filter((name) => !names.has(name) && !PROMETHEUS_SERIES.has(name))
        .map((name) => `${name} (panel "${panel}")`),
    );
    expect(missing).toEqual([]);
  });

  it("every metric the alert rules name is exported", () => {
    const names = exported();
    const missing = alertRules().flatMap((rule) =>
      metricNames(rule.expr)
        .filter((name) => !names.has(name) && !PROMETHEUS_SERIES.has(name))
        .map((name) => `${name} (alert ${rule.alert})`),
    );
    expect(missing).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// docker-compose.yml, the Dockerfile and the env example

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string; target?: string };
  command?: string[] | string;
  environment?: Record<string, string>;
  env_file?: string | string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] | string };
}

const composeText = read("infra/docker-compose.yml");
const compose = parseYaml(composeText, { merge: true }) as { services: Record<string, ComposeService> };
const dockerfile = read("infra/Dockerfile");

/** Variables docker-compose.yml and infra/.env.example use that Tidings itself does not read. */
const COMPOSE_ONLY_VARIABLES = new Set([
  "POSTGRES_PASSWORD",
  "GRAFANA_ADMIN_PASSWORD",
  "TIDINGS_HTTP_PORT",
  "TIDINGS_VERSION",
]);

/** The stages of a Dockerfile: name -> its lines. */
function dockerStages(text: string): Map<string, string[]> {
  const stages = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of text.replace(/\\\n/g, " ").split("\n")) {
    const from = line.match(/^FROM\s+\S+(?:\s+AS\s+(\S+))?/i);
    if (from) {
      current = [];
      stages.set(from[1] ?? `#${stages.size}`, current);
    }
    current?.push(line);
  }
  return stages;
}

describe("docker-compose.yml, Dockerfile and .env.example (static)", () => {
  it("has every service, with Postgres and Redis on volumes with health checks", () => {
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining(["postgres", "redis", "migrate", "server", "worker", "prometheus", "grafana"]),
    );
    for (const name of ["postgres", "redis"]) {
      const service = compose.services[name];
      expect(service?.volumes?.length, name).toBeGreaterThan(0);
      expect(service?.healthcheck?.test, name).toBeTruthy();
    }
    expect(compose.services.postgres?.image).toMatch(/^postgres:1[5-9]/);
  });

  it("runs Redis with noeviction and the append-only file", () => {
    const command = [compose.services.redis?.command ?? []].flat().join(" ");
    expect(command).toMatch(/--maxmemory-policy\s+noeviction/);
    expect(command).toMatch(/--appendonly\s+yes/);
  });

  it("builds server, worker and migrate from infra/Dockerfile, and migrates before server and worker start", () => {
    const targets: Record<string, string> = { server: "server", worker: "worker", migrate: "server" };
    for (const [name, target] of Object.entries(targets)) {
      const build = compose.services[name]?.build;
      expect(build?.dockerfile, name).toBe("infra/Dockerfile");
      expect(resolve(infra, build?.context ?? ""), name).toBe(repoRoot);
      expect(build?.target, name).toBe(target);
    }
    expect([compose.services.migrate?.command].flat().join(" ")).toBe("node dist/migrate.js");
    for (const name of ["server", "worker"]) {
      expect(compose.services[name]?.depends_on?.migrate?.condition, name).toBe("service_completed_successfully");
    }
  });

  it("mounts the Prometheus and Grafana files where their configs expect them", () => {
    expect(compose.services.prometheus?.volumes).toContain("./prometheus:/etc/prometheus:ro");
    const grafanaVolumes = compose.services.grafana?.volumes ?? [];
    expect(grafanaVolumes).toContain("./grafana/provisioning:/etc/grafana/provisioning:ro");
    const providers = parseYaml(read("infra/grafana/provisioning/dashboards/tidings.yml")) as {
      providers: { options: { path: string } }[];
    };
    const dashboardsPath = providers.providers[0]?.options.path;
    expect(grafanaVolumes).toContain(`./grafana/dashboards:${dashboardsPath}:ro`);
  });

  it("gives the app containers only variables the config schema knows", () => {
    for (const name of ["migrate", "server", "worker"]) {
      const service = compose.services[name];
      expect(service?.env_file, name).toBe(".env");
      for (const variable of Object.keys(service?.environment ?? {})) {
        expect(schemaVariables.has(variable), `${name}: ${variable}`).toBe(true);
      }
    }
    for (const [, variable] of composeText.matchAll(/\$\{(\w+)/g)) {
      expect(COMPOSE_ONLY_VARIABLES.has(variable ?? "") || schemaVariables.has(variable ?? ""), variable).toBe(true);
    }
  });

  it(".env.example names only schema or compose variables and holds no secret value", () => {
    const text = read("infra/.env.example");
    const names = [...text.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map(([, name = ""]) => name);
    expect(names.length).toBeGreaterThan(5);
    for (const name of names) {
      expect(COMPOSE_ONLY_VARIABLES.has(name) || schemaVariables.has(name), name).toBe(true);
    }
    for (const secret of ["POSTGRES_PASSWORD", "GRAFANA_ADMIN_PASSWORD", "ENCRYPTION_KEY", "SMTP_URL"]) {
      expect(text, secret).toMatch(new RegExp(`^${secret}=$`, "m"));
    }
    // infra/.env, where the real values go, is git-ignored (check-ignore exits 0 for an ignored path).
    expect(spawnSync("git", ["check-ignore", "-q", "infra/.env"], { cwd: repoRoot }).status).toBe(0);
  });

  it("builds with pnpm deploy, runs as a non-root user, checks health and bakes in no secret", () => {
    const stages = dockerStages(dockerfile);
    expect(dockerfile).toMatch(/pnpm --filter @tidings\/server --prod .*deploy/);
    expect(dockerfile).toMatch(/pnpm --filter @tidings\/worker --prod .*deploy/);
    expect(dockerfile).toMatch(/pnpm --filter @tidings\/web build/);
    const build = (stages.get("build") ?? []).join("\n");
    for (const app of ["server", "worker"]) {
      // The bundle is built before the deploy copies the app's "files" (dist) into the image.
      expect(build.indexOf(`--filter @tidings/${app} `), app).toBeLessThan(
        build.indexOf(`--filter @tidings/${app} --prod`),
      );
      expect(build, app).toMatch(
        new RegExp(`pnpm (--filter @tidings/\\w+ )*--filter @tidings/${app} (--filter @tidings/\\w+ )*build`),
      );
      const manifest = JSON.parse(read(`apps/${app}/package.json`)) as { files?: string[] };
      expect(manifest.files, app).toEqual(["dist"]);
    }
    for (const target of ["server", "worker"]) {
      const lines = stages.get(target) ?? [];
      expect(lines.length, `stage ${target}`).toBeGreaterThan(0);
      // Compiled JavaScript, run by plain node: tsx is not in the image.
      const cmd = lines.find((line) => /^CMD\s/.test(line)) ?? "";
      expect(JSON.parse(cmd.replace(/^CMD\s+/, "")), target).toEqual(["node", "--enable-source-maps", "dist/main.js"]);
      const users = lines.filter((line) => /^USER\s/.test(line)).map((line) => line.split(/\s+/)[1]);
      expect(users.length, `stage ${target} sets USER`).toBeGreaterThan(0);
      expect(["root", "0", "0:0"]).not.toContain(users.at(-1));
      expect(
        lines.some((line) => /^HEALTHCHECK\s/.test(line)),
        `stage ${target} HEALTHCHECK`,
      ).toBe(true);
    }
    expect((stages.get("server") ?? []).join("\n")).toMatch(/HEALTHCHECK.*\/healthz/);
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:22-[a-z]+-slim$/m);
    const secretNames = [
      "ENCRYPTION_KEY",
      "JWT_PRIVATE_KEYS",
      "SMTP_URL",
      "DATABASE_URL",
      "REDIS_URL",
      "METRICS_TOKEN",
    ];
    const instructions = dockerfile.replace(/\\\n/g, " ").split("\n");
    for (const line of instructions.filter((l) => /^(ENV|ARG)\s/.test(l))) {
      for (const secret of secretNames) expect(line, line).not.toContain(secret);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// docs/deployment.md: the key-generation command does what the guide says

describe("docs/deployment.md JWT key command", () => {
  const guide = read("docs/deployment.md");
  const block = guide.match(/<!-- jwt-key-command:start -->([\s\S]*?)<!-- jwt-key-command:end -->/)?.[1] ?? "";
  const script = block.match(/node -e '([\s\S]*?)'\n/)?.[1] ?? "";
  const run = (args: string[], env: Record<string, string> = {}) =>
    execFileSync(process.execPath, ["-e", script, ...args], {
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "", ...env },
    }).trim();

  it("prints a JWK Set the server accepts, and appends a verify-only key with a lower iat", async () => {
    expect(script).toContain("generateKeyPairSync");
    const first = run([]);
    const [current] = parseSigningKeys(first);
    expect(current?.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Math.abs((current?.createdAt.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);

    // Rotation step 1: the new key verifies, the current one still signs.
    const both = run(["1"], { JWT_PRIVATE_KEYS: first });
    const keys = parseSigningKeys(both);
    expect(keys).toHaveLength(2);
    const ring = await createKeyRing(keys);
    expect(ring.signingKey.kid).toBe(current?.kid);
    expect(ring.jwks().keys.map((key) => key.kid)).toEqual(keys.map((key) => key.kid));
    expect(JSON.stringify(ring.jwks())).not.toContain('"d"');
  });
});
