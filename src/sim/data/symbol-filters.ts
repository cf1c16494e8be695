import type { SimSymbolInfo } from "../exchange/sim-exchange-api.ts";

/** Returns a string field of a symbol's filter ("PRICE_FILTER", "tickSize"), if present. */
export function filterValue(info: SimSymbolInfo, filterType: string, field: string): string | undefined {
  for (const f of info.filters) {
    if (f["filterType"] === filterType) {
      const value = f[field];
      return typeof value === "string" ? value : undefined;
    }
  }
  return undefined;
}
