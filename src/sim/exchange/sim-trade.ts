import type { Decimal } from "../../core/index.ts";

/** One fill of a user order: a row of `GET /api/v3/myTrades`. */
export interface SimTrade {
  readonly symbol: string;
  /** Trade id, increasing per symbol. */
  readonly id: number;
  readonly orderId: number;
  readonly price: Decimal;
  readonly qty: Decimal;
  readonly quoteQty: Decimal;
  readonly commission: Decimal;
  readonly commissionAsset: string;
  /** Trade time, ms. */
  readonly time: number;
  readonly isBuyer: boolean;
  readonly isMaker: boolean;
}
