import type { ClientOrderId, Decimal } from "../../core/index.ts";
import type { OrderSide } from "../../model/index.ts";

/**
 * What the Binance venue remembers of an order it placed (or adopted at start) until the order is
 * final at the venue. Reconciliation works from these records.
 */
export interface PlacedOrder {
  readonly clientOrderId: ClientOrderId;
  readonly symbol: string;
  readonly side: OrderSide;
  /**
   * sending: a submit is in flight (the submit settles it, reconciliation leaves it alone);
   * open: the venue has it; unknown: submit gave up with an unknown outcome, reconciliation settles it.
   */
  state: "sending" | "open" | "unknown";
  /** Binance's order id, once known (response, stream or look-up). */
  venueOrderId: number | undefined;
  /** Local time (ms) of the last placement request, for the recvWindow rule. */
  sentAtMs: number;
  /** True once execution has been told the order was accepted (submit result or event). */
  acceptedReported: boolean;
  /** Sum of the fills handed on for this order. */
  filledQty: Decimal;
  /** Highest trade id handed on for this order. */
  lastTradeId: number | undefined;
  /** True once the order is final at the venue (the record is then dropped). */
  final: boolean;
}
