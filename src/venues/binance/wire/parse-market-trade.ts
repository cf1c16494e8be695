import type { UnixMicros } from "../../../core/index.ts";
import type { TradeTick } from "../../../model/index.ts";
import { buildTradeTick } from "./market-event-builders.ts";
import { parseMarketDecimal } from "./parse-market-decimal.ts";
import { isWireId, isWireTimeMs, type WireObject } from "./parse-market-fields.ts";
import { parseMarketSymbol } from "./parse-market-symbol.ts";

/**
 * Parses the payload of a `trade` (id in `t`) or `aggTrade` (id in `a`) event into a TradeTick, or
 * returns the reason it is invalid. `m` true means the buyer was the maker, so the seller took
 * liquidity: the aggressor is SELL. The tick's event time is the trade time `T`.
 */
export function parseMarketTrade(data: WireObject, receivedAt: UnixMicros): TradeTick | string {
  const aggregate = data.e === "aggTrade";
  const what = aggregate ? "aggTrade" : "trade";
  const instrument = parseMarketSymbol(data.s);
  if (instrument === undefined) return `${what}.s: expected a symbol`;
  const id = aggregate ? data.a : data.t;
  if (!isWireId(id)) return `${what}.${aggregate ? "a" : "t"}: expected a non-negative integer id`;
  const price = parseMarketDecimal(data.p);
  if (price === undefined || price.units <= 0n) return `${what}.p: expected a positive decimal string`;
  const quantity = parseMarketDecimal(data.q);
  if (quantity === undefined || quantity.units <= 0n) return `${what}.q: expected a positive decimal string`;
  const time = data.T;
  if (!isWireTimeMs(time)) return `${what}.T: expected a positive integer time in ms`;
  const maker = data.m;
  if (typeof maker !== "boolean") return `${what}.m: expected a boolean`;
  if (!isWireTimeMs(data.E)) return `${what}.E: expected a positive integer time in ms`;
  return buildTradeTick(instrument, id, price, quantity, maker, time, receivedAt);
}
