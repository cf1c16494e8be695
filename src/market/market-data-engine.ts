import { type MessageBus, Topic, type Unsubscribe } from "../bus/index.ts";
import {
  type Clock,
  DesError,
  ErrorCode,
  type InstrumentId,
  MICROS_PER_MS,
  type TimerId,
  type UnixMicros,
} from "../core/index.ts";
import {
  type Bar,
  type BarInterval,
  intervalMicros,
  type QuoteTick,
  type TradeTick,
} from "../model/index.ts";
import { BarAggregator } from "./bar-aggregator.ts";
import { BarResampler } from "./bar-resampler.ts";
import type { MarketDataSink } from "./market-data-sink.ts";

/** Where the engine's bars come from: closed bars of a base interval, or trades. */
export type BarSource = "bars" | "trades";

/** Options for a MarketDataEngine. */
export interface MarketDataEngineOptions {
  readonly bus: MessageBus;
  /**
   * "bars" (default): incoming closed bars are published and resampled into every larger subscribed
   * interval. "trades": incoming trades are published and aggregated into every subscribed interval.
   */
  readonly barSource?: BarSource | undefined;
}

/** One bar subscription. */
export interface BarSubscription {
  readonly instrumentId: InstrumentId;
  readonly interval: BarInterval;
}

/** Counters of a MarketDataEngine. */
export interface MarketDataEngineStats {
  readonly barsIn: number;
  readonly tradesIn: number;
  readonly quotesIn: number;
  /** In-progress bars received and not published (consumers see closed bars only). */
  readonly openBarsIgnored: number;
  readonly barsPublished: number;
  /** Subscriptions the data cannot serve: "BTCUSDT 3m from 5m" (the base interval must divide it). */
  readonly unservable: readonly string[];
}

type Builder = BarResampler | BarAggregator;

interface InstrumentState {
  readonly refs: Map<BarInterval, number>;
  readonly builders: Map<BarInterval, Builder>;
  /** Intervals that arrive as bars themselves: never derived, so never published twice. */
  readonly native: Set<BarInterval>;
  /** Data time up to which this instrument's input has been seen (undefined: nothing yet). */
  seenUntil: number | undefined;
}

/**
 * The market-data layer between a feed (ReplayFeed, a venue stream) and the bus: it publishes the
 * feed's trades and closed bars and turns them into closed bars of every subscribed interval
 * (1m bars in, 5m and 1h bars out as they close). A subscription added while data is flowing, or data
 * that starts mid-bucket, starts with the next whole bucket, so no consumer sees a bar built from part
 * of its data (prime() supplies the missing part from history).
 */
export class MarketDataEngine implements MarketDataSink {
  readonly #bus: MessageBus;
  readonly #source: BarSource;
  readonly #instruments = new Map<InstrumentId, InstrumentState>();
  readonly #unservable = new Set<string>();
  #flushTimer: { clock: Clock; id: TimerId } | undefined;
  #barsIn = 0;
  #tradesIn = 0;
  #quotesIn = 0;
  #openIgnored = 0;
  #published = 0;
  #priming = false;

  constructor(opts: MarketDataEngineOptions) {
    this.#bus = opts.bus;
    this.#source = opts.barSource ?? "bars";
  }

  /** Subscribes to closed bars of an interval; returns the function that undoes it (reference counted). */
  subscribe(instrumentId: InstrumentId, interval: BarInterval): Unsubscribe {
    const st = this.#state(instrumentId);
    const refs = st.refs.get(interval) ?? 0;
    st.refs.set(interval, refs + 1);
    if (refs === 0) st.builders.set(interval, this.#builder(instrumentId, interval, st));
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const left = (st.refs.get(interval) ?? 1) - 1;
      if (left > 0) {
        st.refs.set(interval, left);
      } else {
        st.refs.delete(interval);
        st.builders.delete(interval);
      }
    };
  }

  /** Returns the current subscriptions. */
  subscriptions(): BarSubscription[] {
    const out: BarSubscription[] = [];
    for (const [instrumentId, st] of this.#instruments) {
      for (const interval of st.refs.keys()) out.push({ instrumentId, interval });
    }
    return out;
  }

  /** Takes a bar from the feed: publishes it when closed and feeds the larger subscribed intervals. */
  onBar(bar: Bar): void {
    if (!bar.closed) {
      this.#openIgnored++;
      return;
    }
    if (!this.#priming) this.#barsIn++;
    const st = this.#state(bar.instrumentId);
    st.native.add(bar.interval);
    st.seenUntil = bar.openTime + intervalMicros(bar.interval);
    this.#publish(bar);
    if (this.#source !== "bars") return;
    const baseUs = intervalMicros(bar.interval);
    for (const [interval, builder] of st.builders) {
      if (interval === bar.interval) continue;
      const targetUs = intervalMicros(interval);
      if (targetUs < baseUs || targetUs % baseUs !== 0) {
        this.#unservable.add(`${bar.instrumentId} ${interval} from ${bar.interval}`);
        continue;
      }
      (builder as BarResampler).update(bar);
    }
  }

  /**
   * Feeds history (closed base bars just before the live data) to the subscribed intervals without
   * publishing anything, so the bucket in progress when live data starts is completed with its
   * earlier part instead of being dropped as partial. Call after subscribe, before the first live bar.
   */
  prime(bars: Iterable<Bar>): void {
    this.#priming = true;
    try {
      for (const bar of bars) this.onBar(bar);
    } finally {
      this.#priming = false;
    }
  }

  /** Takes a trade from the feed: publishes it and, with barSource "trades", aggregates it. */
  onTrade(trade: TradeTick): void {
    this.#tradesIn++;
    const st = this.#state(trade.instrumentId);
    st.seenUntil = trade.eventTime + 1;
    this.#bus.publish(Topic.Trade, trade);
    if (this.#source !== "trades") return;
    for (const builder of st.builders.values()) (builder as BarAggregator).update(trade);
  }

  /** Takes a quote from the feed and publishes it. */
  onQuote(quote: QuoteTick): void {
    this.#quotesIn++;
    this.#bus.publish(Topic.Quote, quote);
  }

  /** Closes every bar in progress that ends at or before untilTime (data stopped arriving). */
  flush(untilTime: UnixMicros, receivedAt: UnixMicros = untilTime): void {
    for (const st of this.#instruments.values()) {
      for (const builder of st.builders.values()) builder.flush(untilTime, receivedAt);
    }
  }

  /**
   * Flushes on the clock every everyMs, graceMs after bar ends, so bars built from trades close on
   * time in quiet markets. Replaces an earlier timer.
   */
  startFlushTimer(clock: Clock, everyMs = 1000, graceMs = 0): void {
    if (!(everyMs > 0) || !(graceMs >= 0)) {
      throw new DesError(ErrorCode.InvalidConfig, `flush timer needs everyMs > 0 and graceMs >= 0`, {
        everyMs,
        graceMs,
      });
    }
    this.stopFlushTimer();
    const id = clock.setInterval(() => {
      const now = clock.now();
      this.flush((now - graceMs * MICROS_PER_MS) as UnixMicros, now);
    }, everyMs);
    this.#flushTimer = { clock, id };
  }

  /** Stops the flush timer, if any. */
  stopFlushTimer(): void {
    if (this.#flushTimer !== undefined) {
      this.#flushTimer.clock.clearTimer(this.#flushTimer.id);
      this.#flushTimer = undefined;
    }
  }

  /** Returns the counters. */
  stats(): MarketDataEngineStats {
    return {
      barsIn: this.#barsIn,
      tradesIn: this.#tradesIn,
      quotesIn: this.#quotesIn,
      openBarsIgnored: this.#openIgnored,
      barsPublished: this.#published,
      unservable: [...this.#unservable],
    };
  }

  #publish(bar: Bar): void {
    if (this.#priming) return;
    this.#published++;
    this.#bus.publish(Topic.Bar, bar);
  }

  #builder(instrumentId: InstrumentId, interval: BarInterval, st: InstrumentState): Builder {
    const onBar = (bar: Bar): void => {
      if (!st.native.has(interval)) this.#publish(bar);
    };
    // Data already seen belongs to buckets this builder did not see from their start.
    const completeFrom = st.seenUntil as UnixMicros | undefined;
    return this.#source === "trades"
      ? new BarAggregator({ instrumentId, interval, onBar, completeFrom })
      : new BarResampler({ instrumentId, interval, onBar, completeFrom, dropPartialFirst: true });
  }

  #state(instrumentId: InstrumentId): InstrumentState {
    let st = this.#instruments.get(instrumentId);
    if (st === undefined) {
      st = { refs: new Map(), builders: new Map(), native: new Set(), seenUntil: undefined };
      this.#instruments.set(instrumentId, st);
    }
    return st;
  }
}
