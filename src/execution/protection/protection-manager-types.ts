import type { MessageBus } from "../../bus/index.ts";
import type { ClientOrderIdGenerator, Clock, DesError, InstrumentId } from "../../core/index.ts";
import type { BarInterval, Instrument, OrderType } from "../../model/index.ts";

/** How a protection manager is set up. */
export interface ProtectionManagerConfig {
  readonly bus: MessageBus;
  readonly clock: Clock;
  /**
   * The order types the venue places natively; the composition root decides by venue kind. STOP_LOSS
   * and TAKE_PROFIT are used; a protection whose type is missing is emulated. Default: none.
   */
  readonly nativeOrderTypes?: Iterable<OrderType> | undefined;
  /** Looks an instrument up: prices round to its tick, exit quantities down to its step. Absent: no rounding. */
  readonly instrument?: ((id: InstrumentId) => Instrument | undefined) | undefined;
  /** Which market data triggers emulated protections: trades (default true) and closed bars of one interval (default "1m"; null: none). */
  readonly marketData?: { readonly trades?: boolean; readonly barInterval?: BarInterval | null } | undefined;
  /** Client order ids of exits and native orders; default a generator on the clock with prefix "prot". */
  readonly orderIds?: ClientOrderIdGenerator | undefined;
  /** Exit orders that may fail in a row (rejected, denied, expired) before the protection gives up; default 3. */
  readonly maxExitAttempts?: number | undefined;
  /** A native order still not canceled after this long is asked again on the next price; default 5 000 ms. */
  readonly cancelRetryMs?: number | undefined;
  /** Cancels sent per native order before an exit stops waiting for it; default 3. */
  readonly maxCancelAttempts?: number | undefined;
  /** Receives every problem (a position too small to exit, an exit that keeps failing); the app logs them. */
  readonly onProblem?: ((problem: DesError) => void) | undefined;
}

/** Counters of what the protection manager has done. */
export interface ProtectionStats {
  /** Strategy positions with a protection configured. */
  readonly protections: number;
  /** Of those, the ones with an open position (armed now). */
  readonly armed: number;
  readonly stopLossTriggers: number;
  readonly takeProfitTriggers: number;
  readonly trailingStopTriggers: number;
  /** Native protective orders the venue filled. */
  readonly nativeTriggers: number;
  readonly exitOrders: number;
  readonly exitsFilled: number;
  readonly exitFailures: number;
  readonly rearmed: number;
  readonly gaveUp: number;
  readonly nativePlaced: number;
  readonly nativeCanceled: number;
  readonly nativeFailed: number;
  readonly cancelRetries: number;
  readonly priceEvents: number;
  readonly problems: number;
}
