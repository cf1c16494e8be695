import type { InstrumentId, UnixMicros } from "../../../core/index.ts";
import { isWireTimeMs, type WireObject } from "./parse-market-fields.ts";
import { type MarketOhlcv, parseMarketOhlcv } from "./parse-market-ohlcv.ts";
import { parseMarketSymbol } from "./parse-market-symbol.ts";

/** 24-hour rolling-window statistics of one symbol (`24hrMiniTicker`). */
export interface MiniTicker extends MarketOhlcv {
  readonly kind: "miniTicker";
  readonly instrumentId: InstrumentId;
  readonly eventTime: UnixMicros;
  readonly receivedAt: UnixMicros;
}

/** Parses a `24hrMiniTicker` payload, or returns the reason it is invalid. */
export function parseMarketMiniTicker(data: WireObject, receivedAt: UnixMicros): MiniTicker | string {
  const instrument = parseMarketSymbol(data.s);
  if (instrument === undefined) return "24hrMiniTicker.s: expected a symbol";
  const e = data.E;
  if (!isWireTimeMs(e)) return "24hrMiniTicker.E: expected a positive integer time in ms";
  const f = parseMarketOhlcv(data, "24hrMiniTicker");
  if (typeof f === "string") return f;
  return {
    kind: "miniTicker",
    instrumentId: instrument,
    ...f,
    eventTime: (e * 1000) as UnixMicros,
    receivedAt,
  };
}
