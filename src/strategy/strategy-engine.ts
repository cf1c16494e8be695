import { availableParallelism } from "node:os";
import { type MessageBus, Topic, type Unsubscribe } from "../bus/index.ts";
import {
  ClientOrderIdGenerator,
  type Clock,
  DesError,
  ErrorCode,
  type StrategyId,
  type TimerId,
  toError,
  type UnixMicros,
} from "../core/index.ts";
import type {
  Bar,
  OrderEvent,
  PositionChanged,
  QuoteTick,
  StrategyStatus,
  TradeTick,
} from "../model/index.ts";
import { BoundedQueue } from "./bounded-queue.ts";
import { checkSubscriptions } from "./check-subscriptions.ts";
import { InstanceContext } from "./instance-context.ts";
import { MemoryStrategyStateStore } from "./memory-strategy-state-store.ts";
import { StrategyActions } from "./strategy-actions.ts";
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
import { StrategyRouter } from "./strategy-router.ts";
import { StrategyStateSaver } from "./strategy-state-saver.ts";
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
 *   after it returns; async: a watchdog timer on the clock) or never settles pauses only its own
 *   instance, with a StrategyError on the bus; its waiting events are dropped and counted and its
 *   permit is freed. A hung async hook is abandoned: its context goes stale, so whatever it does
 *   later is ignored and counted. A worker-mode instance that hangs has its worker terminated.
 * - State: snapshots are taken off the event path, batched (StrategyStateSaver), restored on start.
 *
 * See src/strategy/README.md for the whole contract.
 */
export class StrategyEngine {
  readonly #bus: MessageBus;
  readonly #clock: Clock;
  readonly #registry: StrategyRegistry;
  readonly #instruments: InstrumentReader | undefined;
  readonly #store: StrategyStateStore;
  readonly #warmup: WarmupSource | undefined;
  readonly #orderIds: ClientOrderIdGenerator;
  readonly #max: number;
  readonly #mailboxCapacity: number;
  readonly #budgetMs: number;
  readonly #workerBootTimeoutMs: number;
  readonly #onLatency: ((strategyId: StrategyId, micros: number) => void) | undefined;
  readonly #actions: StrategyActions;
  readonly #saver: StrategyStateSaver;

  readonly #instances = new Map<StrategyId, StrategyInstance>();
  readonly #router = new StrategyRouter();
  /** Instances waiting for a permit, FIFO; at most one entry per instance (its `queued` flag). */
  readonly #ready = new BoundedQueue<StrategyInstance>(Number.POSITIVE_INFINITY);
  readonly #unsubscribes: Unsubscribe[] = [];
  readonly #saveTimer: TimerId | undefined;
  #inUse = 0;
  #maxInUse = 0;
  #draining = false;
  #openBarsIgnored = 0;
  #closed = false;
  /** Instances with an async hook in flight (at most maxConcurrency). */
  readonly #inFlight = new Set<StrategyInstance>();
  #watchdog: TimerId | undefined;
  #watchdogDueUs = 0;

  constructor(options: StrategyEngineOptions) {
    this.#bus = options.bus;
    this.#clock = options.clock;
    this.#registry = options.registry;
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
    this.#onLatency = options.onLatency;
    this.#actions = new StrategyActions({
      bus: options.bus,
      clock: options.clock,
      orderIds: this.#orderIds,
      positions: options.positions,
      openOrders: options.openOrders,
      instruments: options.instruments,
      onTickToSignal: options.onTickToSignal,
    });
    this.#saver = new StrategyStateSaver({
      store: this.#store,
      clock: options.clock,
      delayMs: nonNegative("stateSaveDelayMs", options.stateSaveDelayMs, DEFAULT_STATE_SAVE_DELAY_MS),
      onGetStateFailed: (inst, thrown) => this.#fail(inst, ErrorCode.StrategyFailed, thrown, 0),
      onStoreError: options.onStoreError,
    });

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
    this.#saveTimer =
      interval > 0
        ? this.#clock.setInterval(() => this.#saver.saveAll(this.#instances.values()), interval)
        : undefined;
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
    this.#renewContext(inst);
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
    this.#router.remove(inst);
    this.#actions.panicOrders(inst);
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
      inst.proxy !== undefined && strategy === undefined
        ? true
        : typeof strategy?.updateParams === "function";
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
    // Everything stops: leave routing at once rather than one instance at a time.
    this.#router.clear();
    await Promise.allSettled([...this.#instances.keys()].map((id) => this.stop(id, "engine closed")));
    this.#closed = true;
    if (this.#saveTimer !== undefined) this.#clock.clearTimer(this.#saveTimer);
    this.#saver.close();
    if (this.#watchdog !== undefined) this.#clock.clearTimer(this.#watchdog);
    this.#watchdog = undefined;
    for (const u of this.#unsubscribes) u();
    for (const inst of this.#instances.values()) inst.proxy?.terminate();
    await Promise.allSettled([...this.#instances.values()].map((i) => this.#saver.idle(i)));
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
    this.#route(this.#router.bars(bar.instrumentId, bar.interval), bar);
  };

  readonly #onTrade = (tick: TradeTick): void => {
    this.#route(this.#router.trades(tick.instrumentId), tick);
  };

  readonly #onQuote = (quote: QuoteTick): void => {
    this.#route(this.#router.quotes(quote.instrumentId), quote);
  };

  #route(subs: readonly StrategyInstance[], item: MailboxItem): void {
    const n = subs.length;
    if (n === 0) return;
    const router = this.#router;
    router.enter();
    try {
      let now: number = this.#clock.now();
      for (let i = 0; i < n; i++) now = this.#deliver(subs[i]!, item, now);
    } finally {
      router.leave();
    }
  }

  readonly #onOrderEvent = (event: OrderEvent): void => {
    const inst = this.#instances.get(event.strategyId);
    if (inst === undefined) return;
    switch (event.kind) {
      case "OrderFilled":
        if (event.orderStatus === "FILLED") inst.orderInstruments.delete(event.clientOrderId);
        if (typeof inst.strategy?.onOrderFilled === "function") this.#deliver(inst, event, this.#clock.now());
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

  /**
   * Hands one event to one instance: runs it at once when the instance is idle and a permit is
   * free, else queues it. `now` is a clock reading taken just before; returns one taken after, so
   * a routing loop reads the clock once per handler instead of twice.
   */
  #deliver(inst: StrategyInstance, item: MailboxItem, now: number): number {
    const phase = inst.phase;
    if (phase !== "RUNNING") {
      if (phase === "STARTING") this.#enqueue(inst, item);
      else inst.skipped++;
      return now;
    }
    if (!inst.busy && !inst.queued && inst.mailbox.length === 0 && this.#inUse < this.#max) {
      const after = this.#invoke(inst, item, now);
      // A hook may publish events that come straight back to this instance (outside a bus delivery).
      if (inst.mailbox.length !== 0 && !inst.busy) this.#pump(inst);
      return after;
    }
    this.#enqueue(inst, item);
    if (inst.busy || inst.queued) return now;
    this.#pump(inst);
    return this.#clock.now();
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
      this.#invoke(inst, inst.mailbox.shift()!, this.#clock.now());
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

  /**
   * Calls the hook for one item with a permit; a sync hook releases it before this returns.
   * `t0` is a clock reading taken just before; returns a reading taken after.
   */
  #invoke(inst: StrategyInstance, item: MailboxItem, t0: number): number {
    const strategy = inst.strategy!;
    const ctx = inst.ctx;
    inst.warming = false;
    inst.receivedAt = undefined;
    if (item.kind === "start" && strategy.onStart === undefined) return t0;
    if (item.kind === "bar") {
      if (inst.warmupLeft > 0) {
        inst.warmupLeft--;
        inst.warming = true;
      } else if (item.openTime <= inst.warmupUntil && item.interval === inst.subscriptions.bars[0]) {
        inst.skipped++; // already delivered as a warm-up bar
        return t0;
      }
    }
    this.#inUse++;
    if (this.#inUse > this.#maxInUse) this.#maxInUse = this.#inUse;
    inst.busy = true;
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
      return this.#clock.now();
    }
    if (result !== undefined && typeof (result as Promise<void>).then === "function") {
      const now = this.#clock.now();
      this.#awaitHook(inst, result as Promise<void>, p0, now);
      return now;
    }
    const t1 = this.#clock.now();
    inst.busy = false;
    this.#inUse--;
    this.#completed(inst, p0, t1 - t0);
    if (this.#ready.length > 0) this.#drainReady();
    return t1;
  }

  /**
   * Tracks an async hook until it settles. Its deadline is watched by one engine-wide watchdog timer
   * on the clock, set for the earliest deadline of the (at most maxConcurrency) hooks in flight, so
   * an async call costs no timer of its own.
   */
  #awaitHook(inst: StrategyInstance, promise: Promise<void>, p0: number, now: number): void {
    inst.p0 = p0;
    inst.deadlineUs = now + inst.budgetUs;
    this.#inFlight.add(inst);
    this.#armWatchdog(inst.deadlineUs, now);
    promise.then(inst.onResolved, inst.onRejected);
  }

  #armWatchdog(deadlineUs: number, now: number): void {
    if (this.#watchdog !== undefined) {
      if (this.#watchdogDueUs <= deadlineUs) return;
      this.#clock.clearTimer(this.#watchdog);
    }
    this.#watchdogDueUs = deadlineUs;
    this.#watchdog = this.#clock.setTimeout(this.#onWatchdog, Math.max(0, deadlineUs - now) / 1000);
  }

  readonly #onWatchdog = (): void => {
    this.#watchdog = undefined;
    const now = this.#clock.now();
    const overdue: StrategyInstance[] = [];
    let next = Number.POSITIVE_INFINITY;
    for (const inst of this.#inFlight) {
      if (inst.deadlineUs <= now) overdue.push(inst);
      else if (inst.deadlineUs < next) next = inst.deadlineUs;
    }
    for (const inst of overdue) this.#timedOut(inst, inst.generation);
    if (next !== Number.POSITIVE_INFINITY) this.#armWatchdog(next, now);
  };

  #settled(inst: StrategyInstance, generation: number, err: Error | undefined): void {
    if (inst.generation !== generation || !inst.busy) return; // abandoned: its permit is long free
    this.#inFlight.delete(inst);
    if (this.#inFlight.size === 0 && this.#watchdog !== undefined) {
      this.#clock.clearTimer(this.#watchdog);
      this.#watchdog = undefined;
    }
    inst.busy = false;
    this.#inUse--;
    if (err !== undefined) this.#fail(inst, ErrorCode.StrategyFailed, err, 0);
    else this.#completed(inst, inst.p0, -1);
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
    this.#inFlight.delete(inst);
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

  /**
   * Bookkeeping after a hook succeeded: counters, latency, budget check (sync hooks: elapsedUs is
   * measured on the clock; async ones pass -1, their watchdog already judged them), state, params.
   */
  #completed(inst: StrategyInstance, p0: number, elapsedUs: number): void {
    inst.processed++;
    if (p0 !== 0) this.#onLatency!(inst.id, (performance.now() - p0) * 1000);
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
    if (inst.dirty) this.#saver.markDirty(inst);
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

  /** Starts a new generation: a fresh context and settle callbacks; the old ones go stale. */
  #renewContext(inst: StrategyInstance): void {
    const generation = ++inst.generation;
    inst.ctx = new InstanceContext(inst, generation, this.#clock, this.#actions);
    inst.onResolved = () => this.#settled(inst, generation, undefined);
    inst.onRejected = (reason: unknown) => this.#settled(inst, generation, toError(reason ?? "rejected"));
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
      this.#router.add(inst);
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
      this.#router.remove(inst);
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
    this.#router.remove(inst);
    this.#dropMailbox(inst);
    await this.#idle(inst);
    const proxyDead = inst.proxy !== undefined && !inst.proxy.alive;
    if (!proxyDead) await this.#runStopHook(inst);
    await this.#saver.idle(inst);
    if (!proxyDead && !(wasPaused && inst.pausedByFailure)) this.#saver.snapshot(inst);
    await this.#saver.idle(inst);
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
      const code =
        err instanceof DesError && err.code === ErrorCode.StrategyTimeout
          ? err.code
          : ErrorCode.StrategyFailed;
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
