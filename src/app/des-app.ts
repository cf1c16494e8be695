import { dirname, resolve } from "node:path";
import type { Logger } from "pino";
import { type ApiServer, buildApiServer, checkCommandAccess, type HealthReport } from "../api/index.ts";
import { MessageBus, Topic } from "../bus/index.ts";
import {
  type Clock,
  DesError,
  ErrorCode,
  type InstrumentId,
  LiveClock,
  type StrategyId,
  strategyId,
  type TimerId,
  toError,
} from "../core/index.ts";
import { ExecutionEngine, ProtectionManager, type RecoveryReport } from "../execution/index.ts";
import { MarketDataEngine, MarketDataset, type ReplayFeed } from "../market/index.ts";
import { type BarInterval, parseExchangeInfo } from "../model/index.ts";
import { MetricsRegistry } from "../monitor/index.ts";
import type { DesStore } from "../persistence/index.ts";
import { Portfolio } from "../portfolio/index.ts";
import { parseRiskConfig, RiskEngine } from "../risk/index.ts";
import { builtinRegistry, StrategyEngine } from "../strategy/index.ts";
import { apiCommands } from "./api-commands.ts";
import { AppMetrics } from "./app-metrics.ts";
import { type BinanceConnection, openBinanceConnection } from "./binance-connection.ts";
import { BinanceMarketSource } from "./binance-market-source.ts";
import type { DesConfig } from "./config-schema.ts";
import type { MarketSource } from "./market-source.ts";
import { closeQuietly, openDesStore } from "./open-des-store.ts";
import { portfolioRiskView } from "./portfolio-risk-view.ts";
import { installProfitTargetWatcher } from "./profit-target-watcher.ts";
import { readJsonConfigFile } from "./read-json-config-file.ts";
import { ReplayMarketSource } from "./replay-market-source.ts";
import {
  ADOPTED_STRATEGY,
  type BooksRebuild,
  compareBalances,
  portfolioBaseline,
  rebuildPortfolio,
  reconcileWithVenue,
  restoreJournaledOrders,
  saveBooksSnapshot,
} from "./restart-recovery.ts";
import { installStateCache, type StateCacheFeed } from "./state-cache-feed.ts";
import { readStrategiesFile } from "./strategies-file.ts";
import {
  applyRestoredStatuses,
  restoreStrategyInstances,
  saveStrategyInstance,
} from "./strategy-instances.ts";
import { binanceVenueSetup, paperVenueSetup, type VenueSetup } from "./venue-setup.ts";

/** How often buffered order events and signals are written to the store. */
const STORE_FLUSH_INTERVAL_MS = 250;
/** Orders in flight at the paper venue: effectively unbounded (it settles every submit in-process). */
const PAPER_MAX_IN_FLIGHT = 100_000;
/** How often every book's equity is sampled into its equity curve. */
const EQUITY_SAMPLE_INTERVAL_MS = 60_000;
/** The strategy_state row the risk engine's snapshot is kept in (no strategy can be named so: ids are checked). */
const RISK_STATE_ID: StrategyId = strategyId("__risk-engine__");

/** What the composition root may be given instead of its defaults (tests inject these). */
export interface DesAppDeps {
  readonly clock?: Clock;
  readonly logger: Logger;
}

/**
 * The composition root: builds every part from the validated config, wires them over the bus, and
 * starts and stops them in order. The only place that knows the concrete implementations.
 */
export class DesApp {
  readonly config: DesConfig;
  readonly clock: Clock;
  readonly log: Logger;
  readonly bus: MessageBus;
  readonly metrics: AppMetrics;
  /** Where DES's records are kept (DB_TYPE: the SQLite file, or PostgreSQL), with the local order intent journal. */
  readonly store: DesStore;
  /** The venue orders go to (paper or Binance) and the cash it starts with. */
  readonly venueSetup: VenueSetup;
  readonly execution: ExecutionEngine;
  readonly portfolio: Portfolio;
  /** Stop-loss, take-profit and trailing stops on strategies' positions (native or emulated). */
  readonly protection: ProtectionManager;
  /** Pre-trade risk: the limits of DES_RISK_FILE (none without it), the instrument filters and the kill switch. */
  readonly risk: RiskEngine | undefined;
  readonly marketData: MarketDataEngine;
  /** Where market data comes from (the bundled replay or Binance's streams). */
  readonly marketSource: MarketSource;
  readonly strategies: StrategyEngine;
  readonly api: ApiServer;
  readonly #startedAtMs = Date.now();
  readonly #binance: BinanceConnection | undefined;
  readonly #resumable: boolean;
  readonly #baselineRestored: boolean;
  /** The portfolio's applied-fill count and the time of the last books snapshot saved. */
  #booksSavedAtFill = 0;
  #booksSavedAtUs = 0;
  /** The live-state cache feed (Redis at REDIS_URL, else in-process), set by start(). */
  stateCache: StateCacheFeed | undefined;
  /** How start-up rebuilt the books (resumable venues on a restart only). */
  booksRebuild: BooksRebuild | undefined;
  /** What start-up reconciliation with the venue did (resumable venues only). */
  recovery: RecoveryReport | undefined;
  #flushTimer: TimerId | undefined;
  /** The store flush running now (flushes never overlap; the next interval skips while one runs). */
  #flushing: Promise<void> | undefined;
  #equityTimer: TimerId | undefined;
  #state: "created" | "running" | "stopping" | "stopped" = "created";

  private constructor(config: DesConfig, deps: DesAppDeps, parts: OpenedParts, riskConfig: unknown) {
    this.config = config;
    this.clock = deps.clock ?? new LiveClock();
    this.log = deps.logger;
    this.metrics = new AppMetrics(new MetricsRegistry());
    this.bus = parts.bus;
    this.marketData = parts.marketData;
    this.marketSource = parts.marketSource;
    this.venueSetup = parts.venueSetup;
    this.#binance = parts.binance;
    const instruments = [...this.marketSource.instruments.values()];
    const onProblem = (problem: DesError) =>
      this.log.warn({ code: problem.code, details: problem.details }, problem.message);

    this.store = parts.store;
    // Always there, so the kill switch works; without DES_RISK_FILE only the instrument filters apply.
    this.risk = new RiskEngine({
      clock: this.clock,
      config: riskConfig ?? {},
      onEvent: (e) => this.bus.publish(Topic.RiskEvent, e),
    });
    const accountId = this.venueSetup.venue.accountId;
    // A venue whose orders outlive DES (Binance) gets the order journal and start-up reconciliation.
    this.#resumable = this.venueSetup.venue.resume !== undefined;
    const baseline = parts.baseline;
    this.#baselineRestored = baseline.restored;
    this.execution = new ExecutionEngine({
      bus: this.bus,
      clock: this.clock,
      venue: this.venueSetup.venue,
      onProblem,
      risk:
        this.risk === undefined
          ? undefined
          : {
              engine: this.risk,
              view: portfolioRiskView(() => this.portfolio, accountId, this.marketSource.instruments),
            },
      executor: {
        // The bound protects a remote venue; the paper venue answers in-process at once, and a bound
        // there would only delay orders behind a replay slice and change backtest fills.
        maxInFlight: this.venueSetup.kind === "paper" ? PAPER_MAX_IN_FLIGHT : config.executorConcurrency,
        timeoutMs: config.orderTimeoutMs,
        latency: { total: (us) => this.metrics.onOrderLatency(us) },
      },
      journal: this.#resumable ? this.store.intents : undefined,
    });
    this.portfolio = new Portfolio({
      bus: this.bus,
      clock: this.clock,
      instruments,
      initialCash: { [accountId]: baseline.cash },
      onProblem,
    });

    this.protection = new ProtectionManager({
      bus: this.bus,
      clock: this.clock,
      onProblem,
      // Both venues (paper matching engine, Binance spot) take these natively.
      nativeOrderTypes: ["STOP_LOSS", "TAKE_PROFIT"],
      instrument: (id) => this.marketSource.instruments.get(id),
    });

    const registry = builtinRegistry();
    this.strategies = new StrategyEngine({
      bus: this.bus,
      clock: this.clock,
      registry,
      positions: this.portfolio,
      openOrders: {
        openOrders: (strategyId, instrumentId) =>
          this.execution.openOrders(strategyId, instrumentId).map((o) => ({
            clientOrderId: o.clientOrderId,
            side: o.side,
            type: o.type,
            quantity: o.quantity,
            price: o.price,
          })),
      },
      instruments: { instrument: (id: InstrumentId) => this.marketSource.instruments.get(id) },
      stateStore: this.store,
      warmup: this.marketSource.warmup,
      maxConcurrency: config.strategyConcurrency,
      timeBudgetMs: config.strategyTimeoutMs,
      stateSaveIntervalMs: config.stateSaveIntervalMs,
      onLatency: (id, us) => this.metrics.onLatency(id, us),
      onTickToSignal: (us) => this.metrics.onTickToSignal(us),
      onStoreError: (id, err) =>
        this.log.error({ strategyId: id, err: err.message }, "strategy state save failed"),
    });

    this.api = buildApiServer(
      {
        health: () => this.health(),
        metricsJson: () => this.metrics.registry.toJSON(),
        metricsPrometheus: () => this.metrics.registry.toPrometheus(),
        commands: apiCommands({
          bus: this.bus,
          clock: this.clock,
          risk: this.risk,
          strategies: this.strategies,
          execution: this.execution,
          portfolio: this.portfolio,
          venue: this.venueSetup.venue,
          log: this.log.child({ component: "api" }),
          store: this.store,
          onParamsChanged: (id) => this.#saveStrategyInstance(id),
        }),
      },
      { host: config.host, port: config.port, apiToken: config.apiToken },
    );
  }

  /** The replay feed, when market data is the bundled replay (tests and benchmarks drive it). */
  get replay(): ReplayFeed {
    if (!(this.marketSource instanceof ReplayMarketSource)) {
      throw new DesError(ErrorCode.InvalidConfig, `market data is ${this.marketSource.kind}, not the replay`);
    }
    return this.marketSource.feed;
  }

  /**
   * Opens the market source (the bundled dataset, or Binance: exchangeInfo of the strategies'
   * symbols) and the venue (paper, or the Binance account's balances), then builds the app; throws a
   * DesError naming what is wrong.
   */
  static async create(config: DesConfig, deps: DesAppDeps): Promise<DesApp> {
    const strategyEntries = readStrategiesFile(resolve(config.strategiesFile));
    const clock = deps.clock ?? new LiveClock();
    const bus = new MessageBus();
    const riskConfig =
      config.riskFile === undefined
        ? undefined
        : readJsonConfigFile(resolve(config.riskFile), "risk file", "DES_RISK_FILE");
    // Validated before anything opens, so a bad limit names its key and leaks nothing.
    if (riskConfig !== undefined) parseRiskConfig(riskConfig);
    // Operator commands from other hosts need a token: refused before anything opens.
    checkCommandAccess(config.host, config.apiToken);
    const parts = await openParts(config, clock, deps.logger, strategyEntries, bus);
    let app: DesApp;
    try {
      app = new DesApp(config, { ...deps, clock }, parts, riskConfig);
    } catch (e) {
      await closeQuietly(parts.store);
      await parts.binance?.rest.close();
      throw e;
    }
    try {
      app.#addStrategies(strategyEntries);
    } catch (e) {
      await app.strategies.close();
      await closeQuietly(app.store);
      await parts.binance?.rest.close();
      throw e;
    }
    return app;
  }

  /** Starts every part (store, portfolio, execution, strategies, replay, API); returns the API's URL. */
  async start(): Promise<string> {
    if (this.#state !== "created")
      throw new DesError(ErrorCode.InvalidConfig, `DesApp cannot start from state ${this.#state}`);
    this.#state = "running";
    this.#wireBusToStoreAndLog();
    await this.#restoreRisk();
    const risk = this.risk;
    this.metrics.attach(this, risk === undefined ? undefined : () => risk.denialCounts());
    this.stateCache = installStateCache(this);
    this.metrics.runtime.start();
    if (this.#resumable) await this.#restoreBooksAndOrders();
    this.portfolio.start();
    this.execution.start();
    this.#startProtection();
    if (this.#resumable) {
      // The venue first, then its reconciliation, then strategies: they start from settled books.
      await this.venueSetup.start();
      await this.#reconcileWithVenue();
    }
    this.#flushTimer = this.clock.setInterval(() => {
      if (this.#flushing === undefined) void this.#flushStore();
    }, STORE_FLUSH_INTERVAL_MS);
    this.#equityTimer = this.clock.setInterval(() => {
      this.portfolio.recordEquity();
      this.#saveRisk();
    }, EQUITY_SAMPLE_INTERVAL_MS);
    const restoredInstances = await restoreStrategyInstances(this.store, this.strategies, this.log);
    const failures = await this.strategies.startAll();
    for (const f of failures)
      this.log.error({ strategyId: f.strategyId, err: f.error.message }, "strategy failed to start");
    await applyRestoredStatuses(this.strategies, restoredInstances, this.log);
    for (const id of this.strategies.ids()) this.#saveStrategyInstance(id);
    const url = await this.api.listen();
    if (!this.#resumable) await this.venueSetup.start();
    await this.marketSource.start();
    this.log.info(
      {
        url,
        strategies: this.strategies.ids().length,
        marketData: this.marketSource.kind,
        venue: this.venueSetup.kind,
        ...(this.marketSource instanceof ReplayMarketSource
          ? { replayEvents: this.marketSource.eventCount(), speed: this.config.replaySpeed }
          : { binanceEnv: this.config.binanceEnv }),
      },
      "DES running",
    );
    return url;
  }

  /**
   * Stops gracefully within shutdownTimeoutMs: stop market data intake, let strategies finish their
   * in-flight work and save state, stop execution, flush and close the store, close the API.
   * Resolves true when everything finished in time.
   */
  async stop(reason = "stop requested"): Promise<boolean> {
    if (this.#state === "stopping" || this.#state === "stopped") return true;
    this.#state = "stopping";
    this.log.info({ reason }, "DES stopping");
    await this.marketSource.stop().catch((e) => this.#logStopError("market data", e));
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<false>((r) => {
      timer = setTimeout(() => r(false), this.config.shutdownTimeoutMs);
    });
    const inOrder = async (): Promise<true> => {
      await this.strategies.close();
      this.execution.stop();
      this.protection.stop();
      await this.venueSetup.stop();
      this.portfolio.stop();
      return true;
    };
    const finished = await Promise.race([inOrder().catch((e) => this.#logStopError("strategies", e)), bound]);
    clearTimeout(timer);
    if (!finished) {
      const err = new DesError(
        ErrorCode.ShutdownTimeout,
        `graceful shutdown exceeded ${this.config.shutdownTimeoutMs} ms`,
      );
      this.log.error({ code: err.code }, err.message);
    }
    if (this.#flushTimer !== undefined) this.clock.clearTimer(this.#flushTimer);
    if (this.#equityTimer !== undefined) this.clock.clearTimer(this.#equityTimer);
    await this.stateCache?.close().catch((e) => this.#logStopError("cache", e));
    this.#saveRisk();
    await this.#flushing;
    await this.#flushStore(true);
    try {
      await this.store.close();
    } catch (e) {
      this.#logStopError("store", e);
    }
    await this.api.close().catch((e) => this.#logStopError("api", e));
    await this.#binance?.rest.close().catch((e) => this.#logStopError("binance rest", e));
    this.metrics.runtime.stop();
    this.#state = "stopped";
    this.log.info({ graceful: finished === true }, "DES stopped");
    return finished === true;
  }

  /** Returns the health report served on /health. */
  health(): HealthReport {
    const store = this.store.stats();
    const engine = this.strategies.stats();
    const failed = engine.strategies.filter((s) => s.status === "FAILED").length;
    const checks = {
      marketData: this.marketSource.health(),
      venue: this.venueSetup.health(),
      store: storeHealth(store.pendingWrites, this.store.degradedReason()),
      strategies:
        failed > 0
          ? { status: "degraded" as const, detail: `${failed} strategies failed` }
          : { status: "ok" as const },
    };
    const ok = Object.values(checks).every((c) => c.status === "ok") && this.#state === "running";
    return { status: ok ? "ok" : "degraded", uptimeS: (Date.now() - this.#startedAtMs) / 1000, checks };
  }

  /** Arms the protection each strategy's entry asks for, and watches profit targets and loss limits. */
  #startProtection(): void {
    this.protection.start();
    for (const id of this.strategies.ids()) {
      const c = this.strategies.config(id);
      if (c.protection === undefined) continue;
      try {
        this.protection.protect(id, c.instrument as InstrumentId, c.protection);
      } catch (e) {
        this.log.error({ strategyId: id, err: toError(e).message }, "protection not armed");
      }
    }
    installProfitTargetWatcher(this);
  }

  /** Rebuilds the books from the stored fills and tracks again the orders the journal has not closed. */
  async #restoreBooksAndOrders(): Promise<void> {
    const accountId = this.venueSetup.venue.accountId;
    const books = this.#baselineRestored
      ? await rebuildPortfolio(this.store, this.portfolio, this.execution, accountId, this.log)
      : undefined;
    this.booksRebuild = books;
    this.#booksSavedAtFill = this.portfolio.stats().fillsApplied;
    const orders = await restoreJournaledOrders(this.store, this.execution);
    if (books !== undefined || orders > 0)
      this.log.info({ books, orders }, "books and open orders restored from the store");
  }

  /** Start-up reconciliation with the venue: journaled orders, unknown venue orders, balances. */
  async #reconcileWithVenue(): Promise<void> {
    this.recovery = await reconcileWithVenue(
      this.execution,
      {
        maxIntentAgeMs: this.config.maxIntentAgeMs,
        unknownVenueOrders: this.config.unknownVenueOrders,
        adoptAs: ADOPTED_STRATEGY,
      },
      this.log,
    );
    await this.execution.idle();
    await compareBalances(this.portfolio, this.venueSetup.venue, this.marketSource.instruments, this.log);
  }

  /** Restores the risk engine's kill switch and (same day) daily counters from the store. */
  async #restoreRisk(): Promise<void> {
    if (this.risk === undefined) return;
    try {
      const saved = await this.store.load(RISK_STATE_ID);
      if (saved === undefined || saved === null) return;
      const { sameDay } = this.risk.restore(saved);
      this.log.info({ sameDay, tradingState: this.risk.tradingState() }, "risk state restored");
    } catch (e) {
      const err = toError(e);
      this.log.error({ err: err.message }, "risk state not restored: starting with fresh counters");
    }
  }

  /** Saves the risk engine's snapshot (daily counters, kill switch) in the store. */
  #saveRisk(): void {
    if (this.risk === undefined) return;
    this.store.save(RISK_STATE_ID, this.risk.snapshot(), this.clock.now()).catch((e: unknown) => {
      this.log.error({ err: toError(e).message }, "risk state save failed");
    });
  }

  #addStrategies(entries: readonly unknown[]): void {
    const path = resolve(this.config.strategiesFile);
    const subscribed = new Set<string>();
    entries.forEach((raw, index) => {
      let id: string;
      try {
        id = this.strategies.add(raw);
      } catch (e) {
        const err = toError(e);
        throw new DesError(
          ErrorCode.InvalidConfig,
          `${path} entry ${index}: ${err.message}`,
          { key: "DES_STRATEGIES_FILE", value: path, index },
          { cause: e },
        );
      }
      const cfg = this.strategies.config(id as never);
      const key = `${cfg.instrument}|${cfg.interval}`;
      try {
        this.marketSource.ensureInstrument(cfg.instrument as InstrumentId);
      } catch (e) {
        throw new DesError(
          ErrorCode.UnknownInstrument,
          `${path} entry ${index}: ${toError(e).message}`,
          { instrumentId: cfg.instrument },
          { cause: e },
        );
      }
      if (!subscribed.has(key)) {
        subscribed.add(key);
        this.marketData.subscribe(cfg.instrument as InstrumentId, cfg.interval as BarInterval);
      }
    });
  }

  #wireBusToStoreAndLog(): void {
    this.bus.subscribe(
      Topic.OrderEvent,
      (e) => this.#record(() => this.store.recordOrderEvent(e)),
      "store.order-events",
    );
    this.bus.subscribe(Topic.Signal, (s) => this.#record(() => this.store.recordSignal(s)), "store.signals");
    this.bus.subscribe(
      Topic.StrategyError,
      (e) =>
        this.log.error(
          {
            strategyId: e.strategyId,
            code: e.code,
            err: e.error,
            stack: e.stack,
            droppedEvents: e.droppedEvents,
          },
          "strategy paused after a failure",
        ),
      "log.strategy-errors",
    );
    this.bus.subscribe(
      Topic.StrategyStatus,
      (e) =>
        this.log.info(
          { strategyId: e.strategyId, from: e.from, to: e.to, reason: e.reason },
          "strategy status",
        ),
      "log.strategy-status",
    );
    this.bus.subscribe(
      Topic.StrategyStatus,
      (e) => {
        // A shutdown's own stops are not the operator's: the stored status stays what it was.
        if (this.#state === "running") this.#saveStrategyInstance(e.strategyId, e.to);
      },
      "store.strategy-instances",
    );
    this.bus.subscribe(
      Topic.RiskEvent,
      (e) => {
        // Denials are already order events; warnings, kill-switch changes and day resets matter more.
        if (e.kind === "OrderDenied") this.log.debug(e, "risk denial");
        else this.log.warn(e, "risk event");
        // A kill-switch change must survive a crash: saved at once, not at the next interval.
        if (e.kind === "TradingStateChanged") this.#saveRisk();
      },
      "log.risk-events",
    );
    this.bus.subscribe(Topic.Protection, (e) => this.log.info(e, `protection ${e.action}`), "log.protection");
    this.bus.subscribe(
      Topic.SubscriberFailed,
      (f) =>
        this.log.error(
          { topic: f.topic, subscriber: f.subscriber, err: f.error, stack: f.stack },
          "bus subscriber failed",
        ),
      "log.bus-failures",
    );
  }

  /** Stores a strategy instance's configuration, parameters and status (default: its status now). */
  #saveStrategyInstance(id: StrategyId, status?: string): void {
    this.#record(() => saveStrategyInstance(this.store, this.strategies, id, this.clock.now(), status));
  }

  /** Runs a store write; a failure (thrown or rejected) is logged, never thrown into the bus. */
  #record(write: () => unknown): void {
    const failed = (e: unknown) => this.log.error({ err: toError(e).message }, "store write failed");
    try {
      const result = write();
      if (result instanceof Promise) result.catch(failed);
    } catch (e) {
      failed(e);
    }
  }

  /**
   * Writes the buffered records; then, for a venue whose orders outlive DES, saves the books snapshot
   * when fills were applied since the last one (at most every DES_BOOKS_SNAPSHOT_INTERVAL_MS, or now when
   * `final`): after the flush, so every fill the snapshot includes is stored before it.
   */
  #flushStore(final = false): Promise<void> {
    const run = this.#flushAndSnapshot(final).finally(() => {
      if (this.#flushing === run) this.#flushing = undefined;
    });
    this.#flushing = run;
    return run;
  }

  async #flushAndSnapshot(final: boolean): Promise<void> {
    try {
      await this.store.flush();
    } catch (e) {
      this.log.error({ err: toError(e).message }, "store flush failed; the batch is kept and retried");
      return;
    }
    if (!this.#resumable) return;
    const applied = this.portfolio.stats().fillsApplied;
    const now = this.clock.now();
    const due = final || now - this.#booksSavedAtUs >= this.config.booksSnapshotIntervalMs * 1000;
    if (applied === this.#booksSavedAtFill || !due) return;
    try {
      await saveBooksSnapshot(this.store, this.portfolio, now);
      this.#booksSavedAtFill = applied;
      this.#booksSavedAtUs = now;
    } catch (e) {
      this.log.error({ err: toError(e).message }, "books snapshot not saved; the next flush retries");
    }
  }

  #logStopError(part: string, e: unknown): false {
    this.log.error({ part, err: toError(e).message }, "error during shutdown");
    return false;
  }
}

/** The store's health check: degraded with many writes pending, or for the store's own reason. */
function storeHealth(pendingWrites: number, reason: string | undefined) {
  if (reason !== undefined) return { status: "degraded" as const, detail: reason };
  if (pendingWrites > 50_000)
    return { status: "degraded" as const, detail: `${pendingWrites} writes pending` };
  return { status: "ok" as const };
}

/** What DesApp is built from: parts that need I/O (a dataset load, Binance requests) before construction. */
interface OpenedParts {
  readonly bus: MessageBus;
  readonly marketData: MarketDataEngine;
  readonly marketSource: MarketSource;
  readonly venueSetup: VenueSetup;
  readonly binance: BinanceConnection | undefined;
  readonly store: DesStore;
  /** The cash the account's book starts from, and whether it is a stored one (a restart). */
  readonly baseline: { readonly cash: Readonly<Record<string, string>>; readonly restored: boolean };
}

/** Returns the symbols the strategies file names (entries that fail validation are reported later). */
function strategySymbols(entries: readonly unknown[]): string[] {
  const symbols = new Set<string>();
  for (const entry of entries) {
    const instrument = (entry as { instrument?: unknown } | null)?.instrument;
    if (typeof instrument === "string" && instrument !== "") symbols.add(instrument);
  }
  return [...symbols];
}

/** Opens the market source and the venue the config chooses. */
async function openParts(
  config: DesConfig,
  clock: Clock,
  logger: Logger,
  strategyEntries: readonly unknown[],
  bus: MessageBus,
): Promise<OpenedParts> {
  const marketData = new MarketDataEngine({ bus });
  const liveData =
    config.marketData === "binance" || (config.marketData === "auto" && config.venue === "binance");
  const binance =
    liveData || config.venue === "binance"
      ? openBinanceConnection(config, logger, { needsCredentials: config.venue === "binance" })
      : undefined;
  try {
    let marketSource: MarketSource;
    if (liveData && binance !== undefined) {
      marketSource = await BinanceMarketSource.open(
        { config, connection: binance, sink: marketData, logger, withTrades: config.venue === "paper" },
        strategySymbols(strategyEntries),
      );
    } else {
      const dataset = await MarketDataset.load(dirname(resolve(config.datasetManifest)));
      marketSource = new ReplayMarketSource({
        dataset,
        clock,
        sink: marketData,
        speed: config.replaySpeed,
        loop: config.replayLoop,
      });
    }
    let venueSetup: VenueSetup;
    if (config.venue === "binance" && binance !== undefined) {
      const instruments = liveData
        ? marketSource.instruments
        : parseExchangeInfo(await binance.rest.exchangeInfo(strategySymbols(strategyEntries)));
      venueSetup = await binanceVenueSetup(config, binance, instruments, logger);
    } else {
      venueSetup = paperVenueSetup(config, clock, marketSource.instruments);
    }
    const store = await openDesStore(config, logger);
    try {
      // A venue whose orders outlive DES (Binance) keeps its starting cash: a restart replays fills on it.
      const baseline =
        venueSetup.venue.resume !== undefined
          ? await portfolioBaseline(store, venueSetup.venue.accountId, venueSetup.initialCash, clock.now())
          : { cash: venueSetup.initialCash, restored: false };
      return { bus, marketData, marketSource, venueSetup, binance, store, baseline };
    } catch (e) {
      await closeQuietly(store);
      throw e;
    }
  } catch (e) {
    await binance?.rest.close();
    throw e;
  }
}
