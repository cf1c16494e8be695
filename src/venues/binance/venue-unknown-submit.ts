import {
  Decimal,
  type DesError,
  isDesError,
  microsFromMs,
  toError,
  type UnixMicros,
  venueOrderId,
} from "../../core/index.ts";
import type {
  SubmitAccepted,
  SubmitRejected,
  SubmitResult,
  SubmitUnknown,
  VenueFill,
} from "../../model/index.ts";
import { BinanceApiError, isUnknownOutcome } from "./binance-api-error.ts";
import type { BinanceRestApi, NewOrderParams } from "./rest/binance-rest-api.ts";
import type { UserDataLogger } from "./user/user-data-source.ts";
import { isFinalOrderStatus } from "./venue-execution-report.ts";
import { fillFromMyTrade } from "./venue-fills.ts";
import type { PlacedOrder } from "./venue-placed-order.ts";
import {
  type LookupContext,
  lookUpUnknownOrder,
  type UnknownOutcomeOptions,
} from "./venue-unknown-outcome.ts";
import type { NewOrderResponseMsg, QueryOrderMsg } from "./wire/rest-msgs.ts";

/** Counters the settlement moves. */
export interface UnknownSubmitCounters {
  unknownOutcomes: number;
  unknownFound: number;
  resends: number;
  unknownGivenUp: number;
}

/** What settling a placement of unknown outcome needs from the venue. */
export interface UnknownSubmitContext {
  readonly rest: Pick<BinanceRestApi, "newOrder" | "queryOrder" | "myTrades">;
  readonly lookup: Omit<LookupContext, "rest" | "streamSawOrder">;
  readonly options: UnknownOutcomeOptions;
  readonly logger: UserDataLogger | undefined;
  readonly counters: UnknownSubmitCounters;
  now(): UnixMicros;
  /** The venue placed the order (response of a resend). */
  onPlaced(order: PlacedOrder, response: NewOrderResponseMsg): SubmitAccepted;
  /** The venue refused the resend. */
  onRefused(order: PlacedOrder, err: DesError): SubmitRejected;
  /** Returns true when the fill was not handed on before (and counts it). */
  admitFill(order: PlacedOrder, fill: VenueFill): boolean;
  /** The order is final at the venue; report how it ended once the submit result is handled. */
  finish(order: PlacedOrder, venue: QueryOrderMsg): void;
  /** The order is not at the venue and never will be. */
  forget(order: PlacedOrder): void;
  /** Runs a reconciliation soon (fills of a found order could not be read). */
  reconcileSoon(): void;
}

/** Binance's -2010 text for a client order id in use by an open order. */
const DUPLICATE_ORDER_MSG = "Duplicate order sent.";

/**
 * Settles a placement whose outcome is unknown without ever placing the order twice: looks it up
 * by client order id (bounded back-off); found -> accepted, with its fills from myTrades when it
 * traded; provably absent (past recvWindow + 1 s) -> resent once with the same client order id;
 * still unknown after the bound -> SubmitUnknown "unknown outcome ..." (not final) and the order stays
 * tracked as "unknown" for reconciliation, which reports it as accepted (+ fills) or rejected. An order the user stream reported is never resent.
 */
export async function settleUnknownSubmit(
  ctx: UnknownSubmitContext,
  order: PlacedOrder,
  params: NewOrderParams,
  first: unknown,
): Promise<SubmitResult> {
  ctx.counters.unknownOutcomes++;
  let lastError = toError(first).message;
  ctx.logger?.warn(
    { clientOrderId: order.clientOrderId, symbol: order.symbol, err: lastError },
    "binance venue: order placement outcome unknown, looking it up",
  );
  let resent = false;
  const rejected = (reason: string): SubmitRejected => ({ kind: "rejected", reason, ts: ctx.now() });
  for (;;) {
    const found = await lookUpUnknownOrder(
      {
        ...ctx.lookup,
        rest: ctx.rest,
        streamSawOrder: () => order.venueOrderId !== undefined || order.final,
      },
      { symbol: order.symbol, origClientOrderId: order.clientOrderId },
      order.sentAtMs,
      ctx.options,
    );
    if (found.kind === "found") {
      ctx.counters.unknownFound++;
      return await acceptFound(ctx, order, found.order);
    }
    if (found.kind === "absent" && !resent) {
      resent = true;
      ctx.counters.resends++;
      order.sentAtMs = ctx.lookup.nowMs();
      ctx.logger?.warn(
        { clientOrderId: order.clientOrderId, symbol: order.symbol },
        "binance venue: order was not placed, sending it once more",
      );
      try {
        return ctx.onPlaced(order, await ctx.rest.newOrder(params));
      } catch (err) {
        // "Duplicate order sent." would mean the order exists after all: look it up again.
        const duplicate = err instanceof BinanceApiError && err.binanceMsg === DUPLICATE_ORDER_MSG;
        if (isDesError(err) && !isUnknownOutcome(err) && !duplicate) return ctx.onRefused(order, err);
        lastError = toError(err).message;
        continue;
      }
    }
    if (found.kind === "absent") {
      // The resend's outcome was unknown too, and it provably was not placed either.
      ctx.forget(order);
      return rejected(`not placed: outcome unknown twice, then absent (${lastError})`);
    }
    if (order.venueOrderId !== undefined) {
      // REST could not say, but the stream saw the order: it exists, and its fills came as events.
      ctx.counters.unknownFound++;
      order.state = "open";
      order.acceptedReported = true;
      return { kind: "accepted", venueOrderId: venueOrderId(order.venueOrderId), fills: [], ts: ctx.now() };
    }
    ctx.counters.unknownGivenUp++;
    order.state = "unknown";
    ctx.logger?.error(
      { clientOrderId: order.clientOrderId, symbol: order.symbol, lastError: found.lastError },
      "binance venue: order outcome still unknown; reconciliation will settle it",
    );
    const unknown: SubmitUnknown = {
      kind: "unknown",
      reason: `unknown outcome: ${lastError}; still unknown after look-ups (${found.lastError}), left to reconciliation`,
      ts: ctx.now(),
    };
    return unknown;
  }
}

/** The look-up found the order: it is accepted; its fills come from myTrades when it traded. */
async function acceptFound(
  ctx: UnknownSubmitContext,
  order: PlacedOrder,
  venue: QueryOrderMsg,
): Promise<SubmitResult> {
  order.venueOrderId = venue.orderId;
  if (venue.status === "REJECTED") {
    ctx.forget(order);
    return { kind: "rejected", reason: "REJECTED", ts: ctx.now() };
  }
  order.state = "open";
  order.acceptedReported = true;
  const fills: VenueFill[] = [];
  let complete = true;
  if (Decimal.from(venue.executedQty).isPositive()) {
    try {
      const rows = await ctx.rest.myTrades({ symbol: order.symbol, orderId: venue.orderId, limit: 1000 });
      rows.sort((a, b) => a.id - b.id);
      for (const row of rows) {
        const fill = fillFromMyTrade(row, order.clientOrderId, order.filledQty.add(Decimal.from(row.qty)));
        if (ctx.admitFill(order, fill)) fills.push(fill);
      }
    } catch (err) {
      complete = false;
      ctx.logger?.warn(
        { clientOrderId: order.clientOrderId, err: toError(err).message },
        "binance venue: fills of a found order could not be read; reconciling",
      );
      ctx.reconcileSoon();
    }
  }
  if (complete && isFinalOrderStatus(venue.status) && order.filledQty.gte(Decimal.from(venue.executedQty))) {
    ctx.finish(order, venue);
  }
  return {
    kind: "accepted",
    venueOrderId: venueOrderId(venue.orderId),
    fills,
    ts: microsFromMs(venue.time),
  };
}
