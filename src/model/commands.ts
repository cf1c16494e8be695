import type { ClientOrderId, Decimal, InstrumentId, StrategyId, UnixMicros } from "../core/index.ts";
import type { OrderSide, OrderType, TimeInForce } from "./order.ts";

/** Asks execution to place an order. Strategies reach execution only through commands. */
export interface SubmitOrder {
  readonly kind: "SubmitOrder";
  readonly clientOrderId: ClientOrderId;
  readonly strategyId: StrategyId;
  readonly instrumentId: InstrumentId;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly quantity: Decimal;
  readonly price?: Decimal | undefined;
  readonly stopPrice?: Decimal | undefined;
  readonly timeInForce?: TimeInForce | undefined;
  readonly reduceOnly?: boolean | undefined;
  readonly createdAt: UnixMicros;
  /** The receive time of the market event that caused it (for tick-to-order latency). */
  readonly causedByReceivedAt?: UnixMicros | undefined;
}

/** Asks execution to cancel one order. */
export interface CancelOrder {
  readonly kind: "CancelOrder";
  readonly clientOrderId: ClientOrderId;
  readonly strategyId: StrategyId;
  readonly instrumentId: InstrumentId;
  readonly createdAt: UnixMicros;
}

/** Any command on the bus. */
export type Command = SubmitOrder | CancelOrder;
