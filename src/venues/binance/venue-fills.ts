import { type ClientOrderId, Decimal, microsFromMs, tradeId, venueOrderId } from "../../core/index.ts";
import type { OrderSide, VenueFill } from "../../model/index.ts";
import { wireClientOrderId, wireInstrumentId } from "./venue-wire-ids.ts";
import type { MyTradeMsg, NewOrderResponseMsg } from "./wire/rest-msgs.ts";
import type { ExecutionReportMsg } from "./wire/user-msgs.ts";

/** Returns the key that identifies one fill across every source: Binance trade ids are per symbol. */
export function fillKey(symbol: string, trade: number | string): string {
  return `${symbol}:${trade}`;
}

/**
 * Returns the fills of a FULL new-order response, in order. They matched at placement, so they are
 * TAKER fills; cumulativeQty is the running sum, the commission exactly as charged.
 */
export function fillsFromOrderResponse(
  response: NewOrderResponseMsg,
  clientOrderId: ClientOrderId,
  side: OrderSide,
): VenueFill[] {
  const fills: VenueFill[] = [];
  let cumulative = Decimal.ZERO;
  const ts = microsFromMs(response.transactTime);
  for (const f of response.fills ?? []) {
    const quantity = Decimal.from(f.qty);
    cumulative = cumulative.add(quantity);
    fills.push({
      clientOrderId,
      venueOrderId: venueOrderId(response.orderId),
      instrumentId: wireInstrumentId(response.symbol),
      tradeId: tradeId(f.tradeId),
      side,
      quantity,
      price: Decimal.from(f.price),
      commission: Decimal.from(f.commission),
      commissionAsset: f.commissionAsset,
      liquidity: "TAKER",
      cumulativeQty: cumulative,
      ts,
    });
  }
  return fills;
}

/** Returns the fill of one `GET /api/v3/myTrades` row of an order DES knows. */
export function fillFromMyTrade(
  row: MyTradeMsg,
  clientOrderId: ClientOrderId,
  cumulativeQty: Decimal | undefined,
): VenueFill {
  return {
    clientOrderId,
    venueOrderId: venueOrderId(row.orderId),
    instrumentId: wireInstrumentId(row.symbol),
    tradeId: tradeId(row.id),
    side: row.isBuyer ? "BUY" : "SELL",
    quantity: Decimal.from(row.qty),
    price: Decimal.from(row.price),
    commission: Decimal.from(row.commission),
    commissionAsset: row.commissionAsset,
    liquidity: row.isMaker ? "MAKER" : "TAKER",
    cumulativeQty,
    ts: microsFromMs(row.time),
  };
}

/**
 * Returns the fill of an executionReport with x=TRADE: `l` quantity at `L`, commission `n` in `N`,
 * maker when `m`, cumulative `z`, trade id `t`, at `T`. `N` is null when nothing was charged; the
 * commission asset is then the quote asset (`fallbackCommissionAsset`).
 */
export function fillFromExecutionReport(msg: ExecutionReportMsg, fallbackCommissionAsset: string): VenueFill {
  return {
    clientOrderId: wireClientOrderId(msg.c),
    venueOrderId: venueOrderId(msg.i),
    instrumentId: wireInstrumentId(msg.s),
    tradeId: tradeId(msg.t),
    side: msg.S,
    quantity: Decimal.from(msg.l),
    price: Decimal.from(msg.L),
    commission: Decimal.from(msg.n),
    commissionAsset: msg.N ?? fallbackCommissionAsset,
    liquidity: msg.m ? "MAKER" : "TAKER",
    cumulativeQty: Decimal.from(msg.z),
    ts: microsFromMs(msg.T),
  };
}
