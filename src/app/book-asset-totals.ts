import { Decimal, type InstrumentId } from "../core/index.ts";
import type { Instrument } from "../model/index.ts";
import type { BookView } from "../portfolio/index.ts";

/**
 * What an account's book holds of each asset: its cash (starting balances plus every fill's cash
 * flow and commissions) plus the quantity of the positions whose base asset it is (non-zero ones).
 */
export function bookAssetTotals(
  book: BookView | undefined,
  instruments: ReadonlyMap<InstrumentId, Instrument>,
): Map<string, Decimal> {
  const totals = new Map<string, Decimal>(Object.entries(book?.cash ?? {}));
  for (const p of book?.positions ?? []) {
    const base = instruments.get(p.instrumentId)?.baseAsset;
    if (base === undefined || p.quantity.isZero()) continue;
    totals.set(base, (totals.get(base) ?? Decimal.ZERO).add(p.quantity));
  }
  return totals;
}
