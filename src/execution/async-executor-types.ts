import type { ClientOrderId, InstrumentId, UnixMicros } from "../core/index.ts";
import type {
  SubmitAccepted,
  SubmitRejected,
  VenueOrderLookupStatus,
  VenueOrderRequest,
  VenuePort,
} from "../model/index.ts";
import type { OrderQueueStats, QUEUE_FULL } from "./order-queue.ts";
import type { VenueRateLimiter } from "./venue-rate-limiter.ts";

/** What a venue says about a client order id when asked (Binance: GET /api/v3/order; -2013 = absent). */
export type { VenueOrderLookupStatus };

/** Asks a venue about one order by its client order id: the only basis for a safe resend. */
export interface VenueOrderLookup {
  /** Returns the order's status at the venue, or "absent" when the venue does not know it. */
  queryOrder(clientOrderId: ClientOrderId, instrumentId: InstrumentId): Promise<VenueOrderLookupStatus>;
}

/** The part of VenuePort the executor uses. */
export type ExecutorVenue = Pick<VenuePort, "submit">;

/** One order to execute. */
export interface ExecutionOrder {
  /** The venue it goes to (registered with addVenue). */
  readonly venueId: string;
  readonly request: VenueOrderRequest;
  /** Stop-loss, take-profit, reduce-only or panic: goes through the priority lane. */
  readonly protective?: boolean | undefined;
}

/** The venue knows the order (found by a look-up after a timeout or unknown outcome): it was placed once. */
export interface LookupFound {
  readonly kind: "found";
  readonly status: Exclude<VenueOrderLookupStatus, "absent" | "rejected">;
  readonly ts: UnixMicros;
}

/** The venue proved, after the settle time, that it never placed the order, and no send is left. */
export interface NotPlaced {
  readonly kind: "notPlaced";
  readonly reason: string;
  readonly ts: UnixMicros;
}

/**
 * The executor could not settle the outcome within its look-ups: nothing was resent; the venue's
 * reconciliation (or a later start-up reconciliation) must settle it.
 */
export interface Unresolved {
  readonly kind: "unresolved";
  readonly reason: string;
  readonly ts: UnixMicros;
}

/** The final outcome of one order as the executor knows it. */
export type ExecutionOutcome = SubmitAccepted | SubmitRejected | LookupFound | NotPlaced | Unresolved;

/** One executed order with its outcome and latencies (microseconds). */
export interface ExecutionResult {
  readonly order: ExecutionOrder;
  readonly outcome: ExecutionOutcome;
  /** Submits sent to the venue for this order (1, or 2+ only after a proven absence). */
  readonly sends: number;
  /** Look-ups made. */
  readonly lookups: number;
  readonly queueWaitUs: number;
  /** The round trip of the last submit the venue answered, or -1 when none answered. */
  readonly roundTripUs: number;
  /** From enqueue to this result. */
  readonly totalUs: number;
}

/** The executor refused an order before sending it (its queue was full, or its venue unknown). */
export interface ExecutionDenied {
  readonly kind: "ExecutionDenied";
  readonly reason: typeof QUEUE_FULL | "UNKNOWN_VENUE";
  readonly order: ExecutionOrder;
  readonly ts: UnixMicros;
}

/** Latency hooks, microseconds; feed histograms with them. */
export interface ExecutorLatencyHooks {
  readonly queueWait?: ((us: number) => void) | undefined;
  readonly roundTrip?: ((us: number) => void) | undefined;
  readonly total?: ((us: number) => void) | undefined;
}

/** How one venue is executed against. */
export interface ExecutorVenueConfig {
  readonly venue: ExecutorVenue;
  readonly lookup: VenueOrderLookup;
  /** At most this many orders in flight (sent and not yet settled, look-ups included); default 8. */
  readonly maxInFlight?: number | undefined;
  /** Paces the submits (resends included); default none. */
  readonly rateLimiter?: VenueRateLimiter | undefined;
  /** Queue capacities for this venue; defaults 256 priority, 4096 main, 16384 overflow, batch 256. */
  readonly priorityCapacity?: number | undefined;
  readonly mainCapacity?: number | undefined;
  readonly overflowCapacity?: number | undefined;
  readonly drainBatchSize?: number | undefined;
  /** A submit or look-up not answered within this many ms counts as unknown; default 10 000. */
  readonly timeoutMs?: number | undefined;
  /**
   * How long after the last send "absent" becomes proof that the order was never placed; default
   * 6 000 (Binance: recvWindow 5 000 + 1 s: a request arriving later is refused by the venue).
   */
  readonly settleMs?: number | undefined;
  /** Submits per order at most (the first included); default 2, 1 disables resends. */
  readonly maxSends?: number | undefined;
  /** Look-ups per order at most before giving up as unresolved; default 10. */
  readonly maxLookups?: number | undefined;
  /** Wait between look-ups that failed or timed out, ms; default 1 000. */
  readonly lookupRetryMs?: number | undefined;
}

/** Counters of one venue's executor. */
export interface ExecutorVenueStats {
  readonly queue: OrderQueueStats;
  readonly inFlight: number;
  /** The highest number of orders ever in flight at once: never above maxInFlight. */
  readonly maxInFlightSeen: number;
  readonly sends: number;
  readonly resends: number;
  readonly timeouts: number;
  readonly unknownOutcomes: number;
  readonly submitErrors: number;
  readonly lookups: number;
  readonly lookupFailures: number;
  /** Submit answers that arrived after the executor had stopped waiting for them. */
  readonly lateAnswers: number;
  readonly rateLimitWaits: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly found: number;
  readonly notPlaced: number;
  readonly unresolved: number;
}
