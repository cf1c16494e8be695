import { availableParallelism } from "node:os";
import { type MessageBus, Topic, type Unsubscribe } from "../bus/index.ts";
import {
  type ClientOrderId,
  ClientOrderIdGenerator,
  type Clock,
  Decimal,
  DesError,
  ErrorCode,
  type InstrumentId,
  type StrategyId,
  type TimerId,
  toError,
  type UnixMicros,
} from "../core/index.ts";
import {
  BAR_INTERVALS,
  type Bar,
  type BarInterval,
  type CancelOrder,
  type OrderEvent,
  type PositionChanged,
  type QuoteTick,
  type StrategyStatus,
  type SubmitOrder,
  type TradeTick,
} from "../model/index.ts";
import { BoundedQueue } from "./bounded-queue.ts";
import { type ContextHost, InstanceContext } from "./instance-context.ts";
import { MemoryStrategyStateStore } from "./memory-strategy-state-store.ts";
import type { OrderRequest, SignalRequest, StrategySubscriptions } from "./strategy.ts";
import { type MailboxItem, type StartItem, StrategyInstance } from "./strategy-instance.ts";
import { parseStrategyInstanceConfig, type StrategyInstanceConfig } from "./strategy-instance-config.ts";
import { parseStrategyParams } from "./strategy-params.ts";
import type {
  InstrumentReader,
  OpenOrdersReader,
  PositionReader,
  StrategyStateStore,
  WarmupSource,
} from "./strategy-ports.ts";
import type { StrategyRegistry } from "./strategy-registry.ts";
import { WorkerStrategyProxy } from "./worker/worker-strategy-proxy.ts";

/** Everything the engine is built from; only bus, clock and registry are required. */
export interface StrategyEngineOptions {
  readonly bus: MessageBus;
  readonly clock: Clock;
  readonly registry: StrategyRegistry;
  /** Positions per strategy (default: always flat). */
  readonly positions?: PositionReader;
  /** Open orders per strategy (default: none; panic then cancels the orders the engine sent). */
  readonly openOrders?: OpenOrdersReader;
  readonly instruments?: InstrumentReader;
  /** Where state snapshots go (default: a MemoryStrategyStateStore). */
  readonly stateStore?: StrategyStateStore;
  /** Historical bars for warm-up (default: none, warm-up is skipped). */
  readonly warmup?: WarmupSource;
  /** Client order ids (default: a generator on the engine's clock with prefix "des"). */
  readonly orderIds?: ClientOrderIdGenerator;
  /** Most strategy hooks in flight at once (default max(4, 2 x availableParallelism)). */
  readonly maxConcurrency?: number;
  /** Most events waiting per strategy before it is paused with StrategyBacklogFull (default 10,000). */
  readonly mailboxCapacity?: number;
  /** Default time budget of one hook call (default 1000 ms); instances may set their own. */
  readonly timeBudgetMs?: number;
  /**
   * How long after markStateChanged the snapshot is taken (default 1000 ms, engine clock): changes
   * within that time are saved together, off the event path.
   */
  readonly stateSaveDelayMs?: number;
  /**
   * How often running strategies that handled events are snapshotted even without
   * markStateChanged (default 60,000 ms; 0: never).
   */
  readonly stateSaveIntervalMs?: number;
  /** Longest a strategy worker may take to load its module (default 10,000 ms, wall clock). */
  readonly workerBootTimeoutMs?: number;
  /** Receives each handled event's processing time, in microseconds (performance.now()). */
  readonly onLatency?: (strategyId: StrategyId, micros: number) => void;
  /** Receives the time from an event's receivedAt to the signal it caused, in microseconds. */
  readonly onTickToSignal?: (micros: number) => void;
  /** Receives state-store failures (the strategy keeps running; the failure is counted). */
  readonly onStoreError?: (strategyId: StrategyId, error: Error) => void;
}

/** Counters of one strategy instance. */
export interface StrategyInstanceStats {
  readonly strategyId: StrategyId;
  readonly strategy: string;
  readonly status: StrategyStatus;
  /** Events and lifecycle hooks handled without error. */
  readonly eventsProcessed: number;
  readonly errors: number;
  /** Events dropped from the mailbox when the strategy was paused, failed or stopped. */
  readonly droppedEvents: number;
  /** Events that reached the strategy while it was not running, and duplicate bars. */
  readonly skippedEvents: number;
  readonly signals: number;
  /** BUY/SELL signals without a positive quantity: recorded, no order. */
  readonly signalsWithoutOrder: number;
  readonly orders: number;
  /** Signals and orders made during warm-up (ignored). */
  readonly warmupIgnored: number;
  /** Actions made while paused or stopped, or by an abandoned hook (ignored). */
  readonly lateActions: number;
  readonly inFlight: number;
  readonly mailboxDepth: number;
  readonly stateSaveErrors: number;
  readonly lastError: string | undefined;
}

/** Counters of the engine and of every instance. */
export interface StrategyEngineStats {
  readonly maxConcurrency: number;
  readonly permitsInUse: number;
  readonly maxPermitsInUse: number;
  readonly readyQueueDepth: number;
  /** Open (not closed) bars seen and ignored. */
  readonly openBarsIgnored: number;
  readonly strategies: readonly StrategyInstanceStats[];
}

/** What startAll reports for an instance that did not start. */
export interface StartFailure {
  readonly strategyId: StrategyId;
  readonly error: Error;
}

const START_ITEM: StartItem = { kind: "start" };
const DEFAULT_MAILBOX_CAPACITY = 10_000;
const DEFAULT_TIME_BUDGET_MS = 1000;
const DEFAULT_STATE_SAVE_INTERVAL_MS = 60_000;
const DEFAULT_STATE_SAVE_DELAY_MS = 1000;
const DEFAULT_WORKER_BOOT_TIMEOUT_MS = 10_000;
const MAX_WARMUP_BARS = 100_000;

/** Returns the default bound on hooks in flight: max(4, 2 x availableParallelism()). */
export function defaultMaxConcurrency(): number {
  return Math.max(4, 2 * availableParallelism());
}

/**
 * Runs strategy instances: routes market data and fills from the bus to the instances subscribed to
 * them and turns their signals and orders into commands on the bus.
 *
 * - Routing: instances are indexed by instrument and interval, so an event costs O(subscribers).
 *   A strategy on interval X receives only closed bars of X.
 * - Ordering: each instance has a mailbox and handles one event at a time, in arrival order.
 * - Bounded concurrency: a hook runs only with one of `maxConcurrency` permits. A synchronous hook
 *   gives its permit back as soon as it returns (no promise, no allocation); an async one holds it
 *   until it settles. Without a free permit the instance waits in a FIFO ready queue (at most one
 *   entry per instance), so work never grows to one task per strategy per tick.
 * - Mailbox bound: when an instance's mailbox holds `mailboxCapacity` events, the next one pauses it
 *   with a StrategyError (DES_ERR_STRATEGY_BACKLOG_FULL); its waiting events are dropped and counted.
 * - Isolation: a hook that throws, rejects, overruns its time budget (sync: measured on the clock
 *   after it returns; async: a timer on the clock) or never settles pauses only its own instance,
 *   with a StrategyError on the bus; its waiting events are dropped and counted and its permit is
 *   freed. A hung async hook is abandoned: its context goes stale, so whatever it does later is
 *   ignored and counted. A worker-mode instance that hangs has its worker terminated.
 */
export class StrategyEngine {
  readonly #bus: MessageBus;
  readonly #clock: Clock;
  readonly #registry: StrategyRegistry;
  readonly #positions: PositionReader | undefined;
  readonly #openOrders: OpenOrdersReader | undefined;
  readonly #instruments: InstrumentReader | undefined;
  readonly #store: StrategyStateStore;
  readonly #warmup: WarmupSource | undefined;
  readonly #orderIds: ClientOrderIdGenerator;
  readonly #max: number;
  readonly #mailboxCapacity: number;
  readonly #budgetMs: number;
  readonly #workerBootTimeoutMs: number;
  readonly #saveDelayMs: number;
  readonly #onLatency: ((strategyId: StrategyId, micros: number) => void) | undefined;
  readonly #onTickToSignal: ((micros: number) => void) | undefined;
  readonly #onStoreError: ((strategyId: StrategyId, error: Error) => void) | undefined;

  readonly #instances = new Map<StrategyId, StrategyInstance>();
  readonly #barIndex = new Map<InstrumentId, Map<BarInterval, readonly StrategyInstance[]>>();
  readonly #tradeIndex = new Map<InstrumentId, readonly StrategyInstance[]>();
  readonly #quoteIndex = new Map<InstrumentId, readonly StrategyInstance[]>();
  readonly #ready = new BoundedQueue<StrategyInstance>(Number.POSITIVE_INFINITY);
  readonly #unsubscribes: Unsubscribe[] = [];
  readonly #saveTimer: TimerId | undefined;
  readonly #host: ContextHost;
  #inUse = 0;
  #maxInUse = 0;
  #draining = false;
  #openBarsIgnored = 0;
  #closed = false;
  #dirty: StrategyInstance[] = [];
  #flushTimer: TimerId | undefined;
  /** Routing loops in progress: while > 0, index lists are replaced (copy-on-write), not mutated. */
  #routing = 0;

  constructor(options: StrategyEngineOptions) {
    this.#bus = options.bus;
    this.#clock = options.clock;
    this.#registry = options.registry;
    this.#positions = options.positions;
    this.#openOrders = options.openOrders;
    this.#instruments = options.instruments;
    this.#store = options.stateStore ?? new MemoryStrategyStateStore();
    this.#warmup = options.warmup;
    this.#orderIds = options.orderIds ?? new ClientOrderIdGenerator(options.clock);
    this.#max = positiveInt("maxConcurrency", options.maxConcurrency, defaultMaxConcurrency());
    this.#mailboxCapacity = positiveInt("mailboxCapacity", options.mailboxCapacity, DEFAULT_MAILBOX_CAPACITY);
    this.#budgetMs = positiveInt("timeBudgetMs", options.timeBudgetMs, DEFAULT_TIME_BUDGET_MS);
    this.#workerBootTimeoutMs = positiveInt(
      "workerBootTimeoutMs",
      options.workerBootTimeoutMs,
      DEFAULT_WORKER_BOOT_TIMEOUT_MS,
    );
    this.#saveDelayMs = nonNegative("stateSaveDelayMs", options.stateSaveDelayMs, DEFAULT_STATE_SAVE_DELAY_MS);
    this.#onLatency = options.onLatency;
    this.#onTickToSignal = options.onTickToSignal;
    this.#onStoreError = options.onStoreError;
    this.#host = this.#makeHost();

    const bus = this.#bus;
    this.#unsubscribes.push(
      bus.subscribe(Topic.Bar, this.#onBar, "strategy-engine"),
      bus.subscribe(Topic.Trade, this.#onTrade, "strategy-engine"),
      bus.subscribe(Topic.Quote, this.#onQuote, "strategy-engine"),
      bus.subscribe(Topic.OrderEvent, this.#onOrderEvent, "strategy-engine"),
      bus.subscribe(Topic.PositionChanged, this.#onPositionChanged, "strategy-engine"),
    );
    const interval = nonNegative(
      "stateSaveIntervalMs",
      options.stateSaveIntervalMs,
      DEFAULT_STATE_SAVE_INTERVAL_MS,
    );
    this.#saveTimer = interval > 0 ? this.#clock.setInterval(() => this.#saveAll(), interval) : undefined;
  }

  /** Returns the bound on hooks in flight. */
  get maxConcurrency(): number {
    return this.#max;
  }

  // ---------------------------------------------------------------- configuration

  /**
   * Creates an instance from its configuration entry (status CREATED); returns its id.
   * Throws DES_ERR_INVALID_CONFIG, DES_ERR_UNKNOWN_STRATEGY or DES_ERR_INVALID_STRATEGY_PARAMS.
   */
  add(rawConfig: unknown): StrategyId {
    this.#checkOpen();
    const config = parseStrategyInstanceConfig(rawConfig);
    if (this.#instances.has(config.id)) {
      throw new DesError(ErrorCode.InvalidConfig, `strategy instance "${config.id}" already exists`, {
        id: config.id,
      });
    }
    const entry = this.#registry.resolve(config.strategy);
    const definition = entry.definition;
    const params = parseStrategyParams(definition.params, config.params, config.id);
    const subscriptions = checkSubscriptions(config, definition.subscriptions(params, config.interval));
    let proxy: WorkerStrategyProxy | undefined;
    let strategy: StrategyInstance["strategy"];
    if (config.mode === "worker") {
      const ref = entry.workerModule;
      if (ref === undefined) {
        throw new DesError(
          ErrorCode.InvalidConfig,
          `strategy instance "${config.id}": mode "worker" needs a workerModule for "${config.strategy}" in the registry`,
          { id: config.id, key: "mode", value: "worker", strategy: config.strategy },
        );
      }
      proxy = new WorkerStrategyProxy({
        ref,
        strategyId: config.id,
        instrumentId: config.instrument,
        rawParams: config.params,
        instrument: this.#instruments?.instrument(config.instrument),
        nextOrderIdBase: () => this.#orderIds.next(),
        onFault: (err) => this.#onWorkerFault(config.id, err),
        bootTimeoutMs: this.#workerBootTimeoutMs,
      });
    } else {
      try {
        strategy = definition.create(params);
      } catch (thrown) {
        const err = toError(thrown);
        throw new DesError(
          ErrorCode.StrategyFailed,
          `strategy instance "${config.id}": ${config.strategy}.create failed: ${err.message}`,
          { id: config.id, strategy: config.strategy },
          { cause: err },
        );
      }
    }
    const inst = new StrategyInstance({
      config,
      definition,
      subscriptions,
      params,
      strategy,
      proxy,
      budgetMs: config.timeBudgetMs ?? this.#budgetMs,
      mailboxCapacity: this.#mailboxCapacity,
    });
    inst.ctx = new InstanceContext(inst, inst.generation, this.#clock, this.#host);
    this.#instances.set(inst.id, inst);
    return inst.id;
  }

  /** Removes a stopped (or never started) instance. */
  remove(id: StrategyId): void {
    const inst = this.#get(id);
    if (inst.phase !== "STOPPED" && inst.phase !== "CREATED" && inst.phase !== "FAILED") {
      throw new DesError(ErrorCode.StrategyNotRunning, `cannot remove "${id}" while it is ${inst.phase}`, {
        id,
        status: inst.phase,
      });
    }
    this.#instances.delete(id);
  }

  /** Returns the ids of every instance, in the order they were added. */
  ids(): StrategyId[] {
    return [...this.#instances.keys()];
  }

  /** Returns an instance's configuration. */
  config(id: StrategyId): StrategyInstanceConfig {
    return this.#get(id).config;
  }

  /** Returns an instance's current (validated) parameters. */
  params(id: StrategyId): unknown {
    return this.#get(id).params;
  }

  /** Returns an instance's status. */
  status(id: StrategyId): StrategyStatus {
    return this.#get(id).status;
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Starts an instance: boots its worker (worker mode), restores its saved state, delivers its
   * warm-up bars (isWarmingUp true), calls onStart, then delivers live events. Live events that
   * arrive meanwhile are buffered. Resolves once it is RUNNING (warm-up continues in the mailbox).
   */
  start(id: StrategyId): Promise<void> {
    this.#checkOpen();
    const inst = this.#get(id);
    if (inst.phase === "RUNNING" || inst.phase === "PAUSED") return Promise.resolve();
    if (inst.phase === "STARTING" && inst.starting !== undefined) return inst.starting;
    if (inst.phase === "STOPPING") {
      return Promise.reject(
        new DesError(ErrorCode.StrategyNotRunning, `cannot start "${id}" while it is stopping`, { id }),
      );
    }
    inst.starting = this.#start(inst).finally(() => {
      inst.starting = undefined;
    });
    return inst.starting;
  }

  /** Starts every enabled instance that is not running; returns those that failed to start. */
  async startAll(): Promise<StartFailure[]> {
    const ids = [...this.#instances.values()].filter((i) => i.config.enabled).map((i) => i.id);
    const results = await Promise.allSettled(ids.map((id) => this.start(id)));
    const failures: StartFailure[] = [];
    results.forEach((r, i) => {
      if (r.status === "rejected") failures.push({ strategyId: ids[i]!, error: toError(r.reason) });
    });
    return failures;
  }

  /** Pauses a running instance: its waiting events are dropped (counted) and new ones skipped. */
  pause(id: StrategyId, reason = "paused by operator"): void {
    const inst = this.#get(id);
    if (inst.phase !== "RUNNING") {
      throw new DesError(ErrorCode.StrategyNotRunning, `cannot pause "${id}": it is ${inst.phase}`, {
        id,
        status: inst.phase,
      });
    }
    this.#dropMailbox(inst);
    inst.phase = "PAUSED";
    inst.pausedByFailure = false;
    this.#setStatus(inst, "PAUSED", reason);
  }

  /**
   * Resumes a paused instance. A worker-mode instance whose worker was terminated gets a fresh
   * worker, restored with the last saved state.
   */
  async resume(id: StrategyId): Promise<void> {
    const inst = this.#get(id);
    if (inst.phase !== "PAUSED") {
      throw new DesError(ErrorCode.StrategyNotRunning, `cannot resume "${id}": it is ${inst.phase}`, {
        id,
        status: inst.phase,
      });
    }
    const proxy = inst.proxy;
    if (proxy !== undefined && !proxy.alive) {
      try {
        const strategy = await proxy.start();
        const state = inst.lastState !== undefined ? inst.lastState : await this.#store.load(id);
        if (state !== undefined) strategy.setState?.(state);
        inst.strategy = strategy;
      } catch (thrown) {
        proxy.terminate();
        const err = toError(thrown);
        this.#publishError(inst, ErrorCode.StrategyFailed, err, 0);
        throw err;
      }
      if (inst.phase !== "PAUSED") return;
    }
    this.#renewContext(inst);
    inst.phase = "RUNNING";
    inst.pausedByFailure = false;
    this.#setStatus(inst, "RUNNING", "resumed");
    this.#pump(inst);
    this.#drainReady();
  }

  /**
   * Stops an instance: drops its waiting events, waits for its running hook, calls onStop, saves
   * its state and (worker mode) ends its worker.
   */
  stop(id: StrategyId, reason = "stopped"): Promise<void> {
    const inst = this.#get(id);
    if (inst.phase === "STOPPED" || inst.phase === "CREATED" || inst.phase === "FAILED") {
      return Promise.resolve();
    }
    if (inst.stopping !== undefined) return inst.stopping;
    inst.stopping = this.#stop(inst, reason).finally(() => {
      inst.stopping = undefined;
    });
    return inst.stopping;
  }

  /**
   * Panics an instance: ignores anything it does from now on, sends a cancel for each of its open
   * orders and a reduce-only market order that flattens each of its positions (through the normal
   * command topics), then stops it.
   */
  async panic(id: StrategyId): Promise<void> {
    const inst = this.#get(id);
    inst.panicking = true;
    this.#dropMailbox(inst);
    this.#unindex(inst);
    const now = this.#clock.now();
    const instruments = new Set<InstrumentId>([inst.config.instrument, ...inst.tradedInstruments]);
    for (const instrumentId of instruments) {
      const open: readonly { clientOrderId: ClientOrderId }[] =
        this.#openOrders !== undefined
          ? this.#openOrders.openOrders(id, instrumentId)
          : [...inst.orderInstruments]
              .filter(([, i]) => i === instrumentId)
              .map(([clientOrderId]) => ({ clientOrderId }));
      for (const o of open) {
        const cancel: CancelOrder = {
          kind: "CancelOrder",
          clientOrderId: o.clientOrderId,
          strategyId: id,
          instrumentId,
          createdAt: now,
        };
        this.#bus.publish(Topic.CancelOrder, cancel);
      }
      const position = this.#positions?.position(id, instrumentId) ?? Decimal.ZERO;
      if (!position.isZero()) {
        const clientOrderId = this.#orderIds.next();
        const flatten: SubmitOrder = {
          kind: "SubmitOrder",
          clientOrderId,
          strategyId: id,
          instrumentId,
          side: position.isPositive() ? "SELL" : "BUY",
          type: "MARKET",
          quantity: position.abs(),
          reduceOnly: true,
          createdAt: now,
        };
        inst.orders++;
        inst.trackOrder(clientOrderId, instrumentId);
        this.#bus.publish(Topic.SubmitOrder, flatten);
      }
    }
    if (inst.phase === "CREATED" || inst.phase === "FAILED" || inst.phase === "STOPPED") {
      inst.panicking = false;
      return;
    }
    await this.stop(id, "panic");
    inst.panicking = false;
  }

  /**
   * Validates new parameters with the definition's schema and applies them with updateParams
   * (after the running hook, if any). Invalid parameters throw DES_ERR_INVALID_STRATEGY_PARAMS and
   * the old ones stay. Subscriptions are fixed at creation: changing them needs a new instance.
   */
  updateParams(id: StrategyId, rawParams: unknown): void {
    const inst = this.#get(id);
    const parsed = parseStrategyParams(inst.definition.params, rawParams, id);
    const strategy = inst.strategy;
    const canUpdate =
      inst.proxy !== undefined && strategy === undefined ? true : typeof strategy?.updateParams === "function";
    if (!canUpdate) {
      throw new DesError(
        ErrorCode.InvalidStrategyParams,
        `strategy instance "${id}" (${inst.config.strategy}) has no updateParams hook: its parameters cannot change while it exists`,
        { id, strategy: inst.config.strategy },
      );
    }
    if (inst.busy) {
      inst.pendingParams = { parsed, raw: rawParams };
      return;
    }
    this.#applyParams(inst, parsed, rawParams);
  }

  /** Stops every instance, ends workers and timers and leaves the bus. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await Promise.allSettled([...this.#instances.keys()].map((id) => this.stop(id, "engine closed")));
    this.#closed = true;
    if (this.#saveTimer !== undefined) this.#clock.clearTimer(this.#saveTimer);
    if (this.#flushTimer !== undefined) this.#clock.clearTimer(this.#flushTimer);
    this.#flushTimer = undefined;
    for (const u of this.#unsubscribes) u();
    for (const inst of this.#instances.values()) inst.proxy?.terminate();
    await Promise.allSettled([...this.#instances.values()].map((i) => this.#saveIdle(i)));
  }

  // ---------------------------------------------------------------- stats

  /** Returns the engine's counters and every instance's. */
  stats(): StrategyEngineStats {
    return {
      maxConcurrency: this.#max,
      permitsInUse: this.#inUse,
      maxPermitsInUse: this.#maxInUse,
      readyQueueDepth: this.#ready.length,
      openBarsIgnored: this.#openBarsIgnored,
      strategies: [...this.#instances.values()].map((i) => this.#instanceStats(i)),
    };
  }

  /** Returns one instance's counters. */
  instanceStats(id: StrategyId): StrategyInstanceStats {
    return this.#instanceStats(this.#get(id));
  }

  #instanceStats(i: StrategyInstance): StrategyInstanceStats {
    return {
      strategyId: i.id,
      strategy: i.config.strategy,
      status: i.status,
      eventsProcessed: i.processed,
      errors: i.errors,
      droppedEvents: i.dropped,
      skippedEvents: i.skipped,
      signals: i.signals,
      signalsWithoutOrder: i.signalsWithoutOrder,
      orders: i.orders,
      warmupIgnored: i.warmupIgnored,
      lateActions: i.lateActions,
      inFlight: i.busy ? 1 : 0,
      mailboxDepth: i.mailbox.length,
      stateSaveErrors: i.saveErrors,
      lastError: i.lastError,
    };
  }

  // ---------------------------------------------------------------- bus handlers (hot path)

  readonly #onBar = (bar: Bar): void => {
    if (!bar.closed) {
      this.#openBarsIgnored++;
      return;
    }
    const subs = this.#barIndex.get(bar.instrumentId)?.get(bar.interval);
    if (subs === undefined) return;
    this.#routing++;
    for (let i = 0; i < subs.length; i++) this.#deliver(subs[i]!, bar);
    this.#routing--;
  };

  readonly #onTrade = (tick: TradeTick): void => {
    const subs = this.#tradeIndex.get(tick.instrumentId);
    if (subs === undefined) return;
    this.#routing++;
    for (let i = 0; i < subs.length; i++) this.#deliver(subs[i]!, tick);
    this.#routing--;
  };

  readonly #onQuote = (quote: QuoteTick): void => {
    const subs = this.#quoteIndex.get(quote.instrumentId);
    if (subs === undefined) return;
    this.#routing++;
    for (let i = 0; i < subs.length; i++) this.#deliver(subs[i]!, quote);
    this.#routing--;
  };

  readonly #onOrderEvent = (event: OrderEvent): void => {
    const inst = this.#instances.get(event.strategyId);
    if (inst === undefined) return;
    switch (event.kind) {
      case "OrderFilled":
        if (event.orderStatus === "FILLED") inst.orderInstruments.delete(event.clientOrderId);
        if (typeof inst.strategy?.onOrderFilled === "function") this.#deliver(inst, event);
        break;
      case "OrderCanceled":
      case "OrderRejected":
      case "OrderDenied":
      case "OrderExpired":
        inst.orderInstruments.delete(event.clientOrderId);
        break;
      default:
        break;
    }
  };

  readonly #onPositionChanged = (event: PositionChanged): void => {
    const proxy = this.#instances.get(event.strategyId)?.proxy;
    if (proxy !== undefined) proxy.positionChanged(event.instrumentId, event.quantity.toString());
  };

  #deliver(inst: StrategyInstance, item: MailboxItem): void {
    const phase = inst.phase;
    if (phase !== "RUNNING") {
      if (phase === "STARTING") this.#enqueue(inst, item);
      else inst.skipped++;
      return;
    }
    if (!inst.busy && !inst.queued && inst.mailbox.length === 0 && this.#inUse < this.#max) {
      this.#invoke(inst, item);
      // A hook may publish events that come straight back to this instance (outside a bus delivery).
      if (inst.mailbox.length !== 0 && !inst.busy) this.#pump(inst);
      return;
    }
    this.#enqueue(inst, item);
    if (!inst.busy && !inst.queued) this.#pump(inst);
  }

  #enqueue(inst: StrategyInstance, item: MailboxItem): void {
    if (inst.mailbox.push(item)) return;
    if (inst.phase === "STARTING") {
      // Not slow, only not started yet (a long restore): the event is dropped and counted.
      inst.dropped++;
      return;
    }
    const capacity = inst.mailbox.capacity;
    this.#fail(
      inst,
      ErrorCode.StrategyBacklogFull,
      new DesError(
        ErrorCode.StrategyBacklogFull,
        `strategy "${inst.id}" has ${capacity} events waiting (its mailbox is full): paused, waiting events dropped`,
        { strategyId: inst.id, mailboxCapacity: capacity },
      ),
      1,
    );
  }

  /** Runs the instance's waiting events while it may: one at a time, each with a permit. */
  #pump(inst: StrategyInstance): void {
    while (inst.phase === "RUNNING" && !inst.busy && inst.mailbox.length > 0) {
      if (this.#inUse >= this.#max) {
        if (!inst.queued) {
          inst.queued = true;
          this.#ready.pushUnbounded(inst);
        }
        return;
      }
      this.#invoke(inst, inst.mailbox.shift()!);
    }
  }

  /** Hands free permits to waiting instances, oldest first. */
  #drainReady(): void {
    if (this.#draining) return;
    this.#draining = true;
    try {
      while (this.#inUse < this.#max && this.#ready.length > 0) {
        const inst = this.#ready.shift()!;
        inst.queued = false;
        this.#pump(inst);
      }
    } finally {
      this.#draining = false;
    }
  }

  /** Calls the hook for one item with a permit; a sync hook releases it before this returns. */
  #invoke(inst: StrategyInstance, item: MailboxItem): void {
    const strategy = inst.strategy!;
    const ctx = inst.ctx;
    inst.warming = false;
    inst.receivedAt = undefined;
    if (item.kind === "start" && strategy.onStart === undefined) return;
    if (item.kind === "bar") {
      if (inst.warmupLeft > 0) {
        inst.warmupLeft--;
        inst.warming = true;
      } else if (item.openTime <= inst.warmupUntil && item.interval === inst.subscriptions.bars[0]) {
        inst.skipped++; // already delivered as a warm-up bar
        return;
      }
    }
    this.#inUse++;
    if (this.#inUse > this.#maxInUse) this.#maxInUse = this.#inUse;
    inst.busy = true;
    const t0 = this.#clock.now();
    const p0 = this.#onLatency === undefined ? 0 : performance.now();
    let result: void | Promise<void>;
    try {
      switch (item.kind) {
        case "bar":
          inst.receivedAt = item.receivedAt;
          result = strategy.onBar?.(item, ctx);
          break;
        case "trade":
          inst.receivedAt = item.receivedAt;
          result = strategy.onTrade?.(item, ctx);
          break;
        case "quote":
          inst.receivedAt = item.receivedAt;
          result = strategy.onQuote?.(item, ctx);
          break;
        case "OrderFilled":
          result = strategy.onOrderFilled?.(item, ctx);
          break;
        case "start":
          result = strategy.onStart?.(ctx);
          break;
      }
    } catch (thrown) {
      inst.busy = false;
      this.#inUse--;
      this.#fail(inst, ErrorCode.StrategyFailed, thrown, 0);
      if (this.#ready.length > 0) this.#drainReady();
      return;
    }
    if (result !== undefined && typeof (result as Promise<void>).then === "function") {
      this.#awaitHook(inst, result as Promise<void>, t0, p0);
      return;
    }
    inst.busy = false;
    this.#inUse--;
    this.#completed(inst, t0, p0, true);
    if (this.#ready.length > 0) this.#drainReady();
  }

  #awaitHook(inst: StrategyInstance, promise: Promise<void>, t0: number, p0: number): void {
    const generation = inst.generation;
    inst.asyncTimer = this.#clock.setTimeout(() => this.#timedOut(inst, generation), inst.budgetMs);
    promise.then(
      () => this.#settled(inst, generation, t0, p0, undefined),
      (reason: unknown) => this.#settled(inst, generation, t0, p0, toError(reason ?? "rejected")),
    );
  }

  #settled(inst: StrategyInstance, generation: number, t0: number, p0: number, err: Error | undefined): void {
    if (inst.generation !== generation || !inst.busy) return; // abandoned: its permit is long free
    if (inst.asyncTimer !== undefined) this.#clock.clearTimer(inst.asyncTimer);
    inst.asyncTimer = undefined;
    inst.busy = false;
    this.#inUse--;
    if (err !== undefined) this.#fail(inst, ErrorCode.StrategyFailed, err, 0);
    else this.#completed(inst, t0, p0, false);
    this.#notifyIdle(inst);
    // Let instances already waiting for a permit go first; then continue with this one's mailbox.
    if (this.#ready.length > 0 && inst.mailbox.length > 0 && inst.phase === "RUNNING" && !inst.queued) {
      inst.queued = true;
      this.#ready.pushUnbounded(inst);
    }
    this.#drainReady();
    this.#pump(inst);
  }

  #timedOut(inst: StrategyInstance, generation: number): void {
    if (inst.generation !== generation || !inst.busy) return;
    inst.asyncTimer = undefined;
    // Abandon the hook: free its permit and make its context stale, so nothing it does later counts.
    inst.busy = false;
    this.#inUse--;
    this.#renewContext(inst);
    inst.proxy?.terminate();
    this.#fail(
      inst,
      ErrorCode.StrategyTimeout,
      new DesError(
        ErrorCode.StrategyTimeout,
        `strategy "${inst.id}": hook did not settle within its ${inst.budgetMs} ms budget`,
        { strategyId: inst.id, timeBudgetMs: inst.budgetMs },
      ),
      0,
    );
    this.#notifyIdle(inst);
    this.#drainReady();
  }

  /** Bookkeeping after a hook succeeded: counters, budget check (sync), latency, state, params. */
  #completed(inst: StrategyInstance, t0: number, p0: number, sync: boolean): void {
    inst.processed++;
    if (p0 !== 0) this.#onLatency!(inst.id, (performance.now() - p0) * 1000);
    if (sync) {
      const elapsedUs = this.#clock.now() - t0;
      if (elapsedUs > inst.budgetUs) {
        this.#fail(
          inst,
          ErrorCode.StrategyTimeout,
          new DesError(
            ErrorCode.StrategyTimeout,
            `strategy "${inst.id}": hook ran ${elapsedUs / 1000} ms, over its ${inst.budgetMs} ms budget`,
            { strategyId: inst.id, timeBudgetMs: inst.budgetMs, elapsedMs: elapsedUs / 1000 },
          ),
          0,
        );
        return;
      }
    }
    if (inst.dirty) this.#markDirty(inst);
    const pending = inst.pendingParams;
    if (pending !== undefined) {
      inst.pendingParams = undefined;
      this.#applyParams(inst, pending.parsed, pending.raw);
    }
  }

  // ---------------------------------------------------------------- failures

  /** Pauses an instance after a failure, drops its waiting events and reports a StrategyError. */
  #fail(inst: StrategyInstance, code: ErrorCode, thrown: unknown, extraDropped: number): void {
    const err = toError(thrown);
    inst.errors++;
    inst.lastError = `${code}: ${err.message}`;
    const dropped = this.#dropMailbox(inst) + extraDropped;
    inst.dropped += extraDropped;
    if (inst.phase === "RUNNING") {
      inst.phase = "PAUSED";
      inst.pausedByFailure = true;
      this.#setStatus(inst, "PAUSED", `${code}: ${err.message}`);
    }
    this.#publishError(inst, code, err, dropped);
  }

  #publishError(inst: StrategyInstance, code: ErrorCode, err: Error, droppedEvents: number): void {
    this.#bus.publish(Topic.StrategyError, {
      kind: "StrategyError",
      strategyId: inst.id,
      code,
      error: err.message,
      stack: err.stack,
      ts: this.#clock.now(),
      droppedEvents,
    });
  }

  #onWorkerFault(id: StrategyId, err: Error): void {
    const inst = this.#instances.get(id);
    // A hook in flight is rejected by the proxy and reported through #settled instead.
    if (inst === undefined || inst.busy) return;
    if (inst.phase === "RUNNING") this.#fail(inst, ErrorCode.StrategyFailed, err, 0);
  }

  /** Empties the mailbox; returns (and counts) how many events it held. */
  #dropMailbox(inst: StrategyInstance): number {
    const n = inst.mailbox.clear();
    inst.warmupLeft = 0;
    inst.dropped += n;
    return n;
  }

  #renewContext(inst: StrategyInstance): void {
    inst.generation++;
    inst.ctx = new InstanceContext(inst, inst.generation, this.#clock, this.#host);
  }

  #setStatus(inst: StrategyInstance, to: StrategyStatus, reason: string): void {
    const from = inst.status;
    if (from === to) return;
    inst.status = to;
    this.#bus.publish(Topic.StrategyStatus, {
      kind: "StrategyStatusChanged",
      strategyId: inst.id,
      from,
      to,
      reason,
      ts: this.#clock.now(),
    });
  }

  // ---------------------------------------------------------------- actions

  #makeHost(): ContextHost {
    return {
      instrument: (id) => this.#instruments?.instrument(id),
      position: (strategyId, id) => this.#positions?.position(strategyId, id) ?? Decimal.ZERO,
      openOrders: (strategyId, id) => this.#openOrders?.openOrders(strategyId, id) ?? [],
      signal: (inst, generation, request) => this.#signal(inst, generation, request),
      submitOrder: (inst, generation, request, clientOrderId) =>
        this.#submitOrder(inst, generation, request, clientOrderId),
      cancelOrder: (inst, generation, clientOrderId) => this.#cancelOrder(inst, generation, clientOrderId),
      markStateChanged: (inst, generation) => {
        if (generation === inst.generation) inst.dirty = true;
        else inst.lateActions++;
      },
    };
  }

  /** Returns false (and counts) when an action must be ignored. */
  #acceptsAction(inst: StrategyInstance, generation: number): boolean {
    if (generation !== inst.generation || inst.panicking || (inst.phase !== "RUNNING" && inst.phase !== "STOPPING")) {
      inst.lateActions++;
      return false;
    }
    if (inst.warming) {
      inst.warmupIgnored++;
      return false;
    }
    return true;
  }

  #signal(inst: StrategyInstance, generation: number, request: SignalRequest): void {
    const action = request?.action;
    if (action !== "BUY" && action !== "SELL" && action !== "HOLD") {
      throw new DesError(
        ErrorCode.StrategyFailed,
        `strategy "${inst.id}": signal action must be BUY, SELL or HOLD, got ${JSON.stringify(action)}`,
        { strategyId: inst.id },
      );
    }
    if (typeof request.instrumentId !== "string") {
      throw new DesError(ErrorCode.StrategyFailed, `strategy "${inst.id}": signal needs an instrumentId`, {
        strategyId: inst.id,
      });
    }
    if (!this.#acceptsAction(inst, generation)) return;
    const now = this.#clock.now();
    inst.signals++;
    this.#bus.publish(Topic.Signal, {
      kind: "Signal",
      strategyId: inst.id,
      instrumentId: request.instrumentId,
      action,
      reason: String(request.reason ?? ""),
      ts: now,
    });
    const receivedAt = inst.receivedAt;
    if (this.#onTickToSignal !== undefined && receivedAt !== undefined) {
      this.#onTickToSignal((performance.timeOrigin + performance.now()) * 1000 - receivedAt);
    }
    if (action === "HOLD") return;
    const quantity = request.quantity;
    if (!(quantity instanceof Decimal) || !quantity.isPositive()) {
      inst.signalsWithoutOrder++;
      return;
    }
    this.#publishOrder(inst, request.instrumentId, action, "MARKET", quantity, undefined, now, undefined);
  }

  #submitOrder(
    inst: StrategyInstance,
    generation: number,
    request: OrderRequest,
    clientOrderId: ClientOrderId | undefined,
  ): ClientOrderId | undefined {
    checkOrderRequest(inst.id, request);
    if (!this.#acceptsAction(inst, generation)) return undefined;
    return this.#publishOrder(
      inst,
      request.instrumentId,
      request.side,
      request.type,
      request.quantity,
      request,
      this.#clock.now(),
      clientOrderId,
    );
  }

  #publishOrder(
    inst: StrategyInstance,
    instrumentId: InstrumentId,
    side: SubmitOrder["side"],
    type: SubmitOrder["type"],
    quantity: Decimal,
    request: OrderRequest | undefined,
    now: UnixMicros,
    givenId: ClientOrderId | undefined,
  ): ClientOrderId {
    const clientOrderId = givenId ?? this.#orderIds.next();
    const command: SubmitOrder = {
      kind: "SubmitOrder",
      clientOrderId,
      strategyId: inst.id,
      instrumentId,
      side,
      type,
      quantity,
      price: request?.price,
      stopPrice: request?.stopPrice,
      timeInForce: request?.timeInForce,
      createdAt: now,
      causedByReceivedAt: inst.receivedAt as UnixMicros | undefined,
    };
    inst.orders++;
    inst.trackOrder(clientOrderId, instrumentId);
    this.#bus.publish(Topic.SubmitOrder, command);
    return clientOrderId;
  }

  #cancelOrder(inst: StrategyInstance, generation: number, clientOrderId: ClientOrderId): void {
    if (typeof clientOrderId !== "string") {
      throw new DesError(ErrorCode.StrategyFailed, `strategy "${inst.id}": cancelOrder needs a client order id`, {
        strategyId: inst.id,
      });
    }
    if (generation !== inst.generation || (inst.phase !== "RUNNING" && inst.phase !== "STOPPING")) {
      inst.lateActions++;
      return;
    }
    if (inst.warming) {
      inst.warmupIgnored++;
      return;
    }
    this.#bus.publish(Topic.CancelOrder, {
      kind: "CancelOrder",
      clientOrderId,
      strategyId: inst.id,
      instrumentId: inst.orderInstruments.get(clientOrderId) ?? inst.config.instrument,
      createdAt: this.#clock.now(),
    });
  }

  #applyParams(inst: StrategyInstance, parsed: unknown, raw: unknown): void {
    const previous = inst.params;
    const previousRaw = inst.rawParams;
    inst.params = parsed;
    inst.rawParams = raw;
    inst.proxy?.setRawParams(raw);
    try {
      inst.strategy?.updateParams?.(parsed);
    } catch (thrown) {
      inst.params = previous;
      inst.rawParams = previousRaw;
      inst.proxy?.setRawParams(previousRaw);
      this.#fail(inst, ErrorCode.StrategyFailed, thrown, 0);
    }
  }

  // ---------------------------------------------------------------- start / stop internals

  async #start(inst: StrategyInstance): Promise<void> {
    const from = inst.phase;
    inst.phase = "STARTING";
    inst.panicking = false;
    this.#dropMailbox(inst);
    try {
      if (inst.proxy !== undefined) inst.strategy = await inst.proxy.start();
      if (inst.phase !== "STARTING") return;
      this.#renewContext(inst);
      const before = this.#clock.now();
      this.#index(inst);
      const saved = await this.#store.load(inst.id);
      if (inst.phase !== "STARTING") return;
      if (saved !== undefined) {
        inst.lastState = saved;
        inst.strategy!.setState?.(saved);
      }
      const bars = await this.#warmupBars(inst, before);
      if (inst.phase !== "STARTING") return;
      const items: MailboxItem[] = [...bars, START_ITEM];
      inst.mailbox.unshiftAll(items);
      inst.warmupLeft = bars.length;
      inst.warmupUntil = bars.length > 0 ? bars[bars.length - 1]!.openTime : Number.NEGATIVE_INFINITY;
    } catch (thrown) {
      const err = toError(thrown);
      this.#unindex(inst);
      inst.proxy?.terminate();
      this.#dropMailbox(inst);
      inst.phase = "FAILED";
      inst.errors++;
      inst.lastError = `${ErrorCode.StrategyFailed}: ${err.message}`;
      this.#setStatus(inst, "FAILED", `start failed: ${err.message}`);
      this.#publishError(inst, ErrorCode.StrategyFailed, err, 0);
      throw new DesError(
        ErrorCode.StrategyFailed,
        `strategy "${inst.id}" failed to start: ${err.message}`,
        { strategyId: inst.id, from },
        { cause: err },
      );
    }
    inst.phase = "RUNNING";
    this.#setStatus(inst, "RUNNING", "started");
    this.#pump(inst);
  }

  async #warmupBars(inst: StrategyInstance, before: UnixMicros): Promise<readonly Bar[]> {
    const n = inst.subscriptions.warmupBars ?? 0;
    const interval = inst.subscriptions.bars[0];
    if (n <= 0 || this.#warmup === undefined || interval === undefined) return [];
    const bars = await this.#warmup.historicalBars(inst.config.instrument, interval, n, before);
    // Only what a live subscriber would have received, oldest first, at most n.
    const usable = bars.filter(
      (b) => b.closed && b.interval === interval && b.instrumentId === inst.config.instrument,
    );
    usable.sort((a, b) => a.openTime - b.openTime);
    return usable.length > n ? usable.slice(usable.length - n) : usable;
  }

  async #stop(inst: StrategyInstance, reason: string): Promise<void> {
    await inst.starting?.catch(() => {});
    if (inst.phase === "STOPPED" || inst.phase === "FAILED" || inst.phase === "CREATED") return;
    const wasPaused = inst.phase === "PAUSED";
    inst.phase = "STOPPING";
    this.#unindex(inst);
    this.#dropMailbox(inst);
    await this.#idle(inst);
    const proxyDead = inst.proxy !== undefined && !inst.proxy.alive;
    if (!proxyDead) await this.#runStopHook(inst);
    await this.#saveIdle(inst);
    if (!proxyDead && !(wasPaused && inst.pausedByFailure)) this.#snapshot(inst);
    await this.#saveIdle(inst);
    inst.proxy?.terminate();
    inst.phase = "STOPPED";
    this.#setStatus(inst, "STOPPED", reason);
  }

  /** Calls onStop with the time budget; a failure is reported but the stop goes on. */
  async #runStopHook(inst: StrategyInstance): Promise<void> {
    const hook = inst.strategy?.onStop;
    if (hook === undefined) return;
    inst.receivedAt = undefined;
    let timer: TimerId | undefined;
    try {
      const result = hook.call(inst.strategy, inst.ctx);
      if (result !== undefined && typeof (result as Promise<void>).then === "function") {
        const timeout = new Promise<never>((_, reject) => {
          timer = this.#clock.setTimeout(
            () =>
              reject(
                new DesError(
                  ErrorCode.StrategyTimeout,
                  `strategy "${inst.id}": onStop did not settle within its ${inst.budgetMs} ms budget`,
                  { strategyId: inst.id, timeBudgetMs: inst.budgetMs },
                ),
              ),
            inst.budgetMs,
          );
        });
        await Promise.race([result, timeout]);
      }
      inst.processed++;
    } catch (thrown) {
      const err = toError(thrown);
      const code = err instanceof DesError && err.code === ErrorCode.StrategyTimeout ? err.code : ErrorCode.StrategyFailed;
      if (code === ErrorCode.StrategyTimeout) {
        this.#renewContext(inst);
        inst.proxy?.terminate();
      }
      inst.errors++;
      inst.lastError = `${code}: ${err.message}`;
      this.#publishError(inst, code, err, 0);
    } finally {
      if (timer !== undefined) this.#clock.clearTimer(timer);
    }
  }

  /**
   * Resolves when the instance's hook in flight has settled or been abandoned. Its budget timer is
   * on the engine clock, which may not move (a backtest's, or one stopped at shutdown), so a
   * wall-clock timer of the same budget backs it up: stop() and close() always end.
   */
  #idle(inst: StrategyInstance): Promise<void> {
    if (!inst.busy) return Promise.resolve();
    const generation = inst.generation;
    return new Promise((resolve) => {
      const backstop = setTimeout(() => this.#timedOut(inst, generation), inst.budgetMs);
      backstop.unref();
      inst.idleWaiters.push(() => {
        clearTimeout(backstop);
        resolve();
      });
    });
  }

  #notifyIdle(inst: StrategyInstance): void {
    if (inst.idleWaiters.length === 0) return;
    const waiters = inst.idleWaiters;
    inst.idleWaiters = [];
    for (const w of waiters) w();
  }

  #index(inst: StrategyInstance): void {
    const s = inst.strategy!;
    const instrument = inst.config.instrument;
    if (typeof s.onBar === "function") {
      let byInterval = this.#barIndex.get(instrument);
      if (byInterval === undefined) {
        byInterval = new Map();
        this.#barIndex.set(instrument, byInterval);
      }
      for (const interval of new Set(inst.subscriptions.bars)) this.#addTo(byInterval, interval, inst);
    }
    if (inst.subscriptions.trades === true && typeof s.onTrade === "function") {
      this.#addTo(this.#tradeIndex, instrument, inst);
    }
    if (inst.subscriptions.quotes === true && typeof s.onQuote === "function") {
      this.#addTo(this.#quoteIndex, instrument, inst);
    }
  }

  #unindex(inst: StrategyInstance): void {
    const instrument = inst.config.instrument;
    const byInterval = this.#barIndex.get(instrument);
    if (byInterval !== undefined) {
      for (const interval of [...byInterval.keys()]) this.#removeFrom(byInterval, interval, inst);
      if (byInterval.size === 0) this.#barIndex.delete(instrument);
    }
    this.#removeFrom(this.#tradeIndex, instrument, inst);
    this.#removeFrom(this.#quoteIndex, instrument, inst);
  }

  /** Adds to an index list: in place when no routing loop is running, else on a copy. */
  #addTo<K>(index: Map<K, readonly StrategyInstance[]>, key: K, inst: StrategyInstance): void {
    const list = index.get(key);
    if (list === undefined) index.set(key, [inst]);
    else if (this.#routing === 0) (list as StrategyInstance[]).push(inst);
    else index.set(key, [...list, inst]);
  }

  #removeFrom<K>(index: Map<K, readonly StrategyInstance[]>, key: K, inst: StrategyInstance): void {
    const list = index.get(key);
    if (list === undefined) return;
    const at = list.indexOf(inst);
    if (at < 0) return;
    if (list.length === 1) index.delete(key);
    else if (this.#routing === 0) (list as StrategyInstance[]).splice(at, 1);
    else index.set(key, list.filter((i) => i !== inst));
  }

  // ---------------------------------------------------------------- state

  /**
   * Schedules a snapshot of an instance that called markStateChanged. Snapshots are batched: one
   * flush, `stateSaveDelayMs` after the first change, snapshots every changed instance that is
   * between hooks and has no save in flight. So getState never runs on the event path, runs at
   * most about once per delay per strategy, and the latest state wins.
   */
  #markDirty(inst: StrategyInstance): void {
    if (!inst.inDirtyList) {
      inst.inDirtyList = true;
      this.#dirty.push(inst);
    }
    if (this.#flushTimer === undefined && !this.#closed) {
      this.#flushTimer = this.#clock.setTimeout(() => this.#flush(), this.#saveDelayMs);
    }
  }

  #flush(): void {
    this.#flushTimer = undefined;
    const list = this.#dirty;
    this.#dirty = [];
    for (const inst of list) {
      inst.inDirtyList = false;
      if (!inst.dirty || !this.#mayPersist(inst)) continue;
      if (inst.busy || inst.saving) this.#markDirty(inst); // picked up by the next flush
      else this.#snapshot(inst);
    }
  }

  /** A strategy paused by a failure may hold half-updated state: its last good snapshot stays. */
  #mayPersist(inst: StrategyInstance): boolean {
    if (inst.pausedByFailure) return false;
    return inst.phase === "RUNNING" || inst.phase === "PAUSED" || inst.phase === "STOPPING";
  }

  /** Takes a snapshot now (between hooks, with no save in flight) and hands it to the store. */
  #snapshot(inst: StrategyInstance): void {
    inst.dirty = false;
    const getState = inst.strategy?.getState;
    if (getState === undefined) return;
    let state: unknown;
    try {
      state = getState.call(inst.strategy);
    } catch (thrown) {
      this.#fail(inst, ErrorCode.StrategyFailed, thrown, 0);
      return;
    }
    inst.processedAtSnapshot = inst.processed;
    inst.lastState = state;
    inst.saving = true;
    let saved: Promise<void>;
    try {
      saved = this.#store.save(inst.id, state);
    } catch (thrown) {
      saved = Promise.reject(thrown);
    }
    saved.then(
      () => this.#written(inst),
      (thrown: unknown) => {
        inst.saveErrors++;
        this.#onStoreError?.(inst.id, toError(thrown));
        this.#written(inst);
      },
    );
  }

  #written(inst: StrategyInstance): void {
    inst.saving = false;
    if (inst.dirty && this.#mayPersist(inst)) this.#markDirty(inst);
    const waiters = inst.saveWaiters;
    inst.saveWaiters = [];
    for (const w of waiters) w();
  }

  #saveIdle(inst: StrategyInstance): Promise<void> {
    if (!inst.saving) return Promise.resolve();
    return new Promise((resolve) => inst.saveWaiters.push(resolve));
  }

  /** The periodic save: marks every running instance that handled events since its last snapshot. */
  #saveAll(): void {
    for (const inst of this.#instances.values()) {
      if (inst.phase !== "RUNNING" || inst.strategy?.getState === undefined) continue;
      if (inst.processed === inst.processedAtSnapshot) continue;
      inst.dirty = true;
      this.#markDirty(inst);
    }
    if (this.#flushTimer !== undefined) this.#clock.clearTimer(this.#flushTimer);
    this.#flush();
  }

  // ---------------------------------------------------------------- helpers

  #get(id: StrategyId): StrategyInstance {
    const inst = this.#instances.get(id);
    if (inst === undefined) {
      throw new DesError(ErrorCode.UnknownStrategy, `unknown strategy instance "${id}"`, { id });
    }
    return inst;
  }

  #checkOpen(): void {
    if (this.#closed) throw new DesError(ErrorCode.StrategyNotRunning, "the strategy engine is closed");
  }
}

function positiveInt(key: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0) {
    throw new DesError(ErrorCode.InvalidConfig, `${key} must be a positive integer, got ${value}`, {
      key,
      value,
    });
  }
  return value;
}

function nonNegative(key: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) {
    throw new DesError(ErrorCode.InvalidConfig, `${key} must be a number >= 0, got ${value}`, { key, value });
  }
  return value;
}

function checkSubscriptions(config: StrategyInstanceConfig, subs: StrategySubscriptions): StrategySubscriptions {
  const bad = (what: string, value: unknown): DesError =>
    new DesError(
      ErrorCode.InvalidConfig,
      `strategy instance "${config.id}": ${config.strategy}.subscriptions returned ${what} ${JSON.stringify(value)}`,
      { id: config.id, strategy: config.strategy, value },
    );
  if (subs === null || typeof subs !== "object" || !Array.isArray(subs.bars)) throw bad("no bars array:", subs);
  for (const b of subs.bars) {
    if (!(BAR_INTERVALS as readonly string[]).includes(b)) throw bad("an unknown interval", b);
  }
  const n = subs.warmupBars;
  if (n !== undefined && (!Number.isInteger(n) || n < 0 || n > MAX_WARMUP_BARS)) {
    throw bad(`a warmupBars outside 0..${MAX_WARMUP_BARS}:`, n);
  }
  return subs;
}

const ORDER_SIDES = new Set(["BUY", "SELL"]);
const ORDER_TYPES = new Set([
  "MARKET",
  "LIMIT",
  "STOP_LOSS",
  "STOP_LOSS_LIMIT",
  "TAKE_PROFIT",
  "TAKE_PROFIT_LIMIT",
  "LIMIT_MAKER",
]);

/** Throws (failing the calling hook) when a strategy asks for an order that makes no sense. */
function checkOrderRequest(id: StrategyId, r: OrderRequest): void {
  let problem: string | undefined;
  if (r === null || typeof r !== "object") problem = "an order request object";
  else if (typeof r.instrumentId !== "string") problem = "an instrumentId";
  else if (!ORDER_SIDES.has(r.side)) problem = `side BUY or SELL, got ${JSON.stringify(r.side)}`;
  else if (!ORDER_TYPES.has(r.type)) problem = `a known order type, got ${JSON.stringify(r.type)}`;
  else if (!(r.quantity instanceof Decimal) || !r.quantity.isPositive()) problem = "a positive Decimal quantity";
  else if (r.price !== undefined && !(r.price instanceof Decimal)) problem = "a Decimal price";
  else if (r.stopPrice !== undefined && !(r.stopPrice instanceof Decimal)) problem = "a Decimal stopPrice";
  else if (r.type !== "MARKET" && r.type !== "STOP_LOSS" && r.type !== "TAKE_PROFIT" && r.price === undefined) {
    problem = `a price for a ${r.type} order`;
  }
  if (problem !== undefined) {
    throw new DesError(ErrorCode.StrategyFailed, `strategy "${id}": submitOrder needs ${problem}`, {
      strategyId: id,
    });
  }
}

