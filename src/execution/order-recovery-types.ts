import type { StrategyId, UnixMicros, VenueOrderId } from "../core/index.ts";
import type { BookedFill, Order, OrderTerms } from "../model/index.ts";

/**
 * Where execution writes each order intent before it is sent, so a crash cannot lose an order in
 * flight (the SQLite order journal). Only for venues whose orders outlive DES.
 */
export interface OrderJournal {
  /**
   * Writes the intent durably (committed when this returns); a repeated send only updates its send
   * time. Throws when it cannot: the order is then not sent (DENIED on its first send).
   */
  record(order: Readonly<Order>, reduceOnly: boolean, sentAt: UnixMicros): void;
}

/** An order of an earlier run of DES, read back from the journal, for execution to track again. */
export interface RestoredOrder extends OrderTerms {
  readonly reduceOnly: boolean;
  readonly sentAt: UnixMicros;
  /** True when the earlier run saw the venue accept it. */
  readonly accepted: boolean;
  readonly venueOrderId: VenueOrderId | undefined;
  /** Fills the earlier run booked (their trade ids are never applied again). */
  readonly fills: readonly BookedFill[];
}

/** What to do at start-up with orders the venue holds open that DES did not send (or has forgotten). */
export type UnknownVenueOrderPolicy = "adopt" | "report";

/** How start-up reconciliation treats what it finds. */
export interface RecoveryOptions {
  /**
   * An intent the venue proves it never placed is sent again only when it is at most this old
   * (from its creation); older ones are rejected, not sent blindly into a market that moved on.
   */
  readonly maxIntentAgeMs: number;
  /** adopt: track the order under `adoptAs` so its fills are booked; report: leave it alone, reported. */
  readonly unknownVenueOrders: UnknownVenueOrderPolicy;
  /** The strategy id adopted orders are booked under. */
  readonly adoptAs: StrategyId;
}

/** What start-up reconciliation did. */
export interface RecoveryReport {
  /** Orders of the earlier run the venue still knows: tracked again, their events applied. */
  readonly resumed: number;
  /** Intents the venue never placed, young enough to be sent again (same client order id). */
  readonly resent: number;
  /** Intents the venue never placed, older than maxIntentAgeMs: rejected, not sent. */
  readonly expiredIntents: number;
  /** Accepted orders the venue no longer knows (archived): expired. */
  readonly lostAtVenue: number;
  /** Open venue orders DES did not know, adopted. */
  readonly adopted: number;
  /** Open venue orders DES did not know, reported and left alone. */
  readonly reported: number;
}
