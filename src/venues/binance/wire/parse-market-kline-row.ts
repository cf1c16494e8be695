import type { InstrumentId, UnixMicros } from "../../../core/index.ts";
import type { Bar, BarInterval } from "../../../model/index.ts";
import { buildKlineBar } from "./market-event-builders.ts";
import { parseMarketDecimal } from "./parse-market-decimal.ts";
import { isWireId, isWireTimeMs } from "./parse-market-fields.ts";

/**
 * Parses one `GET /api/v3/klines` row `[openTime, o, h, l, c, volume, closeTime, quoteVolume,
 * trades, ...]` into a closed Bar, or returns the reason it is invalid. The REST order is O, H, L, C
 * (the stream's is o, c, h, l).
 */
export function parseMarketKlineRow(
  row: unknown,
  instrument: InstrumentId,
  interval: BarInterval,
  receivedAt: UnixMicros,
): Bar | string {
  if (!Array.isArray(row) || row.length < 9) return "kline row: expected an array of at least 9 fields";
  const openTime: unknown = row[0];
  if (!isWireTimeMs(openTime)) return "kline row[0] open time: expected a positive integer time in ms";
  const closeTime: unknown = row[6];
  if (!isWireTimeMs(closeTime) || closeTime <= openTime) {
    return "kline row[6] close time: expected an integer time in ms after the open time";
  }
  const open = parseMarketDecimal(row[1]);
  if (open === undefined) return "kline row[1] open: expected a decimal string";
  const high = parseMarketDecimal(row[2]);
  if (high === undefined) return "kline row[2] high: expected a decimal string";
  const low = parseMarketDecimal(row[3]);
  if (low === undefined) return "kline row[3] low: expected a decimal string";
  const close = parseMarketDecimal(row[4]);
  if (close === undefined) return "kline row[4] close: expected a decimal string";
  const volume = parseMarketDecimal(row[5]);
  if (volume === undefined) return "kline row[5] volume: expected a decimal string";
  const quoteVolume = parseMarketDecimal(row[7]);
  if (quoteVolume === undefined) return "kline row[7] quote volume: expected a decimal string";
  const tradeCount: unknown = row[8];
  if (!isWireId(tradeCount)) return "kline row[8] trades: expected a non-negative integer";
  return buildKlineBar(
    instrument,
    interval,
    openTime,
    closeTime,
    open,
    high,
    low,
    close,
    volume,
    quoteVolume,
    tradeCount,
    true,
    receivedAt,
  );
}
