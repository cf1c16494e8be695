import { type UnixMicros, venueOrderId } from "../../core/index.ts";
import type { VenueOrderCanceled, VenueOrderExpired, VenueOrderRejected } from "../../model/index.ts";
import type { PlacedOrder } from "./venue-placed-order.ts";
import { wireInstrumentId } from "./venue-wire-ids.ts";
import type { BinanceOrderStatus } from "./wire/rest-msgs.ts";

/** How an order ended without (fully) filling. */
export type VenueFinalEvent = VenueOrderCanceled | VenueOrderExpired | VenueOrderRejected;

/**
 * Returns the event for an order a REST answer shows final, or undefined when it FILLED (its fills
 * say so) or is not final. EXPIRED_IN_MATCH is an expiry by self-trade prevention.
 */
export function finalEventOf(
  order: PlacedOrder,
  status: BinanceOrderStatus | undefined,
  reason: string | undefined,
  ts: UnixMicros,
): VenueFinalEvent | undefined {
  const ids = {
    clientOrderId: order.clientOrderId,
    venueOrderId: venueOrderId(order.venueOrderId ?? ""),
    instrumentId: wireInstrumentId(order.symbol),
    ts,
  };
  switch (status) {
    case "CANCELED":
      return { kind: "canceled", ...ids };
    case "REJECTED":
      return {
        kind: "rejected",
        clientOrderId: ids.clientOrderId,
        instrumentId: ids.instrumentId,
        reason: reason ?? status,
        ts,
      };
    case "EXPIRED":
      return { kind: "expired", ...ids, reason: reason ?? status };
    case "EXPIRED_IN_MATCH":
      return { kind: "expired", ...ids, reason: "self-trade prevention" };
    default:
      return undefined;
  }
}
