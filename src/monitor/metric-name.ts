/**
 * Every metric name in DES, in one place (documented in docs/metrics.md). Durations are integer
 * microseconds (`_us`), sizes bytes (`_bytes`), counters end in `_total`.
 * The first group is registered by the monitor itself; the others are the names the owning
 * components register (their owner is noted), so dashboards and docs can rely on them.
 */
export const MetricName = {
  // monitor: MetricsRegistry
  MetricsCollectFailures: "des_metrics_collect_failures_total",
  // monitor: RuntimeMetrics
  ProcessUptime: "des_process_uptime_seconds",
  EventLoopLagMin: "des_process_event_loop_lag_min_us",
  EventLoopLagMean: "des_process_event_loop_lag_mean_us",
  EventLoopLagMax: "des_process_event_loop_lag_max_us",
  EventLoopLagP50: "des_process_event_loop_lag_p50_us",
  EventLoopLagP90: "des_process_event_loop_lag_p90_us",
  EventLoopLagP99: "des_process_event_loop_lag_p99_us",
  EventLoopUtilization: "des_process_event_loop_utilization",
  HeapUsed: "des_process_heap_used_bytes",
  HeapTotal: "des_process_heap_total_bytes",
  Rss: "des_process_rss_bytes",
  ActiveResources: "des_process_active_resources",
  // bus (wired by app/ from MessageBus.stats())
  BusPublished: "des_bus_published_total",
  BusDelivered: "des_bus_delivered_total",
  BusFailed: "des_bus_failed_total",
  BusSubscribers: "des_bus_subscribers",
  // strategy engine
  TicksProcessed: "des_ticks_processed_total",
  StrategyLatency: "des_strategy_latency_us",
  StrategyErrors: "des_strategy_errors_total",
  StrategyBacklog: "des_strategy_backlog",
  StrategyDroppedEvents: "des_strategy_dropped_events_total",
  Strategies: "des_strategies",
  Signals: "des_signals_total",
  // risk
  RiskDenials: "des_risk_denials_total",
  // execution
  OrdersSubmitted: "des_orders_submitted_total",
  OrderEvents: "des_order_events_total",
  OrderLatency: "des_order_latency_us",
  OrderQueueDepth: "des_order_queue_depth",
  OrderQueueOverflow: "des_order_queue_overflow_total",
  OrderQueueEnqueued: "des_order_queue_enqueued_total",
  OrderQueueDenied: "des_order_queue_denied_total",
  ExecutorInFlight: "des_executor_in_flight",
  OrderRetries: "des_order_retries_total",
  // venues: Binance adapter (registered by app/)
  BinanceStreamReconnects: "des_binance_stream_reconnects_total",
  BinanceStreamMessages: "des_binance_stream_messages_total",
  BinanceStreamMessagesPerSecond: "des_binance_stream_messages_per_second",
  BinanceStreamParseErrors: "des_binance_stream_parse_errors_total",
  BinanceStreamConnections: "des_binance_stream_connections",
  BinanceStreamBackfilledBars: "des_binance_stream_backfilled_bars_total",
  BinanceStreamDuplicateBars: "des_binance_stream_duplicate_bars_total",
  BinanceStreamLag: "des_binance_stream_lag_us",
  BinanceBookResyncs: "des_binance_book_resyncs_total",
  BinanceUserStreamReconnects: "des_binance_user_stream_reconnects_total",
  BinanceUserStreamEvents: "des_binance_user_stream_events_total",
  BinanceUserStreamParseErrors: "des_binance_user_stream_parse_errors_total",
  BinanceFills: "des_binance_fills_total",
  BinanceDuplicateFills: "des_binance_duplicate_fills_total",
  BinanceUnknownOutcomes: "des_binance_unknown_outcomes_total",
  BinanceResends: "des_binance_resends_total",
  BinanceReconciliations: "des_binance_reconciliations_total",
  BinanceRestUsedWeight: "des_binance_rest_used_weight_1m",
  BinanceRestOrderCount10s: "des_binance_rest_order_count_10s",
  BinanceRestBlockedUntil: "des_binance_rest_blocked_until_ms",
} as const;

export type MetricName = (typeof MetricName)[keyof typeof MetricName];
