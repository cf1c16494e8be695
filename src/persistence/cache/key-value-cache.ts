/**
 * The cache port DES writes to and reads from: string keys, string values (JSON), a TTL on every write.
 *
 * Writes are fire-and-forget: `set` and `delete` return nothing and never throw because of the backing
 * store (a Redis error is counted and logged, not thrown); they throw only on a caller's bug (a TTL that
 * is not a positive number of ms). Reads return a promise that never rejects: a value, or undefined when
 * the key is absent, expired or cannot be read from anywhere.
 *
 * Implemented by {@link ResilientCache} (what DES uses: Redis shared across processes, the local cache as
 * fallback) and by {@link RedisCache} alone. Keys come from a {@link CacheKeyspace}.
 */
export interface KeyValueCache {
  /** Returns the value of the key, or undefined. */
  get(key: string): Promise<string | undefined>;
  /** Returns the values of the keys in order (one round trip to Redis: MGET). */
  mget(keys: readonly string[]): Promise<(string | undefined)[]>;
  /** Stores the value for ttlMs milliseconds (positive; Redis rounds it up to a whole ms). */
  set(key: string, value: string, ttlMs: number): void;
  /** Removes the key. */
  delete(key: string): void;
  /** Sends what is queued and releases connections and timers. */
  close(): Promise<void>;
}
