import type { AccountId, Decimal, InstrumentId, StrategyId, UnixMicros } from "../../core/index.ts";

/** An instrument's last traded (or marked) price. Key: `des:<ns>:price:<instrumentId>`. */
export interface LastPrice {
  readonly instrumentId: InstrumentId;
  readonly price: Decimal;
  /** When the price was observed (event time). */
  readonly ts: UnixMicros;
}

/** One position of a book, as the positions table holds it. */
export interface CachedPosition {
  readonly instrumentId: InstrumentId;
  /** Signed: positive long, negative short. */
  readonly quantity: Decimal;
  readonly averagePrice: Decimal;
  readonly realizedPnl: Decimal;
  /** Commissions paid, per asset. */
  readonly fees: Readonly<Record<string, Decimal>>;
}

/** Every position of one book (a strategy's or an account's). Key: `des:<ns>:positions:<bookId>`. */
export interface PositionsSnapshot {
  readonly bookId: string;
  readonly positions: readonly CachedPosition[];
  /** When the snapshot was taken. */
  readonly ts: UnixMicros;
}

/** One asset's balance in an account. */
export interface CachedBalance {
  readonly asset: string;
  readonly free: Decimal;
  readonly locked: Decimal;
}

/** Every balance of one account. Key: `des:<ns>:balances:<accountId>`. */
export interface BalancesSnapshot {
  readonly accountId: AccountId;
  readonly balances: readonly CachedBalance[];
  readonly ts: UnixMicros;
}

/** A strategy instance's status. Key: `des:<ns>:strategy-status:<strategyId>`. */
export interface StrategyStatusSnapshot {
  readonly strategyId: StrategyId;
  /** The engine's status word (RUNNING, PAUSED, STOPPED, FAILED, ...), kept as written. */
  readonly status: string;
  /** Why, when the status says something went wrong (an error message; never a secret). */
  readonly detail?: string;
  readonly ts: UnixMicros;
}
