import { dirname, resolve } from "node:path";
import type { Logger } from "pino";
import { type ApiServer, buildApiServer, type HealthReport } from "../api/index.ts";
import { MessageBus, Topic } from "../bus/index.ts";
import {
  type Clock,
  DesError,
  ErrorCode,
  type InstrumentId,
  LiveClock,
  type TimerId,
  toError,
  type UnixMicros,
} from "../core/index.ts";
import { ExecutionEngine } from "../execution/index.ts";
import { MarketDataEngine, MarketDataset, marketEventTime, ReplayFeed } from "../market/index.ts";
import type { BarInterval } from "../model/index.ts";
import { MetricsRegistry } from "../monitor/index.ts";
import { SqliteStore } from "../persistence/index.ts";
import { Portfolio } from "../portfolio/index.ts";
import { builtinRegistry, StrategyEngine } from "../strategy/index.ts";
import { PaperVenue } from "../venues/paper/index.ts";
import { AppMetrics } from "./app-metrics.ts";
import type { DesConfig } from "./config-schema.ts";
import { readStrategiesFile } from "./strategies-file.ts";

/** How often buffered order events and signals are written to the store. */
const STORE_FLUSH_INTERVAL_MS = 250;
/** The account the paper venue books fills to. */
const PAPER_ACCOUNT = "paper";

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
  readonly bus = new MessageBus();
  readonly metrics: AppMetrics;
  readonly dataset: MarketDataset;
  readonly store: SqliteStore;
  readonly venue: PaperVenue;
  readonly execution: ExecutionEngine;
  readonly portfolio: Portfolio;
  readonly marketData: MarketDataEngine;
  readonly replay: ReplayFeed;
  readonly strategies: StrategyEngine;
  readonly api: ApiServer;
  readonly #startedAtMs = Date.now();
  #flushTimer: TimerId | undefined;
  #state: "created" | "running" | "stopping" | "stopped" = "created";

  private constructor(config: DesConfig, deps: DesAppDeps, dataset: MarketDataset) {
    this.config = config;
    this.clock = deps.clock ?? new LiveClock();
    this.log = deps.logger;
    this.dataset = dataset;
    this.metrics = new AppMetrics(new MetricsRegistry());
    const instruments = [...dataset.instruments.values()];
    const onProblem = (problem: DesError) =>
      this.log.warn({ code: problem.code, details: problem.details }, problem.message);

    this.store = SqliteStore.open(resolve(config.dbPath));
    this.venue = new PaperVenue({
      clock: this.clock,
      instruments,
      initialBalances: config.initialBalances,
      makerFeeRate: config.makerFeeRate,
      takerFeeRate: config.takerFeeRate,
      accountId: PAPER_ACCOUNT,
    });
    this.execution = new ExecutionEngine({ bus: this.bus, clock: this.clock, venue: this.venue, onProblem });
    this.portfolio = new Portfolio({
      bus: this.bus,
      clock: this.clock,
      instruments,
      initialCash: { [PAPER_ACCOUNT]: config.initialBalances },
      onProblem,
    });
    this.marketData = new MarketDataEngine({ bus: this.bus });
    const replayEvents = dataset.events();
    const replayStart = (replayEvents.length > 0 ? marketEventTime(replayEvents[0]!) : 0) as UnixMicros;
    this.replay = new ReplayFeed({
      events: replayEvents,
      clock: this.clock,
      sink: this.marketData,
      speed: config.replaySpeed,
      loop: config.replayLoop,
    });

    const registry = builtinRegistry();
    const history = dataset.historicalBars();
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
      instruments: { instrument: (id: InstrumentId) => dataset.instruments.get(id) },
      stateStore: this.store,
      // Warm-up bars come from the dataset, before the replay's first event: never from the future.
      warmup: {
        historicalBars: (id, interval, count) =>
          history.lastClosed(id, interval, count, (replayStart - 1) as UnixMicros),
      },
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
      },
      { host: config.host, port: config.port },
    );
  }

  /** Loads the dataset and builds the app; throws a DesError naming what is wrong. */
  static async create(config: DesConfig, deps: DesAppDeps): Promise<DesApp> {
    const dataset = await MarketDataset.load(dirname(resolve(config.datasetManifest)));
    const app = new DesApp(config, deps, dataset);
    try {
      app.#addStrategies();
    } catch (e) {
      await app.strategies.close();
      app.store.close();
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
    this.metrics.attach(this);
    this.metrics.runtime.start();
    this.portfolio.start();
    this.execution.start();
    this.#flushTimer = this.clock.setInterval(() => this.#flushStore(), STORE_FLUSH_INTERVAL_MS);
    const failures = await this.strategies.startAll();
    for (const f of failures)
      this.log.error({ strategyId: f.strategyId, err: f.error.message }, "strategy failed to start");
    const url = await this.api.listen();
    this.replay.start();
    this.log.info(
      {
        url,
        strategies: this.strategies.ids().length,
        replayEvents: this.dataset.events().length,
        speed: this.config.replaySpeed,
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
    this.replay.stop();
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<false>((r) => {
      timer = setTimeout(() => r(false), this.config.shutdownTimeoutMs);
    });
    const inOrder = async (): Promise<true> => {
      await this.strategies.close();
      this.execution.stop();
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
    try {
      this.store.close();
    } catch (e) {
      this.#logStopError("store", e);
    }
    await this.api.close().catch((e) => this.#logStopError("api", e));
    this.metrics.runtime.stop();
    this.#state = "stopped";
    this.log.info({ graceful: finished === true }, "DES stopped");
    return finished === true;
  }

  /** Returns the health report served on /health. */
  health(): HealthReport {
    const replay = this.replay.stats();
    const store = this.store.stats();
    const engine = this.strategies.stats();
    const failed = engine.strategies.filter((s) => s.status === "FAILED").length;
    const checks = {
      replay:
        replay.state === "failed"
          ? { status: "degraded" as const, detail: "replay failed" }
          : { status: "ok" as const },
      store:
        store.pendingWrites > 50_000
          ? { status: "degraded" as const, detail: `${store.pendingWrites} writes pending` }
          : { status: "ok" as const },
      strategies:
        failed > 0
          ? { status: "degraded" as const, detail: `${failed} strategies failed` }
          : { status: "ok" as const },
    };
    const ok = Object.values(checks).every((c) => c.status === "ok") && this.#state === "running";
    return { status: ok ? "ok" : "degraded", uptimeS: (Date.now() - this.#startedAtMs) / 1000, checks };
  }

  #addStrategies(): void {
    const path = resolve(this.config.strategiesFile);
    const subscribed = new Set<string>();
    readStrategiesFile(path).forEach((raw, index) => {
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
      if (!this.dataset.instruments.has(cfg.instrument as InstrumentId)) {
        throw new DesError(
          ErrorCode.UnknownInstrument,
          `${path} entry ${index}: instrument ${cfg.instrument} is not in the dataset`,
          { instrumentId: cfg.instrument },
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
      Topic.SubscriberFailed,
      (f) =>
        this.log.error(
          { topic: f.topic, subscriber: f.subscriber, err: f.error, stack: f.stack },
          "bus subscriber failed",
        ),
      "log.bus-failures",
    );
  }

  #record(write: () => void): void {
    try {
      write();
    } catch (e) {
      this.log.error({ err: toError(e).message }, "store write failed");
    }
  }

  #flushStore(): void {
    try {
      this.store.flush();
    } catch (e) {
      this.log.error({ err: toError(e).message }, "store flush failed; the batch is kept and retried");
    }
  }

  #logStopError(part: string, e: unknown): false {
    this.log.error({ part, err: toError(e).message }, "error during shutdown");
    return false;
  }
}
