import { type MessageBus, Topic, type Unsubscribe } from "../bus/index.ts";
import {
  type Clock,
  Decimal,
  DesError,
  ErrorCode,
  type InstrumentId,
  type StrategyId,
  toError,
} from "../core/index.ts";
import type { Bar, Instrument, PositionChanged, ProtectionTrigger, TradeTick } from "../model/index.ts";

/** A PnL limit: an amount of the strategy's quote asset, and whether reaching it flattens the position. */
export interface PnlLimit {
  readonly amount: Decimal;
  readonly flatten: boolean;
}

/** The PnL limits of one strategy (the strategies file's `profitTarget` and `maxLoss`). */
export interface PnlTargets {
  /** The strategy's instrument: its quote asset is the asset the PnL is counted in. */
  readonly instrument: InstrumentId;
  readonly profitTarget?: PnlLimit | undefined;
  readonly maxLoss?: PnlLimit | undefined;
}

/** What the watcher reads of a strategy's position (the Portfolio fits it). */
export interface StrategyPositionReader {
  positionView(
    strategyId: StrategyId,
    instrumentId: InstrumentId,
  ): {
    readonly quantity: Decimal;
    readonly costBasis: Decimal;
    readonly realizedPnl: Decimal;
    readonly unrealizedPnl: Decimal;
  };
}

/** What the watcher does to a strategy (the StrategyEngine fits it). */
export interface StrategyStopper {
  stop(id: StrategyId, reason: string): Promise<void>;
  panic(id: StrategyId): Promise<void>;
}

/** Where the watcher writes what it did (a pino logger fits it). */
export interface WatcherLog {
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

/** How a watcher is set up. */
export interface ProfitTargetWatcherConfig {
  readonly bus: MessageBus;
  readonly clock: Clock;
  readonly portfolio: StrategyPositionReader;
  readonly strategies: StrategyStopper;
  readonly instrument: (id: InstrumentId) => Instrument | undefined;
  readonly log?: WatcherLog | undefined;
}

/** Counters of the watcher. */
export interface ProfitTargetStats {
  readonly watched: number;
  readonly profitTargetsReached: number;
  readonly maxLossesReached: number;
  /** PnL computations (one per position change and per price of an instrument a watched strategy holds). */
  readonly evaluations: number;
  /** stop / panic calls that failed (logged). */
  readonly actionFailures: number;
}

interface Watched {
  readonly strategyId: StrategyId;
  readonly targets: PnlTargets;
  readonly quoteAsset: string;
  /** Instruments in the quote asset the strategy ever traded. */
  readonly instruments: Set<InstrumentId>;
  done: boolean;
}

/**
 * Stops a strategy once its total PnL reaches its profit target (or falls to its max loss): realized
 * plus unrealized PnL of its positions in its instrument's quote asset, net of the fees the portfolio
 * books (quote and base asset), since DES started. It evaluates on each of the strategy's position
 * changes and on each trade or closed bar of an instrument it holds, and acts once: stop (reason
 * "profit target reached" / "max loss reached"), or panic (cancel and flatten, then stop) when the
 * limit says flatten. Each is published as a ProtectionEvent and logged. watch() again re-arms.
 */
export class ProfitTargetWatcher {
  readonly #bus: MessageBus;
  readonly #clock: Clock;
  readonly #portfolio: StrategyPositionReader;
  readonly #strategies: StrategyStopper;
  readonly #instrument: (id: InstrumentId) => Instrument | undefined;
  readonly #log: WatcherLog | undefined;
  readonly #watched = new Map<StrategyId, Watched>();
  /** Per instrument, the watched strategies with an open position in it: the only ones a price can move. */
  readonly #holders = new Map<InstrumentId, Set<Watched>>();
  #unsubscribers: Unsubscribe[] = [];
  readonly #stats = { profitTargetsReached: 0, maxLossesReached: 0, evaluations: 0, actionFailures: 0 };

  constructor(config: ProfitTargetWatcherConfig) {
    this.#bus = config.bus;
    this.#clock = config.clock;
    this.#portfolio = config.portfolio;
    this.#strategies = config.strategies;
    this.#instrument = config.instrument;
    this.#log = config.log;
  }

  /** Subscribes to position changes, trades and closed bars. */
  start(): void {
    if (this.#unsubscribers.length > 0) return;
    this.#unsubscribers = [
      this.#bus.subscribe(Topic.PositionChanged, (c) => this.#onPositionChanged(c), "profit-target.position"),
      this.#bus.subscribe(
        Topic.Trade,
        (t: TradeTick) => this.#onPrice(t.instrumentId, t.price),
        "profit-target.trade",
      ),
      this.#bus.subscribe(
        Topic.Bar,
        (b: Bar) => {
          if (b.closed) this.#onPrice(b.instrumentId, b.close);
        },
        "profit-target.bar",
      ),
    ];
  }

  /** Unsubscribes from the bus. */
  stop(): void {
    for (const unsubscribe of this.#unsubscribers) unsubscribe();
    this.#unsubscribers = [];
  }

  /**
   * Watches a strategy's PnL (replacing and re-arming an earlier watch). Throws DES_ERR_UNKNOWN_INSTRUMENT
   * for an instrument without a quote asset, DES_ERR_INVALID_CONFIG for a limit that is not a positive amount.
   */
  watch(strategyId: StrategyId, targets: PnlTargets): void {
    for (const key of ["profitTarget", "maxLoss"] as const) {
      const limit = targets[key];
      if (limit !== undefined && !(limit.amount instanceof Decimal && limit.amount.isPositive())) {
        throw new DesError(
          ErrorCode.InvalidConfig,
          `strategy ${strategyId}: ${key}.amount must be a positive decimal, got ${String(limit.amount)}`,
          { key: `${key}.amount`, strategyId },
        );
      }
    }
    const instrument = this.#instrument(targets.instrument);
    if (instrument === undefined) {
      throw new DesError(
        ErrorCode.UnknownInstrument,
        `strategy ${strategyId}: instrument ${targets.instrument} is unknown, so its PnL asset is too`,
        { strategyId, instrumentId: targets.instrument },
      );
    }
    this.unwatch(strategyId);
    this.#watched.set(strategyId, {
      strategyId,
      targets,
      quoteAsset: instrument.quoteAsset,
      instruments: new Set([targets.instrument]),
      done: false,
    });
  }

  /** Stops watching a strategy; returns false when it was not watched. */
  unwatch(strategyId: StrategyId): boolean {
    const w = this.#watched.get(strategyId);
    if (w === undefined) return false;
    this.#watched.delete(strategyId);
    for (const holders of this.#holders.values()) holders.delete(w);
    return true;
  }

  /** Returns the strategy's total PnL in its quote asset as the watcher counts it, or undefined when not watched. */
  pnl(strategyId: StrategyId): Decimal | undefined {
    const w = this.#watched.get(strategyId);
    return w === undefined ? undefined : this.#total(w, undefined, undefined);
  }

  /** Returns a copy of the counters. */
  stats(): ProfitTargetStats {
    return { ...this.#stats, watched: this.#watched.size };
  }

  #onPositionChanged(c: PositionChanged): void {
    const w = this.#watched.get(c.strategyId);
    if (w === undefined || w.done) return;
    if (this.#instrument(c.instrumentId)?.quoteAsset !== w.quoteAsset) return;
    w.instruments.add(c.instrumentId);
    let holders = this.#holders.get(c.instrumentId);
    if (holders === undefined) {
      holders = new Set();
      this.#holders.set(c.instrumentId, holders);
    }
    if (c.quantity.isZero()) holders.delete(w);
    else holders.add(w);
    this.#evaluate(w, undefined, undefined);
  }

  #onPrice(instrumentId: InstrumentId, price: Decimal): void {
    const holders = this.#holders.get(instrumentId);
    if (holders === undefined || holders.size === 0) return;
    for (const w of holders) if (!w.done) this.#evaluate(w, instrumentId, price);
  }

  /** Returns realized + unrealized PnL; the instrument of a fresh price is marked at it (the portfolio may not have it yet). */
  #total(w: Watched, pricedInstrument: InstrumentId | undefined, price: Decimal | undefined): Decimal {
    let total = Decimal.ZERO;
    for (const instrumentId of w.instruments) {
      const view = this.#portfolio.positionView(w.strategyId, instrumentId);
      total = total.add(view.realizedPnl);
      if (view.quantity.isZero()) continue;
      total = total.add(
        instrumentId === pricedInstrument && price !== undefined
          ? view.quantity.mul(price).sub(view.costBasis)
          : view.unrealizedPnl,
      );
    }
    return total;
  }

  #evaluate(w: Watched, pricedInstrument: InstrumentId | undefined, price: Decimal | undefined): void {
    this.#stats.evaluations++;
    const total = this.#total(w, pricedInstrument, price);
    const { profitTarget, maxLoss } = w.targets;
    if (profitTarget !== undefined && total.gte(profitTarget.amount)) {
      this.#reached(w, "profitTarget", profitTarget, total);
    } else if (maxLoss !== undefined && total.lte(maxLoss.amount.neg())) {
      this.#reached(w, "maxLoss", maxLoss, total);
    }
  }

  #reached(
    w: Watched,
    trigger: Extract<ProtectionTrigger, "profitTarget" | "maxLoss">,
    limit: PnlLimit,
    total: Decimal,
  ): void {
    w.done = true;
    for (const holders of this.#holders.values()) holders.delete(w);
    if (trigger === "profitTarget") this.#stats.profitTargetsReached++;
    else this.#stats.maxLossesReached++;
    const reason = trigger === "profitTarget" ? "profit target reached" : "max loss reached";
    const limitText = trigger === "profitTarget" ? `${limit.amount}` : `-${limit.amount}`;
    const detail = `${reason}: PnL ${total} ${w.quoteAsset} (limit ${limitText}); ${limit.flatten ? "flattening and stopping" : "stopping"}`;
    this.#bus.publish(Topic.Protection, {
      kind: "ProtectionEvent",
      action: "triggered",
      strategyId: w.strategyId,
      instrumentId: w.targets.instrument,
      trigger,
      level: trigger === "profitTarget" ? limit.amount : limit.amount.neg(),
      observed: total,
      detail,
      ts: this.#clock.now(),
    });
    this.#log?.warn(
      { strategyId: w.strategyId, pnl: total.toString(), asset: w.quoteAsset, trigger },
      detail,
    );
    let action: Promise<void>;
    try {
      action = limit.flatten
        ? this.#strategies.panic(w.strategyId)
        : this.#strategies.stop(w.strategyId, reason);
    } catch (thrown) {
      action = Promise.reject(thrown);
    }
    action.catch((thrown: unknown) => {
      this.#stats.actionFailures++;
      this.#log?.error(
        { strategyId: w.strategyId, err: toError(thrown).message },
        `${reason}, but stopping the strategy failed`,
      );
    });
  }
}

/** The parts of the app the watcher is installed on (DesApp fits it). */
export interface ProfitTargetAppParts {
  readonly bus: MessageBus;
  readonly clock: Clock;
  readonly portfolio: StrategyPositionReader;
  readonly strategies: StrategyStopper & {
    ids(): StrategyId[];
    config(id: StrategyId): {
      readonly instrument: InstrumentId;
      readonly profitTarget?: PnlLimit | undefined;
      readonly maxLoss?: PnlLimit | undefined;
    };
  };
  readonly marketSource: { readonly instruments: ReadonlyMap<InstrumentId, Instrument> };
  readonly log: WatcherLog;
}

/**
 * Builds and starts a watcher over the app's parts and watches every configured strategy that has a
 * profitTarget or maxLoss; a strategy it cannot watch is logged and skipped. Returns the watcher.
 */
export function installProfitTargetWatcher(app: ProfitTargetAppParts): ProfitTargetWatcher {
  const watcher = new ProfitTargetWatcher({
    bus: app.bus,
    clock: app.clock,
    portfolio: app.portfolio,
    strategies: app.strategies,
    instrument: (id) => app.marketSource.instruments.get(id),
    log: app.log,
  });
  for (const id of app.strategies.ids()) {
    const config = app.strategies.config(id);
    if (config.profitTarget === undefined && config.maxLoss === undefined) continue;
    try {
      watcher.watch(id, {
        instrument: config.instrument,
        profitTarget: config.profitTarget,
        maxLoss: config.maxLoss,
      });
    } catch (thrown) {
      app.log.error({ strategyId: id, err: toError(thrown).message }, "profit target not watched");
    }
  }
  watcher.start();
  return watcher;
}
