import { microsFromMs, venueOrderId } from "../../core/index.ts";
import type { VenueEvent } from "../../model/index.ts";
import { fillFromExecutionReport } from "./venue-fills.ts";
import { wireClientOrderId, wireInstrumentId } from "./venue-wire-ids.ts";
import type { BinanceOrderStatus } from "./wire/rest-msgs.ts";
import type { ExecutionReportMsg } from "./wire/user-msgs.ts";

const FINAL_STATUSES: ReadonlySet<BinanceOrderStatus> = new Set([
  "FILLED",
  "CANCELED",
  "REJECTED",
  "EXPIRED",
  "EXPIRED_IN_MATCH",
]);

/** Returns true when no further change can happen to an order in this Binance status. */
export function isFinalOrderStatus(status: BinanceOrderStatus | undefined): boolean {
  return status !== undefined && FINAL_STATUSES.has(status);
}

/**
 * Returns the client order id of the order an executionReport is about: on a cancel, `c` is the
 * cancel request's own id and the order's is `C`; otherwise `c`.
 */
export function orderClientIdOf(msg: ExecutionReportMsg): string {
  return msg.x === "CANCELED" && msg.C !== "" ? msg.C : msg.c;
}

/**
 * Maps an executionReport to the venue event execution understands: NEW -> accepted, TRADE -> fill,
 * CANCELED -> canceled (client id from `C` when set), EXPIRED -> expired (reason `eR`, else `r`),
 * REJECTED -> rejected (reason `r`), TRADE_PREVENTION -> expired "self-trade prevention". REPLACED
 * (an amended quantity) has no DES event: returns undefined.
 */
export function venueEventFromExecutionReport(
  msg: ExecutionReportMsg,
  fallbackCommissionAsset: string,
): VenueEvent | undefined {
  const ids = {
    clientOrderId: wireClientOrderId(orderClientIdOf(msg)),
    venueOrderId: venueOrderId(msg.i),
    instrumentId: wireInstrumentId(msg.s),
  };
  const ts = microsFromMs(msg.T);
  switch (msg.x) {
    case "NEW":
      return { kind: "accepted", ...ids, ts };
    case "TRADE":
      return { kind: "fill", fill: fillFromExecutionReport(msg, fallbackCommissionAsset) };
    case "CANCELED":
      return { kind: "canceled", ...ids, ts };
    case "EXPIRED":
      return { kind: "expired", ...ids, reason: expiryReason(msg), ts };
    case "TRADE_PREVENTION":
      return { kind: "expired", ...ids, reason: "self-trade prevention", ts };
    case "REJECTED":
      return {
        kind: "rejected",
        clientOrderId: ids.clientOrderId,
        instrumentId: ids.instrumentId,
        reason: msg.r,
        ts,
      };
    case "REPLACED":
      return undefined;
  }
}

function expiryReason(msg: ExecutionReportMsg): string {
  if (msg.eR !== undefined && msg.eR !== "" && msg.eR !== "NONE") return msg.eR;
  if (msg.r !== "" && msg.r !== "NONE") return msg.r;
  return "EXPIRED";
}
