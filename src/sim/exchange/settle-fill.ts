import { Decimal, Rounding } from "../../core/index.ts";
import type { SimAccount } from "./sim-account.ts";
import type { SimOrder } from "./sim-order.ts";

/** The money side of one fill. */
export interface FillSettlement {
  readonly quoteQty: Decimal;
  readonly commission: Decimal;
  readonly commissionAsset: string;
}

/**
 * Moves the balances of one fill and updates the order's filled amounts. The order pays from its lock
 * (lockPrice per unit of quantity: the limit for buys, 1 for sells) or, without a lock, from free
 * funds; a buy whose lock was at a worse price than the fill gets the difference back. The asset
 * received pays the commission (buyer in base, seller in quote, no BNB discount), rounded up to the
 * asset's precision so it is never under-charged and never exceeds what was received.
 */
export function settleFill(
  account: SimAccount,
  order: SimOrder,
  price: Decimal,
  qty: Decimal,
  rate: Decimal,
  timeMs: number,
): FillSettlement {
  const sym = order.symbol;
  const quoteQty = price.mul(qty);
  const buy = order.side === "BUY";
  const spent = buy ? quoteQty : qty;
  const released = order.lockPrice.isZero() ? Decimal.ZERO : order.lockPrice.mul(qty);
  const pay = account.balance(order.lockAsset);
  if (!released.isZero()) {
    pay.locked = pay.locked.sub(released);
    order.locked = order.locked.sub(released);
  }
  pay.free = pay.free.add(released).sub(spent);

  const receivedAsset = buy ? sym.baseAsset : sym.quoteAsset;
  const received = buy ? qty : quoteQty;
  const commission = Decimal.min(
    received,
    received.mul(rate).round(buy ? sym.basePrecision : sym.quotePrecision, Rounding.Up),
  );
  const get = account.balance(receivedAsset);
  get.free = get.free.add(received).sub(commission);

  order.executedQty = order.executedQty.add(qty);
  order.cumQuote = order.cumQuote.add(quoteQty);
  order.status = order.executedQty.gte(order.origQty) ? "FILLED" : "PARTIALLY_FILLED";
  order.updateTime = timeMs;
  account.updateTime = timeMs;
  return { quoteQty, commission, commissionAsset: receivedAsset };
}
