import type { Decimal, InstrumentId, UnixMicros } from "../../../core/index.ts";
import { parseMarketDecimal } from "./parse-market-decimal.ts";
import { isWireTimeMs, type WireObject } from "./parse-market-fields.ts";
import { parseMarketSymbol } from "./parse-market-symbol.ts";

/** 24-hour rolling-window statistics of one symbol (`24hrMiniTicker`). */
export interface MiniTicker {
  readonly kind: "miniTicker";
  readonly instrumentId: InstrumentId;
  readonly open: Decimal;
  readonly high: Decimal;
  readonly low: Decimal;
  readonly close: Decimal;
  /** Total traded base asset volume. */
  readonly volume: Decimal;
  /** Total traded quote asset volume. */
  readonly quoteVolume: Decimal;
  readonly eventTime: UnixMicros;
  readonly receivedAt: UnixMicros;
}

/** Parses a `24hrMiniTicker` payload, or returns the reason it is invalid. */
export function parseMarketMiniTicker(data: WireObject, receivedAt: UnixMicros): MiniTicker | string {
  const instrument = parseMarketSymbol(data.s);
  if (instrument === undefined) return "24hrMiniTicker.s: expected a symbol";
  const e = data.E;
  if (!isWireTimeMs(e)) return "24hrMiniTicker.E: expected a positive integer time in ms";
  const close = parseMarketDecimal(data.c);
  if (close === undefined) return "24hrMiniTicker.c: expected a decimal string";
  const open = parseMarketDecimal(data.o);
  if (open === undefined) return "24hrMiniTicker.o: expected a decimal string";
  const high = parseMarketDecimal(data.h);
  if (high === undefined) return "24hrMiniTicker.h: expected a decimal string";
  const low = parseMarketDecimal(data.l);
  if (low === undefined) return "24hrMiniTicker.l: expected a decimal string";
  const volume = parseMarketDecimal(data.v);
  if (volume === undefined) return "24hrMiniTicker.v: expected a decimal string";
  const quoteVolume = parseMarketDecimal(data.q);
  if (quoteVolume === undefined) return "24hrMiniTicker.q: expected a decimal string";
  return {
    kind: "miniTicker",
    instrumentId: instrument,
    open,
    high,
    low,
    close,
    volume,
    quoteVolume,
    eventTime: (e * 1000) as UnixMicros,
    receivedAt,
  };
}
