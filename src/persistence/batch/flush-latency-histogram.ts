/**
 * Upper bounds (inclusive, microseconds) of the flush latency buckets: a 1-2-5 series from 100 us to
 * 60 s, the `le` labels of a Prometheus histogram. Anything slower falls in the +Inf bucket.
 */
export const FLUSH_LATENCY_BUCKETS_US: readonly number[] = [
  100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000, 2_000_000,
  5_000_000, 10_000_000, 20_000_000, 60_000_000,
];

/** A read-only view of the histogram, in microseconds, ready to export. */
export interface FlushLatencySnapshot {
  /** Flushes recorded. */
  readonly count: number;
  /** Sum of every latency (the `_sum` of a Prometheus histogram). */
  readonly sumUs: number;
  /** Median, estimated by linear interpolation inside its bucket (0 when empty). */
  readonly p50Us: number;
  /** 99th percentile, estimated the same way (0 when empty). */
  readonly p99Us: number;
  /** The largest latency recorded, exact (0 when empty). */
  readonly maxUs: number;
  /**
   * Cumulative counts per upper bound, as Prometheus expects (`le`); the last entry is +Inf and
   * equals `count`.
   */
  readonly buckets: ReadonlyArray<{ readonly le: number; readonly count: number }>;
}

/**
 * A fixed-bucket latency histogram (O(log buckets) record, no allocation). Percentiles are estimates
 * within one bucket (bounds grow by 2-2.5x); the maximum is exact. Fixed bounds make it exportable as
 * a Prometheus histogram whose buckets aggregate across processes.
 */
export class FlushLatencyHistogram {
  readonly #counts = new Float64Array(FLUSH_LATENCY_BUCKETS_US.length + 1);
  #count = 0;
  #sumUs = 0;
  #maxUs = 0;

  /** Records one latency in microseconds (negative values count as 0). */
  record(us: number): void {
    const value = Math.max(us, 0);
    this.#counts[bucketIndex(value)]!++;
    this.#count++;
    this.#sumUs += value;
    if (value > this.#maxUs) this.#maxUs = value;
  }

  /** Returns counts, sum, p50, p99, max and the cumulative buckets. */
  snapshot(): FlushLatencySnapshot {
    const buckets: Array<{ le: number; count: number }> = [];
    let cumulative = 0;
    for (let i = 0; i < this.#counts.length; i++) {
      cumulative += this.#counts[i]!;
      buckets.push({ le: FLUSH_LATENCY_BUCKETS_US[i] ?? Number.POSITIVE_INFINITY, count: cumulative });
    }
    return {
      count: this.#count,
      sumUs: this.#sumUs,
      p50Us: this.#quantile(0.5),
      p99Us: this.#quantile(0.99),
      maxUs: this.#maxUs,
      buckets,
    };
  }

  #quantile(q: number): number {
    if (this.#count === 0) return 0;
    const rank = q * this.#count;
    let below = 0;
    for (let i = 0; i < this.#counts.length; i++) {
      const inBucket = this.#counts[i]!;
      if (inBucket > 0 && below + inBucket >= rank) {
        const lower = i === 0 ? 0 : FLUSH_LATENCY_BUCKETS_US[i - 1]!;
        const upper = Math.min(FLUSH_LATENCY_BUCKETS_US[i] ?? this.#maxUs, this.#maxUs);
        const estimate = lower + ((rank - below) / inBucket) * Math.max(0, upper - lower);
        return Math.round(Math.min(estimate, this.#maxUs));
      }
      below += inBucket;
    }
    return this.#maxUs;
  }
}

/** The index of the first bucket whose bound is >= value (the +Inf bucket past the last bound). */
function bucketIndex(value: number): number {
  let lo = 0;
  let hi = FLUSH_LATENCY_BUCKETS_US.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (FLUSH_LATENCY_BUCKETS_US[mid]! >= value) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
