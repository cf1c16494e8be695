import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import type { InstrumentId, UnixMicros } from "../core/index.ts";
import { type Bar, type BarInterval, intervalMicros } from "../model/index.ts";
import { buildBar } from "./build-bar.ts";
import { isNumericCell, splitCsvRows } from "./csv-rows.ts";
import { FieldReader } from "./field-reader.ts";
import { intervalOfLength } from "./interval-bucket.ts";
import { type BadRowPolicy, type LoadResult, RowCollector } from "./row-collector.ts";

/**
 * One row of `GET /api/v3/klines` as Binance sends it:
 * [openTime, open, high, low, close, volume, closeTime, quoteVolume, trades, takerBuyBase, takerBuyQuote, ignore].
 * A data.binance.vision CSV line has the same 12 columns, all as text.
 */
export type BinanceKlineRowMsg = readonly unknown[];

/** Options for the Binance kline parsers. */
export interface KlineParseOptions {
  readonly instrumentId: InstrumentId;
  /** Expected interval; each row's open/close times must agree. Derived from the rows when absent. */
  readonly interval?: BarInterval | undefined;
  /** A row whose bar ends after this time is still in progress (closed: false). Absent: all closed. */
  readonly now?: UnixMicros | undefined;
}

/** Options for loading a whole klines response or file. */
export interface KlineLoadOptions extends KlineParseOptions {
  readonly badRows?: BadRowPolicy | undefined;
  /** The name used in error messages. */
  readonly source?: string | undefined;
}

const KLINE_FIELDS = 12;

/**
 * Returns the Bar of one Binance kline row (REST JSON or data.binance.vision CSV cells).
 * Times may be milliseconds or (data.binance.vision since 2025) microseconds.
 */
export function parseKlineRow(
  row: BinanceKlineRowMsg,
  opts: KlineParseOptions,
  reader: FieldReader = new FieldReader("kline"),
): Bar {
  if (!Array.isArray(row)) throw reader.error("a kline must be an array of 12 fields");
  if (row.length !== KLINE_FIELDS) {
    throw reader.error(`a kline has ${KLINE_FIELDS} fields, this one has ${row.length}`, {
      fields: row.length,
    });
  }
  const openTime = reader.epoch(row[0], "open time");
  const closeRaw = reader.integer(row[6], "close time");
  const closeTime = reader.epoch(closeRaw, "close time");
  // Binance's close time is the last unit inside the bar: openTime + interval - 1 (ms or us).
  const unitUs = closeTime === closeRaw ? 1 : 1000;
  const lengthUs = closeTime + unitUs - openTime;
  const interval = intervalOfLength(lengthUs);
  if (interval === undefined) {
    throw reader.error(`open time ${row[0]} and close time ${row[6]} do not span a supported interval`, {
      lengthUs,
    });
  }
  if (opts.interval !== undefined && interval !== opts.interval) {
    throw reader.error(`row spans ${interval}, expected ${opts.interval}`, { interval });
  }
  const open = reader.nonNegativeDecimal(row[1], "open");
  const high = reader.nonNegativeDecimal(row[2], "high");
  const low = reader.nonNegativeDecimal(row[3], "low");
  const close = reader.nonNegativeDecimal(row[4], "close");
  const volume = reader.nonNegativeDecimal(row[5], "volume");
  const quoteVolume = reader.nonNegativeDecimal(row[7], "quote volume");
  const tradeCount = reader.integer(row[8], "number of trades");
  const closed = opts.now === undefined || openTime + intervalMicros(interval) <= opts.now;
  return buildBar(reader, {
    instrumentId: opts.instrumentId,
    interval,
    openTime,
    open,
    high,
    low,
    close,
    volume,
    quoteVolume,
    tradeCount,
    closed,
  });
}

/** Returns the Bars of a parsed `GET /api/v3/klines` response body (an array of rows). */
export function parseKlinesJson(body: unknown, opts: KlineLoadOptions): LoadResult<Bar> {
  const reader = new FieldReader(opts.source ?? "klines response");
  if (!Array.isArray(body)) throw reader.error("a klines response must be a JSON array of rows");
  const out = new RowCollector<Bar>(opts.badRows);
  let interval = opts.interval;
  for (let i = 0; i < body.length; i++) {
    reader.row = i + 1;
    try {
      const bar = parseKlineRow(body[i] as BinanceKlineRowMsg, { ...opts, interval }, reader);
      interval = bar.interval;
      out.add(reader, bar, bar.openTime);
    } catch (thrown) {
      out.reject(thrown);
    }
  }
  return out;
}

/** Returns the Bars of a data.binance.vision kline CSV text (12 columns; an optional header is skipped). */
export function parseKlinesCsv(text: string, opts: KlineLoadOptions): LoadResult<Bar> {
  const reader = new FieldReader(opts.source ?? "klines csv");
  const out = new RowCollector<Bar>(opts.badRows);
  let interval = opts.interval;
  const rows = splitCsvRows(text);
  for (let i = 0; i < rows.length; i++) {
    const { line, cells } = rows[i]!;
    reader.row = line;
    if (i === 0 && !isNumericCell(cells[0])) continue;
    try {
      const bar = parseKlineRow(cells, { ...opts, interval }, reader);
      interval = bar.interval;
      out.add(reader, bar, bar.openTime);
    } catch (thrown) {
      out.reject(thrown);
    }
  }
  return out;
}

/** Reads a file holding a `GET /api/v3/klines` response body and returns its Bars. */
export async function loadKlinesJson(path: string, opts: KlineLoadOptions): Promise<LoadResult<Bar>> {
  const source = opts.source ?? basename(path);
  const text = await readFile(path, "utf8");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (thrown) {
    throw new FieldReader(source).error("not valid JSON", {}, thrown);
  }
  return parseKlinesJson(body, { ...opts, source });
}
