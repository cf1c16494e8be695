import {
  Decimal,
  DesError,
  divRound,
  ErrorCode,
  type InstrumentId,
  Rounding,
  type UnixMicros,
} from "../core/index.ts";
import { type Bar, type BarInterval, intervalMicros, type TradeTick } from "../model/index.ts";
import { intervalBucketStart } from "./interval-bucket.ts";

const UNITS_PER_ONE = Decimal.ONE.units;

/** The most flat bars one call emits for a gap; a longer gap keeps only its last ones (counted as skipped). */
export const MAX_GAP_FILL_BARS = 100_000;

/** Options for a BarAggregator. */
export interface BarAggregatorOptions {
  readonly instrumentId: InstrumentId;
  readonly interval: BarInterval;
  /** Receives each bar when it closes. */
  readonly onBar: (bar: Bar) => void;
  /**
   * Trades are complete only from this time on (the aggregator was attached to a running stream):
   * a bucket that started earlier may miss trades, so it is dropped instead of emitted.
   */
  readonly completeFrom?: UnixMicros | undefined;
  /**
   * Emit a flat, zero-volume bar at the previous close for every empty bucket, as Binance klines do.
   * Default false: only buckets with trades become bars.
   */
  readonly fillGaps?: boolean | undefined;
}

/** Counters of a BarAggregator. */
export interface BarAggregatorStats {
  readonly trades: number;
  /** Trades older than the bucket in progress (their bar had closed); ignored. */
  readonly lateTrades: number;
  readonly barsEmitted: number;
  /** Buckets dropped because they began before completeFrom. */
  readonly partialBarsDropped: number;
  /** Flat bars not emitted because a gap exceeded MAX_GAP_FILL_BARS. */
  readonly gapBarsSkipped: number;
}

/**
 * Builds closed bars of one interval from the trades of one instrument, aligned to UTC interval
 * boundaries. A bar closes when the first trade at or after its end arrives, or on flush(untilTime).
 * Volume and quote volume (sum of price x quantity) are exact.
 */
export class BarAggregator {
  readonly instrumentId: InstrumentId;
  readonly interval: BarInterval;
  readonly #lengthUs: number;
  readonly #onBar: (bar: Bar) => void;
  readonly #completeFrom: number;
  readonly #fillGaps: boolean;
  #bucketStart = Number.NaN;
  /** End of the last closed bucket: trades before it are late. */
  #closedUntil = Number.NEGATIVE_INFINITY;
  #open = Decimal.ZERO;
  #high = Decimal.ZERO;
  #low = Decimal.ZERO;
  #close = Decimal.ZERO;
  /** Volume in 10^-18 units. */
  #volumeUnits = 0n;
  /** Sum of price x quantity in 10^-36 units: exact, rounded once when the bar closes. */
  #quoteUnits = 0n;
  #count = 0;
  #lastClose: Decimal | undefined;
  #trades = 0;
  #late = 0;
  #emitted = 0;
  #dropped = 0;
  #gapSkipped = 0;

  constructor(opts: BarAggregatorOptions) {
    this.instrumentId = opts.instrumentId;
    this.interval = opts.interval;
    this.#lengthUs = intervalMicros(opts.interval);
    this.#onBar = opts.onBar;
    this.#completeFrom = opts.completeFrom ?? Number.NEGATIVE_INFINITY;
    this.#fillGaps = opts.fillGaps ?? false;
  }

  /** Adds a trade; emits the bar in progress first when the trade lies at or after its end. */
  update(trade: TradeTick): void {
    if (trade.instrumentId !== this.instrumentId) {
      throw new DesError(
        ErrorCode.InvalidMarketData,
        `BarAggregator for ${this.instrumentId} got a trade of ${trade.instrumentId}`,
        { expected: this.instrumentId, got: trade.instrumentId },
      );
    }
    const t = trade.eventTime;
    this.#trades++;
    if (this.#count > 0 && t >= this.#bucketStart + this.#lengthUs) {
      this.#closeBucket(trade.receivedAt);
      this.#fillTo(intervalBucketStart(t, this.#lengthUs), trade.receivedAt);
    }
    if (t < this.#closedUntil || (this.#count > 0 && t < this.#bucketStart)) {
      this.#late++;
      return;
    }
    const price = trade.price;
    if (this.#count === 0) {
      this.#bucketStart = intervalBucketStart(t, this.#lengthUs);
      this.#open = price;
      this.#high = price;
      this.#low = price;
    } else {
      if (price.units > this.#high.units) this.#high = price;
      if (price.units < this.#low.units) this.#low = price;
    }
    this.#close = price;
    this.#volumeUnits += trade.quantity.units;
    this.#quoteUnits += price.units * trade.quantity.units;
    this.#count++;
  }

  /**
   * Closes the bar in progress if it ends at or before untilTime (a timer tick without a trade); with
   * fillGaps also emits the flat bars of the empty buckets that ended by then (at most
   * MAX_GAP_FILL_BARS per call; more are skipped and counted).
   */
  flush(untilTime: UnixMicros, receivedAt: UnixMicros = untilTime): void {
    if (this.#count > 0 && this.#bucketStart + this.#lengthUs <= untilTime) this.#closeBucket(receivedAt);
    if (this.#count === 0) this.#fillTo(intervalBucketStart(untilTime, this.#lengthUs), receivedAt);
  }

  /** Returns the bar in progress (closed: false), or undefined when no trade is pending. */
  current(now: UnixMicros): Bar | undefined {
    return this.#count === 0 ? undefined : this.#makeBar(false, now);
  }

  /** Returns the counters. */
  stats(): BarAggregatorStats {
    return {
      trades: this.#trades,
      lateTrades: this.#late,
      barsEmitted: this.#emitted,
      partialBarsDropped: this.#dropped,
      gapBarsSkipped: this.#gapSkipped,
    };
  }

  #closeBucket(receivedAt: UnixMicros): void {
    if (this.#bucketStart < this.#completeFrom) {
      this.#dropped++;
    } else {
      this.#emitted++;
      this.#onBar(this.#makeBar(true, receivedAt));
    }
    this.#lastClose = this.#close;
    this.#closedUntil = this.#bucketStart + this.#lengthUs;
    this.#count = 0;
    this.#volumeUnits = 0n;
    this.#quoteUnits = 0n;
  }

  /** Emits flat bars for the empty buckets before endStart (fillGaps only). */
  #fillTo(endStart: number, receivedAt: UnixMicros): void {
    if (!this.#fillGaps || this.#lastClose === undefined || endStart <= this.#closedUntil) return;
    const missing = (endStart - this.#closedUntil) / this.#lengthUs;
    let s = this.#closedUntil;
    if (missing > MAX_GAP_FILL_BARS) {
      this.#gapSkipped += missing - MAX_GAP_FILL_BARS;
      s = endStart - MAX_GAP_FILL_BARS * this.#lengthUs;
    }
    for (; s < endStart; s += this.#lengthUs) {
      if (s < this.#completeFrom) continue;
      this.#emitted++;
      this.#onBar(this.#flatBar(s, receivedAt));
    }
    this.#closedUntil = endStart;
  }

  #makeBar(closed: boolean, receivedAt: UnixMicros): Bar {
    return {
      kind: "bar",
      instrumentId: this.instrumentId,
      interval: this.interval,
      openTime: this.#bucketStart as UnixMicros,
      closeTime: (this.#bucketStart + this.#lengthUs - 1) as UnixMicros,
      open: this.#open,
      high: this.#high,
      low: this.#low,
      close: this.#close,
      volume: Decimal.fromUnits(this.#volumeUnits),
      quoteVolume: Decimal.fromUnits(divRound(this.#quoteUnits, UNITS_PER_ONE, Rounding.HalfEven)),
      tradeCount: this.#count,
      closed,
      receivedAt,
    };
  }

  #flatBar(start: number, receivedAt: UnixMicros): Bar {
    const price = this.#lastClose!;
    return {
      kind: "bar",
      instrumentId: this.instrumentId,
      interval: this.interval,
      openTime: start as UnixMicros,
      closeTime: (start + this.#lengthUs - 1) as UnixMicros,
      open: price,
      high: price,
      low: price,
      close: price,
      volume: Decimal.ZERO,
      quoteVolume: Decimal.ZERO,
      tradeCount: 0,
      closed: true,
      receivedAt,
    };
  }
}
