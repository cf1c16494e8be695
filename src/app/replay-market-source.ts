import type { Clock, InstrumentId, UnixMicros } from "../core/index.ts";
import { DesError, ErrorCode } from "../core/index.ts";
import { type MarketDataSink, type MarketDataset, marketEventTime, ReplayFeed } from "../market/index.ts";
import type { Instrument } from "../model/index.ts";
import type { MetricsRegistry } from "../monitor/index.ts";
import type { WarmupSource } from "../strategy/index.ts";
import type { MarketSource, SourceHealth } from "./market-source.ts";

/** Options of the replay source. */
export interface ReplayMarketSourceOptions {
  readonly dataset: MarketDataset;
  readonly clock: Clock;
  readonly sink: MarketDataSink;
  readonly speed: "max" | number;
  readonly loop: boolean;
}

/** Market data from the bundled real Binance data, replayed at a chosen speed. */
export class ReplayMarketSource implements MarketSource {
  readonly kind = "replay" as const;
  readonly instruments: ReadonlyMap<InstrumentId, Instrument>;
  readonly warmup: WarmupSource;
  readonly feed: ReplayFeed;
  readonly #eventCount: number;

  constructor(options: ReplayMarketSourceOptions) {
    this.instruments = options.dataset.instruments;
    const events = options.dataset.events();
    this.#eventCount = events.length;
    const replayStart = (events.length > 0 ? marketEventTime(events[0]!) : 0) as UnixMicros;
    const history = options.dataset.historicalBars();
    // Warm-up bars come from the dataset, before the replay's first event: never from the future.
    this.warmup = {
      historicalBars: (id, interval, count) =>
        history.lastClosed(id, interval, count, (replayStart - 1) as UnixMicros),
    };
    this.feed = new ReplayFeed({
      events,
      clock: options.clock,
      sink: options.sink,
      speed: options.speed,
      loop: options.loop,
    });
  }

  ensureInstrument(instrumentId: InstrumentId): void {
    if (!this.instruments.has(instrumentId)) {
      throw new DesError(
        ErrorCode.UnknownInstrument,
        `instrument ${instrumentId} is not in the replay dataset (${[...this.instruments.keys()].join(", ")})`,
        { instrumentId },
      );
    }
  }

  start(): Promise<void> {
    this.feed.start();
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.feed.stop();
    return Promise.resolve();
  }

  health(): SourceHealth {
    return this.feed.stats().state === "failed"
      ? { status: "degraded", detail: "replay failed" }
      : { status: "ok" };
  }

  registerMetrics(registry: MetricsRegistry): void {
    registry.counterFn(
      "des_market_events_replayed_total",
      "Market events (bars, trades) delivered by the replay feed",
      () => this.feed.stats().eventsReplayed,
    );
  }

  /** Number of events the replay holds (for the start-up log). */
  eventCount(): number {
    return this.#eventCount;
  }
}
