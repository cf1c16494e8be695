import { Decimal, DesError, ErrorCode, type InstrumentId, type UnixMicros } from "../core/index.ts";
import { type Bar, type BarInterval, intervalMicros } from "../model/index.ts";
import { intervalBucketStart } from "./interval-bucket.ts";

/** Options for a BarResampler. */
export interface BarResamplerOptions {
  readonly instrumentId: InstrumentId;
  /** The larger interval to build. */
  readonly interval: BarInterval;
  /** Receives each bar of the larger interval when it closes. */
  readonly onBar: (bar: Bar) => void;
  /** Input bars are complete only from this time on: a bucket that began earlier is dropped. */
  readonly completeFrom?: UnixMicros | undefined;
  /**
   * Drop the first bucket when the first input bar does not start it: a stream that begins
   * mid-bucket (a live feed connecting at 10:03) cannot know the bucket's open. Default false.
   */
  readonly dropPartialFirst?: boolean | undefined;
}

/** Counters of a BarResampler. */
export interface BarResamplerStats {
  readonly barsIn: number;
  /** Input bars that were not closed (in-progress klines); ignored. */
  readonly openBarsIgnored: number;
  /** Input bars of a bucket that had already closed; ignored. */
  readonly lateBars: number;
  readonly barsEmitted: number;
  readonly partialBarsDropped: number;
}

/**
 * Builds closed bars of a larger interval from closed bars of a smaller one that divides it
 * (1m -> 5m, 1m -> 1h, 30m -> 1d). A bucket closes when the input bar ending at its boundary arrives,
 * when a bar of a later bucket arrives (gaps), or on flush(untilTime). Input bars that are not
 * closed are ignored, so consumers only ever see closed bars.
 */
export class BarResampler {
  readonly instrumentId: InstrumentId;
  readonly interval: BarInterval;
  readonly #lengthUs: number;
  readonly #onBar: (bar: Bar) => void;
  #completeFrom: number;
  readonly #dropPartialFirst: boolean;
  #seenFirst = false;
  #checkedInterval: BarInterval | undefined;
  #bucketStart = Number.NaN;
  #closedUntil = Number.NEGATIVE_INFINITY;
  #open = Decimal.ZERO;
  #high = Decimal.ZERO;
  #low = Decimal.ZERO;
  #close = Decimal.ZERO;
  #volume = Decimal.ZERO;
  #quoteVolume = Decimal.ZERO;
  #tradeCount = 0;
  #parts = 0;
  #barsIn = 0;
  #openIgnored = 0;
  #late = 0;
  #emitted = 0;
  #dropped = 0;

  constructor(opts: BarResamplerOptions) {
    this.instrumentId = opts.instrumentId;
    this.interval = opts.interval;
    this.#lengthUs = intervalMicros(opts.interval);
    this.#onBar = opts.onBar;
    this.#completeFrom = opts.completeFrom ?? Number.NEGATIVE_INFINITY;
    this.#dropPartialFirst = opts.dropPartialFirst ?? false;
  }

  /** Adds a closed input bar; emits the larger bar when this bar completes it or starts a later one. */
  update(bar: Bar): void {
    this.#barsIn++;
    if (bar.instrumentId !== this.instrumentId) {
      throw new DesError(
        ErrorCode.InvalidMarketData,
        `BarResampler for ${this.instrumentId} got a bar of ${bar.instrumentId}`,
        { expected: this.instrumentId, got: bar.instrumentId },
      );
    }
    if (bar.interval !== this.#checkedInterval) this.#checkInterval(bar.interval);
    if (!bar.closed) {
      this.#openIgnored++;
      return;
    }
    const bucket = intervalBucketStart(bar.openTime, this.#lengthUs);
    if (!this.#seenFirst) {
      this.#seenFirst = true;
      if (this.#dropPartialFirst && bar.openTime > bucket)
        this.#completeFrom = Math.max(this.#completeFrom, bucket + 1);
    }
    if (bucket < this.#closedUntil || (this.#parts > 0 && bucket < this.#bucketStart)) {
      this.#late++;
      return;
    }
    if (this.#parts > 0 && bucket > this.#bucketStart) this.#closeBucket(bar.receivedAt);
    if (this.#parts === 0) {
      this.#bucketStart = bucket;
      this.#open = bar.open;
      this.#high = bar.high;
      this.#low = bar.low;
      this.#volume = bar.volume;
      this.#quoteVolume = bar.quoteVolume;
      this.#tradeCount = bar.tradeCount;
    } else {
      if (bar.high.units > this.#high.units) this.#high = bar.high;
      if (bar.low.units < this.#low.units) this.#low = bar.low;
      this.#volume = this.#volume.add(bar.volume);
      this.#quoteVolume = this.#quoteVolume.add(bar.quoteVolume);
      this.#tradeCount += bar.tradeCount;
    }
    this.#close = bar.close;
    this.#parts++;
    if (bar.openTime + intervalMicros(bar.interval) >= bucket + this.#lengthUs)
      this.#closeBucket(bar.receivedAt);
  }

  /** Closes the bucket in progress if it ends at or before untilTime (input bars are missing). */
  flush(untilTime: UnixMicros, receivedAt: UnixMicros = untilTime): void {
    if (this.#parts > 0 && this.#bucketStart + this.#lengthUs <= untilTime) this.#closeBucket(receivedAt);
  }

  /** Returns the counters. */
  stats(): BarResamplerStats {
    return {
      barsIn: this.#barsIn,
      openBarsIgnored: this.#openIgnored,
      lateBars: this.#late,
      barsEmitted: this.#emitted,
      partialBarsDropped: this.#dropped,
    };
  }

  #checkInterval(input: BarInterval): void {
    const inputUs = intervalMicros(input);
    if (inputUs > this.#lengthUs || this.#lengthUs % inputUs !== 0) {
      throw new DesError(
        ErrorCode.InvalidInterval,
        `cannot build ${this.interval} bars from ${input} bars: ${input} must divide ${this.interval}`,
        { from: input, to: this.interval },
      );
    }
    this.#checkedInterval = input;
  }

  #closeBucket(receivedAt: UnixMicros): void {
    const start = this.#bucketStart;
    if (start < this.#completeFrom) {
      this.#dropped++;
    } else {
      this.#emitted++;
      this.#onBar({
        kind: "bar",
        instrumentId: this.instrumentId,
        interval: this.interval,
        openTime: start as UnixMicros,
        closeTime: (start + this.#lengthUs - 1) as UnixMicros,
        open: this.#open,
        high: this.#high,
        low: this.#low,
        close: this.#close,
        volume: this.#volume,
        quoteVolume: this.#quoteVolume,
        tradeCount: this.#tradeCount,
        closed: true,
        receivedAt,
      });
    }
    this.#closedUntil = start + this.#lengthUs;
    this.#parts = 0;
  }
}

/** Returns the closed bars of a larger interval built from a time-ordered list of closed bars. */
export function resampleBars(bars: readonly Bar[], interval: BarInterval): Bar[] {
  const out: Bar[] = [];
  const first = bars[0];
  if (first === undefined) return out;
  const resampler = new BarResampler({
    instrumentId: first.instrumentId,
    interval,
    onBar: (b) => out.push(b),
  });
  for (const bar of bars) resampler.update(bar);
  return out;
}
