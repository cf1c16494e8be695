import type { InstrumentId } from "../../core/index.ts";
import type { Instrument } from "../../model/index.ts";
import type { BinanceRestApi } from "./rest/binance-rest-api.ts";
import type { UserDataLogger, UserDataSource } from "./user/user-data-source.ts";
import type { UnknownOutcomeOptions } from "./venue-unknown-outcome.ts";

/** How a Binance venue is set up. */
export interface BinanceVenueOptions {
  /** The account fills are booked to ("binance-main"). */
  readonly accountId: string;
  readonly rest: BinanceRestApi;
  /** The account's user data stream (BinanceUserDataStream); the venue starts and stops it. */
  readonly userData: UserDataSource;
  /** The instruments it may trade; a submit for another symbol is rejected without a request. */
  readonly instruments: ReadonlyMap<InstrumentId, Instrument>;
  /** Local wall clock in UnixMicros; default Date.now() x 1000. */
  readonly nowMicros?: () => number;
  /** The recvWindow the REST client sends: it decides when a lost order can no longer appear; default 5000. */
  readonly recvWindowMs?: number;
  readonly logger?: UserDataLogger;
  /** On start, read balances and adopt the venue's open orders so later reconciliations cover them. */
  readonly reconcileOnStart?: boolean;
  /** Look-up schedule for submits of unknown outcome. */
  readonly unknownOutcome?: UnknownOutcomeOptions;
  /** Fills remembered to drop repeats; default 200 000 (when full the oldest is forgotten). */
  readonly maxSeenFills?: number;
  /** Pause between look-ups; default a timer that stop() cuts short. Tests inject one that moves a fake clock. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Counters of a Binance venue, for metrics and tests. */
export interface BinanceVenueStats {
  /** Fills handed to execution: in submit results and as events. */
  readonly fillsEmitted: number;
  /** Fills seen again (FULL response and stream, stream and reconciliation): dropped. */
  readonly duplicateFillsDropped: number;
  /** Final order events (canceled/expired/rejected) seen again: dropped. */
  readonly duplicateFinalEventsDropped: number;
  /** Submits whose outcome was unknown (timeout, 5xx, -1007, broken connection). */
  readonly unknownOutcomes: number;
  /** Of those, found at the venue (by look-up, or seen on the stream). */
  readonly unknownFound: number;
  /** Placements sent again after the venue proved the first one was never placed. */
  readonly resends: number;
  /** Submits still unknown after the bound, left to reconciliation. */
  readonly unknownGivenUp: number;
  /** Orders of unknown outcome settled later (found by reconciliation or the stream, or proven never placed). */
  readonly unknownSettled: number;
  readonly reconciliations: number;
  /** Symbols whose reconciliation failed (a REST error); the next reconciliation tries again. */
  readonly reconcileFailures: number;
  /** Events handed to the listeners (fills, order events, balances). */
  readonly eventsEmitted: number;
  /** Listener calls that threw; the other listeners still ran. */
  readonly listenerFailures: number;
  /** balanceUpdate deltas for an asset without a known balance: skipped (outboundAccountPosition follows). */
  readonly balanceDeltasSkipped: number;
  /** Orders tracked until final. */
  readonly trackedOrders: number;
  /** Orders of unknown outcome waiting for reconciliation. */
  readonly pendingUnknown: number;
}
