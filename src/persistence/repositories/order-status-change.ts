import type { ClientOrderId, InstrumentId, StrategyId, UnixMicros, VenueOrderId } from "../../core/index.ts";
import type { OrderEvent, OrderStatus } from "../../model/index.ts";

/** One status change of an order, as order_status_history stores it. */
export interface OrderStatusChange {
  readonly clientOrderId: ClientOrderId;
  /** Deterministic id of the event (see orderEventId): writing the same event twice stores it once. */
  readonly eventId: string;
  readonly status: OrderStatus;
  readonly venueOrderId: VenueOrderId | undefined;
  readonly reason: string | undefined;
  readonly ts: UnixMicros;
}

/** An order event reduced to what the orders and history tables keep. */
export interface OrderEventRow extends OrderStatusChange {
  readonly strategyId: StrategyId;
  readonly instrumentId: InstrumentId;
}

/**
 * The id of an order event within its order: `${ts}:${kind}:${tradeId}` (tradeId empty except for
 * fills). Deterministic, so a replayed event (a restart, a retried batch, dual-write) is one row.
 */
export function orderEventId(event: OrderEvent): string {
  return `${event.ts}:${event.kind}:${event.kind === "OrderFilled" ? event.tradeId : ""}`;
}

/** The order status an event leaves the order in. */
export function statusAfter(event: OrderEvent): OrderStatus {
  switch (event.kind) {
    case "OrderSubmitted":
      return "SUBMITTED";
    case "OrderAccepted":
      return "ACCEPTED";
    case "OrderRejected":
      return "REJECTED";
    case "OrderDenied":
      return "DENIED";
    case "OrderCanceled":
      return "CANCELED";
    case "OrderExpired":
      return "EXPIRED";
    case "OrderFilled":
      return event.orderStatus;
  }
}

/** Maps an order event to the row written to orders and order_status_history. */
export function orderEventRow(event: OrderEvent): OrderEventRow {
  const venueOrderId =
    event.kind === "OrderAccepted" || event.kind === "OrderFilled" ? event.venueOrderId : undefined;
  const reason =
    event.kind === "OrderRejected" || event.kind === "OrderDenied" || event.kind === "OrderExpired"
      ? event.reason
      : undefined;
  return {
    clientOrderId: event.clientOrderId,
    strategyId: event.strategyId,
    instrumentId: event.instrumentId,
    eventId: orderEventId(event),
    status: statusAfter(event),
    // An empty venue order id (a fill rebuilt without one) carries no information: keep the stored one.
    venueOrderId: venueOrderId === "" ? undefined : venueOrderId,
    reason,
    ts: event.ts,
  };
}
