import {
  type ClientOrderId,
  type Clock,
  Decimal,
  DesError,
  ErrorCode,
  type InstrumentId,
  MICROS_PER_DAY,
  MICROS_PER_MINUTE,
  MICROS_PER_SECOND,
  Rounding,
  type StrategyId,
  type UnixMicros,
} from "../core/index.ts";
import type { Instrument, OrderSide, OrderType } from "../model/index.ts";
import {
  checkDailyTrades,
  checkExposure,
  checkInstrumentFilters,
  checkOrderNotional,
  checkPositionLimit,
  checkReduceOnly,
  checkTradingState,
  type Denial,
  isDenial,
  isReducing,
  type LossLevel,
  type LossThresholds,
  lossFromPnl,
  lossRatio,
  lossThresholds,
  pnlLossLevel,
  reducingQuantity,
  stricterState,
} from "./risk-checks.ts";
import { parseRiskConfig, type RiskConfig, type StrategyLimits, strategyLimitsFor } from "./risk-config.ts";
import {
  DenialReason,
  type RiskEvent,
  type RiskOrderDenied,
  type SoftLimitLevel,
  TradingState,
} from "./risk-events.ts";
import { parseRiskStateSnapshot, type RiskStateSnapshot } from "./risk-state-snapshot.ts";
import { quantityDown } from "./sizing.ts";
import { SlidingWindowCounter } from "./sliding-window-counter.ts";

/** An order a strategy wants to place, as the risk engine sees it. */
export interface RiskOrderIntent {
  readonly strategyId: StrategyId;
  readonly clientOrderId: ClientOrderId;
  readonly instrumentId: InstrumentId;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly quantity: Decimal;
  /** Limit price (required for LIMIT, LIMIT_MAKER and the *_LIMIT types). */
  readonly price?: Decimal | undefined;
  readonly stopPrice?: Decimal | undefined;
  /** Prices a market order's notional; the mark price is used when absent. */
  readonly referencePrice?: Decimal | undefined;
  readonly reduceOnly?: boolean | undefined;
  /** Stop-loss, take-profit or panic: passes in REDUCING and skips the growth limits when it reduces. */
  readonly protective?: boolean | undefined;
}

/** What the risk engine reads about positions, orders and prices (the integrator implements it). */
export interface RiskContext {
  /** Returns the strategy's signed position (base quantity, positive long). */
  position(strategyId: StrategyId, instrumentId: InstrumentId): Decimal;
  /** Returns the account's signed position over every strategy (used by account.maxPosition). */
  accountPosition?(instrumentId: InstrumentId): Decimal;
  /** Returns the gross exposure (quote) of the positions, marked, of one strategy or of all. */
  exposure(strategyId?: StrategyId): Decimal;
  /** Returns the quote notional of open, unfilled order quantity, of one strategy or of all. */
  pendingExposure(strategyId?: StrategyId): Decimal;
  /** Returns the last price of the instrument, if any. */
  markPrice(instrumentId: InstrumentId): Decimal | undefined;
  /** Returns the instrument with its filters, if known. */
  instrument(instrumentId: InstrumentId): Instrument | undefined;
}

/** A fill as the risk engine counts it: one trade, and the realized PnL it booked (quote, signed). */
export interface RiskFill {
  readonly strategyId: StrategyId;
  readonly instrumentId: InstrumentId;
  readonly realizedPnlDelta: Decimal;
}

/** A change the risk engine made to an allowed order's quantity. */
export interface RiskAdjustment {
  readonly kind: "REDUCE_ONLY_CLIP" | "POSITION_CLIP" | "DAILY_LOSS_SCALE";
  readonly from: Decimal;
  readonly to: Decimal;
}

/** The outcome of a pre-trade check. */
export type RiskDecision =
  | {
      readonly allowed: true;
      /** The quantity to send (clipped or scaled when adjustments is not empty). */
      readonly quantity: Decimal;
      readonly adjustments: readonly RiskAdjustment[];
    }
  | { readonly allowed: false; readonly denial: RiskOrderDenied };

/** Options of a RiskEngine. */
export interface RiskEngineOptions {
  readonly clock: Clock;
  /** The configuration as written (validated by parseRiskConfig); defaults apply when absent. */
  readonly config?: unknown;
  /** Receives denials, soft-limit warnings, state changes and day resets (synchronously). */
  readonly onEvent?: (event: RiskEvent) => void;
}

interface DayCounters {
  trades: number;
  realizedPnl: Decimal;
}

interface RateWindows {
  perSecond: SlidingWindowCounter | undefined;
  perMinute: SlidingWindowCounter | undefined;
}

const NO_ADJUSTMENTS: readonly RiskAdjustment[] = Object.freeze([]);
const LIMIT_PRICED: ReadonlySet<OrderType> = new Set([
  "LIMIT",
  "LIMIT_MAKER",
  "STOP_LOSS_LIMIT",
  "TAKE_PROFIT_LIMIT",
]);
const LEVEL_RANK: Record<LossLevel, number> = { OK: 0, WARN: 1, SCALE: 2, BREACH: 3 };
const SOFT_LEVELS: readonly SoftLimitLevel[] = ["WARN", "SCALE", "BREACH"];
const TRADING_STATES: ReadonlySet<string> = new Set(Object.values(TradingState));

/**
 * Runs the pre-trade checks with its configuration and state: daily counters (reset at the day
 * boundary, kept across restarts through snapshot/restore), the kill switch, order-rate windows.
 * A denial is a value (and an event), never an exception.
 */
export class RiskEngine {
  readonly #clock: Clock;
  readonly #onEvent: (event: RiskEvent) => void;
  #config: RiskConfig;
  #limits = new Map<string, StrategyLimits>();
  #warnRatio = Decimal.ZERO;
  #scaleRatio = Decimal.ZERO;
  #scaleFactor = Decimal.ONE;
  /** Soft-limit thresholds per daily-loss limit (keyed by the limit's Decimal), rebuilt with the config. */
  #thresholds = new Map<Decimal, LossThresholds>();
  #dayStart = 0;
  #nextDayStart = 0;
  #account: DayCounters = { trades: 0, realizedPnl: Decimal.ZERO };
  #strategies = new Map<string, DayCounters>();
  /** Soft-limit levels already announced today, as "scope:strategyId:level". */
  #emitted = new Set<string>();
  #globalState: TradingState = TradingState.Active;
  #strategyStates = new Map<string, TradingState>();
  /** One entry per strategy that has sent an order; each ring is bounded by its limit. */
  #rates = new Map<string, RateWindows>();
  readonly #denials = new Map<DenialReason, number>();

  constructor(options: RiskEngineOptions) {
    this.#clock = options.clock;
    this.#onEvent = options.onEvent ?? (() => {});
    this.#config = parseRiskConfig(options.config ?? {});
    this.#applyConfig();
    const now = this.#clock.now();
    this.#setDayBounds(now);
  }

  /** Returns the validated configuration in force. */
  get config(): RiskConfig {
    return this.#config;
  }

  /** Replaces the configuration at runtime; throws DES_ERR_INVALID_CONFIG (naming the key) and keeps the old one. */
  setConfig(raw: unknown): void {
    this.#config = parseRiskConfig(raw);
    this.#applyConfig();
    // The current day runs until the boundary of the new offset; its counters are kept.
    this.#setDayBounds(this.#clock.now());
  }

  /** Returns the limits in force for a strategy (global merged with its override). */
  limitsFor(strategyId: StrategyId | string): StrategyLimits {
    let l = this.#limits.get(strategyId);
    if (l === undefined) {
      l = strategyLimitsFor(this.#config, strategyId);
      this.#limits.set(strategyId, l);
    }
    return l;
  }

  /** Returns the kill-switch state: the global one, or the stricter of global and the strategy's. */
  tradingState(strategyId?: StrategyId): TradingState {
    if (strategyId === undefined) return this.#globalState;
    return stricterState(this.#globalState, this.#strategyStates.get(strategyId) ?? TradingState.Active);
  }

  /** Sets the kill switch globally or for one strategy and emits TradingStateChanged when it changes. */
  setTradingState(state: TradingState, reason: string, strategyId?: StrategyId): void {
    if (!TRADING_STATES.has(state)) {
      throw new DesError(
        ErrorCode.InvalidConfig,
        `trading state must be ACTIVE, REDUCING or HALTED, got ${String(state)}`,
        {
          state: String(state),
        },
      );
    }
    const from =
      strategyId === undefined
        ? this.#globalState
        : (this.#strategyStates.get(strategyId) ?? TradingState.Active);
    if (from === state) return;
    if (strategyId === undefined) this.#globalState = state;
    else if (state === TradingState.Active) this.#strategyStates.delete(strategyId);
    else this.#strategyStates.set(strategyId, state);
    this.#onEvent({
      kind: "TradingStateChanged",
      scope: strategyId === undefined ? "global" : "strategy",
      strategyId,
      from,
      to: state,
      reason,
      ts: this.#clock.now(),
    });
  }

  /** Returns today's counters of a strategy, or of the account when strategyId is omitted. */
  dailyCounters(strategyId?: StrategyId): { trades: number; realizedPnl: Decimal } {
    this.#roll(this.#clock.now());
    const c = strategyId === undefined ? this.#account : this.#strategies.get(strategyId);
    return { trades: c?.trades ?? 0, realizedPnl: c?.realizedPnl ?? Decimal.ZERO };
  }

  /** Returns how many orders were denied, per reason, since start. */
  denialCounts(): ReadonlyMap<DenialReason, number> {
    return this.#denials;
  }

  /** Runs every pre-trade check on an intent; a denial is also handed to onEvent. */
  check(intent: RiskOrderIntent, ctx: RiskContext): RiskDecision {
    const now = this.#clock.now();
    this.#roll(now);
    const inst = ctx.instrument(intent.instrumentId);
    if (inst === undefined) {
      return this.#deny(intent, now, {
        reason: DenialReason.UnknownInstrument,
        detail: `unknown instrument ${intent.instrumentId}`,
      });
    }
    const state = this.tradingState(intent.strategyId);
    if (state === TradingState.Halted)
      return this.#deny(intent, now, checkTradingState(state, false) as Denial);

    const hasLimitPrice = LIMIT_PRICED.has(intent.type);
    if (hasLimitPrice && intent.price === undefined) {
      return this.#deny(intent, now, {
        reason: DenialReason.Filter,
        detail: `${intent.type} order needs a price`,
      });
    }
    const notionalPrice =
      intent.price ?? intent.stopPrice ?? intent.referencePrice ?? ctx.markPrice(intent.instrumentId);
    if (notionalPrice === undefined || !notionalPrice.isPositive()) {
      return this.#deny(intent, now, {
        reason: DenialReason.NoPrice,
        detail: `no positive price to value the order (price, stop, reference or mark) for ${intent.instrumentId}`,
      });
    }
    const filterPrice = hasLimitPrice ? intent.price : intent.stopPrice;
    const filters = this.#filters(inst, intent, intent.quantity, filterPrice, notionalPrice);
    if (filters !== undefined) return this.#deny(intent, now, filters);
    // The order's value at notionalPrice, worked out once for the notional and exposure checks.
    const notional = notionalPrice.mul(intent.quantity);

    let qty = intent.quantity;
    // Allocated only when a check changes the quantity.
    let adjustments: RiskAdjustment[] | undefined;
    const limits = this.limitsFor(intent.strategyId);
    const position = ctx.position(intent.strategyId, intent.instrumentId);
    if (intent.reduceOnly === true || state === TradingState.Reducing) {
      const reason = intent.reduceOnly === true ? DenialReason.ReduceOnly : DenialReason.TradingReducing;
      const r = checkReduceOnly(inst, position, intent.side, qty, limits.reduceOnlyMode, reason);
      if (isDenial(r)) return this.#deny(intent, now, r);
      if (!r.quantity.eq(qty)) {
        adjustments = [{ kind: "REDUCE_ONLY_CLIP", from: qty, to: r.quantity }];
        qty = r.quantity;
      }
    }
    const exempt =
      (intent.reduceOnly === true || intent.protective === true || state === TradingState.Reducing) &&
      isReducing(position, intent.side, qty);

    if (!exempt) {
      const grown = this.#growthChecks(
        intent,
        ctx,
        inst,
        limits,
        position,
        notionalPrice,
        now,
        qty,
        qty === intent.quantity ? notional : undefined,
      );
      if (grown !== undefined) {
        if (!Array.isArray(grown)) return this.#deny(intent, now, grown);
        // The growth checks clipped or scaled: their last adjustment is the quantity to send.
        if (adjustments === undefined) adjustments = grown;
        else adjustments.push(...grown);
        qty = grown[grown.length - 1]!.to;
      }
    }
    if (adjustments !== undefined) {
      const again = this.#filters(inst, intent, qty, filterPrice, notionalPrice);
      if (again !== undefined) {
        return this.#deny(intent, now, {
          reason: again.reason,
          detail: `${again.detail} (after ${adjustments.map((a) => a.kind).join(", ")})`,
        });
      }
    }
    this.#recordOrder(intent.strategyId, limits, now);
    return { allowed: true, quantity: qty, adjustments: adjustments ?? NO_ADJUSTMENTS };
  }

  /** Counts one fill into today's trades and realized PnL, and applies the daily-loss soft limits. */
  onFill(fill: RiskFill): void {
    const now = this.#clock.now();
    this.#roll(now);
    const s = this.#strategyCounters(fill.strategyId);
    s.trades++;
    s.realizedPnl = s.realizedPnl.add(fill.realizedPnlDelta);
    this.#account.trades++;
    this.#account.realizedPnl = this.#account.realizedPnl.add(fill.realizedPnlDelta);
    this.#strategyLossLevel(fill.strategyId, this.limitsFor(fill.strategyId), now);
    this.#accountLossLevel(now);
  }

  /** Returns the durable state (daily counters, announced levels, kill switch), JSON-safe. */
  snapshot(): RiskStateSnapshot {
    this.#roll(this.#clock.now());
    const strategies: RiskStateSnapshot["strategies"] = {};
    for (const [id, c] of this.#strategies)
      strategies[id] = { trades: c.trades, realizedPnl: c.realizedPnl.toString() };
    return {
      version: 1,
      dayStart: this.#dayStart,
      account: { trades: this.#account.trades, realizedPnl: this.#account.realizedPnl.toString() },
      strategies,
      emittedLevels: [...this.#emitted],
      tradingState: { global: this.#globalState, strategies: Object.fromEntries(this.#strategyStates) },
    };
  }

  /**
   * Restores a snapshot (validated; throws DES_ERR_INVALID_RISK_STATE when malformed). The kill
   * switch is always restored; the daily counters only when the snapshot is from the current risk day.
   * Returns whether the counters were kept.
   */
  restore(raw: unknown): { sameDay: boolean } {
    const snap = parseRiskStateSnapshot(raw);
    this.#roll(this.#clock.now());
    this.#globalState = snap.tradingState.global;
    this.#strategyStates = new Map(
      Object.entries(snap.tradingState.strategies).filter(([, st]) => st !== TradingState.Active),
    );
    this.#resetCounters();
    const sameDay = snap.dayStart === this.#dayStart;
    if (sameDay) {
      this.#account = { trades: snap.account.trades, realizedPnl: Decimal.from(snap.account.realizedPnl) };
      for (const [id, c] of Object.entries(snap.strategies)) {
        this.#strategies.set(id, { trades: c.trades, realizedPnl: Decimal.from(c.realizedPnl) });
      }
      this.#emitted = new Set(snap.emittedLevels);
    }
    return { sameDay };
  }

  /** Start of the current risk day. */
  get dayStart(): UnixMicros {
    return this.#dayStart as UnixMicros;
  }

  /**
   * Runs the checks that apply to an order that may grow the position: daily loss (which may scale
   * it), daily trades, order rate, order notional, position limits (which may clip it) and exposure.
   * Returns a denial, the adjustments it made (the last one's `to` is the quantity left), or undefined
   * when the order passes unchanged. `startNotional` is price x startQty when the caller has it.
   */
  #growthChecks(
    intent: RiskOrderIntent,
    ctx: RiskContext,
    inst: Instrument,
    limits: StrategyLimits,
    position: Decimal,
    price: Decimal,
    now: number,
    startQty: Decimal,
    startNotional: Decimal | undefined,
  ): Denial | RiskAdjustment[] | undefined {
    let qty = startQty;
    let made: RiskAdjustment[] | undefined;
    const account = this.#config.account;
    // Daily loss: the worse of the strategy's and the account's level decides.
    const level = this.#worse(
      this.#strategyLossLevel(intent.strategyId, limits, now),
      this.#accountLossLevel(now),
    );
    if (level === "BREACH") {
      return { reason: DenialReason.DailyLoss, detail: this.#lossDetail(intent.strategyId, limits) };
    }
    if (level === "SCALE") {
      const scaled = quantityDown(inst, qty.mul(this.#scaleFactor, Rounding.Down));
      if (!scaled.isPositive()) {
        return {
          reason: DenialReason.DailyLoss,
          detail: `${this.#lossDetail(intent.strategyId, limits)}; scaled quantity is below one step`,
        };
      }
      made = [{ kind: "DAILY_LOSS_SCALE", from: qty, to: scaled }];
      qty = scaled;
    }
    if (limits.maxDailyTrades !== undefined) {
      const d = checkDailyTrades(this.#strategies.get(intent.strategyId)?.trades ?? 0, limits.maxDailyTrades);
      if (d !== undefined) return d;
    }
    if (account.maxDailyTrades !== undefined) {
      const d = checkDailyTrades(this.#account.trades, account.maxDailyTrades, "account");
      if (d !== undefined) return d;
    }
    const rate = this.#rateDenial(intent.strategyId, limits, now);
    if (rate !== undefined) return rate;

    const notional = qty === startQty && startNotional !== undefined ? startNotional : price.mul(qty);
    const notionalQty = qty;
    const n = checkOrderNotional(notional, limits.minOrderNotional, limits.maxOrderNotional);
    if (n !== undefined) return n;

    if (limits.maxPosition !== undefined) {
      const r = checkPositionLimit(
        inst,
        position,
        intent.side,
        qty,
        limits.maxPosition,
        limits.positionLimitMode,
      );
      if (isDenial(r)) return r;
      if (!r.quantity.eq(qty)) {
        made = withAdjustment(made, { kind: "POSITION_CLIP", from: qty, to: r.quantity });
        qty = r.quantity;
      }
    }
    if (account.maxPosition !== undefined && ctx.accountPosition !== undefined) {
      const accPos = ctx.accountPosition(intent.instrumentId);
      const r = checkPositionLimit(
        inst,
        accPos,
        intent.side,
        qty,
        account.maxPosition,
        limits.positionLimitMode,
        "account position",
      );
      if (isDenial(r)) return r;
      if (!r.quantity.eq(qty)) {
        made = withAdjustment(made, { kind: "POSITION_CLIP", from: qty, to: r.quantity });
        qty = r.quantity;
      }
    }
    if (limits.maxExposure !== undefined || account.maxExposure !== undefined) {
      // Only the part that grows the position adds exposure; the reducing part lowers it.
      const reducing = reducingQuantity(position, intent.side, qty);
      const added = !reducing.isZero()
        ? price.mul(qty.sub(reducing))
        : qty === notionalQty
          ? notional
          : price.mul(qty);
      if (limits.maxExposure !== undefined) {
        const d = checkExposure(
          ctx.exposure(intent.strategyId),
          ctx.pendingExposure(intent.strategyId),
          added,
          limits.maxExposure,
          `strategy ${intent.strategyId} exposure`,
        );
        if (d !== undefined) return d;
      }
      if (account.maxExposure !== undefined) {
        const d = checkExposure(
          ctx.exposure(),
          ctx.pendingExposure(),
          added,
          account.maxExposure,
          "account exposure",
        );
        if (d !== undefined) return d;
      }
    }
    return made;
  }

  #filters(
    inst: Instrument,
    intent: RiskOrderIntent,
    qty: Decimal,
    filterPrice: Decimal | undefined,
    notionalPrice: Decimal,
  ): Denial | undefined {
    const d = checkInstrumentFilters(inst, qty, filterPrice, notionalPrice);
    if (d !== undefined) return d;
    // A stop-limit has two prices: the stop must sit on the tick grid too.
    if (filterPrice === intent.price && intent.stopPrice !== undefined && intent.price !== undefined) {
      return checkInstrumentFilters(inst, qty, intent.stopPrice, notionalPrice);
    }
    return undefined;
  }

  #rateDenial(strategyId: StrategyId, limits: StrategyLimits, now: number): Denial | undefined {
    if (limits.maxOrdersPerSecond === undefined && limits.maxOrdersPerMinute === undefined) return undefined;
    const w = this.#rateWindows(strategyId, limits);
    if (w.perSecond?.wouldExceed(now)) {
      return {
        reason: DenialReason.OrderRate,
        detail: `strategy ${strategyId} reached ${w.perSecond.limit} orders per second`,
      };
    }
    if (w.perMinute?.wouldExceed(now)) {
      return {
        reason: DenialReason.OrderRate,
        detail: `strategy ${strategyId} reached ${w.perMinute.limit} orders per minute`,
      };
    }
    return undefined;
  }

  #recordOrder(strategyId: StrategyId, limits: StrategyLimits, now: number): void {
    if (limits.maxOrdersPerSecond === undefined && limits.maxOrdersPerMinute === undefined) return;
    const w = this.#rateWindows(strategyId, limits);
    w.perSecond?.record(now);
    w.perMinute?.record(now);
  }

  #rateWindows(strategyId: StrategyId, limits: StrategyLimits): RateWindows {
    let w = this.#rates.get(strategyId);
    if (w === undefined) {
      w = { perSecond: undefined, perMinute: undefined };
      this.#rates.set(strategyId, w);
    }
    w.perSecond = fitWindow(w.perSecond, limits.maxOrdersPerSecond, MICROS_PER_SECOND);
    w.perMinute = fitWindow(w.perMinute, limits.maxOrdersPerMinute, MICROS_PER_MINUTE);
    return w;
  }

  #strategyLossLevel(strategyId: StrategyId, limits: StrategyLimits, now: number): LossLevel {
    const max = limits.maxDailyLoss;
    if (max === undefined) return "OK";
    const pnl = this.#strategies.get(strategyId)?.realizedPnl ?? Decimal.ZERO;
    const level = pnlLossLevel(pnl, this.#thresholdsOf(max));
    if (level !== "OK") {
      this.#announce("strategy", strategyId, level, lossFromPnl(pnl), max, limits.haltOnDailyLoss, now);
    }
    return level;
  }

  #accountLossLevel(now: number): LossLevel {
    const max = this.#config.account.maxDailyLoss;
    if (max === undefined) return "OK";
    const pnl = this.#account.realizedPnl;
    const level = pnlLossLevel(pnl, this.#thresholdsOf(max));
    if (level !== "OK") {
      const halt = this.#config.account.haltAllOnDailyLoss;
      this.#announce("account", undefined, level, lossFromPnl(pnl), max, halt, now);
    }
    return level;
  }

  /** Returns the soft-limit thresholds of a daily-loss limit, worked out once per limit and config. */
  #thresholdsOf(max: Decimal): LossThresholds {
    let t = this.#thresholds.get(max);
    if (t === undefined) {
      t = lossThresholds(max, this.#warnRatio, this.#scaleRatio);
      this.#thresholds.set(max, t);
    }
    return t;
  }

  /** Emits each soft-limit level reached once per day, and halts at BREACH when configured. */
  #announce(
    scope: "strategy" | "account",
    strategyId: StrategyId | undefined,
    level: LossLevel,
    loss: Decimal,
    max: Decimal,
    halt: boolean,
    now: number,
  ): void {
    const rank = LEVEL_RANK[level];
    for (const lvl of SOFT_LEVELS) {
      if (LEVEL_RANK[lvl] > rank) break;
      const key = `${scope}:${strategyId ?? ""}:${lvl}`;
      if (this.#emitted.has(key)) continue;
      this.#emitted.add(key);
      const who = scope === "account" ? "account" : `strategy ${strategyId}`;
      this.#onEvent({
        kind: "RiskLimitWarning",
        scope,
        strategyId,
        limit: "DAILY_LOSS",
        level: lvl,
        ratio: lossRatio(loss, max),
        detail: `${who} daily loss ${loss} of limit ${max} reached the ${lvl} level`,
        ts: now as UnixMicros,
      });
      if (lvl === "BREACH" && halt) {
        this.setTradingState(
          TradingState.Halted,
          `${who} daily loss ${loss} reached its limit ${max}`,
          strategyId,
        );
      }
    }
  }

  #lossDetail(strategyId: StrategyId, limits: StrategyLimits): string {
    const s = lossFromPnl(this.#strategies.get(strategyId)?.realizedPnl ?? Decimal.ZERO);
    const a = lossFromPnl(this.#account.realizedPnl);
    const parts: string[] = [];
    if (limits.maxDailyLoss !== undefined)
      parts.push(`strategy ${strategyId} daily loss ${s} / ${limits.maxDailyLoss}`);
    if (this.#config.account.maxDailyLoss !== undefined)
      parts.push(`account daily loss ${a} / ${this.#config.account.maxDailyLoss}`);
    return parts.join(", ");
  }

  #worse(a: LossLevel, b: LossLevel): LossLevel {
    return LEVEL_RANK[a] >= LEVEL_RANK[b] ? a : b;
  }

  #deny(intent: RiskOrderIntent, now: number, d: Denial): RiskDecision {
    this.#denials.set(d.reason, (this.#denials.get(d.reason) ?? 0) + 1);
    const denial: RiskOrderDenied = {
      kind: "OrderDenied",
      strategyId: intent.strategyId,
      clientOrderId: intent.clientOrderId,
      instrumentId: intent.instrumentId,
      reason: d.reason,
      detail: d.detail,
      ts: now as UnixMicros,
    };
    this.#onEvent(denial);
    return { allowed: false, denial };
  }

  #strategyCounters(strategyId: StrategyId): DayCounters {
    let c = this.#strategies.get(strategyId);
    if (c === undefined) {
      c = { trades: 0, realizedPnl: Decimal.ZERO };
      this.#strategies.set(strategyId, c);
    }
    return c;
  }

  #applyConfig(): void {
    this.#limits = new Map();
    this.#thresholds = new Map();
    const s = this.#config.softLimits;
    this.#warnRatio = Decimal.fromNumber(s.warnRatio, 6);
    this.#scaleRatio = Decimal.fromNumber(s.scaleRatio, 6);
    this.#scaleFactor = Decimal.fromNumber(s.scaleFactor, 6);
  }

  #setDayBounds(now: number): void {
    const offset = this.#config.dayBoundaryOffsetMinutes * MICROS_PER_MINUTE;
    this.#dayStart = Math.floor((now - offset) / MICROS_PER_DAY) * MICROS_PER_DAY + offset;
    this.#nextDayStart = this.#dayStart + MICROS_PER_DAY;
  }

  /** Starts a new risk day when now has left the current one (counters reset, RiskDayReset emitted). */
  #roll(now: number): void {
    if (now < this.#nextDayStart && now >= this.#dayStart) return;
    this.#setDayBounds(now);
    this.#resetCounters();
    this.#onEvent({ kind: "RiskDayReset", dayStart: this.#dayStart as UnixMicros, ts: now as UnixMicros });
  }

  #resetCounters(): void {
    this.#account = { trades: 0, realizedPnl: Decimal.ZERO };
    this.#strategies = new Map();
    this.#emitted = new Set();
  }
}

/** Returns the list with one more adjustment, allocating it on the first one. */
function withAdjustment(list: RiskAdjustment[] | undefined, a: RiskAdjustment): RiskAdjustment[] {
  if (list === undefined) return [a];
  list.push(a);
  return list;
}

function fitWindow(
  w: SlidingWindowCounter | undefined,
  limit: number | undefined,
  windowUs: number,
): SlidingWindowCounter | undefined {
  if (limit === undefined) return undefined;
  if (w === undefined) return new SlidingWindowCounter(limit, windowUs);
  return w.limit === limit ? w : w.resized(limit);
}
