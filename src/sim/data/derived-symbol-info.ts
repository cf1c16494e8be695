import { DesError, ErrorCode } from "../../core/index.ts";
import type { SimSymbolInfo } from "../exchange/sim-exchange-api.ts";

/** Quote assets recognised when splitting a symbol name, longest first so "USDT" wins over "DT"-like tails. */
const QUOTE_ASSETS = [
  "FDUSD",
  "USDT",
  "USDC",
  "BUSD",
  "TUSD",
  "EUR",
  "GBP",
  "TRY",
  "BRL",
  "BTC",
  "ETH",
  "BNB",
];

/** Returns the number of significant fractional digits of a decimal string ("0.35130000" -> 4). */
export function significantDecimals(text: string): number {
  const dot = text.indexOf(".");
  if (dot < 0) return 0;
  let end = text.length;
  while (end > dot + 1 && text.charCodeAt(end - 1) === 48) end--;
  return end - dot - 1;
}

/** Splits a symbol into base and quote asset by its quote suffix. */
export function splitSymbol(symbol: string): { base: string; quote: string } {
  for (const quote of QUOTE_ASSETS) {
    if (symbol.length > quote.length && symbol.endsWith(quote)) {
      return { base: symbol.slice(0, -quote.length), quote };
    }
  }
  throw new DesError(ErrorCode.InvalidInstrument, `cannot tell the quote asset of ${symbol}`, { symbol });
}

/** Returns 10^-decimals as an 8-decimal string ("0.00010000"); decimals above 8 are capped at 8. */
export function incrementOf(decimals: number): string {
  const d = Math.min(8, Math.max(0, decimals));
  return d === 0 ? "1.00000000" : `0.${"0".repeat(d - 1)}1${"0".repeat(8 - d)}`;
}

/**
 * Returns an exchangeInfo symbol for a symbol seen only in market data. The tickSize and stepSize are
 * DERIVED: the smallest decimal step that every observed price (quantity) is a multiple of, found from
 * the number of decimals they use. Binance's real filters are not in the data, so min/max limits are
 * generous placeholders and there is no notional filter.
 */
export function derivedSymbolInfo(
  symbol: string,
  prices: Iterable<string>,
  quantities: Iterable<string>,
): SimSymbolInfo {
  const { base, quote } = splitSymbol(symbol);
  let priceDecimals = 0;
  for (const p of prices) priceDecimals = Math.max(priceDecimals, significantDecimals(p));
  let qtyDecimals = 0;
  for (const q of quantities) qtyDecimals = Math.max(qtyDecimals, significantDecimals(q));
  const tickSize = incrementOf(priceDecimals);
  const stepSize = incrementOf(qtyDecimals);
  return {
    symbol,
    status: "TRADING",
    baseAsset: base,
    baseAssetPrecision: 8,
    quoteAsset: quote,
    quotePrecision: 8,
    quoteAssetPrecision: 8,
    baseCommissionPrecision: 8,
    quoteCommissionPrecision: 8,
    orderTypes: ["LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"],
    icebergAllowed: true,
    ocoAllowed: true,
    quoteOrderQtyMarketAllowed: true,
    isSpotTradingAllowed: true,
    isMarginTradingAllowed: false,
    filters: [
      { filterType: "PRICE_FILTER", minPrice: tickSize, maxPrice: "1000000.00000000", tickSize },
      { filterType: "LOT_SIZE", minQty: stepSize, maxQty: "90000000.00000000", stepSize },
    ],
    permissions: ["SPOT"],
  };
}
