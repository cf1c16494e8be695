import type { ClientOrderId, Decimal, InstrumentId, UnixMicros, VenueOrderId } from "../../../core/index.ts";
import type { OrderSide, OrderType, TimeInForce } from "../../../model/index.ts";

/** An order's state inside the matching engine (Binance's names; PENDING: waiting out the latency). */
export type EngineOrderStatus =
  | "PENDING"
  | "NEW"
  | "PARTIALLY_FILLED"
  | "FILLED"
  | "CANCELED"
  | "EXPIRED"
  | "REJECTED";

/** Where an open order currently waits. */
export type EngineOrderPlace = "pending" | "taker" | "book" | "stop" | "closed";

/** An order the matching engine holds; mutated only by the engine. */
export interface EngineOrder {
  readonly clientOrderId: ClientOrderId;
  readonly venueOrderId: VenueOrderId;
  readonly instrumentId: InstrumentId;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly quantity: Decimal;
  /** The limit price (LIMIT, LIMIT_MAKER, *_LIMIT); undefined for market-like orders. */
  readonly price: Decimal | undefined;
  readonly stopPrice: Decimal | undefined;
  readonly timeInForce: TimeInForce;
  /** Arrival order: time priority at equal prices. */
  readonly seq: number;
  readonly submittedAt: UnixMicros;
  /** The market time from which the order is in the book (submittedAt + latency). */
  readonly activeAt: number;
  status: EngineOrderStatus;
  place: EngineOrderPlace;
  /** A non-marketable IOC/FOK limit: it expires at the next event without taking. */
  expireUntaken: boolean;
  filledQty: Decimal;
  /** Sum of price x quantity over fills. */
  filledQuote: Decimal;
  readonly lockedAsset: string;
  /** What the order still reserves of lockedAsset. */
  locked: Decimal;
  /** Why the order was rejected or expired. */
  reason: string | undefined;
}

/** A read-only view of an order for query(). */
export interface EngineOrderView {
  readonly clientOrderId: ClientOrderId;
  readonly venueOrderId: VenueOrderId;
  readonly instrumentId: InstrumentId;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly quantity: Decimal;
  readonly price: Decimal | undefined;
  readonly stopPrice: Decimal | undefined;
  readonly timeInForce: TimeInForce;
  readonly status: EngineOrderStatus;
  readonly filledQty: Decimal;
  readonly filledQuote: Decimal;
  readonly locked: Decimal;
  readonly lockedAsset: string;
  readonly reason: string | undefined;
}

/** Returns a snapshot of the order. */
export function viewOf(o: EngineOrder): EngineOrderView {
  return {
    clientOrderId: o.clientOrderId,
    venueOrderId: o.venueOrderId,
    instrumentId: o.instrumentId,
    side: o.side,
    type: o.type,
    quantity: o.quantity,
    price: o.price,
    stopPrice: o.stopPrice,
    timeInForce: o.timeInForce,
    status: o.status,
    filledQty: o.filledQty,
    filledQuote: o.filledQuote,
    locked: o.locked,
    lockedAsset: o.lockedAsset,
    reason: o.reason,
  };
}
