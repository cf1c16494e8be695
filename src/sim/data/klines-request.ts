import type { SimParams } from "../exchange/sim-exchange-api.ts";
import { isKlineInterval, type KlineInterval } from "./kline-interval.ts";

/** A validated `GET /api/v3/klines` request. */
export interface KlinesQuery {
  readonly symbol: string;
  readonly interval: KlineInterval;
  readonly startTime: number | undefined;
  readonly endTime: number | undefined;
  readonly limit: number;
}

/** A Binance error: HTTP status, code and message. */
export interface KlinesRequestError {
  readonly ok: false;
  readonly status: number;
  readonly code: number;
  readonly msg: string;
}

export const KLINES_DEFAULT_LIMIT = 500;
export const KLINES_MAX_LIMIT = 1000;
const LONG = /^[0-9]{1,20}$/;
const UTC_ZONES = new Set(["0", "+0", "-0", "00:00", "+00:00", "-00:00", "0:00", "+0:00", "-0:00"]);

/**
 * Validates `GET /api/v3/klines` parameters the way Binance answers (reference 4.6, 5): symbol and
 * interval are mandatory (-1102), the interval must be one of Binance's (-1120 "Invalid interval."),
 * the symbol must exist (-1121 "Invalid symbol."), startTime/endTime/limit must be unsigned integers
 * (-1100), startTime may not exceed endTime (-1023). A limit above 1000 is capped at 1000. Only the
 * UTC timeZone is supported (any other is -1100).
 */
export function parseKlinesRequest(
  params: SimParams,
  knownSymbol: (symbol: string) => boolean,
): { readonly ok: true; readonly query: KlinesQuery } | KlinesRequestError {
  const symbol = params["symbol"];
  if (symbol === undefined || symbol === "") return mandatory("symbol");
  const interval = params["interval"];
  if (interval === undefined || interval === "") return mandatory("interval");
  if (!isKlineInterval(interval)) return error(-1120, "Invalid interval.");
  if (!knownSymbol(symbol)) return error(-1121, "Invalid symbol.");
  const timeZone = params["timeZone"];
  if (timeZone !== undefined && timeZone !== "" && !UTC_ZONES.has(timeZone)) {
    return error(-1100, "Illegal characters found in parameter 'timeZone'; legal range is '0'.");
  }
  const startTime = optionalLong(params, "startTime");
  if (typeof startTime === "object") return startTime;
  const endTime = optionalLong(params, "endTime");
  if (typeof endTime === "object") return endTime;
  const limitValue = optionalLong(params, "limit");
  if (typeof limitValue === "object") return limitValue;
  if (limitValue === 0)
    return error(-1100, "Illegal characters found in parameter 'limit'; legal range is '1-1000'.");
  if (startTime !== undefined && endTime !== undefined && startTime > endTime) {
    return error(-1023, "Start time is greater than end time.");
  }
  const limit = Math.min(KLINES_MAX_LIMIT, limitValue ?? KLINES_DEFAULT_LIMIT);
  return { ok: true, query: { symbol, interval, startTime, endTime, limit } };
}

function optionalLong(params: SimParams, name: string): number | undefined | KlinesRequestError {
  const value = params[name];
  if (value === undefined || value === "") return undefined;
  if (!LONG.test(value)) {
    return error(-1100, `Illegal characters found in parameter '${name}'; legal range is '^[0-9]{1,20}$'.`);
  }
  return Number(value);
}

function mandatory(name: string): KlinesRequestError {
  return error(-1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`);
}

function error(code: number, msg: string): KlinesRequestError {
  return { ok: false, status: 400, code, msg };
}
