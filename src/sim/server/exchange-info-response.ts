import type { SimParams, SimResult, SimSymbolInfo } from "../exchange/sim-exchange-api.ts";
import { illegalCharsError, SimErrorMsg, simError } from "./sim-errors.ts";

const SYMBOLS_RANGE = '^\\[("[A-Z0-9-_.]{1,20}"(,"[A-Z0-9-_.]{1,20}"){0,}){0,1}\\]$';
const STATUSES = new Set(["TRADING", "HALT", "BREAK"]);

/**
 * Returns the GET /api/v3/exchangeInfo body (reference section 4.4) for the `symbol`, `symbols` (JSON array)
 * or `symbolStatus` filter: -1121 for an unknown symbol, -1100 for a malformed list, -1128 for a bad combination.
 */
export function exchangeInfoResponse(
  all: readonly SimSymbolInfo[],
  params: SimParams,
  rateLimits: readonly Record<string, unknown>[],
  serverTimeMs: number,
): SimResult<Record<string, unknown>> {
  const one = params["symbol"];
  const many = params["symbols"];
  const status = params["symbolStatus"];
  const given = (one !== undefined ? 1 : 0) + (many !== undefined ? 1 : 0) + (status !== undefined ? 1 : 0);
  if (given > 1) return simError(400, -1128, "Combination of optional parameters invalid.");
  let symbols: readonly SimSymbolInfo[] = all;
  if (one !== undefined) {
    const found = all.find((s) => s.symbol === one);
    if (found === undefined) return simError(400, -1121, SimErrorMsg.invalidSymbol);
    symbols = [found];
  } else if (many !== undefined) {
    const names = parseSymbolList(many);
    if (names === undefined) return illegalCharsError("symbols", SYMBOLS_RANGE);
    if (new Set(names).size !== names.length)
      return simError(400, -1151, "Symbol is present multiple times in the list.");
    const picked: SimSymbolInfo[] = [];
    for (const name of names) {
      const found = all.find((s) => s.symbol === name);
      if (found === undefined) return simError(400, -1121, SimErrorMsg.invalidSymbol);
      picked.push(found);
    }
    symbols = picked;
  } else if (status !== undefined) {
    if (!STATUSES.has(status)) return simError(400, -1122, "Invalid symbolStatus.");
    symbols = all.filter((s) => s.status === status);
  }
  return {
    ok: true,
    body: { timezone: "UTC", serverTime: serverTimeMs, rateLimits, exchangeFilters: [], symbols },
  };
}

/** Parses `["BTCUSDT","BNBBTC"]`; undefined when it is not a JSON array of symbol-like strings. */
function parseSymbolList(text: string): string[] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const out: string[] = [];
  for (const v of value) {
    if (typeof v !== "string" || !/^[A-Z0-9-_.]{1,20}$/.test(v)) return undefined;
    out.push(v);
  }
  return out;
}
