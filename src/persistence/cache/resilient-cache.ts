import { type CacheLogger, silentCacheLogger } from "./cache-logger.ts";
import type { CacheMetricsSnapshot } from "./cache-metrics.ts";
import type { KeyValueCache } from "./key-value-cache.ts";
import { LocalShardedTtlCache, type LocalShardedTtlCacheOptions } from "./local-sharded-ttl-cache.ts";
import { READ_FAILED, type RemoteCache } from "./remote-cache.ts";

/** Options of a {@link ResilientCache}. */
export interface ResilientCacheOptions {
  /** The shared cache (a RedisCache); without it the cache is local only. Closed with this cache. */
  readonly remote?: RemoteCache;
  /** The local cache, or options to build one (see LocalShardedTtlCache for the defaults). */
  readonly local?: LocalShardedTtlCache<string> | LocalShardedTtlCacheOptions;
  /** Keys written while Redis is down that are remembered for re-publishing (default 10,000). */
  readonly maxRepublishKeys?: number;
  /** Where re-publishing is logged (Redis trouble itself is logged by the RedisCache). */
  readonly logger?: CacheLogger;
}

/** The last write of a key that did not reach Redis. */
type RepublishOp = "set" | "delete";

/**
 * The cache DES uses: Redis shared across processes, with the in-process cache as fallback.
 *
 * - **Writes** go to the local cache always, and to Redis (pipelined at the end of the tick) when it is
 *   connected. A write that does not reach Redis (it is down, or the pipeline failed) is remembered,
 *   up to `maxRepublishKeys` keys.
 * - **Reads** go to Redis while it is connected: it is the shared source, holding what every process
 *   wrote, where the local cache holds only this process's writes (reading it first would serve this
 *   process's older value over another process's newer one). When Redis is down, or a read fails, the
 *   read is served from the local cache and counted in `fallbackReads`. A value read from Redis is not
 *   copied into the local cache: the fallback only ever serves this process's own writes.
 * - **Recovery**: ioredis reconnects with back-off; once Redis is back, reads and writes go to it again
 *   and the remembered keys are re-published from the local cache's current state: a key live there is
 *   written with its remaining TTL, a deleted key is deleted, an expired one is left alone. A key past the bound is counted in `republishSkipped`
 *   and reaches Redis again at its next write.
 * - **Never throws** because of Redis; errors are counted and logged once per outage.
 */
export class ResilientCache implements KeyValueCache {
  /** The in-process cache: written always, read when Redis cannot be. */
  readonly local: LocalShardedTtlCache<string>;
  readonly #remote: RemoteCache | undefined;
  readonly #logger: CacheLogger;
  readonly #maxRepublishKeys: number;
  readonly #toRepublish = new Map<string, RepublishOp>();
  readonly #ownsLocal: boolean;
  #hits = 0;
  #misses = 0;
  #fallbackReads = 0;
  #republished = 0;
  #republishSkipped = 0;

  constructor(options: ResilientCacheOptions = {}) {
    this.#ownsLocal = !(options.local instanceof LocalShardedTtlCache);
    this.local =
      options.local instanceof LocalShardedTtlCache
        ? options.local
        : new LocalShardedTtlCache<string>(options.local);
    this.#remote = options.remote;
    this.#logger = options.logger ?? silentCacheLogger;
    this.#maxRepublishKeys = options.maxRepublishKeys ?? 10_000;
    this.#remote?.onWriteLost((key) => this.#remember(key, this.local.has(key) ? "set" : "delete"));
    this.#remote?.onConnectionChange((up) => {
      if (up) this.#republish();
    });
  }

  /** True while the shared cache (Redis) is connected. */
  get redisUp(): boolean {
    return this.#remote?.isUp === true;
  }

  /** Returns the value: from Redis while it is up, else (or when the read fails) from the local cache. */
  async get(key: string): Promise<string | undefined> {
    const remote = this.#remote;
    if (remote !== undefined) {
      if (remote.isUp) {
        const value = await remote.tryGet(key);
        if (value !== READ_FAILED) return this.#count(value);
      }
      this.#fallbackReads++;
    }
    return this.#count(this.local.get(key));
  }

  /** Returns the values in order (one MGET while Redis is up), else from the local cache. */
  async mget(keys: readonly string[]): Promise<(string | undefined)[]> {
    const remote = this.#remote;
    if (remote !== undefined) {
      if (remote.isUp) {
        const values = await remote.tryMget(keys);
        if (values !== READ_FAILED) {
          for (const value of values) this.#count(value);
          return values;
        }
      }
      this.#fallbackReads += keys.length;
    }
    const values = this.local.mget(keys);
    for (const value of values) this.#count(value);
    return values;
  }

  /** Stores the value locally, and in Redis when it is connected (else it is re-published later). */
  set(key: string, value: string, ttlMs: number): void {
    this.local.set(key, value, ttlMs);
    this.#remote?.set(key, value, ttlMs);
  }

  /** Removes the key locally and from Redis (re-published later when Redis is down). */
  delete(key: string): void {
    this.local.delete(key);
    this.#remote?.delete(key);
  }

  /** Returns the counters as a plain object (names for Prometheus: CACHE_METRICS). */
  metrics(): CacheMetricsSnapshot {
    const local = this.local.stats();
    const remote = this.#remote?.stats();
    return {
      hits: this.#hits,
      misses: this.#misses,
      errors: remote === undefined ? 0 : remote.commandErrors + remote.connectionErrors,
      fallbackReads: this.#fallbackReads,
      redisUp: remote?.up ?? 0,
      evictions: local.evictions,
      expired: local.expired,
      localEntries: local.entries,
      redisWritesLost: remote?.writesLost ?? 0,
      republished: this.#republished,
      republishSkipped: this.#republishSkipped,
      redisOutages: remote?.outages ?? 0,
    };
  }

  /** Keys remembered for re-publishing when Redis is back. */
  get pendingRepublish(): number {
    return this.#toRepublish.size;
  }

  /** Closes Redis (after sending what is queued) and stops the local sweep timer (if this cache built it). */
  async close(): Promise<void> {
    await this.#remote?.close();
    if (this.#ownsLocal) this.local.close();
  }

  #count(value: string | undefined): string | undefined {
    if (value === undefined) this.#misses++;
    else this.#hits++;
    return value;
  }

  #remember(key: string, op: RepublishOp): void {
    if (this.#toRepublish.has(key) || this.#toRepublish.size < this.#maxRepublishKeys) {
      this.#toRepublish.set(key, op);
    } else {
      this.#republishSkipped++;
    }
  }

  /** Sends the remembered keys to Redis (they coalesce into pipelines); a key lost again is remembered again. */
  #republish(): void {
    const remote = this.#remote;
    if (remote === undefined || this.#toRepublish.size === 0) return;
    const entries = [...this.#toRepublish];
    this.#toRepublish.clear();
    let sent = 0;
    for (const [key, op] of entries) {
      // The local cache holds the latest state: a value written after a lost delete wins over it.
      const value = this.local.get(key);
      const ttlMs = this.local.remainingTtlMs(key);
      if (value !== undefined && ttlMs !== undefined) {
        remote.set(key, value, ttlMs);
        sent++;
      } else if (op === "delete") {
        remote.delete(key);
        sent++;
      } // else: a set that has expired meanwhile; nothing to publish
    }
    this.#republished += sent;
    this.#logger.info(
      { republished: sent, remembered: entries.length, skippedOverBound: this.#republishSkipped },
      "cache: re-published to Redis the keys written while it was down",
    );
  }
}
