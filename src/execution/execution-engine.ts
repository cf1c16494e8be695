import { type MessageBus, Topic, type Unsubscribe } from "../bus/index.ts";
import {
  type ClientOrderId,
  type Clock,
  Decimal,
  DesError,
  ErrorCode,
  type InstrumentId,
  isDesError,
  type StrategyId,
  toError,
  type UnixMicros,
  type VenueOrderId,
} from "../core/index.ts";
import {
  type Bar,
  type BarInterval,
  type CancelOrder,
  type CancelResult,
  isTerminalStatus,
  newOrder,
  type Order,
  type OrderEvent,
  OrderStatus,
  type PositionChanged,
  parseBarInterval,
  type ResumedOrder,
  type SubmitAccepted,
  type SubmitOrder,
  type SubmitRejected,
  type SubmitResult,
  setOrderStatus,
  type TradeTick,
  type VenueEvent,
  type VenueFill,
  type VenueOrderRequest,
  type VenuePort,
} from "../model/index.ts";
import { AsyncExecutor } from "./async-executor.ts";
import type {
  ExecutionDenied,
  ExecutionResult,
  ExecutorLatencyHooks,
  ExecutorVenueConfig,
  ExecutorVenueStats,
} from "./async-executor-types.ts";
import type { OrderJournal, RecoveryOptions, RecoveryReport, RestoredOrder } from "./order-recovery-types.ts";
import { OrderTracker, type TrackedOrder } from "./order-tracker.ts";
import { PendingExposure } from "./pending-exposure.ts";
import {
  type ExecutionRisk,
  isProtective,
  type PortfolioRiskView,
  type PreTradeContext,
  type PreTradeRisk,
  preTradeContext,
} from "./pre-trade-risk.ts";

/** The one venue lane of the executor (execution drives one venue port). */
const VENUE_LANE = "venue";

/** How the executor in front of the venue is set up; every field has a default (see ExecutorVenueConfig). */
export type ExecutionExecutorConfig = Omit<ExecutorVenueConfig, "venue" | "lookup"> & {
  /** Queue wait, venue round trip and total order latency, microseconds (feed histograms). */
  readonly latency?: ExecutorLatencyHooks | undefined;
};

/** Which market data execution passes to a simulating venue (paper). */
export interface VenueMarketDataConfig {
  /** Pass trade ticks; default true. */
  readonly trades?: boolean;
  /**
   * Pass closed bars of this interval only; default "1m"; null passes no bars. One interval, so a
   * price move published as a 1m bar and again inside a 5m bar is matched once.
   */
  readonly barInterval?: BarInterval | null;
}

/** How an execution engine is set up. */
export interface ExecutionEngineConfig {
  readonly bus: MessageBus;
  readonly clock: Clock;
  /** The venue orders go to (injected by the composition root). */
  readonly venue: VenuePort;
  readonly marketData?: VenueMarketDataConfig;
  /** Closed orders kept for late events and queries; default 10 000 (see OrderTracker). */
  readonly maxClosedOrders?: number;
  /** Receives every problem (an invalid transition, an event for an unknown order); the app logs them. */
  readonly onProblem?: (problem: DesError) => void;
  /** Pre-trade risk and the portfolio view it reads; absent = every valid order is allowed. */
  readonly risk?: ExecutionRisk | undefined;
  /** The executor's queue, concurrency bound and timeouts; absent = its defaults. */
  readonly executor?: ExecutionExecutorConfig | undefined;
  /**
   * Where each order intent is written before it is sent (venues whose orders outlive DES);
   * absent = no journal (paper: its orders end with the process).
   */
  readonly journal?: OrderJournal | undefined;
}

/** Counters of what execution has done. */
export interface ExecutionStats {
  readonly ordersSubmitted: number;
  readonly ordersAccepted: number;
  readonly ordersFilled: number;
  readonly ordersRejected: number;
  readonly ordersDenied: number;
  readonly ordersCanceled: number;
  readonly ordersExpired: number;
  readonly fills: number;
  /** Fills seen again with a trade id already applied (REST response + user stream): ignored. */
  readonly duplicateFills: number;
  /** Transitions the status table forbids, each reported. */
  readonly invalidTransitions: number;
  /** Venue events for orders execution does not know (or has forgotten), each reported. */
  readonly unknownOrderEvents: number;
  /** SubmitOrder commands reusing a tracked client order id, each reported and dropped. */
  readonly duplicateSubmits: number;
  readonly cancelsRejected: number;
  /** Cancel commands for orders that were already closed: nothing to do. */
  readonly cancelsIgnored: number;
  /** Venue calls that failed (threw or rejected their promise), each reported. */
  readonly venueFailures: number;
  /** Submits the venue answered "unknown" (or did not answer): the executor looks them up before any resend. */
  readonly unknownOutcomes: number;
  /** Orders whose outcome the executor's look-ups could not settle: left SUBMITTED, each reported. */
  readonly unresolvedOrders: number;
  /** Orders the venue knew when looked up after an unknown outcome: its events settle them. */
  readonly ordersFoundByLookup: number;
  /** Orders denied by the risk checks (also counted in ordersDenied). */
  readonly riskDenials: number;
  /** Orders the risk checks allowed with a smaller quantity. */
  readonly riskAdjusted: number;
  /** Orders denied because the executor's queue was full (also counted in ordersDenied). */
  readonly queueDenials: number;
  /** Orders not sent because the order journal could not store their intent (also counted in ordersDenied). */
  readonly journalFailures: number;
  readonly marketEventsRouted: number;
  readonly closedOrdersEvicted: number;
  readonly problems: number;
}

const MAX_RECENT_PROBLEMS = 100;
/** Why an order canceled while it waited in the queue was never sent. */
const CANCELED_BEFORE_SEND = "canceled before it was sent";
/** The answer #send gives the executor for an order it did not send (canceled while queued, journal failure). */
const NOT_SENT = "not sent";

/**
 * The order path: takes SubmitOrder / CancelOrder commands from the bus, validates each order, runs
 * the pre-trade risk checks (the order's quantity is what risk allowed), queues it in the
 * AsyncExecutor (protective orders in the priority lane), which sends it to the venue port within its
 * concurrency bound, and publishes the order events, in order, on Topic.OrderEvent. An order is
 * INITIALIZED while queued and SUBMITTED when sent. Each fill applies once, keyed by its trade id,
 * partial fills accumulate, and each PositionChanged feeds the risk engine its realized PnL delta.
 * It also feeds market data from the bus to a simulating venue.
 *
 * A submit whose outcome is unknown (an "unknown" answer, a timeout, a venue call that threw) is
 * looked up before any resend: found = the venue's events settle it; proven absent after the settle
 * time with no send left = REJECTED; unresolved = left SUBMITTED for the venue's reconciliation, reported.
 */
export class ExecutionEngine {
  readonly #bus: MessageBus;
  readonly #clock: Clock;
  readonly #venue: VenuePort;
  readonly #tracker: OrderTracker;
  readonly #feedTrades: boolean;
  readonly #barInterval: BarInterval | null;
  readonly #onProblem: ((problem: DesError) => void) | undefined;
  readonly #journal: OrderJournal | undefined;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #executor: AsyncExecutor;
  readonly #risk: PreTradeRisk | undefined;
  readonly #riskContext: PreTradeContext | undefined;
  /** The open orders' unfilled notional, kept only when risk reads it. */
  readonly #pending: PendingExposure | undefined;
  /** Realized PnL last seen per "strategy|instrument" (one entry per position ever changed, never pruned). */
  readonly #realized = new Map<string, Decimal>();
  /** idle() callers waiting for the next executor result. */
  #idleWaiters: (() => void)[] = [];
  /** The last problems, oldest first; when full the oldest is dropped (all are counted in `problems`). */
  readonly #recentProblems: DesError[] = [];
  #unsubscribers: Unsubscribe[] = [];
  readonly #stats = {
    ordersSubmitted: 0,
    ordersAccepted: 0,
    ordersFilled: 0,
    ordersRejected: 0,
    ordersDenied: 0,
    ordersCanceled: 0,
    ordersExpired: 0,
    fills: 0,
    duplicateFills: 0,
    invalidTransitions: 0,
    unknownOrderEvents: 0,
    duplicateSubmits: 0,
    cancelsRejected: 0,
    cancelsIgnored: 0,
    venueFailures: 0,
    unknownOutcomes: 0,
    unresolvedOrders: 0,
    ordersFoundByLookup: 0,
    riskDenials: 0,
    riskAdjusted: 0,
    queueDenials: 0,
    journalFailures: 0,
    marketEventsRouted: 0,
    problems: 0,
  };

  constructor(config: ExecutionEngineConfig) {
    this.#bus = config.bus;
    this.#clock = config.clock;
    this.#venue = config.venue;
    this.#tracker = new OrderTracker(config.maxClosedOrders);
    this.#onProblem = config.onProblem;
    this.#journal = config.journal;
    this.#feedTrades = config.marketData?.trades ?? true;
    const interval = config.marketData?.barInterval;
    this.#barInterval = interval === null ? null : parseBarInterval(interval ?? "1m");
    this.#risk = config.risk?.engine;
    const view = config.risk?.view;
    const pending = view === undefined ? undefined : new PendingExposure();
    this.#pending = pending;
    this.#riskContext =
      view === undefined || pending === undefined
        ? undefined
        : preTradeContext(view, pendingValue(pending, view));
    const { latency, ...lane } = config.executor ?? {};
    this.#executor = new AsyncExecutor({
      clock: this.#clock,
      onResult: (r) => this.#onExecuted(r),
      onDenied: (d) => this.#onQueueDenied(d),
      latency,
      onProblem: (p) => this.#report(p),
    });
    this.#executor.addVenue(VENUE_LANE, {
      ...lane,
      venue: { submit: (req) => this.#send(req) },
      lookup: { queryOrder: (id, instrument) => this.#venue.queryOrder(id, instrument) },
    });
  }

  /** Subscribes to commands and market data and starts listening to the venue. */
  start(): void {
    if (this.#unsubscribers.length > 0) return;
    const subs: Unsubscribe[] = [
      this.#bus.subscribe(Topic.SubmitOrder, (c: SubmitOrder) => this.#onSubmit(c), "execution.submit-order"),
      this.#bus.subscribe(Topic.CancelOrder, (c: CancelOrder) => this.#onCancel(c), "execution.cancel-order"),
      this.#venue.onEvent((e) => this.#onVenueEvent(e)),
    ];
    if (this.#risk !== undefined) {
      subs.push(
        this.#bus.subscribe(
          Topic.PositionChanged,
          (c: PositionChanged) => this.#onPositionChanged(c),
          "execution.risk-fill",
        ),
      );
    }
    if (this.#venue.onMarketEvent !== undefined) {
      if (this.#feedTrades) {
        subs.push(this.#bus.subscribe(Topic.Trade, (t: TradeTick) => this.#route(t), "execution.trade"));
      }
      if (this.#barInterval !== null) {
        subs.push(
          this.#bus.subscribe(
            Topic.Bar,
            (b: Bar) => {
              if (b.closed && b.interval === this.#barInterval) this.#route(b);
            },
            "execution.bar",
          ),
        );
      }
    }
    this.#unsubscribers = subs;
  }

  /** Unsubscribes from the bus and the venue and stops sending queued orders; orders in flight still settle. */
  stop(): void {
    for (const unsubscribe of this.#unsubscribers) unsubscribe();
    this.#unsubscribers = [];
    this.#executor.stop();
  }

  /**
   * Resolves once every queued order is sent and settled (look-ups included) and every venue call
   * made so far has settled and its events are published. With a test clock, look-up waits need the
   * clock advanced.
   */
  async idle(): Promise<void> {
    for (;;) {
      if (this.#inFlight.size > 0) {
        await Promise.allSettled([...this.#inFlight]);
        continue;
      }
      if (this.#executor.inFlight === 0 && this.#executor.queued === 0) return;
      await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
    }
  }

  /** Returns true when no order waits in the executor's queue or is in flight. */
  get executorIdle(): boolean {
    return this.#executor.inFlight === 0 && this.#executor.queued === 0;
  }

  /** Returns the executor's counters: queue depths per lane, in flight, sends, look-ups, outcomes. */
  executorStats(): ExecutorVenueStats {
    return this.#executor.stats(VENUE_LANE)!;
  }

  /** Returns the order with this client order id, while it is tracked. */
  order(id: ClientOrderId): Readonly<Order> | undefined {
    return this.#tracker.get(id)?.order;
  }

  /** Returns the open orders, optionally of one strategy and instrument. */
  openOrders(strategyId?: StrategyId, instrumentId?: InstrumentId): readonly Readonly<Order>[] {
    return this.#tracker.open(strategyId, instrumentId);
  }

  /** Returns a copy of the counters. */
  stats(): ExecutionStats {
    return { ...this.#stats, closedOrdersEvicted: this.#tracker.closedEvicted };
  }

  /** Returns the most recent problems, oldest first. */
  recentProblems(): readonly DesError[] {
    return [...this.#recentProblems];
  }

  /**
   * Sets the realized PnL a position starts from after a restart (its rebuilt history), so the risk
   * engine's daily loss counts only what changes from now on.
   */
  setRealizedPnlBaseline(strategyId: StrategyId, instrumentId: InstrumentId, realizedPnl: Decimal): void {
    this.#realized.set(`${strategyId}|${instrumentId}`, realizedPnl);
  }

  /**
   * Tracks again the orders an earlier run left open (from the order journal), with the fills it
   * booked, before start-up reconciliation (recover) asks the venue about them. Publishes nothing:
   * their events were published by the earlier run. Returns how many were restored; an order
   * already tracked is skipped.
   */
  restore(orders: readonly RestoredOrder[]): number {
    let restored = 0;
    for (const r of orders) {
      if (this.#tracker.get(r.clientOrderId) !== undefined) continue;
      const order = newOrder(r);
      order.venueOrderId = r.venueOrderId;
      const tracked = this.#trackSent(order, r.accepted || r.fills.length > 0, r.reduceOnly, r.sentAt);
      for (const fill of r.fills) {
        const problem = this.#tracker.applyFill(tracked, fill.tradeId, fill.quantity, fill.price, r.sentAt);
        if (problem !== undefined) this.#report(problem);
        this.#pending?.filled(order, fill.quantity);
      }
      if (isTerminalStatus(order.status)) this.#pending?.closed(order);
      restored++;
    }
    return restored;
  }

  /**
   * Start-up reconciliation, after restore() and start() with the venue connected: the venue takes
   * the restored orders over and reports what DES missed (acceptances, fills, final statuses, as
   * events); an intent the venue proves it never placed is sent again (same client order id) when
   * at most maxIntentAgeMs old, else rejected; open venue orders DES does not know are adopted or
   * reported, by policy. Venues without resume (paper) have nothing to reconcile.
   */
  async recover(options: RecoveryOptions): Promise<RecoveryReport> {
    const report = { resumed: 0, resent: 0, expiredIntents: 0, lostAtVenue: 0, adopted: 0, reported: 0 };
    if (this.#venue.resume === undefined) return report;
    const restored = this.#tracker.open().filter((o) => o.status !== OrderStatus.Initialized);
    const statuses = await this.#venue.resume(restored.map((o) => this.#resumedOrder(o)));
    const now = this.#clock.now();
    for (const order of restored) {
      const tracked = this.#tracker.get(order.clientOrderId)!;
      if (statuses.get(order.clientOrderId) !== "absent") {
        report.resumed++;
        continue;
      }
      if (isTerminalStatus(order.status)) continue;
      if (tracked.acceptedPublished) {
        report.lostAtVenue++;
        this.#expire(tracked, "the venue no longer knows this order (found at start-up)", now);
        continue;
      }
      const ageMs = (now - order.createdAt) / 1000;
      if (ageMs > options.maxIntentAgeMs) {
        report.expiredIntents++;
        this.#reject(
          tracked,
          `never placed before the restart and ${Math.round(ageMs)} ms old (max ${options.maxIntentAgeMs} ms): not sent again`,
          now,
        );
        continue;
      }
      report.resent++;
      this.#executor.submit({
        venueId: VENUE_LANE,
        protective: isProtective(order.type, tracked.reduceOnly),
        request: {
          clientOrderId: order.clientOrderId,
          instrumentId: order.instrumentId,
          side: order.side,
          type: order.type,
          quantity: order.quantity,
          price: order.price,
          stopPrice: order.stopPrice,
          timeInForce: order.timeInForce,
        },
      });
    }
    await this.#reconcileVenueOpenOrders(options, report);
    return report;
  }

  /** Adopts or reports the venue's open orders DES does not track. */
  async #reconcileVenueOpenOrders(
    options: RecoveryOptions,
    report: { adopted: number; reported: number },
  ): Promise<void> {
    const adopted: Order[] = [];
    for (const v of await this.#venue.openOrders()) {
      if (this.#tracker.get(v.clientOrderId) !== undefined) continue;
      if (options.unknownVenueOrders === "report") {
        report.reported++;
        this.#report(
          new DesError(
            ErrorCode.InvalidOrderTransition,
            `the venue holds open order ${v.clientOrderId} (${v.side} ${v.quantity} ${v.instrumentId}) that DES did not send: left alone (policy report)`,
            { clientOrderId: v.clientOrderId, instrumentId: v.instrumentId },
          ),
        );
        continue;
      }
      const now = this.#clock.now();
      const order = newOrder({
        clientOrderId: v.clientOrderId,
        strategyId: options.adoptAs,
        instrumentId: v.instrumentId,
        side: v.side,
        type: v.type,
        quantity: v.quantity,
        price: v.price,
        createdAt: now,
      });
      order.venueOrderId = v.venueOrderId;
      this.#trackSent(order, true, false, now);
      // Fills from before the adoption are the venue's past, not DES's: only later ones are booked.
      order.filledQty = v.filledQty;
      if (v.filledQty.isPositive()) setOrderStatus(order, OrderStatus.PartiallyFilled, now);
      this.#pending?.filled(order, v.filledQty);
      adopted.push(order);
      report.adopted++;
      this.#publish({ kind: "OrderAccepted", ...ids(order), venueOrderId: v.venueOrderId, ts: now });
    }
    if (adopted.length > 0) {
      await this.#venue.resume!(adopted.map((o) => ({ ...this.#resumedOrder(o), knownTradeIds: "all" })));
    }
  }

  /**
   * Tracks an order already at (or sent to) the venue, from an earlier run or adopted: SUBMITTED,
   * ACCEPTED when the venue took it (announced already), counted in the pending exposure.
   */
  #trackSent(order: Order, accepted: boolean, reduceOnly: boolean, at: UnixMicros): TrackedOrder {
    setOrderStatus(order, OrderStatus.Submitted, at);
    if (accepted) setOrderStatus(order, OrderStatus.Accepted, at);
    this.#tracker.add(order);
    const tracked = this.#tracker.get(order.clientOrderId)!;
    tracked.reduceOnly = reduceOnly;
    tracked.acceptedPublished = accepted;
    this.#pending?.open(order);
    return tracked;
  }

  #resumedOrder(order: Readonly<Order>): ResumedOrder {
    const tracked = this.#tracker.get(order.clientOrderId)!;
    return {
      clientOrderId: order.clientOrderId,
      instrumentId: order.instrumentId,
      side: order.side,
      sentAt: order.updatedAt,
      accepted: tracked.acceptedPublished,
      filledQty: order.filledQty,
      knownTradeIds: new Set<string>(tracked.tradeIds),
    };
  }

  #onSubmit(cmd: SubmitOrder): void {
    if (this.#tracker.get(cmd.clientOrderId) !== undefined) {
      this.#stats.duplicateSubmits++;
      this.#report(
        new DesError(
          ErrorCode.InvalidId,
          `SubmitOrder reuses client order id ${cmd.clientOrderId}: dropped`,
          {
            clientOrderId: cmd.clientOrderId,
            strategyId: cmd.strategyId,
          },
        ),
      );
      return;
    }
    const denial = denialReason(cmd);
    if (denial !== undefined) {
      this.#deny(this.#track(cmd), denial);
      return;
    }
    const protective = isProtective(cmd.type, cmd.reduceOnly);
    let quantity = cmd.quantity;
    if (this.#risk !== undefined) {
      const decision = this.#risk.check(
        {
          strategyId: cmd.strategyId,
          clientOrderId: cmd.clientOrderId,
          instrumentId: cmd.instrumentId,
          side: cmd.side,
          type: cmd.type,
          quantity: cmd.quantity,
          price: cmd.price,
          stopPrice: cmd.stopPrice,
          reduceOnly: cmd.reduceOnly,
          protective,
        },
        this.#riskContext!,
      );
      if (!decision.allowed) {
        this.#stats.riskDenials++;
        this.#deny(this.#track(cmd), `${decision.denial.reason}: ${decision.denial.detail}`);
        return;
      }
      if (!decision.quantity.eq(cmd.quantity)) {
        this.#stats.riskAdjusted++;
        quantity = decision.quantity;
      }
    }
    const order = this.#track(quantity === cmd.quantity ? cmd : { ...cmd, quantity });
    order.reduceOnly = cmd.reduceOnly === true;
    this.#pending?.open(order.order);
    // Sent synchronously when the executor has a free slot (#send marks it SUBMITTED), queued otherwise.
    this.#executor.submit({
      venueId: VENUE_LANE,
      protective,
      request: {
        clientOrderId: order.order.clientOrderId,
        instrumentId: cmd.instrumentId,
        side: cmd.side,
        type: cmd.type,
        quantity,
        price: cmd.price,
        stopPrice: cmd.stopPrice,
        timeInForce: cmd.timeInForce,
      },
    });
  }

  #track(cmd: SubmitOrder): TrackedOrder {
    const order = newOrder(cmd);
    this.#tracker.add(order);
    return this.#tracker.get(order.clientOrderId)!;
  }

  #deny(tracked: TrackedOrder, reason: string): void {
    const now = this.#clock.now();
    tracked.reason = reason;
    this.#transition(tracked, OrderStatus.Denied, now);
    this.#stats.ordersDenied++;
    this.#publish({ kind: "OrderDenied", ...ids(tracked.order), reason, ts: now });
  }

  /**
   * The executor's venue: writes the intent to the journal (when there is one) before anything is
   * sent, marks the order SUBMITTED on its first send and counts unknown answers.
   */
  #send(request: VenueOrderRequest): Promise<SubmitResult> {
    const tracked = this.#tracker.get(request.clientOrderId);
    if (tracked !== undefined && tracked.reason === CANCELED_BEFORE_SEND) {
      // Canceled while queued: nothing reaches the venue.
      return Promise.resolve({ kind: "rejected", reason: NOT_SENT, ts: this.#clock.now() });
    }
    if (tracked !== undefined && !this.#journaled(tracked)) {
      return Promise.resolve({ kind: "rejected", reason: NOT_SENT, ts: this.#clock.now() });
    }
    if (tracked !== undefined && tracked.order.status === OrderStatus.Initialized) {
      const now = this.#clock.now();
      this.#transition(tracked, OrderStatus.Submitted, now);
      this.#stats.ordersSubmitted++;
      this.#publish({ kind: "OrderSubmitted", ...ids(tracked.order), ts: now });
    }
    let call: Promise<SubmitResult>;
    try {
      call = this.#venue.submit(request);
    } catch (thrown) {
      call = Promise.reject(thrown);
    }
    return call.then(
      (result) => {
        if (result.kind === "unknown") {
          this.#stats.unknownOutcomes++;
          this.#report(
            new DesError(ErrorCode.VenueUnknownOutcome, `order ${request.clientOrderId}: ${result.reason}`, {
              clientOrderId: request.clientOrderId,
            }),
          );
        }
        return result;
      },
      (thrown: unknown) => {
        this.#stats.venueFailures++;
        throw thrown;
      },
    );
  }

  /**
   * Writes the intent before a send; returns false when the journal refused it. A first send is
   * then not made (DENIED); a resend goes ahead, since the intent is already stored.
   */
  #journaled(tracked: TrackedOrder): boolean {
    if (this.#journal === undefined) return true;
    try {
      this.#journal.record(tracked.order, tracked.reduceOnly, this.#clock.now());
      return true;
    } catch (thrown) {
      const problem = asDesError(thrown, "writing the order journal");
      this.#report(problem);
      if (tracked.order.status !== OrderStatus.Initialized) return true;
      this.#stats.journalFailures++;
      this.#deny(tracked, `not sent: the order journal could not store it (${problem.message})`);
      return false;
    }
  }

  #onQueueDenied(denied: ExecutionDenied): void {
    const tracked = this.#tracker.get(denied.order.request.clientOrderId);
    if (tracked === undefined || tracked.order.status !== OrderStatus.Initialized) return;
    this.#stats.queueDenials++;
    this.#deny(tracked, denied.reason);
  }

  #onExecuted(result: ExecutionResult): void {
    try {
      const tracked = this.#tracker.get(result.order.request.clientOrderId);
      if (tracked === undefined) return;
      const outcome = result.outcome;
      switch (outcome.kind) {
        case "accepted":
        case "rejected":
          if (outcome.kind === "rejected" && outcome.reason === NOT_SENT) break;
          this.#onSubmitResult(tracked, outcome);
          break;
        case "found":
          // Placed once: the venue's events (accepted, fills) carry its venue order id and settle it.
          this.#stats.ordersFoundByLookup++;
          break;
        case "notPlaced":
          if (tracked.order.status === OrderStatus.Submitted)
            this.#reject(tracked, outcome.reason, outcome.ts);
          break;
        case "unresolved":
          this.#stats.unresolvedOrders++;
          this.#report(
            new DesError(
              ErrorCode.VenueUnknownOutcome,
              `order ${tracked.order.clientOrderId} left SUBMITTED: ${outcome.reason}`,
              { clientOrderId: tracked.order.clientOrderId },
            ),
          );
          break;
      }
    } catch (thrown) {
      this.#report(asDesError(thrown, "handling an executor result"));
    } finally {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  #onPositionChanged(change: PositionChanged): void {
    const key = `${change.strategyId}|${change.instrumentId}`;
    const before = this.#realized.get(key) ?? Decimal.ZERO;
    this.#realized.set(key, change.realizedPnl);
    try {
      this.#risk!.onFill({
        strategyId: change.strategyId,
        instrumentId: change.instrumentId,
        realizedPnlDelta: change.realizedPnl.sub(before),
      });
    } catch (thrown) {
      this.#report(asDesError(thrown, "counting a fill in risk"));
    }
  }

  #onSubmitResult(tracked: TrackedOrder, result: SubmitAccepted | SubmitRejected): void {
    if (result.kind === "accepted") {
      this.#accept(tracked, result.venueOrderId, result.ts);
      for (const fill of result.fills) this.#applyFill(fill);
      return;
    }
    // A reject after the venue's own event already closed the order is a no-op.
    if (tracked.order.status === OrderStatus.Rejected) return;
    this.#reject(tracked, result.reason, result.ts);
  }

  #onCancel(cmd: CancelOrder): void {
    const tracked = this.#tracker.get(cmd.clientOrderId);
    if (tracked === undefined || tracked.order.strategyId !== cmd.strategyId) {
      this.#stats.cancelsRejected++;
      this.#report(
        new DesError(
          ErrorCode.InvalidOrderTransition,
          tracked === undefined
            ? `CancelOrder for unknown order ${cmd.clientOrderId}`
            : `CancelOrder from ${cmd.strategyId} for ${cmd.clientOrderId}, an order of ${tracked.order.strategyId}`,
          { clientOrderId: cmd.clientOrderId, strategyId: cmd.strategyId },
        ),
      );
      return;
    }
    const order = tracked.order;
    if (isTerminalStatus(order.status) || order.status === OrderStatus.PendingCancel) {
      this.#stats.cancelsIgnored++;
      return;
    }
    if (order.status === OrderStatus.Initialized) {
      // Still in the order queue: it is never sent (the executor's send sees the mark and stops).
      tracked.reason = CANCELED_BEFORE_SEND;
      this.#cancel(tracked, this.#clock.now());
      return;
    }
    if (this.#transition(tracked, OrderStatus.PendingCancel, this.#clock.now()) !== undefined) return;
    this.#call(
      () => this.#venue.cancel({ clientOrderId: order.clientOrderId, instrumentId: order.instrumentId }),
      (result) => this.#onCancelResult(tracked, result),
      (err) => {
        this.#stats.venueFailures++;
        this.#report(
          new DesError(
            ErrorCode.OrderRejected,
            `venue cancel of ${order.clientOrderId} failed: ${err.message}`,
            { clientOrderId: order.clientOrderId },
            { cause: err },
          ),
        );
        this.#cancelRefused(tracked);
      },
    );
  }

  #onCancelResult(tracked: TrackedOrder, result: CancelResult): void {
    if (result.kind === "canceled") {
      this.#cancel(tracked, result.ts);
      return;
    }
    this.#stats.cancelsRejected++;
    this.#cancelRefused(tracked);
  }

  /** The venue kept the order open: leave PENDING_CANCEL for the status the fills justify. */
  #cancelRefused(tracked: TrackedOrder): void {
    const order = tracked.order;
    if (order.status !== OrderStatus.PendingCancel) return;
    const to = order.filledQty.isPositive() ? OrderStatus.PartiallyFilled : OrderStatus.Accepted;
    this.#transition(tracked, to, this.#clock.now());
  }

  #onVenueEvent(event: VenueEvent): void {
    try {
      if (event.kind === "fill") {
        this.#applyFill(event.fill);
        return;
      }
      // Balances are the portfolio's business, not an order's: execution has nothing to do.
      if (event.kind === "balances") return;
      const tracked = this.#known(event.clientOrderId, event.kind);
      if (tracked === undefined) return;
      switch (event.kind) {
        case "accepted":
          this.#accept(tracked, event.venueOrderId, event.ts);
          break;
        case "canceled":
          this.#cancel(tracked, event.ts);
          break;
        case "expired":
          this.#expire(tracked, event.reason, event.ts);
          break;
        case "rejected":
          this.#reject(tracked, event.reason, event.ts);
          break;
      }
    } catch (thrown) {
      // A bug here must not reach into the venue's matching loop; it is reported instead.
      this.#report(asDesError(thrown, "handling a venue event"));
    }
  }

  #applyFill(fill: VenueFill): void {
    const tracked = this.#known(fill.clientOrderId, "fill");
    if (tracked === undefined) return;
    const order = tracked.order;
    if (tracked.tradeIds.has(fill.tradeId)) {
      this.#stats.duplicateFills++;
      return;
    }
    if (fill.instrumentId !== order.instrumentId || fill.side !== order.side) {
      this.#report(
        new DesError(
          ErrorCode.InvalidOrderTransition,
          `fill ${fill.tradeId} (${fill.side} ${fill.instrumentId}) does not match order ${order.clientOrderId} (${order.side} ${order.instrumentId}): not applied`,
          { clientOrderId: order.clientOrderId, tradeId: fill.tradeId },
        ),
      );
      return;
    }
    // A venue may report a fill before the submit response (the user stream is faster).
    if (order.status === OrderStatus.Submitted) this.#accept(tracked, fill.venueOrderId, fill.ts);
    const wasFilled = order.status === OrderStatus.Filled;
    const problem = this.#tracker.applyFill(tracked, fill.tradeId, fill.quantity, fill.price, fill.ts);
    if (this.#pending !== undefined) {
      this.#pending.filled(order, fill.quantity);
      if (isTerminalStatus(order.status)) this.#pending.closed(order);
    }
    if (problem !== undefined) {
      this.#stats.invalidTransitions++;
      this.#report(problem);
    }
    this.#stats.fills++;
    if (!wasFilled && order.status === OrderStatus.Filled) this.#stats.ordersFilled++;
    // Published even after a reported problem: the venue says the trade happened, and positions
    // must follow the venue.
    this.#publish({
      kind: "OrderFilled",
      ...ids(order),
      accountId: this.#venue.accountId,
      venueOrderId: fill.venueOrderId,
      tradeId: fill.tradeId,
      side: fill.side,
      lastQty: fill.quantity,
      lastPrice: fill.price,
      commission: fill.commission,
      commissionAsset: fill.commissionAsset,
      liquidity: fill.liquidity,
      orderStatus: order.status,
      ts: fill.ts,
    });
  }

  #accept(tracked: TrackedOrder, venueOrderId: VenueOrderId, ts: UnixMicros): void {
    const order = tracked.order;
    if (order.venueOrderId === undefined) {
      order.venueOrderId = venueOrderId;
    } else if (order.venueOrderId !== venueOrderId) {
      this.#report(
        new DesError(
          ErrorCode.InvalidOrderTransition,
          `order ${order.clientOrderId}: venue order id ${venueOrderId} differs from ${order.venueOrderId}`,
          { clientOrderId: order.clientOrderId },
        ),
      );
    }
    if (tracked.acceptedPublished) return;
    // A cancel sent before the acknowledgement leaves the order in PENDING_CANCEL: it is still
    // announced as accepted, without leaving PENDING_CANCEL.
    if (order.status === OrderStatus.Submitted) {
      if (this.#transition(tracked, OrderStatus.Accepted, ts) !== undefined) return;
    } else if (order.status !== OrderStatus.PendingCancel) {
      return;
    }
    tracked.acceptedPublished = true;
    this.#stats.ordersAccepted++;
    this.#publish({ kind: "OrderAccepted", ...ids(order), venueOrderId, ts });
  }

  #reject(tracked: TrackedOrder, reason: string, ts: UnixMicros): void {
    tracked.reason = reason;
    if (this.#transition(tracked, OrderStatus.Rejected, ts) !== undefined) return;
    this.#stats.ordersRejected++;
    this.#publish({ kind: "OrderRejected", ...ids(tracked.order), reason, ts });
  }

  #cancel(tracked: TrackedOrder, ts: UnixMicros): void {
    // The cancel response and the venue's own event may both report it: the second is a no-op.
    if (tracked.order.status === OrderStatus.Canceled) return;
    if (this.#transition(tracked, OrderStatus.Canceled, ts) !== undefined) return;
    this.#stats.ordersCanceled++;
    this.#publish({ kind: "OrderCanceled", ...ids(tracked.order), ts });
  }

  #expire(tracked: TrackedOrder, reason: string, ts: UnixMicros): void {
    if (tracked.order.status === OrderStatus.Expired) return;
    tracked.reason = reason;
    if (this.#transition(tracked, OrderStatus.Expired, ts) !== undefined) return;
    this.#stats.ordersExpired++;
    this.#publish({ kind: "OrderExpired", ...ids(tracked.order), ts });
  }

  /** Moves the order through the table; a forbidden move is counted, reported and returned. */
  #transition(tracked: TrackedOrder, to: OrderStatus, at: UnixMicros): DesError | undefined {
    const problem = this.#tracker.transition(tracked, to, at);
    if (problem !== undefined) {
      this.#stats.invalidTransitions++;
      this.#report(problem);
    } else if (isTerminalStatus(to)) {
      this.#pending?.closed(tracked.order);
    }
    return problem;
  }

  #known(id: ClientOrderId, what: string): TrackedOrder | undefined {
    const tracked = this.#tracker.get(id);
    if (tracked === undefined) {
      this.#stats.unknownOrderEvents++;
      this.#report(
        new DesError(ErrorCode.InvalidOrderTransition, `venue ${what} event for unknown order ${id}`, {
          clientOrderId: id,
          event: what,
        }),
      );
    }
    return tracked;
  }

  #route(event: TradeTick | Bar): void {
    this.#stats.marketEventsRouted++;
    this.#venue.onMarketEvent!(event);
  }

  /** Calls the venue and handles the outcome; tracked so idle() can wait for it. */
  #call<T>(call: () => Promise<T>, onResult: (result: T) => void, onFailure: (err: Error) => void): void {
    let promise: Promise<T>;
    try {
      promise = call();
    } catch (thrown) {
      promise = Promise.reject(thrown);
    }
    const settled = promise
      .then(onResult, (thrown: unknown) => onFailure(toError(thrown)))
      .catch((thrown: unknown) => this.#report(asDesError(thrown, "handling a venue result")))
      .finally(() => this.#inFlight.delete(settled));
    this.#inFlight.add(settled);
  }

  #publish(event: OrderEvent): void {
    this.#bus.publish(Topic.OrderEvent, event);
  }

  #report(problem: DesError): void {
    this.#stats.problems++;
    if (this.#recentProblems.length >= MAX_RECENT_PROBLEMS) this.#recentProblems.shift();
    this.#recentProblems.push(problem);
    try {
      this.#onProblem?.(problem);
    } catch {
      // The problem is already counted and kept in recentProblems; a failing reporter changes nothing.
    }
  }
}

function ids(order: Order): {
  clientOrderId: ClientOrderId;
  strategyId: StrategyId;
  instrumentId: InstrumentId;
} {
  return {
    clientOrderId: order.clientOrderId,
    strategyId: order.strategyId,
    instrumentId: order.instrumentId,
  };
}

/** Returns why a command cannot become a venue order at all, or undefined. */
function denialReason(cmd: SubmitOrder): string | undefined {
  if (cmd.side !== "BUY" && cmd.side !== "SELL") return `invalid side ${String(cmd.side)}`;
  if (!(cmd.quantity instanceof Decimal) || !cmd.quantity.isPositive()) {
    return `quantity must be a positive decimal, got ${String(cmd.quantity)}`;
  }
  if (cmd.price !== undefined && (!(cmd.price instanceof Decimal) || !cmd.price.isPositive())) {
    return `price must be a positive decimal, got ${String(cmd.price)}`;
  }
  if (cmd.type === "MARKET" && cmd.price !== undefined) return "a MARKET order takes no price";
  if ((cmd.type === "LIMIT" || cmd.type === "LIMIT_MAKER") && cmd.price === undefined) {
    return `a ${cmd.type} order needs a price`;
  }
  return undefined;
}

/** Returns the reader of a strategy's pending notional, its mark reader made once (not per risk check). */
function pendingValue(
  pending: PendingExposure,
  view: PortfolioRiskView,
): (strategyId: StrategyId | undefined) => Decimal {
  const mark = (i: InstrumentId) => view.markPrice(i);
  return (s) => pending.value(s, mark);
}

function asDesError(thrown: unknown, doing: string): DesError {
  if (isDesError(thrown)) return thrown;
  const err = toError(thrown);
  return new DesError(
    ErrorCode.OrderRejected,
    `execution failed ${doing}: ${err.message}`,
    {},
    { cause: err },
  );
}
