import {
  type Decimal,
  DesError,
  ErrorCode,
  type InstrumentId,
  MICROS_PER_MINUTE,
  type TradeId,
  type UnixMicros,
} from "../core/index.ts";

/** Bar intervals DES aggregates and replays, as Binance names them. */
export const BAR_INTERVALS = [
  "1m",
  "3m",
  "5m",
  "15m",
  "30m",
  "1h",
  "2h",
  "4h",
  "6h",
  "8h",
  "12h",
  "1d",
] as const;
export type BarInterval = (typeof BAR_INTERVALS)[number];

const INTERVAL_MICROS: Record<BarInterval, number> = {
  "1m": MICROS_PER_MINUTE,
  "3m": 3 * MICROS_PER_MINUTE,
  "5m": 5 * MICROS_PER_MINUTE,
  "15m": 15 * MICROS_PER_MINUTE,
  "30m": 30 * MICROS_PER_MINUTE,
  "1h": 60 * MICROS_PER_MINUTE,
  "2h": 120 * MICROS_PER_MINUTE,
  "4h": 240 * MICROS_PER_MINUTE,
  "6h": 360 * MICROS_PER_MINUTE,
  "8h": 480 * MICROS_PER_MINUTE,
  "12h": 720 * MICROS_PER_MINUTE,
  "1d": 1440 * MICROS_PER_MINUTE,
};

/** Returns the length of a bar interval in microseconds. */
export function intervalMicros(interval: BarInterval): number {
  return INTERVAL_MICROS[interval];
}

/** Validates a bar interval name ("1m" .. "1d"). */
export function parseBarInterval(value: string): BarInterval {
  if (!(BAR_INTERVALS as readonly string[]).includes(value)) {
    throw new DesError(
      ErrorCode.InvalidInterval,
      `invalid bar interval ${JSON.stringify(value)}: expected one of ${BAR_INTERVALS.join(", ")}`,
      { value },
    );
  }
  return value as BarInterval;
}

/** Which side was the aggressor (taker) of a trade. */
export type AggressorSide = "BUY" | "SELL";

/** One trade print (Binance `trade` or `aggTrade`). */
export interface TradeTick {
  readonly kind: "trade";
  readonly instrumentId: InstrumentId;
  readonly tradeId: TradeId;
  readonly price: Decimal;
  readonly quantity: Decimal;
  readonly aggressor: AggressorSide;
  /** The venue's trade time. */
  readonly eventTime: UnixMicros;
  /** When DES received it. */
  readonly receivedAt: UnixMicros;
}

/** Best bid and ask (Binance `bookTicker`). */
export interface QuoteTick {
  readonly kind: "quote";
  readonly instrumentId: InstrumentId;
  readonly bid: Decimal;
  readonly bidSize: Decimal;
  readonly ask: Decimal;
  readonly askSize: Decimal;
  readonly eventTime: UnixMicros;
  readonly receivedAt: UnixMicros;
}

/** An OHLCV bar. `closed` is false for an in-progress bar (Binance kline `x`). */
export interface Bar {
  readonly kind: "bar";
  readonly instrumentId: InstrumentId;
  readonly interval: BarInterval;
  readonly openTime: UnixMicros;
  /** The last microsecond inside the bar (Binance's closeTime, openTime + interval - 1ms in ms). */
  readonly closeTime: UnixMicros;
  readonly open: Decimal;
  readonly high: Decimal;
  readonly low: Decimal;
  readonly close: Decimal;
  readonly volume: Decimal;
  readonly quoteVolume: Decimal;
  readonly tradeCount: number;
  readonly closed: boolean;
  readonly receivedAt: UnixMicros;
}

/** Any market-data event a feed produces. */
export type MarketEvent = TradeTick | QuoteTick | Bar;
