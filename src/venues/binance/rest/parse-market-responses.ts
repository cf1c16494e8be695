import type {
  BinanceExchangeInfoMsg,
  DepthSnapshotMsg,
  KlineRowMsg,
  ServerTimeMsg,
} from "../wire/rest-msgs.ts";
import {
  asArray,
  asObject,
  checkDecimalValue,
  checkInteger,
  checkString,
  protocolError,
} from "./wire-checks.ts";

/** Parses `GET /api/v3/time`. */
export function parseServerTimeResponse(body: unknown, endpoint: string): ServerTimeMsg {
  const obj = asObject(body, endpoint, "body");
  checkInteger(obj, "serverTime", endpoint, "body");
  return obj as unknown as ServerTimeMsg;
}

/** Parses `GET /api/v3/exchangeInfo`: symbols with their filter lists, and the rate limits when present. */
export function parseExchangeInfoResponse(body: unknown, endpoint: string): BinanceExchangeInfoMsg {
  const obj = asObject(body, endpoint, "body");
  const symbols = asArray(obj.symbols, endpoint, "body.symbols");
  for (let i = 0; i < symbols.length; i++) {
    const path = `body.symbols[${i}]`;
    const sym = asObject(symbols[i], endpoint, path);
    for (const key of ["symbol", "status", "baseAsset", "quoteAsset"]) checkString(sym, key, endpoint, path);
    const filters = asArray(sym.filters, endpoint, `${path}.filters`);
    for (let j = 0; j < filters.length; j++) {
      checkString(
        asObject(filters[j], endpoint, `${path}.filters[${j}]`),
        "filterType",
        endpoint,
        `${path}.filters[${j}]`,
      );
    }
  }
  if (obj.rateLimits !== undefined) {
    const limits = asArray(obj.rateLimits, endpoint, "body.rateLimits");
    for (let i = 0; i < limits.length; i++) {
      const path = `body.rateLimits[${i}]`;
      const limit = asObject(limits[i], endpoint, path);
      checkString(limit, "rateLimitType", endpoint, path);
      checkString(limit, "interval", endpoint, path);
      checkInteger(limit, "intervalNum", endpoint, path);
      checkInteger(limit, "limit", endpoint, path);
    }
  }
  return obj as unknown as BinanceExchangeInfoMsg;
}

/** Parses `GET /api/v3/klines`: rows of 12 fields, numbers at 0, 6 and 8, decimal strings elsewhere. */
export function parseKlinesResponse(body: unknown, endpoint: string): KlineRowMsg[] {
  const rows = asArray(body, endpoint, "body");
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (!Array.isArray(row) || row.length < 12) {
      throw protocolError(endpoint, `body[${i}]`, "an array of 12 fields", row);
    }
    for (let k = 0; k < 11; k++) {
      if (k === 0 || k === 6 || k === 8) {
        if (!Number.isInteger(row[k]))
          throw protocolError(endpoint, `body[${i}][${k}]`, "an integer", row[k]);
      } else checkDecimalValue(row[k], endpoint, `body[${i}][${k}]`);
    }
    // Index 11 is "Unused field, ignore.": only its presence is checked.
  }
  return rows as KlineRowMsg[];
}

/** Parses `GET /api/v3/depth`: lastUpdateId and [price, quantity] levels as decimal strings. */
export function parseDepthResponse(body: unknown, endpoint: string): DepthSnapshotMsg {
  const obj = asObject(body, endpoint, "body");
  checkInteger(obj, "lastUpdateId", endpoint, "body");
  for (const side of ["bids", "asks"]) {
    const levels = asArray(obj[side], endpoint, `body.${side}`);
    for (let i = 0; i < levels.length; i++) {
      const level = levels[i];
      const path = `body.${side}[${i}]`;
      if (!Array.isArray(level) || level.length < 2)
        throw protocolError(endpoint, path, "a [price, qty] pair", level);
      checkDecimalValue(level[0], endpoint, `${path}[0]`);
      checkDecimalValue(level[1], endpoint, `${path}[1]`);
    }
  }
  return obj as unknown as DepthSnapshotMsg;
}
