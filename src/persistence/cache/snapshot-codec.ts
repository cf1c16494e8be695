import {
  type AccountId,
  Decimal,
  DesError,
  ErrorCode,
  type InstrumentId,
  type StrategyId,
  type UnixMicros,
} from "../../core/index.ts";
import type {
  BalancesSnapshot,
  CachedBalance,
  CachedPosition,
  LastPrice,
  PositionsSnapshot,
  StrategyStatusSnapshot,
} from "./cache-snapshots.ts";

/**
 * The JSON the cache stores, version 1: decimals as strings (exact, never floats), times as integer
 * microseconds, and `"v": 1` so that a later format can be told apart. A process reading a value it
 * cannot decode (another version, a foreign writer) treats it as a miss.
 */
export const SNAPSHOT_FORMAT_VERSION = 1;

/** Encodes a last price. */
export function encodeLastPrice(p: LastPrice): string {
  return JSON.stringify({ v: 1, instrumentId: p.instrumentId, price: p.price.toString(), ts: p.ts });
}

/** Decodes a last price; throws DesError(InvalidMarketData) when the text is not one. */
export function decodeLastPrice(text: string): LastPrice {
  const o = parseVersioned(text);
  return {
    instrumentId: readString(o, "instrumentId") as InstrumentId,
    price: readDecimal(o, "price"),
    ts: readMicros(o, "ts"),
  };
}

/** Encodes a book's positions. */
export function encodePositions(s: PositionsSnapshot): string {
  return JSON.stringify({
    v: 1,
    bookId: s.bookId,
    ts: s.ts,
    positions: s.positions.map((p) => ({
      instrumentId: p.instrumentId,
      quantity: p.quantity.toString(),
      averagePrice: p.averagePrice.toString(),
      realizedPnl: p.realizedPnl.toString(),
      fees: decimalRecordToJson(p.fees),
    })),
  });
}

/** Decodes a book's positions; throws DesError(InvalidMarketData) when the text is not one. */
export function decodePositions(text: string): PositionsSnapshot {
  const o = parseVersioned(text);
  return {
    bookId: readString(o, "bookId"),
    ts: readMicros(o, "ts"),
    positions: readArray(o, "positions").map(
      (p): CachedPosition => ({
        instrumentId: readString(p, "instrumentId") as InstrumentId,
        quantity: readDecimal(p, "quantity"),
        averagePrice: readDecimal(p, "averagePrice"),
        realizedPnl: readDecimal(p, "realizedPnl"),
        fees: readDecimalRecord(p, "fees"),
      }),
    ),
  };
}

/** Encodes an account's balances. */
export function encodeBalances(s: BalancesSnapshot): string {
  return JSON.stringify({
    v: 1,
    accountId: s.accountId,
    ts: s.ts,
    balances: s.balances.map((b) => ({
      asset: b.asset,
      free: b.free.toString(),
      locked: b.locked.toString(),
    })),
  });
}

/** Decodes an account's balances; throws DesError(InvalidMarketData) when the text is not one. */
export function decodeBalances(text: string): BalancesSnapshot {
  const o = parseVersioned(text);
  return {
    accountId: readString(o, "accountId") as AccountId,
    ts: readMicros(o, "ts"),
    balances: readArray(o, "balances").map(
      (b): CachedBalance => ({
        asset: readString(b, "asset"),
        free: readDecimal(b, "free"),
        locked: readDecimal(b, "locked"),
      }),
    ),
  };
}

/** Encodes a strategy's status. */
export function encodeStrategyStatus(s: StrategyStatusSnapshot): string {
  return JSON.stringify({ v: 1, strategyId: s.strategyId, status: s.status, detail: s.detail, ts: s.ts });
}

/** Decodes a strategy's status; throws DesError(InvalidMarketData) when the text is not one. */
export function decodeStrategyStatus(text: string): StrategyStatusSnapshot {
  const o = parseVersioned(text);
  const detail = o["detail"];
  if (detail !== undefined && typeof detail !== "string") throw malformed("detail is not a string");
  const base = {
    strategyId: readString(o, "strategyId") as StrategyId,
    status: readString(o, "status"),
    ts: readMicros(o, "ts"),
  };
  return detail === undefined ? base : { ...base, detail };
}

type JsonObject = Record<string, unknown>;

function parseVersioned(text: string): JsonObject {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw malformed(`not JSON (${(e as Error).message})`);
  }
  const o = asObject(parsed, "value");
  if (o["v"] !== SNAPSHOT_FORMAT_VERSION) throw malformed(`unknown format version ${JSON.stringify(o["v"])}`);
  return o;
}

function asObject(value: unknown, what: string): JsonObject {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw malformed(`${what} is not an object`);
  return value as JsonObject;
}

function readString(o: JsonObject, field: string): string {
  const value = o[field];
  if (typeof value !== "string") throw malformed(`${field} is not a string`);
  return value;
}

function readDecimal(o: JsonObject, field: string): Decimal {
  return Decimal.from(readString(o, field));
}

function readMicros(o: JsonObject, field: string): UnixMicros {
  const value = o[field];
  if (typeof value !== "number" || !Number.isSafeInteger(value))
    throw malformed(`${field} is not an integer`);
  return value as UnixMicros;
}

function readArray(o: JsonObject, field: string): JsonObject[] {
  const value = o[field];
  if (!Array.isArray(value)) throw malformed(`${field} is not an array`);
  return value.map((item, i) => asObject(item, `${field}[${i}]`));
}

function readDecimalRecord(o: JsonObject, field: string): Record<string, Decimal> {
  const record = asObject(o[field], field);
  // fromEntries defines own properties, so a key such as "__proto__" stays data.
  return Object.fromEntries(Object.keys(record).map((asset) => [asset, readDecimal(record, asset)]));
}

function decimalRecordToJson(record: Readonly<Record<string, Decimal>>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([asset, amount]) => [asset, amount.toString()]));
}

function malformed(reason: string): DesError {
  return new DesError(ErrorCode.InvalidMarketData, `malformed cache value: ${reason}`, { reason });
}
