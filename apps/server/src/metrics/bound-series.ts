import type { Registry } from "prom-client";

/**
 * Counters and histograms for the per-request metrics, with each label set bound once. prom-client
 * hashes and validates the labels on every `inc`/`observe`, even through a `labels()` child; at
 * four samples per tRPC request that was about a tenth of a small request's cost. Here a bound
 * series is a few numbers that the hot path adds to, and the labels are only formatted at scrape
 * time. Both register with a prom-client Registry and read like its own metrics there.
 */

interface MetricOptions<L extends string> {
  name: string;
  help: string;
  labelNames: readonly L[];
  registers: Registry[];
}

type LabelValues = Record<string, string | number>;

interface MetricValue {
  labels: LabelValues;
  /** The series' own labels, kept apart in the text format (after `le`) as prom-client does. */
  sharedLabels?: LabelValues;
  value: number;
  metricName?: string;
}

interface MetricData {
  name: string;
  help: string;
  type: string;
  aggregator: string;
  values: MetricValue[];
}

/** The shape a prom-client Registry reads (`get`) and resets (`reset`). */
interface RegistryMetric {
  name: string;
  help: string;
  type: "counter" | "histogram";
  aggregator: "sum";
  get(): Promise<MetricData>;
  getForPromString(): Promise<MetricData>;
  reset(): void;
}

abstract class BoundMetric<L extends string, S> implements RegistryMetric {
  abstract readonly type: "counter" | "histogram";
  readonly aggregator = "sum" as const;
  readonly name: string;
  readonly help: string;
  private readonly labelNames: readonly L[];
  private readonly bound = new Map<string, { labels: LabelValues; series: S }>();

  constructor(options: MetricOptions<L>) {
    this.name = options.name;
    this.help = options.help;
    this.labelNames = options.labelNames;
    for (const registry of options.registers) registry.registerMetric(this as never);
  }

  /** The series for these label values, in `labelNames` order; bind once and keep it. */
  protected bind(values: readonly string[]): S {
    if (values.length !== this.labelNames.length) {
      throw new Error(`${this.name} takes ${this.labelNames.length} label values, got ${values.length}`);
    }
    const key = JSON.stringify(values);
    let entry = this.bound.get(key);
    if (!entry) {
      const labels: LabelValues = {};
      this.labelNames.forEach((name, index) => {
        labels[name] = values[index] as string;
      });
      entry = { labels, series: this.newSeries() };
      this.bound.set(key, entry);
    }
    return entry.series;
  }

  protected abstract newSeries(): S;
  protected abstract zero(series: S): void;
  protected abstract valuesOf(labels: LabelValues, series: S): MetricValue[];

  /** For JSON: each value with all its labels. */
  async get(): Promise<MetricData> {
    const data = await this.getForPromString();
    const values = data.values.map(({ labels, sharedLabels, ...rest }) => ({
      ...rest,
      labels: { ...labels, ...sharedLabels },
    }));
    return { ...data, values };
  }

  /** For the text format. */
  async getForPromString(): Promise<MetricData> {
    const values: MetricValue[] = [];
    for (const { labels, series } of this.bound.values()) values.push(...this.valuesOf(labels, series));
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** Back to zero in place: callers keep their bound series, which must go on being exported. */
  reset(): void {
    for (const { series } of this.bound.values()) this.zero(series);
  }
}

export interface CounterSeries {
  inc(by?: number): void;
}

export class BoundCounter<L extends string> extends BoundMetric<L, CounterSeries & { value: number }> {
  readonly type = "counter" as const;

  /** A series that starts at 0 (so it is exported before its first event). */
  series(...values: string[]): CounterSeries {
    return this.bind(values);
  }

  protected newSeries() {
    return {
      value: 0,
      inc(by = 1) {
        this.value += by;
      },
    };
  }

  protected zero(series: { value: number }): void {
    series.value = 0;
  }

  protected valuesOf(labels: LabelValues, series: { value: number }): MetricValue[] {
    return [{ labels, value: series.value }];
  }
}

export interface HistogramSeries {
  observe(value: number): void;
}

interface HistogramState extends HistogramSeries {
  /** Per bucket (not cumulative), one slot per upper bound and a last one for +Inf. */
  counts: number[];
  sum: number;
  count: number;
}

export class BoundHistogram<L extends string> extends BoundMetric<L, HistogramState> {
  readonly type = "histogram" as const;
  private readonly upperBounds: readonly number[];

  constructor(options: MetricOptions<L> & { buckets: readonly number[] }) {
    super(options);
    this.upperBounds = [...options.buckets].sort((a, b) => a - b);
  }

  series(...values: string[]): HistogramSeries {
    return this.bind(values);
  }

  protected newSeries(): HistogramState {
    const bounds = this.upperBounds;
    return {
      counts: new Array<number>(bounds.length + 1).fill(0),
      sum: 0,
      count: 0,
      observe(value: number) {
        if (!Number.isFinite(value)) return;
        let index = 0;
        while (index < bounds.length && value > (bounds[index] as number)) index++;
        this.counts[index] = (this.counts[index] ?? 0) + 1;
        this.sum += value;
        this.count++;
      },
    };
  }

  protected zero(series: HistogramState): void {
    series.counts.fill(0);
    series.sum = 0;
    series.count = 0;
  }

  protected valuesOf(labels: LabelValues, series: HistogramState): MetricValue[] {
    const values: MetricValue[] = [];
    const bucket = `${this.name}_bucket`;
    let cumulative = 0;
    this.upperBounds.forEach((bound, index) => {
      cumulative += series.counts[index] ?? 0;
      values.push({ labels: { le: bound }, sharedLabels: labels, value: cumulative, metricName: bucket });
    });
    values.push({ labels: { le: "+Inf" }, sharedLabels: labels, value: series.count, metricName: bucket });
    values.push({ labels: {}, sharedLabels: labels, value: series.sum, metricName: `${this.name}_sum` });
    values.push({ labels: {}, sharedLabels: labels, value: series.count, metricName: `${this.name}_count` });
    return values;
  }
}
