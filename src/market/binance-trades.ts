import { type InstrumentId, instrumentId, tradeId } from "../core/index.ts";
import type { TradeTick } from "../model/index.ts";
import { isNumericCell, splitCsvRows } from "./csv-rows.ts";
import { FieldReader } from "./field-reader.ts";
import { type BadRowPolicy, type LoadResult, RowCollector } from "./row-collector.ts";

/** A Binance aggregate trade: a `GET /api/v3/aggTrades` row, or the `aggTrade` stream event (with e, E, s). */
export interface BinanceAggTradeMsg {
  a: number;
  p: string;
  q: string;
  f: number;
  l: number;
  T: number;
  m: boolean;
  M?: boolean;
  s?: string;
}

/** A Binance trade as `GET /api/v3/trades` / `historicalTrades` return it. */
export interface BinanceTradeMsg {
  id: number;
  price: string;
  qty: string;
  quoteQty?: string;
  time: number;
  isBuyerMaker: boolean;
  isBestMatch?: boolean;
}

/** Options for the trade parsers. */
export interface TradeParseOptions {
  /** The instrument; may be omitted when the rows name it (stream `s`, ccxt `symbol`). */
  readonly instrumentId?: InstrumentId | undefined;
}

/** Options for loading a whole trades response or file. */
export interface TradeLoadOptions extends TradeParseOptions {
  readonly badRows?: BadRowPolicy | undefined;
  readonly source?: string | undefined;
}

function tick(
  instrument: InstrumentId,
  id: number,
  priceRaw: unknown,
  qtyRaw: unknown,
  timeRaw: unknown,
  makerRaw: unknown,
  reader: FieldReader,
): TradeTick {
  const price = reader.decimal(priceRaw, "price");
  if (!price.isPositive()) throw reader.error(`price ${price} must be positive`);
  const quantity = reader.decimal(qtyRaw, "quantity");
  if (!quantity.isPositive()) throw reader.error(`quantity ${quantity} must be positive`);
  const eventTime = reader.epoch(timeRaw, "time");
  return {
    kind: "trade",
    instrumentId: instrument,
    tradeId: tradeId(id),
    price,
    quantity,
    // The buyer was the maker, so the seller took liquidity: the aggressor sold.
    aggressor: reader.boolean(makerRaw, "isBuyerMaker") ? "SELL" : "BUY",
    eventTime,
    // A file has no receive time: the trade time is the earliest it could have arrived.
    receivedAt: eventTime,
  };
}

function symbol(opts: TradeParseOptions, named: unknown, reader: FieldReader): InstrumentId {
  if (opts.instrumentId !== undefined) return opts.instrumentId;
  if (typeof named === "string") {
    try {
      return instrumentId(named.replace("/", "").toUpperCase());
    } catch (thrown) {
      throw reader.error(`invalid symbol ${JSON.stringify(named)}`, {}, thrown);
    }
  }
  throw reader.error("the trade does not name its instrument: pass instrumentId");
}

/** Returns the TradeTick of a Binance aggregate trade (REST row or stream event). */
export function parseAggTradeMsg(
  msg: BinanceAggTradeMsg,
  opts: TradeParseOptions = {},
  reader: FieldReader = new FieldReader("aggTrade"),
): TradeTick {
  return tick(
    symbol(opts, msg.s, reader),
    reader.integer(msg.a, "a (aggregate trade id)"),
    msg.p,
    msg.q,
    msg.T,
    msg.m,
    reader,
  );
}

/** Returns the TradeTick of a Binance `GET /api/v3/trades` row. */
export function parseTradeMsg(
  msg: BinanceTradeMsg,
  opts: TradeParseOptions = {},
  reader: FieldReader = new FieldReader("trade"),
): TradeTick {
  return tick(
    symbol(opts, undefined, reader),
    reader.integer(msg.id, "id"),
    msg.price,
    msg.qty,
    msg.time,
    msg.isBuyerMaker,
    reader,
  );
}

/**
 * Returns the TradeTick of any JSON trade row DES reads: an aggTrade, a trade, a combined-stream
 * frame `{stream, data}`, or a ccxt trade dict whose `info` is the raw Binance record (as freqtrade
 * stores them; the exact strings of `info` are used, never ccxt's floats).
 */
export function parseTradeJsonRow(
  row: unknown,
  opts: TradeParseOptions = {},
  reader: FieldReader = new FieldReader("trade"),
): TradeTick {
  if (row === null || typeof row !== "object" || Array.isArray(row)) {
    throw reader.error("a trade must be a JSON object");
  }
  const r = row as Record<string, unknown>;
  if (r["data"] !== undefined && typeof r["stream"] === "string")
    return parseTradeJsonRow(r["data"], opts, reader);
  if (r["info"] !== undefined && typeof r["info"] === "object") {
    const named =
      opts.instrumentId === undefined ? { instrumentId: symbol(opts, r["symbol"], reader) } : opts;
    return parseTradeJsonRow(r["info"], named, reader);
  }
  if (r["a"] !== undefined) return parseAggTradeMsg(r as unknown as BinanceAggTradeMsg, opts, reader);
  if (r["id"] !== undefined && r["price"] !== undefined) {
    return parseTradeMsg(r as unknown as BinanceTradeMsg, opts, reader);
  }
  throw reader.error("not a Binance trade: expected {a,p,q,T,m} or {id,price,qty,time,isBuyerMaker}");
}

/** Returns the TradeTicks of a parsed JSON array of trades (any shape parseTradeJsonRow reads). */
export function parseTradesJson(body: unknown, opts: TradeLoadOptions = {}): LoadResult<TradeTick> {
  const reader = new FieldReader(opts.source ?? "trades response");
  if (!Array.isArray(body)) throw reader.error("a trades response must be a JSON array");
  const out = new RowCollector<TradeTick>(opts.badRows, "non-decreasing");
  for (let i = 0; i < body.length; i++) {
    reader.row = i + 1;
    try {
      const t = parseTradeJsonRow(body[i], opts, reader);
      out.add(reader, t, t.eventTime);
    } catch (thrown) {
      out.reject(thrown);
    }
  }
  return out;
}

interface TradeColumns {
  id: number;
  price: number;
  qty: number;
  time: number;
  maker: number;
}

/** data.binance.vision trades: id,price,qty,quoteQty,time,isBuyerMaker,isBestMatch. */
const TRADES_CSV: TradeColumns = { id: 0, price: 1, qty: 2, time: 4, maker: 5 };
/** data.binance.vision aggTrades: aggTradeId,price,qty,firstTradeId,lastTradeId,time,isBuyerMaker,isBestMatch. */
const AGG_TRADES_CSV: TradeColumns = { id: 0, price: 1, qty: 2, time: 5, maker: 6 };

const HEADER_ALIASES: Record<keyof TradeColumns, readonly string[]> = {
  id: ["id", "tradeid", "aggtradeid", "a"],
  price: ["price", "p"],
  qty: ["qty", "quantity", "q"],
  time: ["time", "timestamp", "timestampms", "transacttime", "t"],
  maker: ["isbuyermaker", "m"],
};

function columnsFromHeader(cells: string[], reader: FieldReader): TradeColumns {
  const names = cells.map((c) => c.toLowerCase().replace(/_/g, ""));
  const find = (key: keyof TradeColumns): number => {
    const at = names.findIndex((n) => HEADER_ALIASES[key].includes(n));
    if (at < 0) throw reader.error(`header has no ${key} column (${HEADER_ALIASES[key].join(" / ")})`);
    return at;
  };
  return { id: find("id"), price: find("price"), qty: find("qty"), time: find("time"), maker: find("maker") };
}

/**
 * Returns the TradeTicks of a trades CSV: data.binance.vision `trades` (7 columns) or `aggTrades`
 * (8 columns) without a header, or any CSV whose header names id, price, qty, time and isBuyerMaker.
 */
export function parseTradesCsv(text: string, opts: TradeLoadOptions = {}): LoadResult<TradeTick> {
  const reader = new FieldReader(opts.source ?? "trades csv");
  const out = new RowCollector<TradeTick>(opts.badRows, "non-decreasing");
  const rows = splitCsvRows(text);
  let columns: TradeColumns | undefined;
  let width = 0;
  for (let i = 0; i < rows.length; i++) {
    const { line, cells } = rows[i]!;
    reader.row = line;
    if (i === 0) {
      width = cells.length;
      if (!isNumericCell(cells[0])) {
        columns = columnsFromHeader(cells, reader);
        continue;
      }
      if (width === 7) columns = TRADES_CSV;
      else if (width === 8) columns = AGG_TRADES_CSV;
      else
        throw reader.error(`a headerless trades CSV has 7 (trades) or 8 (aggTrades) columns, got ${width}`);
    }
    try {
      if (cells.length !== width) throw reader.error(`expected ${width} columns, got ${cells.length}`);
      const c = columns!;
      const t = tick(
        symbol(opts, undefined, reader),
        reader.integer(cells[c.id], "id"),
        cells[c.price],
        cells[c.qty],
        cells[c.time],
        cells[c.maker],
        reader,
      );
      out.add(reader, t, t.eventTime);
    } catch (thrown) {
      out.reject(thrown);
    }
  }
  return out;
}
