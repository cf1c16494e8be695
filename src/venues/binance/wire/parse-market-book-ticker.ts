import type { UnixMicros } from "../../../core/index.ts";
import type { QuoteTick } from "../../../model/index.ts";
import { parseMarketDecimal } from "./parse-market-decimal.ts";
import { isWireId, isWireTimeMs, type WireObject } from "./parse-market-fields.ts";
import { parseMarketSymbol } from "./parse-market-symbol.ts";

/**
 * Parses a `bookTicker` payload into a QuoteTick, or returns the reason it is invalid. Spot
 * bookTicker carries no event time, so the quote's event time is `E` when present (futures and some
 * captures carry it) and otherwise the receive time.
 */
export function parseMarketBookTicker(data: WireObject, receivedAt: UnixMicros): QuoteTick | string {
  const instrument = parseMarketSymbol(data.s);
  if (instrument === undefined) return "bookTicker.s: expected a symbol";
  if (!isWireId(data.u)) return "bookTicker.u: expected a non-negative integer update id";
  const bid = parseMarketDecimal(data.b);
  if (bid === undefined) return "bookTicker.b: expected a decimal string";
  const bidSize = parseMarketDecimal(data.B);
  if (bidSize === undefined) return "bookTicker.B: expected a decimal string";
  const ask = parseMarketDecimal(data.a);
  if (ask === undefined) return "bookTicker.a: expected a decimal string";
  const askSize = parseMarketDecimal(data.A);
  if (askSize === undefined) return "bookTicker.A: expected a decimal string";
  const e = data.E;
  let eventTime = receivedAt;
  if (e !== undefined) {
    if (!isWireTimeMs(e)) return "bookTicker.E: expected a positive integer time in ms";
    eventTime = (e * 1000) as UnixMicros;
  }
  return { kind: "quote", instrumentId: instrument, bid, bidSize, ask, askSize, eventTime, receivedAt };
}
