import { type Decimal, type InstrumentId, tradeId, type UnixMicros } from "../../../core/index.ts";
import type { Bar, BarInterval, TradeTick } from "../../../model/index.ts";

/*
 * The domain events the market parsers build, once their fields have been checked. Shared by the
 * JSON.parse path, the REST klines rows and the single-pass scanner, so the three cannot drift apart
 * (the differential fuzz test relies on equal results). Positional arguments keep the scanner's hot
 * path free of intermediate objects.
 */

/**
 * Returns a kline Bar from checked fields; times are Binance ms. The close time is the last
 * microsecond of Binance's close time (closeTimeMs * 1000 + 999).
 */
export function buildKlineBar(
  instrumentId: InstrumentId,
  interval: BarInterval,
  openTimeMs: number,
  closeTimeMs: number,
  open: Decimal,
  high: Decimal,
  low: Decimal,
  close: Decimal,
  volume: Decimal,
  quoteVolume: Decimal,
  tradeCount: number,
  closed: boolean,
  receivedAt: UnixMicros,
): Bar {
  return {
    kind: "bar",
    instrumentId,
    interval,
    openTime: (openTimeMs * 1000) as UnixMicros,
    closeTime: (closeTimeMs * 1000 + 999) as UnixMicros,
    open,
    high,
    low,
    close,
    volume,
    quoteVolume,
    tradeCount,
    closed,
    receivedAt,
  };
}

/**
 * Returns a TradeTick from checked fields. `buyerIsMaker` is Binance's `m`: true means the seller
 * took liquidity, so the aggressor is SELL. The event time is the trade time `T` (ms).
 */
export function buildTradeTick(
  instrumentId: InstrumentId,
  id: number,
  price: Decimal,
  quantity: Decimal,
  buyerIsMaker: boolean,
  tradeTimeMs: number,
  receivedAt: UnixMicros,
): TradeTick {
  return {
    kind: "trade",
    instrumentId,
    tradeId: tradeId(id),
    price,
    quantity,
    aggressor: buyerIsMaker ? "SELL" : "BUY",
    eventTime: (tradeTimeMs * 1000) as UnixMicros,
    receivedAt,
  };
}
