import { type MessageBus, Topic, type Unsubscribe } from "../../bus/index.ts";
import {
  type ClientOrderId,
  ClientOrderIdGenerator,
  type Clock,
  Decimal,
  DesError,
  ErrorCode,
  type InstrumentId,
  MICROS_PER_MS,
  type StrategyId,
  type UnixMicros,
} from "../../core/index.ts";
import {
  type Bar,
  type BarInterval,
  type Instrument,
  type OrderEvent,
  OrderStatus,
  type OrderType,
  type PositionChanged,
  parseBarInterval,
  roundQuantity,
  type TradeTick,
} from "../../model/index.ts";
import {
  type NativeOrder,
  type NativeTrigger,
  ProtectedPosition,
  type ProtectionView,
} from "./protected-position.ts";
import { type ProtectionConfig, parseProtectionConfig } from "./protection-config.ts";
import {
  checkTriggers,
  type PositionSide,
  type PriceTrigger,
  stopLossLevel,
  type TriggerHit,
  takeProfitLevel,
} from "./protection-levels.ts";
import type { ProtectionManagerConfig, ProtectionStats } from "./protection-manager-types.ts";
import { ProtectionPublisher } from "./protection-publisher.ts";

/** A position as the last PositionChanged described it. */
interface KnownPosition {
  quantity: Decimal;
  averagePrice: Decimal;
  openedAtMarket: number;
}

type OrderRole = "exit" | NativeTrigger;

const NATIVE_TYPE: Record<NativeTrigger, OrderType> = { stopLoss: "STOP_LOSS", takeProfit: "TAKE_PROFIT" };
const NATIVE_TRIGGERS: readonly NativeTrigger[] = ["stopLoss", "takeProfit"];
const TRIGGER_STAT = {
  stopLoss: "stopLossTriggers",
  takeProfit: "takeProfitTriggers",
  trailingStop: "trailingStopTriggers",
} as const satisfies Record<PriceTrigger, string>;
const DEFAULT_MAX_EXIT_ATTEMPTS = 3;
const DEFAULT_CANCEL_RETRY_MS = 5000;
const DEFAULT_MAX_CANCEL_ATTEMPTS = 3;

/**
 * Stop-loss, take-profit and trailing stop on strategies' positions (docs/protective-orders.md).
 *
 * It follows each protected position from PositionChanged. Emulated protections are checked on
 * every trade and closed bar: when one triggers, one reduce-only MARKET order for the position goes
 * out on Topic.SubmitOrder (execution sends it through the priority lane), and nothing triggers again
 * until that order ends; a failed exit re-arms, up to maxExitAttempts in a row. Native protections are
 * STOP_LOSS / TAKE_PROFIT reduce-only orders at the venue, canceled and replaced when the position
 * changes and canceled when it closes. A spot venue locks the base asset of a resting sell, so at most
 * one native order rests per position: with both a stop-loss and a take-profit the stop is native and
 * the take-profit emulated, and an emulated exit first cancels the native order. A native order the
 * venue rejects, expires or cancels on its own falls back to emulation for that position.
 */
export class ProtectionManager {
  readonly #bus: MessageBus;
  readonly #clock: Clock;
  readonly #native: ReadonlySet<OrderType>;
  readonly #instrument: ((id: InstrumentId) => Instrument | undefined) | undefined;
  readonly #trades: boolean;
  readonly #barInterval: BarInterval | null;
  readonly #out: ProtectionPublisher;
  readonly #maxExitAttempts: number;
  readonly #cancelRetryUs: number;
  readonly #maxCancelAttempts: number;
  readonly #onProblem: ((problem: DesError) => void) | undefined;
  /** Protections by "strategy|instrument". */
  readonly #protected = new Map<string, ProtectedPosition>();
  /** Protections by instrument, for the price path. */
  readonly #byInstrument = new Map<InstrumentId, ProtectedPosition[]>();
  /** Every position seen by "strategy|instrument" (one entry per pair ever traded), so protect() can arm an open one. */
  readonly #positions = new Map<string, KnownPosition>();
  /** The newest market time per instrument (trade time, bar close time). */
  readonly #marketTime = new Map<InstrumentId, number>();
  /** The exits and native orders in flight; removed when they end. */
  readonly #orders = new Map<
    ClientOrderId,
    { readonly position: ProtectedPosition; readonly role: OrderRole }
  >();
  #unsubscribers: Unsubscribe[] = [];
  readonly #stats = {
    stopLossTriggers: 0,
    takeProfitTriggers: 0,
    trailingStopTriggers: 0,
    nativeTriggers: 0,
    exitOrders: 0,
    exitsFilled: 0,
    exitFailures: 0,
    rearmed: 0,
    gaveUp: 0,
    nativePlaced: 0,
    nativeCanceled: 0,
    nativeFailed: 0,
    cancelRetries: 0,
    priceEvents: 0,
    problems: 0,
  };

  /** Builds the manager; bad settings throw DES_ERR_INVALID_CONFIG naming the key. */
  constructor(config: ProtectionManagerConfig) {
    this.#bus = config.bus;
    this.#clock = config.clock;
    this.#native = new Set(config.nativeOrderTypes ?? []);
    this.#instrument = config.instrument;
    this.#trades = config.marketData?.trades ?? true;
    const interval = config.marketData?.barInterval;
    this.#barInterval = interval === null ? null : parseBarInterval(interval ?? "1m");
    this.#out = new ProtectionPublisher(
      config.bus,
      config.clock,
      config.orderIds ?? new ClientOrderIdGenerator(config.clock, "prot"),
    );
    this.#maxExitAttempts = positiveInt("maxExitAttempts", config.maxExitAttempts, DEFAULT_MAX_EXIT_ATTEMPTS);
    this.#cancelRetryUs =
      positiveInt("cancelRetryMs", config.cancelRetryMs, DEFAULT_CANCEL_RETRY_MS) * MICROS_PER_MS;
    this.#maxCancelAttempts = positiveInt(
      "maxCancelAttempts",
      config.maxCancelAttempts,
      DEFAULT_MAX_CANCEL_ATTEMPTS,
    );
    this.#onProblem = config.onProblem;
  }

  /** Subscribes to positions, order events and market data. */
  start(): void {
    if (this.#unsubscribers.length > 0) return;
    const subs: Unsubscribe[] = [
      this.#bus.subscribe(Topic.PositionChanged, (c) => this.#onPositionChanged(c), "protection.position"),
      this.#bus.subscribe(Topic.OrderEvent, (e) => this.#onOrderEvent(e), "protection.order-event"),
    ];
    if (this.#trades)
      subs.push(this.#bus.subscribe(Topic.Trade, (t) => this.#onTrade(t), "protection.trade"));
    if (this.#barInterval !== null) {
      subs.push(this.#bus.subscribe(Topic.Bar, (b) => this.#onBar(b), "protection.bar"));
    }
    this.#unsubscribers = subs;
  }

  /** Unsubscribes; native orders stay at the venue. */
  stop(): void {
    for (const unsubscribe of this.#unsubscribers) unsubscribe();
    this.#unsubscribers = [];
  }

  /**
   * Protects a strategy's position in an instrument (replacing its protection, if any); an open
   * position is armed at once. A bad config throws DES_ERR_INVALID_CONFIG naming the key.
   */
  protect(strategyId: StrategyId, instrumentId: InstrumentId, config: ProtectionConfig): void {
    const plan = parseProtectionConfig(config, `strategy ${strategyId} ${instrumentId}`);
    const key = keyOf(strategyId, instrumentId);
    const existing = this.#protected.get(key);
    if (existing !== undefined) {
      existing.plan = plan;
      existing.fallback.clear();
      existing.failures = 0;
      existing.gaveUp = false;
      if (existing.side !== undefined) {
        this.#computeLevels(existing);
        this.#out.event(existing, "armed", { detail: "protection changed" });
      }
      this.#syncNative(existing);
      return;
    }
    const p = new ProtectedPosition(strategyId, instrumentId, plan, Decimal.ZERO);
    this.#protected.set(key, p);
    let list = this.#byInstrument.get(instrumentId);
    if (list === undefined) {
      list = [];
      this.#byInstrument.set(instrumentId, list);
    }
    list.push(p);
    const known = this.#positions.get(key);
    if (known !== undefined) this.#applyPosition(p, known);
  }

  /** Removes a protection and cancels its native orders; an exit already sent still runs. Returns false when there was none. */
  unprotect(strategyId: StrategyId, instrumentId: InstrumentId): boolean {
    const key = keyOf(strategyId, instrumentId);
    const p = this.#protected.get(key);
    if (p === undefined) return false;
    for (const trigger of NATIVE_TRIGGERS) {
      if (p.native[trigger].live !== undefined) this.#cancelNative(p, trigger);
    }
    for (const [id, entry] of this.#orders) if (entry.position === p) this.#orders.delete(id);
    this.#protected.delete(key);
    const list = this.#byInstrument.get(instrumentId) ?? [];
    const rest = list.filter((x) => x !== p);
    if (rest.length === 0) this.#byInstrument.delete(instrumentId);
    else this.#byInstrument.set(instrumentId, rest);
    this.#out.event(p, "disarmed", { detail: "protection removed" });
    return true;
  }

  /** Returns the protection of a strategy's position, if any. */
  protection(strategyId: StrategyId, instrumentId: InstrumentId): ProtectionView | undefined {
    return this.#protected.get(keyOf(strategyId, instrumentId))?.view();
  }

  /** Returns every protection. */
  protections(): ProtectionView[] {
    return [...this.#protected.values()].map((p) => p.view());
  }

  /** Returns a copy of the counters. */
  stats(): ProtectionStats {
    let armed = 0;
    for (const p of this.#protected.values()) if (p.side !== undefined) armed++;
    return { ...this.#stats, protections: this.#protected.size, armed };
  }

  // ------------------------------------------------------------------ positions

  #onPositionChanged(c: PositionChanged): void {
    const key = keyOf(c.strategyId, c.instrumentId);
    let known = this.#positions.get(key);
    const wasSign = known?.quantity.sign() ?? 0;
    if (known === undefined) {
      known = {
        quantity: c.quantity,
        averagePrice: c.averagePrice,
        openedAtMarket: Number.NEGATIVE_INFINITY,
      };
      this.#positions.set(key, known);
    }
    if (c.quantity.sign() !== wasSign) {
      known.openedAtMarket = this.#marketTime.get(c.instrumentId) ?? Number.NEGATIVE_INFINITY;
    }
    known.quantity = c.quantity;
    known.averagePrice = c.averagePrice;
    const p = this.#protected.get(key);
    if (p !== undefined) this.#applyPosition(p, known);
  }

  #applyPosition(p: ProtectedPosition, known: KnownPosition): void {
    if (known.quantity.isZero()) {
      // An exit still waiting for a cancel has nothing left to do; one already sent ends on its own.
      if (p.exit !== undefined && p.exit.clientOrderId === undefined) p.exit = undefined;
      p.failures = 0;
      p.gaveUp = false;
      p.fallback.clear();
      if (p.side !== undefined) {
        p.side = undefined;
        p.quantity = Decimal.ZERO;
        p.exitQuantity = undefined;
        this.#out.event(p, "disarmed", { detail: "position closed" });
      }
      this.#syncNative(p);
      return;
    }
    const side: PositionSide = known.quantity.isPositive() ? "long" : "short";
    const opened = p.side !== side;
    p.failures = 0;
    p.gaveUp = false;
    p.quantity = known.quantity.abs();
    p.exitQuantity = this.#exitQuantity(p);
    p.entry = known.averagePrice;
    if (opened) {
      p.side = side;
      p.watermark = known.averagePrice;
      p.openedAtMarket = known.openedAtMarket;
      p.fallback.clear();
    }
    this.#computeLevels(p);
    if (opened) {
      this.#out.event(p, "armed", {
        detail:
          p.exitQuantity === undefined
            ? `${side} ${p.quantity} at ${p.entry} is below the smallest order quantity: not protected`
            : `${side} ${p.quantity} at ${p.entry}`,
        quantity: p.quantity,
      });
    }
    if (p.exit !== undefined && p.exit.clientOrderId === undefined) this.#continueExit(p);
    else this.#syncNative(p);
  }

  #computeLevels(p: ProtectedPosition): void {
    if (p.side === undefined) return;
    const instrument = this.#instrument?.(p.instrumentId);
    p.stop =
      p.plan.stopLoss === undefined ? undefined : stopLossLevel(p.plan.stopLoss, p.side, p.entry, instrument);
    p.target =
      p.plan.takeProfit === undefined
        ? undefined
        : takeProfitLevel(p.plan.takeProfit, p.side, p.entry, instrument);
  }

  // ------------------------------------------------------------------ market data

  #onTrade(t: TradeTick): void {
    this.#advanceMarketTime(t.instrumentId, t.eventTime);
    const list = this.#byInstrument.get(t.instrumentId);
    if (list === undefined) return;
    for (const p of list) this.#check(p, t.price, t.price, t.price, t.receivedAt);
  }

  #onBar(b: Bar): void {
    if (!b.closed || b.interval !== this.#barInterval) return;
    const list = this.#byInstrument.get(b.instrumentId);
    if (list !== undefined) {
      for (const p of list) {
        // A bar that opened before the position did holds prices from before it: only its close counts.
        const whole = b.openTime > p.openedAtMarket;
        this.#check(p, whole ? b.low : b.close, whole ? b.high : b.close, b.close, b.receivedAt);
      }
    }
    this.#advanceMarketTime(b.instrumentId, b.closeTime);
  }

  #advanceMarketTime(id: InstrumentId, at: number): void {
    const current = this.#marketTime.get(id);
    if (current === undefined || at > current) this.#marketTime.set(id, at);
  }

  #check(p: ProtectedPosition, low: Decimal, high: Decimal, close: Decimal, receivedAt: UnixMicros): void {
    if (p.side === undefined) return;
    this.#stats.priceEvents++;
    if (p.isCanceling()) this.#retryCancels(p);
    // A position too small to sell (dust left by a commission) cannot be protected.
    if (p.exit !== undefined || p.gaveUp || p.exitQuantity === undefined) return;
    const result = checkTriggers({
      side: p.side,
      stop: this.#isNative(p, "stopLoss") ? undefined : p.stop,
      target: this.#isNative(p, "takeProfit") ? undefined : p.target,
      trailingPercent: p.plan.trailingPercent,
      watermark: p.watermark,
      low,
      high,
      close,
    });
    p.watermark = result.watermark;
    if (result.hit !== undefined) this.#trigger(p, result.hit, receivedAt);
  }

  // ------------------------------------------------------------------ emulated exits

  #trigger(p: ProtectedPosition, hit: TriggerHit, receivedAt: UnixMicros): void {
    this.#stats[TRIGGER_STAT[hit.trigger]]++;
    p.exit = {
      trigger: hit.trigger,
      level: hit.level,
      observed: hit.observed,
      causedByReceivedAt: receivedAt,
      clientOrderId: undefined,
    };
    // A resting native order locks the quantity the exit sells: cancel it first.
    for (const trigger of NATIVE_TRIGGERS) {
      if (p.native[trigger].live !== undefined) this.#cancelNative(p, trigger);
    }
    const exit = p.exit;
    const sent = this.#continueExit(p);
    this.#out.event(p, "triggered", {
      trigger: hit.trigger,
      level: hit.level,
      observed: hit.observed,
      quantity: p.quantity,
      clientOrderId: exit.clientOrderId,
      detail: sent
        ? `${hit.trigger} at ${hit.level}: price ${hit.observed}, exit ${exit.clientOrderId}`
        : `${hit.trigger} at ${hit.level}: price ${hit.observed}, exit after the native order is canceled`,
    });
  }

  /** Sends the pending exit once no native order is being canceled; returns true when it was sent. */
  #continueExit(p: ProtectedPosition): boolean {
    const exit = p.exit;
    if (exit === undefined || exit.clientOrderId !== undefined || p.hasNativeOrders()) return false;
    if (p.side === undefined) {
      p.exit = undefined;
      return false;
    }
    const quantity = this.#exitQuantity(p);
    if (quantity === undefined) {
      p.exit = undefined;
      this.#giveUp(p, `position ${p.quantity} is below the smallest order quantity: it cannot be exited`);
      return false;
    }
    const clientOrderId = this.#out.submit(p, {
      side: p.side === "long" ? "SELL" : "BUY",
      type: "MARKET",
      quantity,
      causedByReceivedAt: exit.causedByReceivedAt,
    });
    exit.clientOrderId = clientOrderId;
    this.#orders.set(clientOrderId, { position: p, role: "exit" });
    this.#stats.exitOrders++;
    return true;
  }

  #exitFailed(p: ProtectedPosition, why: string): void {
    this.#stats.exitFailures++;
    if (p.side === undefined) return;
    p.failures++;
    if (p.failures >= this.#maxExitAttempts) {
      this.#giveUp(p, `${p.failures} exit orders failed in a row, the last: ${why}`);
      return;
    }
    this.#stats.rearmed++;
    this.#out.event(p, "rearmed", { detail: `exit failed (${why}): armed again` });
    this.#syncNative(p);
  }

  #giveUp(p: ProtectedPosition, why: string): void {
    p.gaveUp = true;
    this.#stats.gaveUp++;
    this.#out.event(p, "gave-up", { detail: why });
    this.#report(
      new DesError(
        ErrorCode.OrderRejected,
        `protection of ${p.strategyId} ${p.instrumentId} gave up: ${why}`,
        {
          strategyId: p.strategyId,
          instrumentId: p.instrumentId,
        },
      ),
    );
  }

  /** Returns the quantity an order for the whole position can have (rounded down to the step), or undefined when too small. */
  #exitQuantity(p: ProtectedPosition): Decimal | undefined {
    const instrument = this.#instrument?.(p.instrumentId);
    const quantity = instrument === undefined ? p.quantity : roundQuantity(instrument, p.quantity);
    if (!quantity.isPositive() || (instrument !== undefined && quantity.lt(instrument.minQty)))
      return undefined;
    return quantity;
  }

  // ------------------------------------------------------------------ native orders

  /** Returns true when the protection rests at the venue for this position (not emulated). */
  #isNative(p: ProtectedPosition, trigger: NativeTrigger): boolean {
    if (p.plan.mode !== "native" || p.fallback.has(trigger) || !this.#native.has(NATIVE_TYPE[trigger]))
      return false;
    if (trigger === "stopLoss") return p.plan.stopLoss !== undefined;
    // Two resting sells of the whole position cannot both lock it: with a stop-loss, the take-profit is emulated.
    return p.plan.takeProfit !== undefined && p.plan.stopLoss === undefined;
  }

  /** Cancels native orders that no longer fit the position and places the ones it needs. */
  #syncNative(p: ProtectedPosition): void {
    const wanted: Partial<Record<NativeTrigger, Omit<NativeOrder, "clientOrderId">>> = {};
    for (const trigger of NATIVE_TRIGGERS) {
      const want = this.#wantedNative(p, trigger);
      if (want !== undefined) wanted[trigger] = want;
      const live = p.native[trigger].live;
      if (live !== undefined && (want === undefined || !sameOrder(live, want)))
        this.#cancelNative(p, trigger);
    }
    // A replacement waits for the cancel: the old order still locks the quantity.
    if (p.isCanceling()) return;
    for (const trigger of NATIVE_TRIGGERS) {
      const want = wanted[trigger];
      if (want !== undefined && p.native[trigger].live === undefined) this.#placeNative(p, trigger, want);
    }
  }

  #wantedNative(
    p: ProtectedPosition,
    trigger: NativeTrigger,
  ): Omit<NativeOrder, "clientOrderId"> | undefined {
    if (p.side === undefined || p.exit !== undefined || p.gaveUp || !this.#isNative(p, trigger))
      return undefined;
    const stopPrice = trigger === "stopLoss" ? p.stop : p.target;
    if (stopPrice === undefined || !stopPrice.isPositive()) return undefined;
    const quantity = p.exitQuantity;
    if (quantity === undefined) return undefined;
    return { type: NATIVE_TYPE[trigger], side: p.side === "long" ? "SELL" : "BUY", quantity, stopPrice };
  }

  #placeNative(p: ProtectedPosition, trigger: NativeTrigger, want: Omit<NativeOrder, "clientOrderId">): void {
    const clientOrderId = this.#out.submit(p, want);
    p.native[trigger].live = { clientOrderId, ...want };
    this.#orders.set(clientOrderId, { position: p, role: trigger });
    this.#stats.nativePlaced++;
    this.#out.event(p, "native-placed", {
      trigger,
      level: want.stopPrice,
      quantity: want.quantity,
      clientOrderId,
      detail: `${want.type} ${want.side} ${want.quantity} at ${want.stopPrice}`,
    });
  }

  #cancelNative(p: ProtectedPosition, trigger: NativeTrigger): void {
    const slot = p.native[trigger];
    const live = slot.live;
    if (live === undefined) return;
    slot.live = undefined;
    slot.canceling = live.clientOrderId;
    slot.cancelAttempts = 0;
    this.#sendCancel(p, slot.canceling, trigger);
  }

  #sendCancel(p: ProtectedPosition, clientOrderId: ClientOrderId, trigger: NativeTrigger): void {
    const slot = p.native[trigger];
    slot.cancelAttempts++;
    slot.cancelSentAt = this.#clock.now();
    this.#out.cancel(p, clientOrderId);
  }

  /** Asks again for cancels the venue has not confirmed; after maxCancelAttempts stops waiting for them. */
  #retryCancels(p: ProtectedPosition): void {
    const now = this.#clock.now();
    for (const trigger of NATIVE_TRIGGERS) {
      const slot = p.native[trigger];
      if (slot.canceling === undefined || now - slot.cancelSentAt < this.#cancelRetryUs) continue;
      if (slot.cancelAttempts >= this.#maxCancelAttempts) {
        this.#report(
          new DesError(
            ErrorCode.OrderRejected,
            `native ${trigger} ${slot.canceling} of ${p.strategyId} ${p.instrumentId} not canceled after ${slot.cancelAttempts} attempts: no longer waited for`,
            { clientOrderId: slot.canceling, strategyId: p.strategyId },
          ),
        );
        slot.canceling = undefined;
        if (p.exit !== undefined) this.#continueExit(p);
        else this.#syncNative(p);
        continue;
      }
      this.#stats.cancelRetries++;
      this.#sendCancel(p, slot.canceling, trigger);
    }
  }

  // ------------------------------------------------------------------ order events

  #onOrderEvent(e: OrderEvent): void {
    const entry = this.#orders.get(e.clientOrderId);
    if (entry === undefined) return;
    const { position: p, role } = entry;
    const filled = e.kind === "OrderFilled" && e.orderStatus === OrderStatus.Filled;
    const failed =
      e.kind === "OrderRejected" ||
      e.kind === "OrderDenied" ||
      e.kind === "OrderExpired" ||
      e.kind === "OrderCanceled";
    if (!filled && !failed) return;
    this.#orders.delete(e.clientOrderId);
    const why = e.kind === "OrderRejected" || e.kind === "OrderDenied" ? `${e.kind}: ${e.reason}` : e.kind;
    if (role === "exit") {
      if (p.exit?.clientOrderId === e.clientOrderId) p.exit = undefined;
      if (filled) {
        this.#stats.exitsFilled++;
        p.failures = 0;
      } else {
        this.#exitFailed(p, why);
      }
      return;
    }
    this.#onNativeEnded(
      p,
      role,
      e.clientOrderId,
      filled ? "filled" : e.kind === "OrderCanceled" ? "canceled" : "failed",
      why,
    );
  }

  #onNativeEnded(
    p: ProtectedPosition,
    trigger: NativeTrigger,
    id: ClientOrderId,
    how: "filled" | "canceled" | "failed",
    why: string,
  ): void {
    const slot = p.native[trigger];
    const wasLive = slot.live?.clientOrderId === id;
    const requested = slot.canceling === id;
    const level = wasLive ? slot.live?.stopPrice : undefined;
    if (wasLive) slot.live = undefined;
    if (requested) slot.canceling = undefined;
    if (how === "filled") {
      // The venue's stop fired: the PositionChanged that follows disarms or re-arms the position.
      this.#stats.nativeTriggers++;
      this.#out.event(p, "triggered", {
        trigger,
        level,
        clientOrderId: id,
        detail: `native ${trigger} ${id} filled`,
      });
      return;
    }
    if (how === "canceled" && requested) {
      this.#stats.nativeCanceled++;
      this.#out.event(p, "native-canceled", {
        trigger,
        clientOrderId: id,
        detail: `native ${trigger} ${id} canceled`,
      });
    } else if (how === "canceled") {
      this.#stats.nativeCanceled++;
      if (wasLive) p.fallback.add(trigger);
      this.#out.event(p, "native-canceled", {
        trigger,
        clientOrderId: id,
        detail: `native ${trigger} ${id} canceled outside protection: emulated for this position`,
      });
    } else {
      this.#stats.nativeFailed++;
      if (wasLive || requested) p.fallback.add(trigger);
      this.#out.event(p, "native-failed", {
        trigger,
        clientOrderId: id,
        detail: `native ${trigger} ${id} ended (${why}): emulated for this position`,
      });
    }
    if (p.exit !== undefined) this.#continueExit(p);
    else this.#syncNative(p);
  }

  #report(problem: DesError): void {
    this.#stats.problems++;
    try {
      this.#onProblem?.(problem);
    } catch {
      // Counted already; a failing reporter changes nothing.
    }
  }
}

function keyOf(strategyId: StrategyId, instrumentId: InstrumentId): string {
  return `${strategyId}|${instrumentId}`;
}

function sameOrder(a: NativeOrder, b: Omit<NativeOrder, "clientOrderId">): boolean {
  return a.type === b.type && a.side === b.side && a.quantity.eq(b.quantity) && a.stopPrice.eq(b.stopPrice);
}

function positiveInt(key: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new DesError(
      ErrorCode.InvalidConfig,
      `protection ${key} must be a positive integer, got ${value}`,
      {
        key,
        value,
      },
    );
  }
  return value;
}
