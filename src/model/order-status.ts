import { DesError, ErrorCode } from "../core/index.ts";

/** Every status an order can have in DES. */
export const OrderStatus = {
  Initialized: "INITIALIZED",
  Submitted: "SUBMITTED",
  Accepted: "ACCEPTED",
  PartiallyFilled: "PARTIALLY_FILLED",
  Filled: "FILLED",
  PendingCancel: "PENDING_CANCEL",
  Canceled: "CANCELED",
  Rejected: "REJECTED",
  Expired: "EXPIRED",
  Denied: "DENIED",
} as const;
export type OrderStatus = (typeof OrderStatus)[keyof typeof OrderStatus];

const S = OrderStatus;

/**
 * The order status transition table: from-status -> the statuses it may move to.
 * A venue can skip ACCEPTED (a market order fills in the response), so SUBMITTED leads to fills too.
 * PENDING_CANCEL may fall back to ACCEPTED / PARTIALLY_FILLED when the venue rejects the cancel.
 * INITIALIZED may be CANCELED: an order canceled while it still waits in the order queue is never sent.
 */
export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  [S.Initialized]: [S.Submitted, S.Denied, S.Rejected, S.Canceled],
  [S.Submitted]: [
    S.Accepted,
    S.Rejected,
    S.PartiallyFilled,
    S.Filled,
    S.PendingCancel,
    S.Canceled,
    S.Expired,
  ],
  [S.Accepted]: [S.PartiallyFilled, S.Filled, S.PendingCancel, S.Canceled, S.Expired],
  [S.PartiallyFilled]: [S.PartiallyFilled, S.Filled, S.PendingCancel, S.Canceled, S.Expired],
  [S.PendingCancel]: [S.Canceled, S.PartiallyFilled, S.Filled, S.Accepted, S.Expired],
  [S.Filled]: [],
  [S.Canceled]: [],
  [S.Rejected]: [],
  [S.Expired]: [],
  [S.Denied]: [],
};

/** Returns true when the status is final (no transition leaves it). */
export function isTerminalStatus(status: OrderStatus): boolean {
  return ORDER_TRANSITIONS[status].length === 0;
}

/** Returns true when the table allows from -> to. */
export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return ORDER_TRANSITIONS[from].includes(to);
}

/** Returns `to` when the table allows it; throws DES_ERR_INVALID_ORDER_TRANSITION otherwise. */
export function transitionOrderStatus(from: OrderStatus, to: OrderStatus, orderId = "?"): OrderStatus {
  if (!canTransition(from, to)) {
    throw new DesError(
      ErrorCode.InvalidOrderTransition,
      `order ${orderId}: ${from} -> ${to} is not allowed`,
      {
        orderId,
        from,
        to,
      },
    );
  }
  return to;
}
