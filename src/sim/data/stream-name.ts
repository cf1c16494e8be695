import { KLINE_INTERVALS } from "./kline-interval.ts";

const KLINES = KLINE_INTERVALS.join("|");
const SYMBOL_STREAM = new RegExp(
  "^[a-z0-9]{2,30}@(?:trade|aggTrade|bookTicker|miniTicker|ticker|ticker_(?:1h|4h|1d)|avgPrice|referencePrice|blockTrade" +
    `|depth(?:5|10|20)?(?:@100ms)?|kline_(?:${KLINES})(?:@\\+08:00)?)$`,
);
const MARKET_STREAM = /^!(?:miniTicker@arr|ticker_(?:1h|4h|1d)@arr)$/;

/** Most streams one connection may listen to (reference 1.4). */
export const MAX_STREAMS_PER_CONNECTION = 1024;

/**
 * Returns true for a stream name Binance spot serves (reference 1.2, 2.x): a lowercase symbol with a
 * stream type (`btcusdt@trade`, `btcusdt@depth20@100ms`, `btcusdt@kline_1m@+08:00`, ...) or an
 * all-market stream (`!miniTicker@arr`). Symbols are lowercase: `BTCUSDT@trade` is not a stream.
 * The simulator accepts a valid name whose symbol it does not trade; that stream just stays silent.
 */
export function isValidStreamName(name: string): boolean {
  return SYMBOL_STREAM.test(name) || MARKET_STREAM.test(name);
}
