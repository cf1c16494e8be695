import type { Decimal, InstrumentId, StrategyId, UnixMicros } from "../core/index.ts";
import type { Bar, BarInterval, Instrument } from "../model/index.ts";
import type { OpenOrderView } from "./strategy.ts";

/**
 * What the strategy engine needs from the layers it must not import (portfolio, execution,
 * persistence, market). The composition root (src/app) passes adapters that satisfy them.
 */

/** Reads a strategy's signed position (positive long, negative short). */
export interface PositionReader {
  /** Returns the strategy's position on the instrument (zero when flat or unknown). */
  position(strategyId: StrategyId, instrumentId: InstrumentId): Decimal;
}

/** Reads a strategy's open orders. */
export interface OpenOrdersReader {
  /** Returns the strategy's orders still open at the venue on the instrument. */
  openOrders(strategyId: StrategyId, instrumentId: InstrumentId): readonly OpenOrderView[];
}

/** Looks instruments (with their filters) up. */
export interface InstrumentReader {
  /** Returns the instrument, or undefined when unknown. */
  instrument(id: InstrumentId): Instrument | undefined;
}

/** Keeps each strategy instance's state snapshot across restarts. */
export interface StrategyStateStore {
  /** Returns the last saved snapshot, or undefined when none was saved. */
  load(strategyId: StrategyId): Promise<unknown | undefined>;
  /** Saves a snapshot (a JSON-serialisable value returned by Strategy.getState). */
  save(strategyId: StrategyId, state: unknown): Promise<void>;
}

/** Provides historical closed bars for warm-up. */
export interface WarmupSource {
  /** Returns up to `count` closed bars that closed before `before`, oldest first. */
  historicalBars(
    instrumentId: InstrumentId,
    interval: BarInterval,
    count: number,
    before: UnixMicros,
  ): readonly Bar[] | Promise<readonly Bar[]>;
}
