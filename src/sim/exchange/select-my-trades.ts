import type { SimTrade } from "./sim-trade.ts";

/** The optional filters of `GET /api/v3/myTrades` after validation. */
export interface MyTradesQuery {
  readonly orderId?: number;
  readonly fromId?: number;
  readonly startTime?: number;
  readonly endTime?: number;
  /** 1..1000. */
  readonly limit: number;
}

/** Returns the index of the first trade with id >= `id` (trade ids ascend within a symbol). */
function firstIdAtLeast(trades: readonly SimTrade[], id: number): number {
  let lo = 0;
  let hi = trades.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((trades[mid] as SimTrade).id < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Selects myTrades rows like Binance: with `fromId` the oldest trades from that id; with `startTime`
 * the oldest from that time (not past `endTime`); with only `endTime` the most recent up to it;
 * otherwise the most recent. Always at most `limit` rows, ascending by id.
 */
export function selectMyTrades(trades: readonly SimTrade[], q: MyTradesQuery): SimTrade[] {
  const keep = (t: SimTrade): boolean =>
    (q.orderId === undefined || t.orderId === q.orderId) &&
    (q.startTime === undefined || t.time >= q.startTime) &&
    (q.endTime === undefined || t.time <= q.endTime);
  const out: SimTrade[] = [];
  if (q.fromId !== undefined || q.startTime !== undefined) {
    for (let i = q.fromId === undefined ? 0 : firstIdAtLeast(trades, q.fromId); i < trades.length; i++) {
      const t = trades[i] as SimTrade;
      if (keep(t)) out.push(t);
      if (out.length >= q.limit) break;
    }
    return out;
  }
  for (let i = trades.length - 1; i >= 0 && out.length < q.limit; i--) {
    const t = trades[i] as SimTrade;
    if (keep(t)) out.push(t);
  }
  return out.reverse();
}
