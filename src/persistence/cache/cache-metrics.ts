/** The counters of a {@link ResilientCache}, as a plain object (`metrics()`). */
export interface CacheMetricsSnapshot {
  /** Reads that found a value (in Redis, or in the local cache when serving from it). */
  readonly hits: number;
  /** Reads that found nothing. */
  readonly misses: number;
  /** Redis errors: failed commands plus failed connection attempts and connection errors. */
  readonly errors: number;
  /** Reads served from the local cache because Redis was down or the read failed. */
  readonly fallbackReads: number;
  /** 1 while Redis is connected, else 0 (always 0 without Redis). */
  readonly redisUp: 0 | 1;
  /** Live local entries dropped because their shard was full. */
  readonly evictions: number;
  /** Expired local entries removed. */
  readonly expired: number;
  /** Entries in the local cache. */
  readonly localEntries: number;
  /** Writes that did not reach Redis (down, or their pipeline failed). */
  readonly redisWritesLost: number;
  /** Keys written while Redis was down and sent to it once it was back. */
  readonly republished: number;
  /** Keys written while Redis was down that were not tracked for re-publishing (the bound was reached). */
  readonly republishSkipped: number;
  /** Times Redis went down and came back. */
  readonly redisOutages: number;
}

/** How one counter of {@link CacheMetricsSnapshot} is exported to Prometheus. */
export interface CacheMetricDescriptor {
  readonly name: string;
  readonly help: string;
  readonly type: "counter" | "gauge";
  readonly field: keyof CacheMetricsSnapshot;
}

/**
 * The Prometheus names of the cache's metrics. The app registers each as a callback metric:
 * `registry.counterFn(m.name, m.help, () => cache.metrics()[m.field])` (gaugeFn for gauges).
 */
export const CACHE_METRICS: readonly CacheMetricDescriptor[] = [
  { name: "des_cache_hits_total", help: "Cache reads that found a value", type: "counter", field: "hits" },
  {
    name: "des_cache_misses_total",
    help: "Cache reads that found nothing",
    type: "counter",
    field: "misses",
  },
  {
    name: "des_cache_errors_total",
    help: "Redis errors (failed commands, failed connection attempts)",
    type: "counter",
    field: "errors",
  },
  {
    name: "des_cache_fallback_reads_total",
    help: "Cache reads served from the local cache because Redis was unavailable",
    type: "counter",
    field: "fallbackReads",
  },
  {
    name: "des_cache_redis_up",
    help: "1 while the Redis cache is connected",
    type: "gauge",
    field: "redisUp",
  },
  {
    name: "des_cache_evictions_total",
    help: "Live local cache entries dropped because their shard was full",
    type: "counter",
    field: "evictions",
  },
  {
    name: "des_cache_expired_total",
    help: "Expired local cache entries removed",
    type: "counter",
    field: "expired",
  },
  {
    name: "des_cache_local_entries",
    help: "Entries in the local cache",
    type: "gauge",
    field: "localEntries",
  },
  {
    name: "des_cache_redis_writes_lost_total",
    help: "Cache writes that did not reach Redis",
    type: "counter",
    field: "redisWritesLost",
  },
  {
    name: "des_cache_republished_total",
    help: "Keys written while Redis was down and re-published when it came back",
    type: "counter",
    field: "republished",
  },
  {
    name: "des_cache_republish_skipped_total",
    help: "Keys written while Redis was down and not re-published (tracking bound reached)",
    type: "counter",
    field: "republishSkipped",
  },
  {
    name: "des_cache_redis_outages_total",
    help: "Times the Redis cache connection was lost and made again",
    type: "counter",
    field: "redisOutages",
  },
];
