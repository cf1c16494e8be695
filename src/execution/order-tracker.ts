import {
  type ClientOrderId,
  type Decimal,
  DesError,
  ErrorCode,
  type InstrumentId,
  type StrategyId,
  type TradeId,
  type UnixMicros,
} from "../core/index.ts";
import { canTransition, isTerminalStatus, type Order, OrderStatus, setOrderStatus } from "../model/index.ts";

/** An order with what execution needs to know about its history. */
export interface TrackedOrder {
  readonly order: Order;
  /** Trade ids of the fills already applied: the key that makes each fill count once. */
  readonly tradeIds: Set<TradeId>;
  /** True once OrderAccepted has been published for it. */
  acceptedPublished: boolean;
  /** Why it was denied, rejected or expired, when it was. */
  reason: string | undefined;
  /** The order may only reduce a position (kept for the order journal and a resend after a restart). */
  reduceOnly: boolean;
}

/**
 * The orders execution knows, keyed by client order id, with their status moved only through the
 * transition table. A transition the table forbids is returned as an error for the caller to
 * report; the order keeps its status.
 *
 * Bounded: open orders are always kept; closed (terminal) orders are kept up to `maxClosedOrders`,
 * then the oldest closed one is forgotten (counted in `closedEvicted`). An event for a forgotten
 * order is then reported as an event for an unknown order.
 */
export class OrderTracker {
  readonly #orders = new Map<ClientOrderId, TrackedOrder>();
  /** The open orders, in creation order, so strategies' open-order queries skip the closed ones. */
  readonly #open = new Set<TrackedOrder>();
  readonly #closed: ClientOrderId[] = [];
  #closedHead = 0;
  readonly #maxClosedOrders: number;
  #closedEvicted = 0;

  constructor(maxClosedOrders = 10_000) {
    if (!Number.isInteger(maxClosedOrders) || maxClosedOrders < 1) {
      throw new DesError(
        ErrorCode.InvalidConfig,
        `maxClosedOrders must be a positive integer, got ${maxClosedOrders}`,
        { key: "maxClosedOrders", value: maxClosedOrders },
      );
    }
    this.#maxClosedOrders = maxClosedOrders;
  }

  /** Returns how many orders are tracked (open and retained closed ones). */
  get size(): number {
    return this.#orders.size;
  }

  /** Returns how many closed orders were forgotten to keep the tracker bounded. */
  get closedEvicted(): number {
    return this.#closedEvicted;
  }

  /** Starts tracking an order; returns false when its client order id is already tracked. */
  add(order: Order): boolean {
    if (this.#orders.has(order.clientOrderId)) return false;
    const tracked: TrackedOrder = {
      order,
      tradeIds: new Set(),
      acceptedPublished: false,
      reason: undefined,
      reduceOnly: false,
    };
    this.#orders.set(order.clientOrderId, tracked);
    this.#open.add(tracked);
    return true;
  }

  /** Returns the tracked order with this client order id. */
  get(id: ClientOrderId): TrackedOrder | undefined {
    return this.#orders.get(id);
  }

  /** Returns the open orders, optionally only one strategy's or one instrument's, in creation order. */
  open(strategyId?: StrategyId, instrumentId?: InstrumentId): Order[] {
    const out: Order[] = [];
    for (const { order } of this.#open) {
      if (strategyId !== undefined && order.strategyId !== strategyId) continue;
      if (instrumentId !== undefined && order.instrumentId !== instrumentId) continue;
      out.push(order);
    }
    return out;
  }

  /** Moves the order to `to`; returns the error (and changes nothing) when the table forbids it. */
  transition(tracked: TrackedOrder, to: OrderStatus, at: UnixMicros): DesError | undefined {
    const order = tracked.order;
    if (!canTransition(order.status, to)) return invalidTransition(order, to);
    setOrderStatus(order, to, at);
    if (isTerminalStatus(to)) {
      this.#open.delete(tracked);
      this.#retainClosed(order.clientOrderId);
    }
    return undefined;
  }

  /**
   * Accumulates one fill (already checked not to be a repeat) and moves the order to
   * PARTIALLY_FILLED or FILLED. The quantities always accumulate, because the venue says the trade
   * happened; when the status change is forbidden (a fill after a cancel, an overfill) the error is
   * returned and the status stays.
   */
  applyFill(
    tracked: TrackedOrder,
    tradeId: TradeId,
    quantity: Decimal,
    price: Decimal,
    at: UnixMicros,
  ): DesError | undefined {
    const order = tracked.order;
    tracked.tradeIds.add(tradeId);
    order.filledQty = order.filledQty.add(quantity);
    order.filledQuote = order.filledQuote.add(quantity.mul(price));
    order.updatedAt = at;
    if (order.filledQty.gt(order.quantity)) {
      return new DesError(
        ErrorCode.InvalidOrderTransition,
        `order ${order.clientOrderId}: fill ${tradeId} overfills it (${order.filledQty} of ${order.quantity})`,
        {
          orderId: order.clientOrderId,
          tradeId,
          filledQty: order.filledQty.toString(),
          quantity: order.quantity.toString(),
        },
      );
    }
    const to = order.filledQty.gte(order.quantity) ? OrderStatus.Filled : OrderStatus.PartiallyFilled;
    return this.transition(tracked, to, at);
  }

  #retainClosed(id: ClientOrderId): void {
    if (this.#closed.length < this.#maxClosedOrders) {
      this.#closed.push(id);
      return;
    }
    const oldest = this.#closed[this.#closedHead]!;
    this.#orders.delete(oldest);
    this.#closedEvicted++;
    this.#closed[this.#closedHead] = id;
    this.#closedHead = (this.#closedHead + 1) % this.#maxClosedOrders;
  }
}

function invalidTransition(order: Order, to: OrderStatus): DesError {
  return new DesError(
    ErrorCode.InvalidOrderTransition,
    `order ${order.clientOrderId}: ${order.status} -> ${to} is not allowed`,
    { orderId: order.clientOrderId, from: order.status, to },
  );
}
