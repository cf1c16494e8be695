import { formatDecimal } from "./format-decimal.ts";
import type { SimAccount } from "./sim-account.ts";

/**
 * Builds an `outboundAccountPosition` payload (reference section 6.3) for the assets an action touched,
 * free and locked as strings at each asset's precision.
 */
export function buildAccountPosition(
  account: SimAccount,
  assets: Iterable<string>,
  eventTime: number,
  precisionOf: (asset: string) => number,
): Record<string, unknown> {
  const balances: Array<{ a: string; f: string; l: string }> = [];
  for (const asset of assets) {
    const b = account.balance(asset);
    const p = precisionOf(asset);
    balances.push({ a: asset, f: formatDecimal(b.free, p), l: formatDecimal(b.locked, p) });
  }
  return { e: "outboundAccountPosition", E: eventTime, u: account.updateTime, B: balances };
}
