import { Decimal, Rounding } from "../../core/index.ts";
import { formatDecimal } from "./format-decimal.ts";
import type { SimAccount } from "./sim-account.ts";

/**
 * Builds the `GET /api/v3/account` body (reference section 4.11): commission in basis points and as
 * rates, trading flags, balances (every known asset, or only non-zero ones with omitZeroBalances),
 * permissions and uid.
 */
export function buildAccountResponse(
  account: SimAccount,
  assets: Iterable<string>,
  omitZeroBalances: boolean,
  precisionOf: (asset: string) => number,
): Record<string, unknown> {
  const balances: Array<{ asset: string; free: string; locked: string }> = [];
  const seen = new Set<string>();
  const add = (asset: string): void => {
    if (seen.has(asset)) return;
    seen.add(asset);
    const b = account.balances.get(asset);
    const free = b?.free ?? Decimal.ZERO;
    const locked = b?.locked ?? Decimal.ZERO;
    if (omitZeroBalances && free.isZero() && locked.isZero()) return;
    const p = precisionOf(asset);
    balances.push({ asset, free: formatDecimal(free, p), locked: formatDecimal(locked, p) });
  };
  for (const asset of account.balances.keys()) add(asset);
  for (const asset of assets) add(asset);
  const bps = (rate: Decimal): number =>
    Number(rate.mul(Decimal.from("10000")).round(0, Rounding.HalfUp).toString());
  return {
    makerCommission: bps(account.makerRate),
    takerCommission: bps(account.takerRate),
    buyerCommission: 0,
    sellerCommission: 0,
    commissionRates: {
      maker: formatDecimal(account.makerRate, 8),
      taker: formatDecimal(account.takerRate, 8),
      buyer: "0.00000000",
      seller: "0.00000000",
    },
    canTrade: true,
    canWithdraw: true,
    canDeposit: true,
    brokered: false,
    requireSelfTradePrevention: false,
    preventSor: false,
    updateTime: account.updateTime,
    accountType: "SPOT",
    balances,
    permissions: ["SPOT"],
    uid: account.uid,
  };
}
