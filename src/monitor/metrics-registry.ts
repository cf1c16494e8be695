import { DesError, ErrorCode } from "../core/index.ts";
import { CallbackFamily, type LabelledSample } from "./callback-family.ts";
import { Counter } from "./counter.ts";
import { Gauge } from "./gauge.ts";
import { Histogram, type HistogramOptions, type HistogramSnapshot } from "./histogram.ts";
import { DEFAULT_MAX_SERIES, type Labels } from "./metric-family.ts";
import { MetricName } from "./metric-name.ts";

/** One counter or gauge series in a JSON snapshot. */
export interface ValueSample {
  readonly labels: Labels;
  readonly value: number;
}

/** One histogram series in a JSON snapshot. */
export type HistogramSample = { readonly labels: Labels } & HistogramSnapshot;

/** The JSON view of a registry: every series, by metric name. */
export interface MetricsSnapshot {
  readonly counters: Record<string, ValueSample[]>;
  readonly gauges: Record<string, ValueSample[]>;
  readonly histograms: Record<string, HistogramSample[]>;
}

/** Options of a registry. */
export interface MetricsRegistryOptions {
  /** Most label combinations one family may hold (default 50,000); see MetricFamily. */
  readonly maxSeriesPerMetric?: number;
}

type Family = Counter | Gauge | Histogram | CallbackFamily;

/**
 * The set of metrics of one process, exposed as a JSON snapshot and as Prometheus text.
 * Registering a name twice with the same type and labels returns the existing metric (so two
 * components may share one); with a different type or labels it throws.
 */
export class MetricsRegistry {
  readonly #families = new Map<string, Family>();
  readonly #ordered: Family[] = [];
  // Every exposed sample name, including a summary's _sum and _count, so no two families collide.
  readonly #sampleNames = new Set<string>();
  readonly #maxSeries: number;
  readonly #failures: CallbackFamily;

  constructor(options: MetricsRegistryOptions = {}) {
    const max = options.maxSeriesPerMetric ?? DEFAULT_MAX_SERIES;
    if (!Number.isInteger(max) || max < 1) {
      throw new DesError(
        ErrorCode.InvalidConfig,
        `maxSeriesPerMetric must be a positive integer, got ${max}`,
        {
          maxSeriesPerMetric: max,
        },
      );
    }
    this.#maxSeries = max;
    // Rendered after every other family, so it includes the failures of the same collection.
    this.#failures = new CallbackFamily(
      MetricName.MetricsCollectFailures,
      "Collections of callback metrics that failed (the callback threw or returned the wrong shape).",
      "counter",
      [],
      () => this.#collectFailures(),
    );
    this.#families.set(this.#failures.name, this.#failures);
    this.#sampleNames.add(this.#failures.name);
  }

  /** Returns the counter of that name, registering it on first call. */
  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    const existing = this.#existing(name, "counter", labelNames);
    if (existing !== undefined) return existing as Counter;
    return this.#add(new Counter(name, help, labelNames, this.#maxSeries));
  }

  /** Returns the gauge of that name, registering it on first call. */
  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    const existing = this.#existing(name, "gauge", labelNames);
    if (existing !== undefined) return existing as Gauge;
    return this.#add(new Gauge(name, help, labelNames, this.#maxSeries));
  }

  /** Returns the histogram of that name, registering it on first call. */
  histogram(name: string, help: string, options: HistogramOptions = {}): Histogram {
    const existing = this.#existing(name, "summary", options?.labelNames ?? []);
    if (existing !== undefined) return existing as Histogram;
    return this.#add(new Histogram(name, help, options, this.#maxSeries));
  }

  /** Registers an unlabelled gauge whose value is read from the callback at collection time. */
  gaugeFn(name: string, help: string, read: () => number): void {
    this.#addCallback(new CallbackFamily(name, help, "gauge", [], read));
  }

  /** Registers an unlabelled counter whose value is read from the callback at collection time. */
  counterFn(name: string, help: string, read: () => number): void {
    this.#addCallback(new CallbackFamily(name, help, "counter", [], read));
  }

  /** Registers a labelled counter or gauge whose samples are read from the callback at collection time. */
  samplesFn(
    name: string,
    help: string,
    type: "counter" | "gauge",
    labelNames: readonly string[],
    read: () => Iterable<LabelledSample>,
  ): void {
    this.#addCallback(new CallbackFamily(name, help, type, labelNames, read));
  }

  /** Returns the metric registered under that name. */
  get(name: string): Counter | Gauge | Histogram | CallbackFamily | undefined {
    return this.#families.get(name);
  }

  /** Returns the registered metric names, in registration order. */
  names(): string[] {
    return [...this.#ordered.map((f) => f.name), this.#failures.name];
  }

  /** Returns a plain-object snapshot of every series. */
  toJSON(): MetricsSnapshot {
    const counters: Record<string, ValueSample[]> = {};
    const gauges: Record<string, ValueSample[]> = {};
    const histograms: Record<string, HistogramSample[]> = {};
    for (const family of this.#ordered) {
      if (family instanceof Histogram) histograms[family.name] = family.snapshot();
      else if (family instanceof CallbackFamily) {
        (family.type === "counter" ? counters : gauges)[family.name] = family.collect();
      } else if (family instanceof Counter) counters[family.name] = family.snapshot();
      else gauges[family.name] = family.snapshot();
    }
    counters[this.#failures.name] = this.#failures.collect();
    return { counters, gauges, histograms };
  }

  /** Returns every metric in the Prometheus text format (0.0.4). */
  toPrometheus(): string {
    let out = "";
    for (let i = 0; i < this.#ordered.length; i++) out += this.#ordered[i]!.renderPrometheus();
    return out + this.#failures.renderPrometheus();
  }

  #existing(name: string, type: string, labelNames: readonly string[]): Family | undefined {
    const existing = this.#families.get(name);
    if (existing === undefined) return undefined;
    const sameLabels =
      Array.isArray(labelNames) &&
      existing.labelNames.length === labelNames.length &&
      existing.labelNames.every((l, i) => l === labelNames[i]);
    if (existing instanceof CallbackFamily || existing.type !== type || !sameLabels) {
      throw new DesError(
        ErrorCode.InvalidConfig,
        `metric ${name} is already registered as a ${existing.type} with labels [${existing.labelNames.join(", ")}]`,
        { metric: name },
      );
    }
    return existing;
  }

  #add<F extends Family>(family: F): F {
    const sampleNames =
      family instanceof Histogram
        ? [family.name, `${family.name}_sum`, `${family.name}_count`]
        : [family.name];
    for (const sampleName of sampleNames) {
      if (this.#sampleNames.has(sampleName)) {
        throw new DesError(
          ErrorCode.InvalidConfig,
          `metric ${family.name} would expose ${sampleName}, which another metric already exposes`,
          { metric: family.name },
        );
      }
    }
    for (const sampleName of sampleNames) this.#sampleNames.add(sampleName);
    this.#families.set(family.name, family);
    this.#ordered.push(family);
    return family;
  }

  #addCallback(family: CallbackFamily): void {
    if (this.#families.has(family.name)) {
      throw new DesError(ErrorCode.InvalidConfig, `metric ${family.name} is already registered`, {
        metric: family.name,
      });
    }
    this.#add(family);
  }

  #collectFailures(): number {
    let total = 0;
    for (const family of this.#ordered) if (family instanceof CallbackFamily) total += family.failures;
    return total;
  }
}
