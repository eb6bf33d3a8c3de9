import type { Registry } from 'prom-client';

// A histogram with one label whose values are known at start-up (the gateway's APIs), kept as
// plain numbers: an observation is a bucket search and three additions. prom-client's own
// Histogram validates and hashes the labels on every observation, which showed in the gateway's
// CPU profile (~2% of a proxied request); the exposition is the same, built at scrape time.

export interface HistogramChild {
  observe(value: number): void;
}

interface Series {
  readonly labelValue: string;
  readonly counts: Float64Array; // per bucket, not cumulative
  sum: number;
  count: number;
}

interface ExposedValue {
  readonly labels: Readonly<Record<string, string | number>>;
  readonly value: number;
  readonly metricName: string;
}

export class PlainHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly name: string;
  readonly help: string;
  readonly #labelName: string;
  readonly #buckets: readonly number[];
  readonly #series = new Map<string, Series>();

  constructor(options: { name: string; help: string; labelName: string; buckets: readonly number[]; registry: Registry }) {
    this.name = options.name;
    this.help = options.help;
    this.#labelName = options.labelName;
    this.#buckets = [...options.buckets].sort((a, b) => a - b);
    // prom-client's registry takes any object with a name and get() of this shape.
    options.registry.registerMetric(this as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  /** The series of one label value, created once (at start-up) and observed without lookups. */
  labels(labelValue: string): HistogramChild {
    let series = this.#series.get(labelValue);
    if (!series) {
      series = { labelValue, counts: new Float64Array(this.#buckets.length), sum: 0, count: 0 };
      this.#series.set(labelValue, series);
    }
    const buckets = this.#buckets;
    const target = series;
    return {
      observe(value: number): void {
        if (!Number.isFinite(value)) return;
        target.sum += value;
        target.count += 1;
        for (let i = 0; i < buckets.length; i++) {
          if (value <= (buckets[i] as number)) {
            target.counts[i] = (target.counts[i] as number) + 1;
            return;
          }
        }
      },
    };
  }

  async get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: ExposedValue[] }> {
    const values: ExposedValue[] = [];
    const bucketName = `${this.name}_bucket`;
    for (const series of this.#series.values()) {
      if (series.count === 0) continue; // as prom-client: a series appears with its first observation
      const label = this.#labelName;
      let cumulative = 0;
      this.#buckets.forEach((bound, i) => {
        cumulative += series.counts[i] as number;
        values.push({ labels: { le: bound, [label]: series.labelValue }, value: cumulative, metricName: bucketName });
      });
      values.push({ labels: { le: '+Inf', [label]: series.labelValue }, value: series.count, metricName: bucketName });
      values.push({ labels: { [label]: series.labelValue }, value: series.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { [label]: series.labelValue }, value: series.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    for (const series of this.#series.values()) {
      series.counts.fill(0);
      series.sum = 0;
      series.count = 0;
    }
  }
}
