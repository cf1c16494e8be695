import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { gunzipSync } from "node:zlib";
import { DesError, ErrorCode, type InstrumentId, instrumentId, type UnixMicros } from "../core/index.ts";
import type { Bar, BarInterval, TradeTick } from "../model/index.ts";
import { parseKlinesCsv, parseKlinesJson } from "./binance-klines.ts";
import { parseTradesCsv, parseTradesJson } from "./binance-trades.ts";
import { isNumericCell, splitCsvRows } from "./csv-rows.ts";
import { FieldReader } from "./field-reader.ts";
import { parseLeanHourCsv, parseLeanMinuteCsv } from "./lean-bars.ts";
import type { BadRowPolicy, LoadResult } from "./row-collector.ts";
import { parseTradingSignalsCandles } from "./trading-signals-candles.ts";

/** Every market-data file layout DES reads. */
export const MARKET_FILE_FORMATS = [
  /** `GET /api/v3/klines` response body. */
  "binance-klines-json",
  /** data.binance.vision kline CSV (12 columns). */
  "binance-klines-csv",
  /** LEAN crypto minute trade bars (`ms since midnight,o,h,l,c,v`). */
  "lean-minute-csv",
  /** LEAN crypto hour/daily trade bars (`YYYYMMDD HH:mm,o,h,l,c,v`). */
  "lean-hour-csv",
  /** trading-signals candle objects. */
  "trading-signals-json",
  /** Binance trades / aggTrades JSON, stream frames, or ccxt trade dicts with the raw record in `info`. */
  "binance-trades-json",
  /** data.binance.vision trades / aggTrades CSV, or a trades CSV with a header. */
  "binance-trades-csv",
] as const;
export type MarketFileFormat = (typeof MARKET_FILE_FORMATS)[number];

/** Options for loadMarketFile / parseMarketText; the file name supplies what is not given. */
export interface MarketFileOptions {
  /** The layout; detected from the extension and content when absent. */
  readonly format?: MarketFileFormat | undefined;
  /** The instrument; taken from the file name or the rows when absent. */
  readonly instrumentId?: InstrumentId | undefined;
  readonly interval?: BarInterval | undefined;
  /** The UTC day of a LEAN minute file; taken from the file name when absent. */
  readonly date?: string | UnixMicros | undefined;
  /** Stop at the first malformed row (default) or skip malformed rows and count them. */
  readonly badRows?: BadRowPolicy | undefined;
}

/** What a market-data file holds: bars or trades (the other list is empty), in time order. */
export interface MarketFileData {
  readonly source: string;
  readonly format: MarketFileFormat;
  readonly bars: Bar[];
  readonly trades: TradeTick[];
  readonly skippedRows: number;
  readonly errors: readonly DesError[];
}

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

/** Reads a market-data file (gzip allowed) and returns its bars or trades. */
export async function loadMarketFile(path: string, opts: MarketFileOptions = {}): Promise<MarketFileData> {
  const name = basename(path);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (thrown) {
    throw new DesError(
      ErrorCode.InvalidMarketData,
      `cannot read market file ${path}: ${(thrown as Error).message}`,
      {
        path,
      },
      { cause: thrown },
    );
  }
  if (bytes[0] === GZIP_MAGIC_0 && bytes[1] === GZIP_MAGIC_1) {
    try {
      bytes = gunzipSync(bytes);
    } catch (thrown) {
      throw new FieldReader(name).error("corrupt gzip data", {}, thrown);
    }
  }
  return parseMarketText(bytes.toString("utf8"), name.replace(/\.gz$/i, ""), opts);
}

/** Returns the bars or trades of a market-data text; `name` is the file name (for format, instrument, date). */
export function parseMarketText(text: string, name: string, opts: MarketFileOptions = {}): MarketFileData {
  const reader = new FieldReader(name);
  const isJson = name.toLowerCase().endsWith(".json") || /^\s*[[{]/.test(text.slice(0, 64));
  let json: unknown;
  if (isJson) {
    try {
      json = JSON.parse(text);
    } catch (thrown) {
      throw reader.error(`not valid JSON: ${(thrown as Error).message}`, {}, thrown);
    }
  }
  const format = opts.format ?? (isJson ? detectJsonFormat(json, reader) : detectCsvFormat(text, reader));
  reader.row = 0;
  const badRows = opts.badRows;
  const source = name;
  const named = opts.instrumentId ?? instrumentFromFileName(name);
  const need = (): InstrumentId => {
    if (named === undefined) {
      throw reader.error("cannot tell the instrument from the file name: pass instrumentId");
    }
    return named;
  };
  const parseJson = (): unknown => {
    if (isJson) return json;
    try {
      return JSON.parse(text);
    } catch (thrown) {
      throw reader.error(`not valid JSON: ${(thrown as Error).message}`, {}, thrown);
    }
  };
  let bars: LoadResult<Bar> | undefined;
  let trades: LoadResult<TradeTick> | undefined;
  switch (format) {
    case "binance-klines-json":
      bars = parseKlinesJson(parseJson(), { instrumentId: need(), interval: opts.interval, badRows, source });
      break;
    case "binance-klines-csv":
      bars = parseKlinesCsv(text, { instrumentId: need(), interval: opts.interval, badRows, source });
      break;
    case "lean-minute-csv":
      bars = parseLeanMinuteCsv(text, { instrumentId: need(), date: opts.date, badRows, source });
      break;
    case "lean-hour-csv":
      bars = parseLeanHourCsv(text, {
        instrumentId: need(),
        interval: opts.interval ?? (/daily/i.test(name) ? "1d" : "1h"),
        badRows,
        source,
      });
      break;
    case "trading-signals-json":
      bars = parseTradingSignalsCandles(parseJson(), { instrumentId: opts.instrumentId, badRows, source });
      break;
    case "binance-trades-json":
      trades = parseTradesJson(parseJson(), { instrumentId: named, badRows, source });
      break;
    case "binance-trades-csv":
      trades = parseTradesCsv(text, { instrumentId: need(), badRows, source });
      break;
    default:
      throw reader.error(
        `unknown format ${JSON.stringify(format)}: expected one of ${MARKET_FILE_FORMATS.join(", ")}`,
      );
  }
  const result: LoadResult<Bar | TradeTick> = bars ?? trades!;
  if (opts.interval !== undefined && bars !== undefined) {
    const other = bars.items.find((b) => b.interval !== opts.interval);
    if (other !== undefined) throw reader.error(`holds ${other.interval} bars, expected ${opts.interval}`);
  }
  return {
    source,
    format,
    bars: bars?.items ?? [],
    trades: trades?.items ?? [],
    skippedRows: result.skippedRows,
    errors: result.errors,
  };
}

/**
 * Returns the instrument a file name states, or undefined: data.binance.vision and DES names
 * (`BTCUSDT-1m-2021-11-27.csv`, `BTCUSDT-trades-...`) and LEAN names (`binance_btcbusd_minute_...`,
 * `20221213_btcbusd_minute_trade.csv`).
 */
export function instrumentFromFileName(name: string): InstrumentId | undefined {
  const file = basename(name);
  const m =
    /^([A-Z0-9]{2,20})-/.exec(file) ??
    /^(?:[a-z]+|\d{8})_([a-z0-9]{2,20})_(?:minute|hour|daily|second)/i.exec(file);
  return m === null ? undefined : instrumentId(m[1]!.toUpperCase());
}

function detectJsonFormat(json: unknown, reader: FieldReader): MarketFileFormat {
  if (!Array.isArray(json)) {
    throw reader.error("cannot tell the format: market JSON files are arrays (pass format)");
  }
  const first: unknown = json[0];
  if (first === undefined) throw reader.error("cannot tell the format of an empty array: pass format");
  if (Array.isArray(first)) return "binance-klines-json";
  if (first !== null && typeof first === "object") {
    const o = first as Record<string, unknown>;
    if ("openTimeInMillis" in o) return "trading-signals-json";
    if ("a" in o || "id" in o || "info" in o || "stream" in o) return "binance-trades-json";
  }
  throw reader.error("cannot tell the format from the first element: pass format");
}

function detectCsvFormat(text: string, reader: FieldReader): MarketFileFormat {
  // Only the first rows matter; avoid splitting a large file twice.
  const rows = splitCsvRows(text.slice(0, 4096));
  const first = rows[0];
  if (first === undefined) throw reader.error("cannot tell the format of an empty file: pass format");
  const cells = first.cells;
  reader.row = first.line;
  if (!isNumericCell(cells[0])) {
    if (/^\d{8} \d{2}:\d{2}$/.test(cells[0]!)) return "lean-hour-csv";
    const header = cells.map((c) => c.toLowerCase());
    if (header.includes("open_time") || header.includes("open")) return "binance-klines-csv";
    if (header.some((h) => h.includes("price"))) return "binance-trades-csv";
    throw reader.error(
      `cannot tell the format from the header ${JSON.stringify(cells.join(","))}: pass format`,
    );
  }
  if (cells.length === 12) return "binance-klines-csv";
  if (cells.length === 6) return "lean-minute-csv";
  if (cells.length === 7 || cells.length === 8) return "binance-trades-csv";
  throw reader.error(`cannot tell the format of a ${cells.length}-column CSV: pass format`);
}
