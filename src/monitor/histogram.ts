import { build, JsHistogram } from "hdr-histogram-js";
import { DesError, ErrorCode } from "../core/index.ts";
import { type ChildIdentity, type Labels, MetricFamily } from "./metric-family.ts";
import { PrometheusText } from "./prometheus-text.ts";

/** Default highest value a histogram tracks: 60 s in microseconds. */
export const DEFAULT_HIGHEST_TRACKABLE_VALUE = 60_000_000;
/** The largest highest-trackable value: the index arithmetic works on unsigned 32-bit integers. */
export const MAX_HIGHEST_TRACKABLE_VALUE = 0xffff_ffff;

/** The quantiles every histogram reports, as exposed in the `quantile` label. */
export const HISTOGRAM_QUANTILES = ["0.5", "0.9", "0.99", "0.999"] as const;
// Ranks are computed as ceil(count * PERMILLE / 1000) in exact integer arithmetic.
const QUANTILE_PERMILLE = [500, 900, 990, 999] as const;
// Counts are also summed per block of 64 HDR slots, so a percentile read skips whole blocks.
const BLOCK_SHIFT = 6;
const BLOCK_SIZE = 1 << BLOCK_SHIFT;

/** How a histogram is built. */
export interface HistogramOptions {
  readonly labelNames?: readonly string[];
  /**
   * The highest value tracked (integer microseconds; default 60 s). A larger value is recorded as
   * this value and counted in `clamped`.
   */
  readonly highestTrackableValue?: number;
  /** Decimal digits of precision kept at every magnitude (default 3: within 0.1 %). */
  readonly significantDigits?: 1 | 2 | 3 | 4 | 5;
}

/** A histogram's state at one instant. Every value is in the unit recorded (microseconds). */
export interface HistogramSnapshot {
  readonly count: number;
  /** Exact sum of the recorded (rounded, clamped) values. */
  readonly sum: number;
  /** Exact smallest and largest recorded values (0 when empty). */
  readonly min: number;
  readonly max: number;
  /** Exact mean (0 when empty). */
  readonly mean: number;
  /** Percentiles within the histogram's precision, never outside [min, max] (0 when empty). */
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  /** Values above the highest trackable value, recorded as that value. */
  readonly clamped: number;
  /** Values not recorded because they were negative or not a number. */
  readonly rejected: number;
}

/**
 * One histogram series. `record` is O(1) and allocation-free: it computes the HDR bucket index with
 * integer arithmetic (the library's own recordValue uses log2 and pow, about 5x slower) and bumps
 * the count in the hdr-histogram-js array. Counts are 64-bit floats, exact up to 2^53, because the
 * 32-bit variant wraps silently at 2^32 records. Counts are also summed per block of 64 slots, so
 * the four percentiles are read in one pass that skips whole blocks (about 100 steps instead of
 * thousands); they are cached until the next record.
 */
export class HistogramChild {
  readonly labels: Labels;
  readonly #hdr: JsHistogram;
  readonly #highest: number;
  readonly #shiftBase: number;
  readonly #halfMagnitude: number;
  readonly #unitMagnitude: number;
  readonly #halfCount: number;
  #count = 0;
  #sum = 0;
  #min = Number.POSITIVE_INFINITY;
  #max = 0;
  #clamped = 0;
  #rejected = 0;
  readonly #percentiles = new Float64Array(4);
  readonly #ranks = new Float64Array(4);
  #percentilesAtCount = -1;
  #blocks: Float64Array;

  constructor(identity: ChildIdentity, highestTrackableValue: number, significantDigits: number) {
    this.labels = identity.labels;
    // autoResize keeps the counts array only as long as the largest value seen needs; the
    // clamp in record() bounds it at highestTrackableValue.
    const hdr = build({
      bitBucketSize: 64,
      autoResize: true,
      lowestDiscernibleValue: 1,
      highestTrackableValue: 2,
      numberOfSignificantValueDigits: significantDigits as 1 | 2 | 3 | 4 | 5,
      useWebAssembly: false,
    });
    if (!(hdr instanceof JsHistogram)) {
      throw new DesError(ErrorCode.InvalidConfig, "hdr-histogram-js did not build its plain JS histogram");
    }
    this.#hdr = hdr;
    this.#highest = highestTrackableValue;
    this.#halfMagnitude = hdr.subBucketHalfCountMagnitude;
    this.#unitMagnitude = hdr.unitMagnitude;
    this.#halfCount = hdr.subBucketHalfCount;
    this.#shiftBase = 31 - this.#halfMagnitude - this.#unitMagnitude;
    this.#blocks = new Float64Array(Math.ceil(hdr.countsArrayLength / BLOCK_SIZE));
  }

  /**
   * Records one value, rounded to an integer. Values above the highest trackable value are
   * recorded as that value (counted in `clamped`); negative and NaN values are not recorded
   * (counted in `rejected`), because a metric must never throw on a hot path.
   */
  record(value: number): void {
    if (!(value >= 0)) {
      this.#rejected++;
      return;
    }
    let v = Math.round(value);
    if (v > this.#highest) {
      v = this.#highest;
      this.#clamped++;
    }
    // HDR index: bucket = max(0, floor(log2 v) - halfMagnitude - unitMagnitude), then the
    // sub-bucket within it; identical to JsHistogram.countsArrayIndex (the exact-sort property test checks it).
    let bucket = this.#shiftBase - Math.clz32(v);
    if (bucket < 0) bucket = 0;
    const index =
      ((bucket + 1) << this.#halfMagnitude) + (v >>> (bucket + this.#unitMagnitude)) - this.#halfCount;
    if (index < this.#hdr.countsArrayLength) this.#hdr.incrementCountAtIndex(index);
    else this.#grow(v); // grows the counts array, then records
    this.#blocks[index >>> BLOCK_SHIFT]!++;
    this.#count++;
    this.#sum += v;
    if (v < this.#min) this.#min = v;
    if (v > this.#max) this.#max = v;
  }

  /** Returns the number of values recorded. */
  get count(): number {
    return this.#count;
  }

  /** Returns the exact sum of the values recorded. */
  get sum(): number {
    return this.#sum;
  }

  /** Returns the value at percentile p (0 < p <= 100) within the histogram's precision; 0 when empty. */
  percentile(p: number): number {
    if (!(p > 0 && p <= 100)) {
      throw new DesError(ErrorCode.InvalidConfig, `percentile must be in (0, 100], got ${p}`, { p });
    }
    if (this.#count === 0) return 0;
    this.#hdr.setTotalCount(this.#count);
    return this.#bound(this.#hdr.getValueAtPercentile(p));
  }

  /** Returns count, sum, min, max, mean and the p50/p90/p99/p99.9 percentiles. */
  snapshot(): HistogramSnapshot {
    const empty = this.#count === 0;
    if (!empty) this.#updatePercentiles();
    const p = this.#percentiles;
    return {
      count: this.#count,
      sum: this.#sum,
      min: empty ? 0 : this.#min,
      max: this.#max,
      mean: empty ? 0 : this.#sum / this.#count,
      p50: empty ? 0 : p[0]!,
      p90: empty ? 0 : p[1]!,
      p99: empty ? 0 : p[2]!,
      p999: empty ? 0 : p[3]!,
      clamped: this.#clamped,
      rejected: this.#rejected,
    };
  }

  /** Returns the four quantile values in HISTOGRAM_QUANTILES order (NaN when empty), without allocating. */
  quantiles(): Float64Array {
    if (this.#count === 0) this.#percentiles.fill(Number.NaN);
    else this.#updatePercentiles();
    return this.#percentiles;
  }

  /** Forgets every recorded value. */
  reset(): void {
    this.#hdr.reset();
    this.#blocks.fill(0);
    this.#count = 0;
    this.#sum = 0;
    this.#min = Number.POSITIVE_INFINITY;
    this.#max = 0;
    this.#clamped = 0;
    this.#rejected = 0;
    this.#percentilesAtCount = -1;
  }

  #updatePercentiles(): void {
    if (this.#percentilesAtCount === this.#count) return;
    const total = this.#count;
    const ranks = this.#ranks;
    for (let k = 0; k < 4; k++) ranks[k] = Math.max(1, Math.ceil((total * QUANTILE_PERMILLE[k]!) / 1000));
    const hdr = this.#hdr;
    const blocks = this.#blocks;
    const length = hdr.countsArrayLength;
    let cumulative = 0;
    let k = 0;
    for (let b = 0; b < blocks.length && k < 4; b++) {
      const inBlock = blocks[b]!;
      if (cumulative + inBlock < ranks[k]!) {
        cumulative += inBlock;
        continue;
      }
      const end = Math.min((b + 1) << BLOCK_SHIFT, length);
      for (let i = b << BLOCK_SHIFT; i < end && k < 4; i++) {
        const c = hdr.getCountAtIndex(i);
        if (c === 0) continue;
        cumulative += c;
        while (k < 4 && cumulative >= ranks[k]!) {
          this.#percentiles[k] = this.#bound(hdr.highestEquivalentValue(hdr.valueFromIndex(i)));
          k++;
        }
      }
    }
    this.#percentilesAtCount = total;
  }

  #grow(v: number): void {
    this.#hdr.recordValue(v);
    const needed = Math.ceil(this.#hdr.countsArrayLength / BLOCK_SIZE);
    if (needed > this.#blocks.length) {
      const blocks = new Float64Array(needed);
      blocks.set(this.#blocks);
      this.#blocks = blocks;
    }
  }

  // The true percentile lies in [min, max], so clamping the bucket's upper edge keeps it exact-or-within-precision.
  #bound(v: number): number {
    return Math.min(Math.max(v, this.#min), this.#max);
  }
}

/**
 * A histogram family of integer values (microseconds by convention), exposed to Prometheus as a
 * summary with quantiles 0.5, 0.9, 0.99 and 0.999 plus `_sum` and `_count`. Values are cumulative
 * since start (or the last reset()).
 */
export class Histogram extends MetricFamily<HistogramChild> {
  readonly type = "summary" as const;
  readonly highestTrackableValue: number;
  readonly significantDigits: number;
  readonly #header: string;
  readonly #lines = new WeakMap<HistogramChild, SummaryLines>();

  constructor(name: string, help: string, options: HistogramOptions, maxSeries: number) {
    const opts = options ?? {};
    super(name, help, opts.labelNames ?? [], maxSeries);
    const highest = opts.highestTrackableValue ?? DEFAULT_HIGHEST_TRACKABLE_VALUE;
    if (!Number.isInteger(highest) || highest < 2 || highest > MAX_HIGHEST_TRACKABLE_VALUE) {
      throw new DesError(
        ErrorCode.InvalidConfig,
        `highestTrackableValue of histogram ${name} must be an integer in 2..${MAX_HIGHEST_TRACKABLE_VALUE}, got ${highest}`,
        { metric: name, highestTrackableValue: highest },
      );
    }
    const digits = opts.significantDigits ?? 3;
    if (!Number.isInteger(digits) || digits < 1 || digits > 5) {
      throw new DesError(
        ErrorCode.InvalidConfig,
        `significantDigits of histogram ${name} must be 1..5, got ${digits}`,
        { metric: name, significantDigits: digits },
      );
    }
    this.highestTrackableValue = highest;
    this.significantDigits = digits;
    this.#header = PrometheusText.header(name, help, "summary");
    if (this.labelNames.length === 0) this.single();
  }

  /** Records a value on an unlabelled histogram. */
  record(value: number): void {
    this.single().record(value);
  }

  /** Returns the snapshot of an unlabelled histogram. */
  snapshotOne(): HistogramSnapshot {
    return this.single().snapshot();
  }

  renderPrometheus(): string {
    let out = this.#header;
    const children = this.children();
    for (let i = 0; i < children.length; i++) {
      const child = children[i]!;
      const lines = this.#lines.get(child)!;
      const q = child.quantiles();
      out +=
        lines.q50 +
        PrometheusText.formatValue(q[0]!) +
        lines.q90 +
        PrometheusText.formatValue(q[1]!) +
        lines.q99 +
        PrometheusText.formatValue(q[2]!) +
        lines.q999 +
        PrometheusText.formatValue(q[3]!) +
        lines.sum +
        PrometheusText.formatValue(child.sum) +
        lines.count +
        PrometheusText.formatValue(child.count) +
        "\n";
    }
    return out;
  }

  snapshot(): Array<{ labels: Labels } & HistogramSnapshot> {
    return this.children().map((c) => ({ labels: c.labels, ...c.snapshot() }));
  }

  protected override reservedLabelNames(): readonly string[] {
    return ["quantile"];
  }

  protected newChild(identity: ChildIdentity): HistogramChild {
    const child = new HistogramChild(identity, this.highestTrackableValue, this.significantDigits);
    this.#lines.set(child, summaryLines(this.name, this.labelNames, identity.labelValues));
    return child;
  }
}

/** Precomputed line starts of one summary series; each but the first starts with the previous line's "\n". */
interface SummaryLines {
  readonly q50: string;
  readonly q90: string;
  readonly q99: string;
  readonly q999: string;
  readonly sum: string;
  readonly count: string;
}

function summaryLines(
  name: string,
  labelNames: readonly string[],
  labelValues: readonly string[],
): SummaryLines {
  const withQuantile = (q: string): string =>
    `${name}${PrometheusText.labelSet([...labelNames, "quantile"], [...labelValues, q])} `;
  const plain = PrometheusText.labelSet(labelNames, labelValues);
  return {
    q50: withQuantile(HISTOGRAM_QUANTILES[0]),
    q90: `\n${withQuantile(HISTOGRAM_QUANTILES[1])}`,
    q99: `\n${withQuantile(HISTOGRAM_QUANTILES[2])}`,
    q999: `\n${withQuantile(HISTOGRAM_QUANTILES[3])}`,
    sum: `\n${name}_sum${plain} `,
    count: `\n${name}_count${plain} `,
  };
}
