import type { MessageBus } from "../bus/index.ts";
import { Topic } from "../bus/index.ts";
import type { StrategyId } from "../core/index.ts";
import type { ExecutionEngine } from "../execution/index.ts";
import type { MarketDataEngine } from "../market/index.ts";
import { MetricName, type MetricsRegistry, RuntimeMetrics } from "../monitor/index.ts";
import { CACHE_METRICS, type CacheMetricsSnapshot, type DesStore } from "../persistence/index.ts";
import type { Portfolio } from "../portfolio/index.ts";
import type { StrategyEngine } from "../strategy/index.ts";

/** The parts whose figures the metrics read. */
export interface MeteredParts {
  readonly bus: MessageBus;
  readonly marketSource: { registerMetrics(registry: MetricsRegistry): void };
  readonly venueSetup: { registerMetrics(registry: MetricsRegistry): void };
  readonly marketData: MarketDataEngine;
  readonly strategies: StrategyEngine;
  readonly portfolio: Portfolio;
  readonly store: DesStore;
  readonly execution: ExecutionEngine;
}

/** Latency recorders handed to the strategy engine before the parts exist. */
export interface LatencyRecorders {
  onLatency(strategyId: StrategyId, micros: number): void;
  onTickToSignal(micros: number): void;
}

/**
 * Registers DES's metrics (see docs/metrics.md). Counters that other parts already keep are read at
 * collection time (callback metrics), so the hot path pays nothing for them.
 */
export class AppMetrics implements LatencyRecorders {
  readonly registry: MetricsRegistry;
  readonly runtime: RuntimeMetrics;
  readonly #strategyLatency;
  readonly #tickToSignal;
  readonly #orderLatency;
  readonly #strategyChildren = new Map<string, { record(v: number): void }>();

  constructor(registry: MetricsRegistry) {
    this.registry = registry;
    this.runtime = new RuntimeMetrics(registry);
    this.#strategyLatency = registry.histogram(
      "des_strategy_latency_us",
      "Processing time of one event by one strategy, microseconds",
      {
        labelNames: ["strategy"],
      },
    );
    this.#tickToSignal = registry.histogram(
      "des_tick_to_signal_us",
      "Time from a market event's receipt to the signal it caused, microseconds",
    );
    this.#orderLatency = registry.histogram(
      MetricName.OrderLatency,
      "From queueing an order to its settled outcome (queue wait, venue round trip, look-ups), microseconds",
    );
  }

  /** Records one order's latency from queueing to its settled outcome (executor total hook). */
  onOrderLatency(micros: number): void {
    this.#orderLatency.record(micros);
  }

  onLatency(strategyId: StrategyId, micros: number): void {
    let child = this.#strategyChildren.get(strategyId);
    if (child === undefined) {
      child = this.#strategyLatency.labels({ strategy: strategyId });
      this.#strategyChildren.set(strategyId, child);
    }
    child.record(micros);
  }

  onTickToSignal(micros: number): void {
    this.#tickToSignal.record(micros);
  }

  /** Registers the metrics read from the running parts and counts bus events; riskDenials: per reason, when risk is on. */
  attach(parts: MeteredParts, riskDenials?: () => ReadonlyMap<string, number>): void {
    const r = this.registry;
    const engineStats = () => parts.strategies.stats();
    const sumStrategies = (pick: (s: ReturnType<typeof engineStats>["strategies"][number]) => number) => () =>
      engineStats().strategies.reduce((n, s) => n + pick(s), 0);
    parts.marketSource.registerMetrics(r);
    parts.venueSetup.registerMetrics(r);
    r.counterFn(
      "des_ticks_processed_total",
      "Market events (bars, trades, quotes) handled by strategies",
      sumStrategies((s) => s.eventsProcessed),
    );
    r.counterFn(
      "des_signals_total",
      "Signals emitted by strategies (HOLD included)",
      sumStrategies((s) => s.signals),
    );
    r.counterFn(
      "des_strategy_orders_total",
      "Orders sent by strategies (signals turned into orders and direct orders)",
      sumStrategies((s) => s.orders),
    );
    r.counterFn(
      "des_strategy_errors_total",
      "Strategy failures (throw, reject, timeout, backlog)",
      sumStrategies((s) => s.errors),
    );
    r.counterFn(
      "des_strategy_dropped_events_total",
      "Events dropped when a strategy was paused or failed",
      sumStrategies((s) => s.droppedEvents),
    );
    r.gaugeFn(
      "des_strategies_running",
      "Strategy instances running",
      () => engineStats().strategies.filter((s) => s.status === "RUNNING").length,
    );
    r.gaugeFn(
      "des_strategies_paused",
      "Strategy instances paused",
      () => engineStats().strategies.filter((s) => s.status === "PAUSED").length,
    );
    r.gaugeFn(
      "des_strategy_permits_in_use",
      "Strategy handler calls in flight",
      () => engineStats().permitsInUse,
    );
    r.gaugeFn(
      "des_strategy_ready_queue_depth",
      "Strategies waiting for a concurrency permit",
      () => engineStats().readyQueueDepth,
    );
    r.gaugeFn(
      "des_store_pending_writes",
      "Records buffered for the next store flush",
      () => parts.store.stats().pendingWrites,
    );
    r.counterFn(
      "des_store_writes_total",
      "Records written to the store",
      () => parts.store.stats().writesTotal,
    );
    r.counterFn("des_store_errors_total", "Store flush errors", () => parts.store.stats().errorsTotal);
    r.counterFn(
      "des_store_transient_errors_total",
      "Store write errors that were transient (retried after a back-off)",
      () => parts.store.stats().transientErrorsTotal,
    );
    r.counterFn(
      "des_store_dead_letters_total",
      "Records the database refused for good (dead-letter list, logged)",
      () => parts.store.stats().deadLetteredTotal,
    );
    r.counterFn(
      "des_store_batches_total",
      "Store flushes that wrote records (one transaction each)",
      () => parts.store.stats().batchesTotal,
    );
    r.gaugeFn(
      "des_store_last_batch_size",
      "Records written by the last store flush",
      () => parts.store.stats().lastBatchSize,
    );
    r.gaugeFn(
      "des_store_last_flush_timestamp_seconds",
      "When the last store flush committed (Unix seconds; 0: none yet)",
      () => parts.store.stats().lastFlushAt / 1000,
    );
    const flushLatency = r.histogram(
      "des_store_flush_latency_us",
      "Duration of a store flush, begin to commit (µs)",
    );
    parts.store.observeFlushes((_records, micros) => flushLatency.record(micros));
    if (parts.store.databases().postgresPool !== undefined) registerPostgresPool(r, parts.store);

    const orderEvents = r.counter("des_order_events_total", "Order events by kind", ["kind"]);
    const fills = r.counter("des_fills_total", "Fills applied (paper or venue)");
    const busFailures = r.counter(
      "des_bus_subscriber_failures_total",
      "Bus subscribers that threw (the others still got the message)",
    );
    parts.bus.subscribe(
      Topic.OrderEvent,
      (e) => {
        orderEvents.labels({ kind: e.kind }).inc();
        if (e.kind === "OrderFilled") fills.inc();
      },
      "metrics.order-events",
    );
    parts.bus.subscribe(Topic.SubscriberFailed, () => busFailures.inc(), "metrics.bus-failures");
    this.#attachOrderPath(parts, riskDenials);
    r.counterFn("des_bus_published_total", "Messages published on the bus, all topics", () =>
      parts.bus.stats().reduce((n, t) => n + t.published, 0),
    );
    r.gaugeFn(
      "des_portfolio_realized_pnl",
      "Realized PnL of the accounts, summed over quote assets (lossy float view)",
      () =>
        parts.portfolio
          .snapshot()
          .accounts.reduce(
            (n, a) => n + Object.values(a.realizedPnl).reduce((m, v) => m + v.toNumber(), 0),
            0,
          ),
    );
  }

  #attachOrderPath(parts: MeteredParts, denials: (() => ReadonlyMap<string, number>) | undefined): void {
    const r = this.registry;
    const exec = () => parts.execution.executorStats();
    r.samplesFn(
      MetricName.OrderQueueDepth,
      "Orders waiting in the executor's queue, per lane",
      "gauge",
      ["lane"],
      () => {
        const q = exec().queue;
        return [
          { labels: { lane: "priority" }, value: q.depthPriority },
          { labels: { lane: "main" }, value: q.depthMain },
          { labels: { lane: "overflow" }, value: q.depthOverflow },
        ];
      },
    );
    r.counterFn(
      MetricName.OrderQueueOverflow,
      "Orders that waited in the overflow buffer because the main lane was full",
      () => exec().queue.overflowed,
    );
    r.counterFn(
      MetricName.OrderQueueEnqueued,
      "Orders accepted into the executor's queue",
      () => exec().queue.enqueued,
    );
    r.counterFn(MetricName.OrderQueueDenied, "Orders denied with QUEUE_FULL", () => exec().queue.denied);
    r.gaugeFn(
      MetricName.ExecutorInFlight,
      "Orders sent and not yet settled (look-ups included)",
      () => exec().inFlight,
    );
    r.counterFn(
      MetricName.OrderRetries,
      "Resends after a look-up proved the order absent",
      () => exec().resends,
    );
    if (denials !== undefined) {
      r.samplesFn(
        MetricName.RiskDenials,
        "Orders denied by the risk checks, per reason",
        "counter",
        ["reason"],
        () => [...denials()].map(([reason, value]) => ({ labels: { reason }, value })),
      );
    }
  }
}

/**
 * Registers every metric of the cache (CACHE_METRICS: des_cache_hits_total, des_cache_errors_total,
 * des_cache_redis_up, ...; see docs/metrics.md) as a callback metric read from `cache.metrics()` at
 * collection time: nothing is recorded on the hot path.
 */
export function registerCacheMetrics(
  registry: MetricsRegistry,
  cache: { metrics(): CacheMetricsSnapshot },
): void {
  for (const metric of CACHE_METRICS) {
    const read = () => cache.metrics()[metric.field];
    if (metric.type === "counter") registry.counterFn(metric.name, metric.help, read);
    else registry.gaugeFn(metric.name, metric.help, read);
  }
}

/** The PostgreSQL pool's figures (registered when PostgreSQL holds the records, primary or dual-write side). */
function registerPostgresPool(r: MetricsRegistry, store: DesStore): void {
  const pool = () => store.databases().postgresPool;
  r.gaugeFn(
    "des_postgres_pool_connections",
    "PostgreSQL connections open (idle and checked out)",
    () => pool()?.totalConnections ?? 0,
  );
  r.gaugeFn(
    "des_postgres_pool_idle_connections",
    "PostgreSQL connections open and idle",
    () => pool()?.idleConnections ?? 0,
  );
  r.gaugeFn(
    "des_postgres_pool_waiting_clients",
    "Callers waiting for a PostgreSQL connection",
    () => pool()?.waitingClients ?? 0,
  );
  r.counterFn(
    "des_postgres_connection_errors_total",
    "PostgreSQL connections that failed outside a query (server restart, killed backend; replaced on demand)",
    () => pool()?.connectionErrors ?? 0,
  );
  r.counterFn(
    "des_postgres_ignore_fallbacks_total",
    "Batches of event rows that met a stored key (or a key twice) and went through a staging table instead of a straight COPY",
    () => pool()?.ignoreFallbacks ?? 0,
  );
}
