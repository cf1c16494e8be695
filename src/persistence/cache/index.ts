export { CacheKeyspace, DEFAULT_CACHE_NAMESPACE } from "./cache-keyspace.ts";
export { type CacheLogger, silentCacheLogger } from "./cache-logger.ts";
export {
  CACHE_METRICS,
  type CacheMetricDescriptor,
  type CacheMetricsSnapshot,
} from "./cache-metrics.ts";
export type {
  BalancesSnapshot,
  CachedBalance,
  CachedPosition,
  LastPrice,
  PositionsSnapshot,
  StrategyStatusSnapshot,
} from "./cache-snapshots.ts";
export {
  DEFAULT_DES_CACHE_TTLS,
  type DesCacheTtls,
  DesStateCache,
  type DesStateCacheOptions,
} from "./des-state-cache.ts";
export type { KeyValueCache } from "./key-value-cache.ts";
export {
  type LocalCacheStats,
  LocalShardedTtlCache,
  type LocalShardedTtlCacheOptions,
  MAX_TTL_MS,
} from "./local-sharded-ttl-cache.ts";
export { DEFAULT_RECONNECT_BACKOFF, type ReconnectBackoff, reconnectDelayMs } from "./reconnect-backoff.ts";
export { DEFAULT_REDIS_URL, RedisCache, type RedisCacheOptions } from "./redis-cache.ts";
export {
  READ_FAILED,
  type ReadFailed,
  type RemoteCache,
  type RemoteCacheStats,
} from "./remote-cache.ts";
export { ResilientCache, type ResilientCacheOptions } from "./resilient-cache.ts";
export { SNAPSHOT_FORMAT_VERSION } from "./snapshot-codec.ts";
