import type { UnixMicros } from "../../../core/index.ts";
import type { Bar } from "../../../model/index.ts";
import { buildKlineBar } from "./market-event-builders.ts";
import { isWireId, isWireObject, isWireTimeMs, type WireObject } from "./parse-market-fields.ts";
import { parseMarketInterval } from "./parse-market-interval.ts";
import { parseMarketOhlcv } from "./parse-market-ohlcv.ts";
import { parseMarketSymbol } from "./parse-market-symbol.ts";

/**
 * Parses a `kline` payload into a Bar, or returns the reason it is invalid. `closed` is `k.x`; the
 * bar's close time is the last microsecond of Binance's close time `k.T` (T * 1000 + 999).
 * Intervals DES does not support ("1s", "3d", "1w", "1M") are refused.
 */
export function parseMarketKline(data: WireObject, receivedAt: UnixMicros): Bar | string {
  const instrument = parseMarketSymbol(data.s);
  if (instrument === undefined) return "kline.s: expected a symbol";
  if (!isWireTimeMs(data.E)) return "kline.E: expected a positive integer time in ms";
  const k = data.k;
  if (!isWireObject(k)) return "kline.k: expected an object";
  if (k.s !== data.s) return "kline.k.s: expected the same symbol as kline.s";
  const interval = parseMarketInterval(k.i);
  if (interval === undefined) return "kline.k.i: expected a supported interval (1m .. 1d)";
  const openTime = k.t;
  if (!isWireTimeMs(openTime)) return "kline.k.t: expected a positive integer time in ms";
  const closeTime = k.T;
  if (!isWireTimeMs(closeTime) || closeTime <= openTime) {
    return "kline.k.T: expected an integer time in ms after k.t";
  }
  const f = parseMarketOhlcv(k, "kline.k");
  if (typeof f === "string") return f;
  const tradeCount = k.n;
  if (!isWireId(tradeCount)) return "kline.k.n: expected a non-negative integer";
  const closed = k.x;
  if (typeof closed !== "boolean") return "kline.k.x: expected a boolean";
  return buildKlineBar(
    instrument,
    interval,
    openTime,
    closeTime,
    f.open,
    f.high,
    f.low,
    f.close,
    f.volume,
    f.quoteVolume,
    tradeCount,
    closed,
    receivedAt,
  );
}
