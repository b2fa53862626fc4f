import { Counter, Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { BoundCounter, BoundHistogram } from "../src/metrics/bound-series.ts";

// The bound series must read exactly like prom-client's own metrics: same exposition text for the
// same events, default labels included, so dashboards and alerts cannot tell them apart.
function registries() {
  const ours = new Registry();
  const theirs = new Registry();
  for (const registry of [ours, theirs]) registry.setDefaultLabels({ service: "server" });
  return { ours, theirs };
}

describe("bound metric series", () => {
  it("a counter exports what prom-client's Counter exports for the same increments", async () => {
    const { ours, theirs } = registries();
    const options = {
      name: "t_requests_total",
      help: "Requests, by method and status",
      labelNames: ["method", "status"],
    };
    const bound = new BoundCounter({ ...options, registers: [ours] });
    const reference = new Counter({ ...options, registers: [theirs] });
    const getOk = bound.series("GET", "200");
    const postBad = bound.series("POST", "400");
    for (let i = 0; i < 5; i++) getOk.inc();
    postBad.inc(3);
    bound.series("GET", "200").inc(); // binding again gives the same series
    reference.labels("GET", "200").inc(6);
    reference.labels("POST", "400").inc(3);
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });

  it("a histogram exports cumulative buckets, +Inf, _sum and _count as prom-client's Histogram does", async () => {
    const { ours, theirs } = registries();
    const options = {
      name: "t_duration_seconds",
      help: "Durations, by route",
      labelNames: ["route"],
      buckets: [0.01, 0.1, 1],
    };
    const bound = new BoundHistogram({ ...options, registers: [ours] });
    const reference = new Histogram({ ...options, registers: [theirs] });
    // On a bound, inside, past the last bound, and zero.
    const samples = { "/a": [0.01, 0.05, 0.5, 2, 0], "/b": [0.2] };
    for (const [route, values] of Object.entries(samples)) {
      const series = bound.series(route);
      for (const value of values) {
        series.observe(value);
        reference.labels(route).observe(value);
      }
    }
    const text = await ours.metrics();
    expect(text).toBe(await theirs.metrics());
    expect(text).toContain('t_duration_seconds_bucket{le="0.1",service="server",route="/a"} 3');
    expect(text).toContain('t_duration_seconds_bucket{le="+Inf",service="server",route="/a"} 5');
    // The JSON form too (prom-client adds empty exemplars, which these series do not have).
    const withoutExemplars = async (registry: Registry) =>
      (await registry.getMetricsAsJSON()).map((metric) => ({
        ...metric,
        values: metric.values.map((value) => {
          const { exemplar: _, ...rest } = value as typeof value & { exemplar?: unknown };
          return rest;
        }),
      }));
    expect(await withoutExemplars(ours)).toEqual(await withoutExemplars(theirs));
  });

  it("refuses a wrong number of label values; resetMetrics zeroes series that callers keep using", async () => {
    const { ours, theirs } = registries();
    const options = { name: "t_total", help: "t", labelNames: ["a", "b"] };
    const bound = new BoundCounter({ ...options, registers: [ours] });
    const reference = new Counter({ ...options, registers: [theirs] });
    expect(() => bound.series("only-one")).toThrow(/takes 2 label values, got 1/);
    const series = bound.series("x", "y");
    series.inc(4);
    reference.labels("x", "y").inc(4);
    for (const registry of [ours, theirs]) registry.resetMetrics();
    series.inc();
    reference.labels("x", "y").inc();
    const text = await ours.metrics();
    expect(text).toContain('t_total{a="x",b="y",service="server"} 1');
    expect(text).toBe(await theirs.metrics());

    const histogram = new BoundHistogram({
      name: "t_seconds",
      help: "t",
      labelNames: [],
      buckets: [1],
      registers: [ours],
    });
    const timing = histogram.series();
    timing.observe(0.5);
    ours.resetMetrics();
    timing.observe(2);
    expect(await ours.metrics()).toMatch(
      /t_seconds_bucket\{le="1",service="server"\} 0\nt_seconds_bucket\{le="\+Inf",service="server"\} 1\nt_seconds_sum\{service="server"\} 2\n/,
    );
  });
});
