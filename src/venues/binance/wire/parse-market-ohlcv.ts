import type { Bar } from "../../../model/index.ts";
import { parseMarketDecimal } from "./parse-market-decimal.ts";
import type { WireObject } from "./parse-market-fields.ts";

/** Open, high, low, close and the base and quote volumes of a kline or a 24-hour ticker. */
export type MarketOhlcv = Pick<Bar, "open" | "high" | "low" | "close" | "volume" | "quoteVolume">;

/**
 * Parses the decimal strings `o`, `h`, `l`, `c`, `v`, `q` of a stream payload (checked in that order),
 * or returns the reason naming the first invalid one as `<what>.<key>`.
 */
export function parseMarketOhlcv(obj: WireObject, what: string): MarketOhlcv | string {
  const open = parseMarketDecimal(obj.o);
  if (open === undefined) return `${what}.o: expected a decimal string`;
  const high = parseMarketDecimal(obj.h);
  if (high === undefined) return `${what}.h: expected a decimal string`;
  const low = parseMarketDecimal(obj.l);
  if (low === undefined) return `${what}.l: expected a decimal string`;
  const close = parseMarketDecimal(obj.c);
  if (close === undefined) return `${what}.c: expected a decimal string`;
  const volume = parseMarketDecimal(obj.v);
  if (volume === undefined) return `${what}.v: expected a decimal string`;
  const quoteVolume = parseMarketDecimal(obj.q);
  if (quoteVolume === undefined) return `${what}.q: expected a decimal string`;
  return { open, high, low, close, volume, quoteVolume };
}
