import { Decimal } from "../../core/index.ts";
import type { VenueFill } from "../../model/index.ts";
import { BinanceApiError } from "./binance-api-error.ts";
import type { BinanceRestApi } from "./rest/binance-rest-api.ts";
import { isFinalOrderStatus } from "./venue-execution-report.ts";
import { fillFromMyTrade } from "./venue-fills.ts";
import type { PlacedOrder } from "./venue-placed-order.ts";
import type { MyTradeMsg, QueryOrderMsg } from "./wire/rest-msgs.ts";

/** What reconciling one symbol needs from the venue. */
export interface ReconcileContext {
  readonly rest: Pick<BinanceRestApi, "openOrders" | "queryOrder" | "myTrades">;
  readonly nowMs: () => number;
  readonly recvWindowMs: number;
  /** The symbol's orders to settle: not final, no submit in flight. */
  ordersOf(symbol: string): PlacedOrder[];
  /** The venue has the order (status as queried): tell execution it was accepted, if not yet told. */
  onAccepted(order: PlacedOrder, venueOrder: QueryOrderMsg): void;
  /** A fill of the order: hand it on unless already handed on. */
  onFill(order: PlacedOrder, fill: VenueFill): void;
  /** The order is final at the venue and all its fills are handed on. */
  onFinal(order: PlacedOrder, venueOrder: QueryOrderMsg): void;
  /** A submit of unknown outcome was never placed (the venue does not know it, past recvWindow). */
  onNotPlaced(order: PlacedOrder): void;
}

/** myTrades page size: Binance's maximum. */
const TRADES_PAGE = 1000;
/** Pages read per query at most (1000 trades each); the rest waits for the next reconciliation. */
const MAX_TRADE_PAGES = 20;
const NO_SUCH_ORDER = -2013;
const CLOCK_MARGIN_MS = 1000;

/**
 * Settles one symbol's orders against the venue after events may have been missed: reads the open
 * orders, looks up each order that is no longer open, reads the trades not yet seen (myTrades from
 * the last seen trade id + 1, or by order id when none was seen), and reports, per order and in
 * this order: accepted, every fill not yet handed on (ascending trade id), the final status.
 * Throws when a REST call fails (the caller counts it; nothing half-reported is lost, since fills
 * are deduplicated by trade id and the orders stay tracked until final).
 */
export async function reconcileSymbol(ctx: ReconcileContext, symbol: string): Promise<void> {
  const orders = ctx.ordersOf(symbol);
  if (orders.length === 0) return;
  const open = new Map<string, QueryOrderMsg>();
  for (const o of await ctx.rest.openOrders(symbol)) open.set(o.clientOrderId, o);

  const known: Array<{ order: PlacedOrder; venue: QueryOrderMsg }> = [];
  for (const order of orders) {
    const asked = ctx.nowMs();
    let venue = open.get(order.clientOrderId);
    if (venue === undefined) {
      try {
        venue = await ctx.rest.queryOrder({ symbol, origClientOrderId: order.clientOrderId });
      } catch (err) {
        if (!(err instanceof BinanceApiError) || err.binanceCode !== NO_SUCH_ORDER) throw err;
        // Only a submit of unknown outcome can be absent, and only once it can no longer be accepted.
        if (order.state === "unknown" && asked >= order.sentAtMs + ctx.recvWindowMs + CLOCK_MARGIN_MS) {
          ctx.onNotPlaced(order);
        }
        continue;
      }
    }
    order.venueOrderId ??= venue.orderId;
    known.push({ order, venue });
  }

  const behind = known.filter(({ order, venue }) => Decimal.from(venue.executedQty).gt(order.filledQty));
  const trades = await tradesOf(
    ctx,
    symbol,
    behind.map(({ order }) => order),
  );
  for (const { order, venue } of known) {
    ctx.onAccepted(order, venue);
    for (const row of trades.get(venue.orderId) ?? []) {
      // Ascending trade ids, and onFill counts only new fills: filledQty + qty is the running total.
      ctx.onFill(
        order,
        fillFromMyTrade(row, order.clientOrderId, order.filledQty.add(Decimal.from(row.qty))),
      );
    }
    // A final order is settled only once every fill the venue counts has been handed on.
    if (isFinalOrderStatus(venue.status) && order.filledQty.gte(Decimal.from(venue.executedQty))) {
      ctx.onFinal(order, venue);
    }
  }
}

/** Returns the trades of the given orders by order id, ascending trade id. */
async function tradesOf(
  ctx: ReconcileContext,
  symbol: string,
  orders: readonly PlacedOrder[],
): Promise<Map<number, MyTradeMsg[]>> {
  const byOrder = new Map<number, MyTradeMsg[]>();
  const wanted = new Set<number>();
  for (const o of orders) if (o.venueOrderId !== undefined) wanted.add(o.venueOrderId);
  const keep = (rows: readonly MyTradeMsg[]) => {
    for (const row of rows) {
      if (!wanted.has(row.orderId)) continue;
      const list = byOrder.get(row.orderId);
      if (list === undefined) byOrder.set(row.orderId, [row]);
      else list.push(row);
    }
  };
  // Orders with a trade seen: one query from the lowest "last seen + 1" covers them all (trade ids
  // grow per symbol). Orders without: by order id.
  const seen = orders.filter((o) => o.lastTradeId !== undefined && o.venueOrderId !== undefined);
  if (seen.length > 0) {
    const fromId = Math.min(...seen.map((o) => o.lastTradeId!)) + 1;
    keep(await pagedTrades(ctx, { symbol, fromId }));
  }
  for (const o of orders) {
    if (o.lastTradeId === undefined && o.venueOrderId !== undefined) {
      keep(await pagedTrades(ctx, { symbol, orderId: o.venueOrderId }));
    }
  }
  for (const list of byOrder.values()) list.sort((a, b) => a.id - b.id);
  return byOrder;
}

async function pagedTrades(
  ctx: ReconcileContext,
  query: { symbol: string; fromId?: number; orderId?: number },
): Promise<MyTradeMsg[]> {
  const all: MyTradeMsg[] = [];
  let fromId = query.fromId;
  for (let page = 0; page < MAX_TRADE_PAGES; page++) {
    const rows = await ctx.rest.myTrades({
      ...query,
      ...(fromId === undefined ? {} : { fromId }),
      limit: TRADES_PAGE,
    });
    all.push(...rows);
    if (rows.length < TRADES_PAGE) break;
    fromId = Math.max(...rows.map((r) => r.id)) + 1;
  }
  return all;
}
