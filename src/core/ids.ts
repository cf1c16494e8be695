import type { Clock } from "./clock.ts";
import { DesError, ErrorCode } from "./errors.ts";

/** A strategy instance's id, as configured ("ma-cross-btc"). */
export type StrategyId = string & { readonly __brand: "StrategyId" };
/** A client order id: ours, unique, Binance-compatible (^[a-zA-Z0-9-_]{1,36}$). */
export type ClientOrderId = string & { readonly __brand: "ClientOrderId" };
/** The venue's order id, kept as the venue's string. */
export type VenueOrderId = string & { readonly __brand: "VenueOrderId" };
/** The venue's trade (fill) id, the key that makes fills apply exactly once. */
export type TradeId = string & { readonly __brand: "TradeId" };
/** An account id at a venue ("paper", "binance-main"). */
export type AccountId = string & { readonly __brand: "AccountId" };
/** An instrument, named by its venue symbol ("BTCUSDT"). */
export type InstrumentId = string & { readonly __brand: "InstrumentId" };

const CLIENT_ORDER_ID_PATTERN = /^[a-zA-Z0-9-_]{1,36}$/;
const STRATEGY_ID_PATTERN = /^[a-zA-Z0-9-_.]{1,64}$/;
const SYMBOL_PATTERN = /^[A-Z0-9]{2,20}$/;

/** Validates and brands a strategy id. */
export function strategyId(value: string): StrategyId {
  if (!STRATEGY_ID_PATTERN.test(value)) {
    throw new DesError(
      ErrorCode.InvalidId,
      `invalid strategy id ${JSON.stringify(value)}: expected 1-64 of [a-zA-Z0-9-_.]`,
      { value },
    );
  }
  return value as StrategyId;
}

/** Validates and brands a client order id against Binance's rule. */
export function clientOrderId(value: string): ClientOrderId {
  if (!CLIENT_ORDER_ID_PATTERN.test(value)) {
    throw new DesError(
      ErrorCode.InvalidId,
      `invalid client order id ${JSON.stringify(value)}: expected ^[a-zA-Z0-9-_]{1,36}$`,
      { value },
    );
  }
  return value as ClientOrderId;
}

/** Validates and brands an instrument symbol (upper case, as Binance writes it). */
export function instrumentId(value: string): InstrumentId {
  if (!SYMBOL_PATTERN.test(value)) {
    throw new DesError(
      ErrorCode.InvalidId,
      `invalid symbol ${JSON.stringify(value)}: expected 2-20 of [A-Z0-9]`,
      { value },
    );
  }
  return value as InstrumentId;
}

/** Brands a venue order id (kept as the venue's string). */
export function venueOrderId(value: string | number): VenueOrderId {
  return String(value) as VenueOrderId;
}

/** Brands a venue trade id (kept as the venue's string). */
export function tradeId(value: string | number): TradeId {
  return String(value) as TradeId;
}

/** Brands an account id. */
export function accountId(value: string): AccountId {
  return value as AccountId;
}

/**
 * Generates client order ids from the clock and a counter, so a backtest produces the same ids
 * every run: `<prefix>-<time base36>-<counter base36>`, at most 36 characters.
 */
export class ClientOrderIdGenerator {
  readonly #clock: Clock;
  readonly #prefix: string;
  #counter = 0;

  constructor(clock: Clock, prefix = "des") {
    if (!/^[a-zA-Z0-9]{1,8}$/.test(prefix)) {
      throw new DesError(
        ErrorCode.InvalidId,
        `invalid client order id prefix ${JSON.stringify(prefix)}: expected 1-8 of [a-zA-Z0-9]`,
      );
    }
    this.#clock = clock;
    this.#prefix = prefix;
  }

  next(): ClientOrderId {
    this.#counter++;
    return `${this.#prefix}-${Math.floor(this.#clock.now() / 1000).toString(36)}-${this.#counter.toString(36)}` as ClientOrderId;
  }
}
