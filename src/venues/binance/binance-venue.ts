import {
  type AccountId,
  accountId,
  type ClientOrderId,
  Decimal,
  type DesError,
  type InstrumentId,
  isDesError,
  microsFromMs,
  toError,
  type UnixMicros,
  venueOrderId,
} from "../../core/index.ts";
import type {
  CancelResult,
  Instrument,
  ResumedOrder,
  SubmitAccepted,
  SubmitRejected,
  SubmitResult,
  VenueBalance,
  VenueCancelRequest,
  VenueEvent,
  VenueEventListener,
  VenueFill,
  VenueOpenOrder,
  VenueOrderLookupStatus,
  VenueOrderRequest,
  VenuePort,
} from "../../model/index.ts";
import { BinanceApiError, isUnknownOutcome } from "./binance-api-error.ts";
import type { BinanceVenueOptions, BinanceVenueStats } from "./binance-venue-options.ts";
import type { BinanceRestApi } from "./rest/binance-rest-api.ts";
import type { UserDataEvent, UserDataLogger, UserDataSource } from "./user/user-data-source.ts";
import { VenueBalanceBook } from "./venue-balance-book.ts";
import {
  isFinalOrderStatus,
  orderClientIdOf,
  venueEventFromExecutionReport,
} from "./venue-execution-report.ts";
import { fillKey, fillsFromOrderResponse } from "./venue-fills.ts";
import { finalEventOf, type VenueFinalEvent } from "./venue-final-event.ts";
import { toVenueBalance, toVenueOpenOrder } from "./venue-open-order.ts";
import { toNewOrderParams } from "./venue-order-params.ts";
import type { PlacedOrder } from "./venue-placed-order.ts";
import { type ReconcileContext, reconcileSymbol } from "./venue-reconciler.ts";
import { BoundedSeenSet } from "./venue-seen-set.ts";
import { lookUpUnknownOrder, type UnknownOutcomeOptions } from "./venue-unknown-outcome.ts";
import { settleUnknownSubmit, type UnknownSubmitContext } from "./venue-unknown-submit.ts";
import { wireClientOrderId, wireInstrumentId } from "./venue-wire-ids.ts";
import type { BinanceOrderStatus, NewOrderResponseMsg, QueryOrderMsg } from "./wire/rest-msgs.ts";
import type { ExecutionReportMsg } from "./wire/user-msgs.ts";

const DEFAULT_MAX_SEEN_FILLS = 200_000;
/** Pauses before reconciling again after a failed attempt; then it waits for the next reconnect. */
const RECONCILE_RETRY_DELAYS_MS: readonly number[] = [1000, 2000, 4000, 8000, 16_000];
/** Final events remembered to drop repeats (submit response, cancel, stream, reconciliation). */
const MAX_SEEN_FINAL = 50_000;

/**
 * The Binance spot venue: places and cancels orders over REST, turns the user data stream into
 * venue events, and reconciles with REST after every stream reconnect so no fill is missed.
 *
 * Exactly once: each fill is keyed by symbol and trade id; a fill already handed on (in a FULL
 * submit response, on the stream, or by reconciliation) is dropped wherever it shows up again, and
 * so is a repeated canceled/expired/rejected event. Exactly one order: a placement of unknown
 * outcome is never resent blindly (see settleUnknownSubmit).
 */
export class BinanceVenue implements VenuePort {
  readonly accountId: AccountId;
  readonly #rest: BinanceRestApi;
  readonly #userData: UserDataSource;
  readonly #instruments: ReadonlyMap<InstrumentId, Instrument>;
  readonly #nowMicros: () => number;
  readonly #recvWindowMs: number;
  readonly #logger: UserDataLogger | undefined;
  readonly #reconcileOnStart: boolean;
  readonly #unknownOutcome: UnknownOutcomeOptions;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #listeners = new Set<VenueEventListener>();
  /** Orders placed (or adopted) and not final at the venue, by client order id; bounded by Binance's open-order limits. */
  readonly #orders = new Map<string, PlacedOrder>();
  readonly #seenFills: BoundedSeenSet;
  readonly #seenFinal = new BoundedSeenSet(MAX_SEEN_FINAL);
  readonly #balances = new VenueBalanceBook();
  /** Pauses in progress, so stop() can end them at once. */
  readonly #sleeps = new Set<() => void>();
  #unsubscribers: Array<() => void> = [];
  #running = false;
  #reconciling: Promise<void> | undefined;
  #reconcileAgain = false;
  readonly #stats = {
    fillsEmitted: 0,
    duplicateFillsDropped: 0,
    duplicateFinalEventsDropped: 0,
    unknownOutcomes: 0,
    unknownFound: 0,
    resends: 0,
    unknownGivenUp: 0,
    unknownSettled: 0,
    reconciliations: 0,
    reconcileFailures: 0,
    eventsEmitted: 0,
    listenerFailures: 0,
    balanceDeltasSkipped: 0,
  };

  constructor(options: BinanceVenueOptions) {
    this.accountId = accountId(options.accountId);
    this.#rest = options.rest;
    this.#userData = options.userData;
    this.#instruments = options.instruments;
    this.#nowMicros = options.nowMicros ?? (() => Date.now() * 1000);
    this.#recvWindowMs = options.recvWindowMs ?? 5000;
    this.#logger = options.logger;
    this.#reconcileOnStart = options.reconcileOnStart ?? false;
    this.#unknownOutcome = options.unknownOutcome ?? {};
    this.#seenFills = new BoundedSeenSet(options.maxSeenFills ?? DEFAULT_MAX_SEEN_FILLS);
    this.#sleep = options.sleep ?? ((ms) => this.#timerSleep(ms));
  }

  /** Listens to the user data stream, starts it, and (when asked) adopts the venue's open orders. */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.#unsubscribers = [
      this.#userData.onEvent((event) => this.#onUserEvent(event)),
      this.#userData.onReconnected(() => {
        void this.reconcile();
      }),
    ];
    try {
      await this.#userData.start();
      if (this.#reconcileOnStart) await this.#adoptVenueState();
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  /** Stops the stream and cuts look-ups short: submits still settling resolve as unknown. */
  async stop(): Promise<void> {
    this.#running = false;
    for (const unsubscribe of this.#unsubscribers) unsubscribe();
    this.#unsubscribers = [];
    for (const wake of [...this.#sleeps]) wake();
    await this.#userData.stop();
  }

  /** Registers an event receiver; returns its remover. */
  onEvent(listener: VenueEventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Returns a copy of the counters. */
  stats(): BinanceVenueStats {
    let pendingUnknown = 0;
    for (const o of this.#orders.values()) if (o.state === "unknown") pendingUnknown++;
    return { ...this.#stats, trackedOrders: this.#orders.size, pendingUnknown };
  }

  /**
   * Places an order (POST /api/v3/order, FULL response). Resolves accepted with the fills not yet
   * handed on, or rejected with Binance's message and code; never throws for a rejection. An
   * unknown outcome is settled by look-up and resolves rejected "unknown outcome ..." only when it
   * stays unknown (the order then waits for reconciliation).
   */
  async submit(request: VenueOrderRequest): Promise<SubmitResult> {
    if (!this.#instruments.has(request.instrumentId)) {
      return this.#rejected(`unknown instrument ${request.instrumentId}`, undefined);
    }
    if (this.#orders.has(request.clientOrderId)) {
      return this.#rejected(`client order id ${request.clientOrderId} is already in use`, undefined);
    }
    const params = toNewOrderParams(request);
    const order: PlacedOrder = {
      clientOrderId: request.clientOrderId,
      symbol: request.instrumentId,
      side: request.side,
      state: "sending",
      venueOrderId: undefined,
      sentAtMs: this.#nowMs(),
      acceptedReported: false,
      filledQty: Decimal.ZERO,
      lastTradeId: undefined,
      final: false,
    };
    // Tracked before sending: the stream may report the order before the response arrives.
    this.#orders.set(order.clientOrderId, order);
    try {
      return this.#onPlaced(order, await this.#rest.newOrder(params));
    } catch (err) {
      // Anything but a DesError (a bug after sending?) is treated as unknown too: the look-up is safe.
      if (isUnknownOutcome(err) || !isDesError(err)) {
        return await settleUnknownSubmit(this.#unknownSubmitContext(), order, params, err);
      }
      return this.#onRefused(order, err);
    }
  }

  /** Cancels by client order id (DELETE /api/v3/order); a refusal (-2011) resolves rejected with Binance's words. */
  async cancel(request: VenueCancelRequest): Promise<CancelResult> {
    const ref = { symbol: request.instrumentId, origClientOrderId: request.clientOrderId };
    try {
      const response = await this.#rest.cancelOrder(ref);
      return { kind: "canceled", ts: this.#msTs(response.transactTime) };
    } catch (err) {
      if (err instanceof BinanceApiError && !isUnknownOutcome(err)) {
        return {
          kind: "rejected",
          reason: err.binanceMsg ?? err.message,
          venueCode: err.binanceCode,
          ts: this.#now(),
        };
      }
      if (!isDesError(err)) throw err;
      if (!isUnknownOutcome(err)) return { kind: "rejected", reason: err.message, ts: this.#now() };
      // The cancel may or may not have happened: the order's status says which.
      try {
        const venue = await this.#rest.queryOrder(ref);
        if (venue.status === "CANCELED") return { kind: "canceled", ts: this.#now() };
      } catch {
        // Still unknown; the stream (or the next reconciliation) reports a cancel that happened.
      }
      return { kind: "rejected", reason: `cancel outcome unknown: ${err.message}`, ts: this.#now() };
    }
  }

  /**
   * Asks Binance about one order by client order id (GET /api/v3/order): its status, or "absent" on
   * -2013 "Order does not exist.". Other failures throw (the caller cannot conclude anything).
   */
  async queryOrder(
    clientOrderId: ClientOrderId,
    instrumentId: InstrumentId,
  ): Promise<VenueOrderLookupStatus> {
    try {
      const venue = await this.#rest.queryOrder({ symbol: instrumentId, origClientOrderId: clientOrderId });
      return lookupStatusOf(venue.status);
    } catch (err) {
      if (err instanceof BinanceApiError && err.binanceCode === -2013) return "absent";
      throw err;
    }
  }

  /** Returns the account's open orders on every symbol (GET /api/v3/openOrders without symbol, weight 80). */
  async openOrders(): Promise<readonly VenueOpenOrder[]> {
    const out: VenueOpenOrder[] = [];
    for (const msg of await this.#rest.openOrders()) {
      const order = toVenueOpenOrder(msg);
      if (order !== undefined) out.push(order);
    }
    return out;
  }

  /** Returns the account's balances (GET /api/v3/account) and refreshes the book the stream updates. */
  async balances(): Promise<readonly VenueBalance[]> {
    const balances = (await this.#rest.account()).balances.map(toVenueBalance);
    this.#balances.set(balances);
    return balances;
  }

  /**
   * Settles every tracked order against REST: fills missed while the stream was down, final
   * statuses, submits of unknown outcome. Runs after each stream reconnect; a call made while one
   * runs is folded into one more run; a symbol that fails is retried up to 5 times (1 s .. 16 s
   * apart). Never rejects (failures are counted and logged).
   */
  reconcile(): Promise<void> {
    if (this.#reconciling !== undefined) {
      this.#reconcileAgain = true;
      return this.#reconciling;
    }
    const run = async () => {
      let retries = 0;
      for (;;) {
        this.#reconcileAgain = false;
        const complete = await this.#reconcileOnce();
        if (!this.#running) return;
        if (!complete && retries < RECONCILE_RETRY_DELAYS_MS.length) {
          // A REST failure must not leave missed fills until the next reconnect: try again shortly.
          await this.#sleep(RECONCILE_RETRY_DELAYS_MS[retries++]!);
          continue;
        }
        if (!this.#reconcileAgain) return;
      }
    };
    this.#reconciling = run().finally(() => {
      this.#reconciling = undefined;
    });
    return this.#reconciling;
  }

  /**
   * Takes over orders after a restart (see VenuePort.resume). An order DES never saw accepted is
   * looked up first (lookUpUnknownOrder: "absent" only once recvWindow + 1 s has passed since it was
   * sent, waiting for that if need be); absent ones are not tracked. The rest are tracked again with
   * the fills DES already booked marked as seen, then one reconciliation hands on the acceptance,
   * the missing fills and the final status. Call after start().
   */
  async resume(orders: readonly ResumedOrder[]): Promise<ReadonlyMap<ClientOrderId, VenueOrderLookupStatus>> {
    const statuses = new Map<ClientOrderId, VenueOrderLookupStatus>();
    const resumed: ResumedOrder[] = [];
    await Promise.all(
      orders.map(async (o) => {
        const sentAtMs = Math.floor(o.sentAt / 1000);
        const found = o.accepted
          ? undefined
          : await lookUpUnknownOrder(
              {
                rest: this.#rest,
                ...this.#lookupTiming(),
                streamSawOrder: () => this.#orders.has(o.clientOrderId),
              },
              { symbol: o.instrumentId, origClientOrderId: o.clientOrderId },
              sentAtMs,
              this.#unknownOutcome,
            );
        if (found?.kind === "absent") {
          statuses.set(o.clientOrderId, "absent");
          return;
        }
        await this.#trackResumed(o, sentAtMs, found?.kind === "found" ? found.order : undefined, found?.kind);
        resumed.push(o);
      }),
    );
    await this.reconcile();
    for (const o of resumed) {
      if (this.#orders.has(o.clientOrderId)) {
        statuses.set(o.clientOrderId, "open");
        continue;
      }
      try {
        statuses.set(o.clientOrderId, await this.queryOrder(o.clientOrderId, o.instrumentId));
      } catch (err) {
        this.#logger?.error(
          { clientOrderId: o.clientOrderId, err: toError(err).message },
          "binance venue: status of a resumed order not known; its events settle it",
        );
      }
    }
    return statuses;
  }

  /** Tracks a resumed order with DES's booked fills marked seen (all of its fills when adopted). */
  async #trackResumed(
    o: ResumedOrder,
    sentAtMs: number,
    venue: QueryOrderMsg | undefined,
    lookup: "found" | "unknown" | undefined,
  ): Promise<void> {
    if (o.knownTradeIds === "all") {
      await this.#adopt(
        venue ??
          (await this.#rest.queryOrder({ symbol: o.instrumentId, origClientOrderId: o.clientOrderId })),
        sentAtMs,
      );
      return;
    }
    const order: PlacedOrder = {
      clientOrderId: o.clientOrderId,
      symbol: o.instrumentId,
      side: o.side,
      state: lookup === "unknown" ? "unknown" : "open",
      venueOrderId: venue?.orderId,
      sentAtMs,
      acceptedReported: o.accepted,
      filledQty: o.filledQty,
      lastTradeId: undefined,
      final: false,
    };
    for (const id of o.knownTradeIds) {
      this.#seenFills.add(fillKey(o.instrumentId, id));
      const n = Number(id);
      if (Number.isSafeInteger(n) && (order.lastTradeId === undefined || n > order.lastTradeId)) {
        order.lastTradeId = n;
      }
    }
    this.#orders.set(order.clientOrderId, order);
  }

  // ---- submit outcomes ----

  /** The venue placed the order: keep only fills not yet handed on; settle it when already final. */
  #onPlaced(order: PlacedOrder, response: NewOrderResponseMsg): SubmitAccepted {
    order.venueOrderId = response.orderId;
    order.state = "open";
    order.acceptedReported = true;
    const fills = fillsFromOrderResponse(response, order.clientOrderId, order.side).filter((fill) =>
      this.#admitFill(order, fill),
    );
    if (isFinalOrderStatus(response.status)) {
      this.#finish(order, finalEventOf(order, response.status, response.expiryReason, this.#now()), true);
    }
    return {
      kind: "accepted",
      venueOrderId: venueOrderId(response.orderId),
      fills,
      ts: this.#msTs(response.transactTime),
    };
  }

  /** Binance refused the order (or nothing was sent): forget it and say why. */
  #onRefused(order: PlacedOrder, err: DesError): SubmitRejected {
    this.#forget(order);
    return err instanceof BinanceApiError
      ? this.#rejected(err.binanceMsg ?? err.message, err.binanceCode)
      : this.#rejected(err.message, undefined);
  }

  /** The clock, pause, stop flag and recvWindow a look-up of an order of unknown outcome runs on. */
  #lookupTiming() {
    return {
      nowMs: () => this.#nowMs(),
      sleep: this.#sleep,
      stopped: () => !this.#running,
      recvWindowMs: this.#recvWindowMs,
    };
  }

  #unknownSubmitContext(): UnknownSubmitContext {
    return {
      rest: this.#rest,
      lookup: this.#lookupTiming(),
      options: this.#unknownOutcome,
      logger: this.#logger,
      counters: this.#stats,
      now: () => this.#now(),
      onPlaced: (order, response) => this.#onPlaced(order, response),
      onRefused: (order, err) => this.#onRefused(order, err),
      admitFill: (order, fill) => this.#admitFill(order, fill),
      finish: (order, venue) =>
        this.#finish(order, finalEventOf(order, venue.status, venue.status, this.#now()), true),
      forget: (order) => this.#forget(order),
      reconcileSoon: () => queueMicrotask(() => void this.reconcile()),
    };
  }

  // ---- the user data stream ----

  #onUserEvent(event: UserDataEvent): void {
    try {
      if (event.e === "executionReport") {
        this.#onExecutionReport(event);
      } else if (event.e === "outboundAccountPosition") {
        this.#emit(this.#balances.applyPosition(event));
      } else {
        const changed = this.#balances.applyDelta(event);
        if (changed === undefined) this.#stats.balanceDeltasSkipped++;
        else this.#emit(changed);
      }
    } catch (err) {
      // A bad event must not stop the stream: it is logged and the next one is handled.
      this.#logger?.error(
        { event: event.e, err: toError(err).message },
        "binance venue: user event not handled",
      );
    }
  }

  #onExecutionReport(msg: ExecutionReportMsg): void {
    const tracked = this.#orders.get(orderClientIdOf(msg));
    const order = tracked?.symbol === msg.s ? tracked : undefined;
    if (order !== undefined) {
      order.venueOrderId ??= msg.i;
      if (order.state === "unknown") {
        // The stream proves the order exists: an ordinary open order from now on.
        order.state = "open";
        this.#stats.unknownSettled++;
      }
    }
    const quoteAsset = this.#instruments.get(wireInstrumentId(msg.s))?.quoteAsset ?? "";
    const event = venueEventFromExecutionReport(msg, quoteAsset);
    if (event?.kind === "fill") {
      if (this.#admitFill(order, event.fill)) this.#emit(event);
    } else if (event?.kind === "accepted") {
      if (order !== undefined) order.acceptedReported = true;
      this.#emit(event);
    } else if (event !== undefined && event.kind !== "balances") {
      this.#emitFinal(event);
    }
    if (order !== undefined && isFinalOrderStatus(msg.X)) this.#forget(order);
  }

  // ---- reconciliation ----

  /** Reconciles every symbol with tracked orders; returns false when one of them failed. */
  async #reconcileOnce(): Promise<boolean> {
    this.#stats.reconciliations++;
    let complete = true;
    const symbols = new Set<string>();
    for (const o of this.#orders.values()) if (o.state !== "sending") symbols.add(o.symbol);
    const ctx = this.#reconcileContext();
    for (const symbol of symbols) {
      if (!this.#running) return complete;
      try {
        await reconcileSymbol(ctx, symbol);
      } catch (err) {
        complete = false;
        this.#stats.reconcileFailures++;
        this.#logger?.error(
          { symbol, err: toError(err).message },
          "binance venue: reconciliation failed for a symbol; it is retried",
        );
      }
    }
    return complete;
  }

  #reconcileContext(): ReconcileContext {
    return {
      rest: this.#rest,
      nowMs: () => this.#nowMs(),
      recvWindowMs: this.#recvWindowMs,
      ordersOf: (symbol) =>
        [...this.#orders.values()].filter((o) => o.symbol === symbol && o.state !== "sending" && !o.final),
      onAccepted: (order, venue) => this.#acceptedByReconcile(order, venue),
      onFill: (order, fill) => {
        if (this.#admitFill(order, fill)) this.#emit({ kind: "fill", fill });
      },
      onFinal: (order, venue) =>
        this.#finish(order, finalEventOf(order, venue.status, venue.status, this.#now()), false),
      onNotPlaced: (order) => {
        this.#stats.unknownSettled++;
        this.#logger?.warn(
          { clientOrderId: order.clientOrderId, symbol: order.symbol },
          "binance venue: order of unknown outcome was never placed",
        );
        this.#forget(order);
        // Execution still holds it as submitted: tell it the venue never had it.
        this.#emit({
          kind: "rejected",
          clientOrderId: order.clientOrderId,
          instrumentId: wireInstrumentId(order.symbol),
          reason: "never placed: the venue has no such order after recvWindow (unknown outcome settled)",
          ts: this.#now(),
        });
      },
    };
  }

  #acceptedByReconcile(order: PlacedOrder, venue: QueryOrderMsg): void {
    if (order.state === "unknown") {
      this.#stats.unknownSettled++;
      order.state = "open";
    }
    if (order.acceptedReported) return;
    order.acceptedReported = true;
    this.#emit({
      kind: "accepted",
      clientOrderId: order.clientOrderId,
      venueOrderId: venueOrderId(venue.orderId),
      instrumentId: wireInstrumentId(venue.symbol),
      ts: this.#msTs(venue.time),
    });
  }

  /**
   * Reads balances and adopts the venue's open orders, so fills they get while the stream is down
   * are found later. Their fills from before the adoption are marked seen, not handed on: they
   * belong to a previous run.
   */
  async #adoptVenueState(): Promise<void> {
    await this.balances();
    for (const venue of await this.#rest.openOrders()) {
      if (!this.#orders.has(venue.clientOrderId)) await this.#adopt(venue, venue.time);
    }
  }

  /**
   * Tracks an order DES did not place (or has forgotten) as open, its fills so far marked seen, not
   * handed on: they belong to the venue's past. Later fills are handed on as usual.
   */
  async #adopt(venue: QueryOrderMsg, sentAtMs: number): Promise<void> {
    const order: PlacedOrder = {
      clientOrderId: wireClientOrderId(venue.clientOrderId),
      symbol: venue.symbol,
      side: venue.side,
      state: "open",
      venueOrderId: venue.orderId,
      sentAtMs,
      acceptedReported: true,
      filledQty: Decimal.from(venue.executedQty),
      lastTradeId: undefined,
      final: false,
    };
    if (order.filledQty.isPositive()) {
      const rows = await this.#rest.myTrades({ symbol: venue.symbol, orderId: venue.orderId, limit: 1000 });
      for (const row of rows) {
        this.#seenFills.add(fillKey(row.symbol, row.id));
        if (order.lastTradeId === undefined || row.id > order.lastTradeId) order.lastTradeId = row.id;
      }
    }
    this.#orders.set(order.clientOrderId, order);
  }

  // ---- bookkeeping ----

  /** Returns true (and counts the fill against its order) when the fill was not handed on before. */
  #admitFill(order: PlacedOrder | undefined, fill: VenueFill): boolean {
    if (!this.#seenFills.add(fillKey(fill.instrumentId, fill.tradeId))) {
      this.#stats.duplicateFillsDropped++;
      return false;
    }
    this.#stats.fillsEmitted++;
    if (order !== undefined) {
      order.filledQty = order.filledQty.add(fill.quantity);
      const id = Number(fill.tradeId);
      if (order.lastTradeId === undefined || id > order.lastTradeId) order.lastTradeId = id;
    }
    return true;
  }

  /**
   * The order is final at the venue: stop tracking it and report how it ended (nothing when it
   * filled). After a submit the report waits until the submit result has been handled (`defer`), so
   * execution sees the acceptance first.
   */
  #finish(order: PlacedOrder, event: VenueFinalEvent | undefined, defer: boolean): void {
    this.#forget(order);
    if (event === undefined) return;
    if (defer) setImmediate(() => this.#emitFinal(event));
    else this.#emitFinal(event);
  }

  /** Hands on a canceled/expired/rejected event once per order. */
  #emitFinal(event: VenueFinalEvent): void {
    if (!this.#seenFinal.add(`${event.instrumentId}:${event.clientOrderId}`)) {
      this.#stats.duplicateFinalEventsDropped++;
      return;
    }
    this.#emit(event);
  }

  #forget(order: PlacedOrder): void {
    order.final = true;
    if (this.#orders.get(order.clientOrderId) === order) this.#orders.delete(order.clientOrderId);
  }

  #emit(event: VenueEvent): void {
    this.#stats.eventsEmitted++;
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (err) {
        this.#stats.listenerFailures++;
        this.#logger?.error(
          { event: event.kind, err: toError(err).message },
          "binance venue: listener failed",
        );
      }
    }
  }

  #rejected(reason: string, venueCode: number | undefined): SubmitRejected {
    return { kind: "rejected", reason, venueCode, ts: this.#now() };
  }

  #now(): UnixMicros {
    return this.#nowMicros() as UnixMicros;
  }

  #nowMs(): number {
    return Math.floor(this.#nowMicros() / 1000);
  }

  #msTs(ms: number | undefined): UnixMicros {
    return ms === undefined ? this.#now() : microsFromMs(ms);
  }

  /** A timer pause that stop() ends at once. */
  #timerSleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#sleeps.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#sleeps.add(wake);
    });
  }
}

export type { BinanceVenueOptions, BinanceVenueStats } from "./binance-venue-options.ts";

/** Maps Binance's order status to the venue port's look-up status. */
function lookupStatusOf(status: BinanceOrderStatus): VenueOrderLookupStatus {
  switch (status) {
    case "NEW":
    case "PENDING_NEW":
    case "PARTIALLY_FILLED":
    case "PENDING_CANCEL":
      return "open";
    case "FILLED":
      return "filled";
    case "CANCELED":
      return "canceled";
    case "REJECTED":
      return "rejected";
    case "EXPIRED":
    case "EXPIRED_IN_MATCH":
      return "expired";
  }
}
