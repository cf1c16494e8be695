import { DesError, ErrorCode } from "../../core/index.ts";
import { shardHash } from "./shard-hash.ts";

/** Options of a {@link LocalShardedTtlCache}; every field has a default. */
export interface LocalShardedTtlCacheOptions {
  /** Number of shards, a power of two (default 16). */
  readonly shards?: number;
  /** Entries a shard holds at most (default 65,536, so 1,048,576 with 16 shards); see the class doc. */
  readonly maxEntriesPerShard?: number;
  /** Period of the background sweep of expired entries, ms (default 1,000); 0 disables the timer. */
  readonly sweepIntervalMs?: number;
  /** Entries one sweep examines per shard at most (default 1,024); the next sweep resumes after them. */
  readonly sweepBudgetPerShard?: number;
  /** Monotonic milliseconds (default `performance.now()`, rounded down to whole ms); tests inject a fake. */
  readonly now?: () => number;
  /**
   * Reads of the clock: every `clockReadEvery`-th get (default 16), besides every set, delete and sweep.
   * 1 reads it on every get (exact expiry, about 45 ns more per get on the reference machine).
   */
  readonly clockReadEvery?: number;
}

/** Counters of a {@link LocalShardedTtlCache}, as returned by `stats()`. */
export interface LocalCacheStats {
  /** Entries held now (expired ones not yet removed included). */
  readonly entries: number;
  /** Live entries dropped because their shard was full (oldest-inserted first). */
  readonly evictions: number;
  /** Expired entries removed (found by a get, a sweep, or at the head of a full shard). */
  readonly expired: number;
  /** Sweeps run (timer and explicit). */
  readonly sweeps: number;
}

/** Longest TTL accepted: 365 days. */
export const MAX_TTL_MS = 365 * 24 * 3_600_000;

const DEFAULT_SHARDS = 16;
const DEFAULT_MAX_ENTRIES_PER_SHARD = 65_536;
const DEFAULT_SWEEP_INTERVAL_MS = 1_000;
const DEFAULT_SWEEP_BUDGET_PER_SHARD = 1_024;
const DEFAULT_CLOCK_READ_EVERY = 16;

/**
 * One cached value, the monotonic ms at which it expires, and its place in its shard's insertion order
 * (a doubly linked list, oldest first). Value and expiry are updated in place on overwrite.
 */
class CacheEntry<V> {
  readonly key: string;
  value: V;
  expiresAt: number;
  readonly shard: CacheShard<V>;
  older: CacheEntry<V> | undefined;
  newer: CacheEntry<V> | undefined;

  constructor(key: string, value: V, expiresAt: number, shard: CacheShard<V>) {
    this.key = key;
    this.value = value;
    this.expiresAt = expiresAt;
    this.shard = shard;
  }
}

/** One shard: its entries in insertion order (oldest evicted first) and where the bounded sweep stopped. */
class CacheShard<V> {
  size = 0;
  oldest: CacheEntry<V> | undefined;
  newest: CacheEntry<V> | undefined;
  /** The next entry the sweep examines; undefined: the next sweep starts from the oldest. */
  sweepCursor: CacheEntry<V> | undefined;

  append(entry: CacheEntry<V>): void {
    entry.older = this.newest;
    if (this.newest === undefined) this.oldest = entry;
    else this.newest.newer = entry;
    this.newest = entry;
    this.size++;
  }

  unlink(entry: CacheEntry<V>): void {
    if (this.sweepCursor === entry) this.sweepCursor = entry.newer;
    if (entry.older === undefined) this.oldest = entry.newer;
    else entry.older.newer = entry.newer;
    if (entry.newer === undefined) this.newest = entry.older;
    else entry.newer.older = entry.older;
    entry.older = undefined;
    entry.newer = undefined;
    this.size--;
  }
}

/**
 * The local, in-process TTL cache (DES's V1 cache, and the fallback when Redis is down).
 *
 * - **Shards**: a power-of-two number of shards; a key's shard is `shardHash(key) & (shards - 1)`, worked
 *   out once when the key is inserted. A shard keeps its entries in insertion order and bounds their
 *   number; the sweep works shard by shard.
 * - **Lookups** go through one index `Map` from key to entry, not through the shard: V8 caches a string's
 *   hash in the string, so a lookup does not re-read the key, where hashing the key to a shard on every
 *   get cost 3 to 5 times the lookup itself on the reference machine (bench/cache.bench.ts).
 * - **Expiry**: each entry expires at `now + ttlMs` on a monotonic clock, in whole ms (now rounded down, the
 *   TTL up, as Redis does): integers stay small integers in V8 (no boxed double to load on a get) for the
 *   first 12 days of a process; later they are doubles, which is as correct and slightly slower. A get of an expired entry removes
 *   it and misses (lazy expiry); a sweep on an interval (unref'd timer) removes the others, examining at
 *   most `sweepBudgetPerShard` entries per shard and resuming where it stopped the next time.
 * - **Clock**: read on every set, delete and sweep, and on every `clockReadEvery`-th get hit; between reads
 *   a get uses the last value. A get can therefore return an entry slightly after its expiry: by at most
 *   the time 15 gets take, or, when gets are rare, the time since the last set or sweep (the sweep
 *   interval). The TTLs DES uses are seconds to hours, so this never matters; `clockReadEvery: 1` makes
 *   expiry exact (and a get about 2.5 times slower: reading the clock costs more than the lookup).
 * - **Bound**: a shard holds at most `maxEntriesPerShard` entries. Inserting a new key into a full shard
 *   first drops the shard's oldest-inserted entry (overwriting a key keeps its place): counted in
 *   `expired` if it had expired, in `evictions` otherwise. Nothing else is evicted.
 * - **Hot path**: `get` allocates nothing and calls no closure but the clock, once in `clockReadEvery`.
 */
export class LocalShardedTtlCache<V = string> {
  readonly #index = new Map<string, CacheEntry<V>>();
  readonly #shards: CacheShard<V>[] = [];
  readonly #mask: number;
  readonly #maxEntriesPerShard: number;
  readonly #sweepBudgetPerShard: number;
  readonly #clock: () => number;
  readonly #clockReadEvery: number;
  #getsUntilClockRead: number;
  #now: number;
  #evictions = 0;
  #expired = 0;
  #sweeps = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: LocalShardedTtlCacheOptions = {}) {
    const shards = options.shards ?? DEFAULT_SHARDS;
    if (!Number.isInteger(shards) || shards < 1 || shards > 65_536 || (shards & (shards - 1)) !== 0) {
      throw invalid("shards must be a power of two in 1..65536", { shards });
    }
    this.#maxEntriesPerShard = positiveInteger(
      "maxEntriesPerShard",
      options.maxEntriesPerShard ?? DEFAULT_MAX_ENTRIES_PER_SHARD,
    );
    this.#sweepBudgetPerShard = positiveInteger(
      "sweepBudgetPerShard",
      options.sweepBudgetPerShard ?? DEFAULT_SWEEP_BUDGET_PER_SHARD,
    );
    this.#clockReadEvery = positiveInteger(
      "clockReadEvery",
      options.clockReadEvery ?? DEFAULT_CLOCK_READ_EVERY,
    );
    const sweepIntervalMs = options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS;
    if (!Number.isFinite(sweepIntervalMs) || sweepIntervalMs < 0) {
      throw invalid("sweepIntervalMs must be 0 (no timer) or a positive number of ms", { sweepIntervalMs });
    }
    this.#mask = shards - 1;
    for (let i = 0; i < shards; i++) this.#shards.push(new CacheShard<V>());
    this.#clock = options.now ?? performance.now.bind(performance);
    this.#getsUntilClockRead = this.#clockReadEvery;
    this.#now = Math.floor(this.#clock());
    if (sweepIntervalMs > 0) {
      this.#timer = setInterval(() => this.sweep(), sweepIntervalMs);
      this.#timer.unref();
    }
  }

  /** Returns the live value of the key, or undefined (absent or expired: an expired entry is removed). */
  get(key: string): V | undefined {
    const entry = this.#index.get(key);
    if (entry === undefined) return undefined;
    if (--this.#getsUntilClockRead === 0) {
      this.#getsUntilClockRead = this.#clockReadEvery;
      this.#now = Math.floor(this.#clock());
    }
    if (entry.expiresAt > this.#now) return entry.value;
    this.#remove(entry);
    this.#expired++;
    return undefined;
  }

  /** Returns the values of the keys, in order (undefined for each absent or expired one). */
  mget(keys: readonly string[]): (V | undefined)[] {
    const values = new Array<V | undefined>(keys.length);
    for (let i = 0; i < keys.length; i++) values[i] = this.get(keys[i]!);
    return values;
  }

  /** Tells whether the key holds a live value (an expired entry is removed). */
  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /**
   * Stores the value for ttlMs milliseconds (a positive number up to {@link MAX_TTL_MS}); an existing entry
   * is updated in place. Inserting into a full shard drops its oldest-inserted entry first.
   */
  set(key: string, value: V, ttlMs: number): void {
    if (!(ttlMs > 0 && ttlMs <= MAX_TTL_MS)) {
      throw invalid(`ttlMs must be a positive number of ms up to ${MAX_TTL_MS}`, { ttlMs });
    }
    const now = this.#readClock();
    const existing = this.#index.get(key);
    if (existing !== undefined) {
      existing.value = value;
      existing.expiresAt = now + Math.ceil(ttlMs);
      return;
    }
    const shard = this.#shards[shardHash(key) & this.#mask]!;
    if (shard.size >= this.#maxEntriesPerShard) this.#dropOldest(shard, now);
    const entry = new CacheEntry(key, value, now + Math.ceil(ttlMs), shard);
    shard.append(entry);
    this.#index.set(key, entry);
  }

  /** Removes the key; returns whether a live value was removed. */
  delete(key: string): boolean {
    const now = this.#readClock();
    const entry = this.#index.get(key);
    if (entry === undefined) return false;
    this.#remove(entry);
    if (entry.expiresAt > now) return true;
    this.#expired++;
    return false;
  }

  /** Returns the milliseconds the key has left to live, or undefined when it is absent or expired. */
  remainingTtlMs(key: string): number | undefined {
    const now = this.#readClock();
    const entry = this.#index.get(key);
    if (entry === undefined || entry.expiresAt <= now) return undefined;
    return entry.expiresAt - now;
  }

  /**
   * Runs one bounded sweep: in every shard, examines up to `sweepBudgetPerShard` entries from where the
   * previous sweep stopped (oldest first; after the newest, the next sweep starts again from the oldest)
   * and removes the expired ones. Returns how many it removed.
   */
  sweep(): number {
    const now = this.#readClock();
    let removed = 0;
    for (const shard of this.#shards) {
      let entry = shard.sweepCursor ?? shard.oldest;
      for (let examined = 0; entry !== undefined && examined < this.#sweepBudgetPerShard; examined++) {
        const newer = entry.newer;
        if (entry.expiresAt <= now) {
          this.#remove(entry);
          removed++;
        }
        entry = newer;
      }
      shard.sweepCursor = entry;
    }
    this.#expired += removed;
    this.#sweeps++;
    return removed;
  }

  /** Removes every entry (counters are kept). */
  clear(): void {
    this.#index.clear();
    for (const shard of this.#shards) {
      shard.oldest = undefined;
      shard.newest = undefined;
      shard.sweepCursor = undefined;
      shard.size = 0;
    }
  }

  /** Entries held (expired ones not yet removed included). */
  get size(): number {
    return this.#index.size;
  }

  /** Returns the number of entries in each shard, in shard order. */
  shardSizes(): number[] {
    return this.#shards.map((shard) => shard.size);
  }

  /** Returns the counters. */
  stats(): LocalCacheStats {
    return {
      entries: this.#index.size,
      evictions: this.#evictions,
      expired: this.#expired,
      sweeps: this.#sweeps,
    };
  }

  /** Stops the sweep timer; the cache stays usable (expired entries are still removed lazily). */
  close(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #readClock(): number {
    this.#now = Math.floor(this.#clock());
    this.#getsUntilClockRead = this.#clockReadEvery;
    return this.#now;
  }

  #remove(entry: CacheEntry<V>): void {
    entry.shard.unlink(entry);
    this.#index.delete(entry.key);
  }

  #dropOldest(shard: CacheShard<V>, now: number): void {
    const oldest = shard.oldest;
    if (oldest === undefined) return;
    this.#remove(oldest);
    if (oldest.expiresAt <= now) this.#expired++;
    else this.#evictions++;
  }
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1)
    throw invalid(`${name} must be a positive integer`, { [name]: value });
  return value;
}

function invalid(message: string, details: Record<string, unknown>): DesError {
  return new DesError(ErrorCode.InvalidConfig, `local cache: ${message}`, details);
}
