/**
 * A latency histogram for benches: HDR (hdr-histogram-js, 3 significant digits), recorded in
 * microseconds, summarized in milliseconds with three decimals.
 */
import { build, type Histogram } from "hdr-histogram-js";

/** Percentiles of one latency histogram, milliseconds. */
export interface LatencySummaryMs {
  readonly n: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
  readonly mean: number;
}

/** Highest latency tracked: 60 s; a larger value is recorded as 60 s (never happens in a sane run). */
const HIGHEST_US = 60_000_000;

/** Records latencies (milliseconds in, microseconds stored) and reports their percentiles. */
export class LatencyHistogram {
  readonly #hdr: Histogram = build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    autoResize: false,
  });

  /** Records one latency given in milliseconds (a performance.now() difference). */
  recordMs(ms: number): void {
    this.#hdr.recordValue(Math.min(HIGHEST_US, Math.max(1, Math.round(ms * 1000))));
  }

  get count(): number {
    return this.#hdr.totalCount;
  }

  /** Returns p50/p90/p99/p99.9/max/mean in milliseconds. */
  summary(): LatencySummaryMs {
    const ms = (us: number): number => Math.round(us) / 1000;
    return {
      n: this.#hdr.totalCount,
      p50: ms(this.#hdr.getValueAtPercentile(50)),
      p90: ms(this.#hdr.getValueAtPercentile(90)),
      p99: ms(this.#hdr.getValueAtPercentile(99)),
      p999: ms(this.#hdr.getValueAtPercentile(99.9)),
      max: ms(this.#hdr.maxValue),
      mean: ms(this.#hdr.mean),
    };
  }
}

/** One line of text for a summary. */
export function formatLatency(s: LatencySummaryMs): string {
  return `p50 ${s.p50} p90 ${s.p90} p99 ${s.p99} p99.9 ${s.p999} max ${s.max} ms (n ${s.n})`;
}
