import type { InstrumentId } from "../core/index.ts";
import type { Instrument } from "../model/index.ts";
import type { MetricsRegistry } from "../monitor/index.ts";
import type { WarmupSource } from "../strategy/index.ts";

/** One line of the health report. */
export interface SourceHealth {
  readonly status: "ok" | "degraded";
  readonly detail?: string;
}

/**
 * Where DES's market data comes from: the replay of bundled data or a venue's live streams. Either
 * way it delivers closed bars (and trades/quotes) into the MarketDataEngine; the rest of DES cannot
 * tell the difference.
 */
export interface MarketSource {
  readonly kind: "replay" | "binance";
  /** The instruments the source can serve, with their filters. */
  readonly instruments: ReadonlyMap<InstrumentId, Instrument>;
  /** Closed bars from before the live data starts, for strategy warm-up. */
  readonly warmup: WarmupSource;
  /** Makes sure data for this instrument flows (a live source subscribes its streams). */
  ensureInstrument(instrumentId: InstrumentId): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  health(): SourceHealth;
  /** Registers the source's own metrics. */
  registerMetrics(registry: MetricsRegistry): void;
}
