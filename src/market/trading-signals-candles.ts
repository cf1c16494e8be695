import { Decimal, type InstrumentId, instrumentId } from "../core/index.ts";
import type { Bar } from "../model/index.ts";
import { buildBar } from "./build-bar.ts";
import { FieldReader } from "./field-reader.ts";
import { intervalOfLength } from "./interval-bucket.ts";
import { type BadRowPolicy, type LoadResult, RowCollector } from "./row-collector.ts";

/** One candle as the trading-signals project stores it (prices as decimal strings). */
export interface TradingSignalsCandleMsg {
  base?: string;
  counter?: string;
  open: string;
  high: string;
  low: string;
  close: string;
  volume: string;
  openTimeInMillis: number;
  sizeInMillis: number;
}

/** Options for trading-signals candle files. */
export interface TradingSignalsParseOptions {
  /** The instrument; when absent it is base + counter of each candle ("LTC" + "USDT"). */
  readonly instrumentId?: InstrumentId | undefined;
  readonly badRows?: BadRowPolicy | undefined;
  readonly source?: string | undefined;
}

/**
 * Returns the Bars of a trading-signals candle array. The format has no quote volume or trade count;
 * both are reported as 0.
 */
export function parseTradingSignalsCandles(
  body: unknown,
  opts: TradingSignalsParseOptions = {},
): LoadResult<Bar> {
  const reader = new FieldReader(opts.source ?? "trading-signals candles");
  if (!Array.isArray(body)) throw reader.error("trading-signals candles must be a JSON array of objects");
  const out = new RowCollector<Bar>(opts.badRows);
  for (let i = 0; i < body.length; i++) {
    reader.row = i + 1;
    try {
      const c = body[i] as Partial<TradingSignalsCandleMsg> | null;
      if (c === null || typeof c !== "object" || Array.isArray(c))
        throw reader.error("a candle must be an object");
      const sizeMs = reader.integer(c.sizeInMillis, "sizeInMillis");
      const interval = intervalOfLength(sizeMs * 1000);
      if (interval === undefined) throw reader.error(`sizeInMillis ${sizeMs} is not a supported interval`);
      const bar = buildBar(reader, {
        instrumentId: opts.instrumentId ?? symbolOf(c, reader),
        interval,
        openTime: reader.epoch(c.openTimeInMillis, "openTimeInMillis"),
        open: reader.nonNegativeDecimal(c.open, "open"),
        high: reader.nonNegativeDecimal(c.high, "high"),
        low: reader.nonNegativeDecimal(c.low, "low"),
        close: reader.nonNegativeDecimal(c.close, "close"),
        volume: reader.nonNegativeDecimal(c.volume, "volume"),
        quoteVolume: Decimal.ZERO,
        tradeCount: 0,
        closed: true,
      });
      out.add(reader, bar, bar.openTime);
    } catch (thrown) {
      out.reject(thrown);
    }
  }
  return out;
}

function symbolOf(c: Partial<TradingSignalsCandleMsg>, reader: FieldReader): InstrumentId {
  if (typeof c.base !== "string" || typeof c.counter !== "string") {
    throw reader.error("candle names no base/counter asset: pass instrumentId");
  }
  try {
    return instrumentId(`${c.base}${c.counter}`.toUpperCase());
  } catch (thrown) {
    throw reader.error(`invalid symbol ${c.base}${c.counter}`, {}, thrown);
  }
}
