import { Decimal, DesError, ErrorCode } from "../../core/index.ts";
import type { SimSymbolInfo } from "./sim-exchange-api.ts";

/** A symbol filter the simulator enforces, with exact decimal bounds. */
export type SimFilter =
  | {
      readonly filterType: "PRICE_FILTER";
      readonly minPrice: Decimal;
      readonly maxPrice: Decimal;
      readonly tickSize: Decimal;
    }
  | {
      readonly filterType: "LOT_SIZE" | "MARKET_LOT_SIZE";
      readonly minQty: Decimal;
      readonly maxQty: Decimal;
      readonly stepSize: Decimal;
    }
  | { readonly filterType: "MIN_NOTIONAL"; readonly minNotional: Decimal; readonly applyToMarket: boolean }
  | {
      readonly filterType: "NOTIONAL";
      readonly minNotional: Decimal;
      readonly maxNotional: Decimal;
      readonly applyMinToMarket: boolean;
      readonly applyMaxToMarket: boolean;
    }
  | { readonly filterType: "ICEBERG_PARTS"; readonly limit: number };

/** A tradable symbol as the simulator uses it: the exchangeInfo object plus parsed filters. */
export interface SimSymbol {
  readonly symbol: string;
  readonly info: SimSymbolInfo;
  readonly status: string;
  readonly baseAsset: string;
  readonly quoteAsset: string;
  readonly basePrecision: number;
  readonly quotePrecision: number;
  readonly orderTypes: ReadonlySet<string>;
  readonly quoteOrderQtyMarketAllowed: boolean;
  readonly icebergAllowed: boolean;
  /** The enforced filters in the order exchangeInfo lists them (that is the order they are checked in). */
  readonly filters: readonly SimFilter[];
  /** LOT_SIZE stepSize (zero when the symbol has none): fills and participation round down to it. */
  readonly stepSize: Decimal;
  readonly minQty: Decimal;
}

function bad(symbol: string, what: string): DesError {
  return new DesError(ErrorCode.InvalidInstrument, `sim symbol ${symbol}: ${what}`, { symbol });
}

function decimalField(symbol: string, filter: Readonly<Record<string, unknown>>, key: string): Decimal {
  const v = filter[key];
  if (typeof v !== "string")
    throw bad(symbol, `${String(filter["filterType"])}.${key} must be a decimal string`);
  try {
    return Decimal.from(v);
  } catch {
    throw bad(symbol, `${String(filter["filterType"])}.${key} is not a decimal: ${JSON.stringify(v)}`);
  }
}

function precisionField(info: SimSymbolInfo, key: "baseAssetPrecision" | "quoteAssetPrecision"): number {
  const v = info[key];
  if (!Number.isInteger(v) || v < 0 || v > 18) throw bad(info.symbol, `${key} must be an integer in 0..18`);
  return v;
}

function parseFilter(symbol: string, f: Readonly<Record<string, unknown>>): SimFilter | undefined {
  switch (f["filterType"]) {
    case "PRICE_FILTER":
      return {
        filterType: "PRICE_FILTER",
        minPrice: decimalField(symbol, f, "minPrice"),
        maxPrice: decimalField(symbol, f, "maxPrice"),
        tickSize: decimalField(symbol, f, "tickSize"),
      };
    case "LOT_SIZE":
    case "MARKET_LOT_SIZE":
      return {
        filterType: f["filterType"],
        minQty: decimalField(symbol, f, "minQty"),
        maxQty: decimalField(symbol, f, "maxQty"),
        stepSize: decimalField(symbol, f, "stepSize"),
      };
    case "MIN_NOTIONAL":
      return {
        filterType: "MIN_NOTIONAL",
        minNotional: decimalField(symbol, f, "minNotional"),
        applyToMarket: f["applyToMarket"] === true,
      };
    case "NOTIONAL":
      return {
        filterType: "NOTIONAL",
        minNotional: decimalField(symbol, f, "minNotional"),
        maxNotional: decimalField(symbol, f, "maxNotional"),
        applyMinToMarket: f["applyMinToMarket"] === true,
        applyMaxToMarket: f["applyMaxToMarket"] === true,
      };
    case "ICEBERG_PARTS": {
      const limit = f["limit"];
      if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1) {
        throw bad(symbol, "ICEBERG_PARTS.limit must be a positive integer");
      }
      return { filterType: "ICEBERG_PARTS", limit };
    }
    default:
      // Other filters (PERCENT_PRICE, MAX_NUM_ORDERS, TRAILING_DELTA, ...) are not simulated.
      return undefined;
  }
}

/** Parses an exchangeInfo symbol for the simulator; a malformed one is a configuration error. */
export function parseSimSymbol(info: SimSymbolInfo): SimSymbol {
  if (typeof info?.symbol !== "string" || info.symbol.length === 0) {
    throw new DesError(ErrorCode.InvalidInstrument, "sim symbol needs a symbol name");
  }
  const symbol = info.symbol;
  if (typeof info.baseAsset !== "string" || typeof info.quoteAsset !== "string") {
    throw bad(symbol, "baseAsset and quoteAsset must be strings");
  }
  if (!Array.isArray(info.orderTypes) || !Array.isArray(info.filters)) {
    throw bad(symbol, "orderTypes and filters must be arrays");
  }
  const filters: SimFilter[] = [];
  for (const f of info.filters) {
    const parsed = parseFilter(symbol, f);
    if (parsed !== undefined) filters.push(parsed);
  }
  const lot = filters.find((f) => f.filterType === "LOT_SIZE");
  return {
    symbol,
    info,
    status: typeof info.status === "string" ? info.status : "TRADING",
    baseAsset: info.baseAsset,
    quoteAsset: info.quoteAsset,
    basePrecision: precisionField(info, "baseAssetPrecision"),
    quotePrecision: precisionField(info, "quoteAssetPrecision"),
    orderTypes: new Set(info.orderTypes),
    quoteOrderQtyMarketAllowed: info.quoteOrderQtyMarketAllowed === true,
    icebergAllowed: info["icebergAllowed"] === true,
    filters,
    stepSize: lot?.filterType === "LOT_SIZE" ? lot.stepSize : Decimal.ZERO,
    minQty: lot?.filterType === "LOT_SIZE" ? lot.minQty : Decimal.ZERO,
  };
}
