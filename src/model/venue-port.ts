import type {
  AccountId,
  ClientOrderId,
  Decimal,
  InstrumentId,
  TradeId,
  UnixMicros,
  VenueOrderId,
} from "../core/index.ts";
import type { MarketEvent } from "./market-data.ts";
import type { Liquidity, OrderSide, OrderType, TimeInForce } from "./order.ts";

/**
 * The venue port: what execution needs from a venue (paper, Binance spot, a simulator).
 * Venues implement it and import only core and model; the composition root injects it into
 * execution, so the two never import each other.
 *
 * Results are asynchronous (a REST call), and so is everything that happens later at the venue
 * (fills of resting orders, cancels by the venue, expiry): those arrive as VenueEvents through the
 * listener. The same fill can reach execution twice (in a FULL submit response and again on the
 * user data stream); execution applies each fill once, keyed by its trade id.
 */
export interface VenuePort {
  /** The account this venue connection trades for; fills carry it. */
  readonly accountId: AccountId;
  /** Places an order; resolves with the venue's acknowledgement or rejection, never throws for a rejection. */
  submit(request: VenueOrderRequest): Promise<SubmitResult>;
  /** Cancels an open order; resolves with the outcome, never throws for an unknown or closed order. */
  cancel(request: VenueCancelRequest): Promise<CancelResult>;
  /** Returns the orders the venue holds open. */
  openOrders(): Promise<readonly VenueOpenOrder[]>;
  /**
   * Asks the venue about one order by its client order id: the only safe basis for deciding that a
   * send whose outcome is unknown may be repeated. "absent": the venue does not know the order.
   */
  queryOrder(clientOrderId: ClientOrderId, instrumentId: InstrumentId): Promise<VenueOrderLookupStatus>;
  /** Returns the account's balances per asset. */
  balances(): Promise<readonly VenueBalance[]>;
  /** Registers the receiver of asynchronous venue events; returns the function that removes it. */
  onEvent(listener: VenueEventListener): () => void;
  /**
   * Receives market data, for venues that simulate matching (paper). Live venues leave it out:
   * their own matching engine sees the market.
   */
  onMarketEvent?(event: MarketEvent): void;
  /**
   * After a restart: takes over orders an earlier run of DES sent (read from its order journal), or
   * orders found at the venue that DES adopts. The venue tracks them again as if it had sent them
   * (later fills, stream reconnects), hands on as events what DES has not seen (accepted, each fill
   * whose trade id is not in `knownTradeIds`, the final status, in that order), and resolves with
   * each order's status. "absent" means the venue proves it never placed the order (for Binance:
   * not found once recvWindow has passed since it was sent), so it may be sent again. Venues whose
   * orders do not outlive DES (paper) leave it out.
   */
  resume?(orders: readonly ResumedOrder[]): Promise<ReadonlyMap<ClientOrderId, VenueOrderLookupStatus>>;
}

/** An order from an earlier run of DES (or adopted from the venue) that a venue takes over after a restart. */
export interface ResumedOrder {
  readonly clientOrderId: ClientOrderId;
  readonly instrumentId: InstrumentId;
  readonly side: OrderSide;
  /** When it was (or may have been) sent. */
  readonly sentAt: UnixMicros;
  /** True when DES saw the venue accept it (it cannot be absent unless the venue archived it). */
  readonly accepted: boolean;
  /** The quantity DES has booked fills for. */
  readonly filledQty: Decimal;
  /** Trade ids DES has booked; "all" = adopt the order, counting the fills it already had as known. */
  readonly knownTradeIds: ReadonlySet<string> | "all";
}

/** What a venue says of one order when asked by client order id. */
export type VenueOrderLookupStatus = "open" | "filled" | "canceled" | "expired" | "rejected" | "absent";

/** An order as sent to a venue. */
export interface VenueOrderRequest {
  readonly clientOrderId: ClientOrderId;
  readonly instrumentId: InstrumentId;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly quantity: Decimal;
  readonly price?: Decimal | undefined;
  readonly stopPrice?: Decimal | undefined;
  readonly timeInForce?: TimeInForce | undefined;
}

/** A cancel as sent to a venue (Binance needs the symbol with the client order id). */
export interface VenueCancelRequest {
  readonly clientOrderId: ClientOrderId;
  readonly instrumentId: InstrumentId;
}

/** One fill as the venue reports it. */
export interface VenueFill {
  readonly clientOrderId: ClientOrderId;
  readonly venueOrderId: VenueOrderId;
  readonly instrumentId: InstrumentId;
  /** The venue's trade id: the key that makes the fill apply exactly once. */
  readonly tradeId: TradeId;
  readonly side: OrderSide;
  readonly quantity: Decimal;
  readonly price: Decimal;
  /** The commission, exactly as the venue charged it, in commissionAsset (quote, base or e.g. BNB). */
  readonly commission: Decimal;
  readonly commissionAsset: string;
  readonly liquidity: Liquidity;
  /** The order's cumulative filled quantity after this fill, when the venue says so (Binance `z`). */
  readonly cumulativeQty?: Decimal | undefined;
  /** The venue's time of the fill. */
  readonly ts: UnixMicros;
}

/** The venue accepted the order; fills already known from the response come with it (Binance FULL). */
export interface SubmitAccepted {
  readonly kind: "accepted";
  readonly venueOrderId: VenueOrderId;
  readonly fills: readonly VenueFill[];
  readonly ts: UnixMicros;
}

/** The venue refused the order; `reason` says why in the venue's words. */
export interface SubmitRejected {
  readonly kind: "rejected";
  readonly reason: string;
  /** The venue's own error code, when it has one (Binance -2010). */
  readonly venueCode?: number | string | undefined;
  readonly ts: UnixMicros;
}

/**
 * Nobody knows yet whether the venue placed the order (a timeout, a broken connection or a 5xx after
 * sending, and the look-ups did not settle it). The order is not final: the venue keeps reconciling
 * and reports what it finds as events (accepted and fills, or rejected when it proves the order was
 * never placed). Nothing may resend it meanwhile.
 */
export interface SubmitUnknown {
  readonly kind: "unknown";
  readonly reason: string;
  readonly ts: UnixMicros;
}

/** The outcome of a submit. */
export type SubmitResult = SubmitAccepted | SubmitRejected | SubmitUnknown;

/** The outcome of a cancel. */
export type CancelResult =
  | { readonly kind: "canceled"; readonly ts: UnixMicros }
  | {
      readonly kind: "rejected";
      readonly reason: string;
      readonly venueCode?: number | string | undefined;
      readonly ts: UnixMicros;
    };

/** An order the venue holds open. */
export interface VenueOpenOrder {
  readonly clientOrderId: ClientOrderId;
  readonly venueOrderId: VenueOrderId;
  readonly instrumentId: InstrumentId;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly quantity: Decimal;
  readonly price: Decimal | undefined;
  readonly filledQty: Decimal;
}

/** One asset's balance at the venue. */
export interface VenueBalance {
  readonly asset: string;
  readonly free: Decimal;
  readonly locked: Decimal;
}

/** The venue acknowledged an order on its event stream (Binance executionReport NEW). */
export interface VenueOrderAccepted {
  readonly kind: "accepted";
  readonly clientOrderId: ClientOrderId;
  readonly venueOrderId: VenueOrderId;
  readonly instrumentId: InstrumentId;
  readonly ts: UnixMicros;
}

/** A fill arrived on the venue's event stream. */
export interface VenueOrderFilled {
  readonly kind: "fill";
  readonly fill: VenueFill;
}

/** The order was canceled at the venue (by us or by the venue). */
export interface VenueOrderCanceled {
  readonly kind: "canceled";
  readonly clientOrderId: ClientOrderId;
  readonly venueOrderId: VenueOrderId;
  readonly instrumentId: InstrumentId;
  readonly ts: UnixMicros;
}

/** The venue ended the order without a full fill (no liquidity, IOC remainder, no funds at fill time). */
export interface VenueOrderExpired {
  readonly kind: "expired";
  readonly clientOrderId: ClientOrderId;
  readonly venueOrderId: VenueOrderId;
  readonly instrumentId: InstrumentId;
  readonly reason: string;
  readonly ts: UnixMicros;
}

/** The venue rejected an order after the submit call returned (on its event stream). */
export interface VenueOrderRejected {
  readonly kind: "rejected";
  readonly clientOrderId: ClientOrderId;
  readonly instrumentId: InstrumentId;
  readonly reason: string;
  readonly ts: UnixMicros;
}

/**
 * The venue reported new balances (Binance outboundAccountPosition / balanceUpdate): each listed
 * asset's free and locked amounts after the change; assets not listed did not change.
 */
export interface VenueBalancesChanged {
  readonly kind: "balances";
  readonly balances: readonly VenueBalance[];
  readonly ts: UnixMicros;
}

/** Anything a venue reports asynchronously. */
export type VenueEvent =
  | VenueOrderAccepted
  | VenueOrderFilled
  | VenueOrderCanceled
  | VenueOrderExpired
  | VenueOrderRejected
  | VenueBalancesChanged;

/** Receives venue events in the order the venue produced them. */
export type VenueEventListener = (event: VenueEvent) => void;
