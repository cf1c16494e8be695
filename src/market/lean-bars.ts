import { Decimal, type InstrumentId, MICROS_PER_DAY, MICROS_PER_MS, type UnixMicros } from "../core/index.ts";
import type { Bar, BarInterval } from "../model/index.ts";
import { buildBar } from "./build-bar.ts";
import { splitCsvRows } from "./csv-rows.ts";
import { FieldReader } from "./field-reader.ts";
import { type BadRowPolicy, type LoadResult, RowCollector } from "./row-collector.ts";

/** Options for LEAN trade-bar files. */
export interface LeanParseOptions {
  readonly instrumentId: InstrumentId;
  /** The UTC day of a minute file ("2022-12-13", "20221213" or its midnight in UnixMicros). */
  readonly date?: string | UnixMicros | undefined;
  /** The bar length of a date-time file: "1h" (hour files, the default) or "1d" (daily files). */
  readonly interval?: BarInterval | undefined;
  readonly badRows?: BadRowPolicy | undefined;
  /** The name used in error messages; a minute file's date is also looked for in it. */
  readonly source?: string | undefined;
}

const DATE_PATTERN = /(\d{4})-?(\d{2})-?(\d{2})/;
const DATE_TIME_PATTERN = /^(\d{4})(\d{2})(\d{2}) (\d{2}):(\d{2})$/;
const COLUMNS = 6;

/** Returns the UTC midnight of a date written YYYY-MM-DD or YYYYMMDD (as in LEAN file names), or undefined. */
export function leanDateFromText(text: string): UnixMicros | undefined {
  const m = DATE_PATTERN.exec(text);
  if (m === null) return undefined;
  return utcMicros(Number(m[1]), Number(m[2]), Number(m[3]), 0, 0);
}

function utcMicros(y: number, mo: number, d: number, h: number, mi: number): UnixMicros | undefined {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59) return undefined;
  const ms = Date.UTC(y, mo - 1, d, h, mi);
  // Date.UTC rolls 2022-02-31 over into March; a real date reads back unchanged.
  if (new Date(ms).getUTCDate() !== d) return undefined;
  return (ms * MICROS_PER_MS) as UnixMicros;
}

function dayOf(opts: LeanParseOptions, reader: FieldReader): UnixMicros {
  if (typeof opts.date === "number") {
    if (opts.date % MICROS_PER_DAY !== 0) throw reader.error(`date ${opts.date} is not a UTC midnight`);
    return opts.date;
  }
  const fromText = leanDateFromText(opts.date ?? opts.source ?? "");
  if (fromText === undefined) {
    throw reader.error(
      opts.date === undefined
        ? "a LEAN minute file needs its date: pass date or name the file with YYYYMMDD"
        : `invalid date ${JSON.stringify(opts.date)}`,
    );
  }
  return fromText;
}

/** Returns the 1m Bars of a LEAN crypto minute trade-bar file: `ms since midnight UTC,open,high,low,close,volume`. */
export function parseLeanMinuteCsv(text: string, opts: LeanParseOptions): LoadResult<Bar> {
  const reader = new FieldReader(opts.source ?? "lean minute csv");
  const day = dayOf(opts, reader);
  const out = new RowCollector<Bar>(opts.badRows);
  for (const { line, cells } of splitCsvRows(text)) {
    reader.row = line;
    try {
      checkColumns(cells, reader);
      const offsetMs = reader.integer(cells[0], "milliseconds since midnight");
      if (offsetMs < 0 || offsetMs >= 86_400_000) {
        throw reader.error(`milliseconds since midnight ${offsetMs} is outside the day`);
      }
      const bar = leanBar(cells, (day + offsetMs * MICROS_PER_MS) as UnixMicros, "1m", opts, reader);
      out.add(reader, bar, bar.openTime);
    } catch (thrown) {
      out.reject(thrown);
    }
  }
  return out;
}

/** Returns the Bars of a LEAN crypto hour (or daily) trade-bar file: `YYYYMMDD HH:mm,open,high,low,close,volume`. */
export function parseLeanHourCsv(text: string, opts: LeanParseOptions): LoadResult<Bar> {
  const reader = new FieldReader(opts.source ?? "lean hour csv");
  const interval = opts.interval ?? "1h";
  const out = new RowCollector<Bar>(opts.badRows);
  for (const { line, cells } of splitCsvRows(text)) {
    reader.row = line;
    try {
      checkColumns(cells, reader);
      const m = DATE_TIME_PATTERN.exec(cells[0]!);
      const openTime =
        m === null
          ? undefined
          : utcMicros(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]));
      if (openTime === undefined) {
        throw reader.error(`time ${JSON.stringify(cells[0])} is not a valid "YYYYMMDD HH:mm"`);
      }
      const bar = leanBar(cells, openTime, interval, opts, reader);
      out.add(reader, bar, bar.openTime);
    } catch (thrown) {
      out.reject(thrown);
    }
  }
  return out;
}

function checkColumns(cells: string[], reader: FieldReader): void {
  if (cells.length !== COLUMNS) {
    throw reader.error(`expected ${COLUMNS} columns (time,open,high,low,close,volume), got ${cells.length}`);
  }
}

function leanBar(
  cells: string[],
  openTime: UnixMicros,
  interval: BarInterval,
  opts: LeanParseOptions,
  reader: FieldReader,
): Bar {
  // LEAN trade bars carry neither quote volume nor a trade count: both are reported as 0.
  return buildBar(reader, {
    instrumentId: opts.instrumentId,
    interval,
    openTime,
    open: reader.nonNegativeDecimal(cells[1], "open"),
    high: reader.nonNegativeDecimal(cells[2], "high"),
    low: reader.nonNegativeDecimal(cells[3], "low"),
    close: reader.nonNegativeDecimal(cells[4], "close"),
    volume: reader.nonNegativeDecimal(cells[5], "volume"),
    quoteVolume: Decimal.ZERO,
    tradeCount: 0,
    closed: true,
  });
}
