import type { AccountId, InstrumentId, StrategyId } from "../../core/index.ts";
import { CacheKeyspace } from "./cache-keyspace.ts";
import type {
  BalancesSnapshot,
  LastPrice,
  PositionsSnapshot,
  StrategyStatusSnapshot,
} from "./cache-snapshots.ts";
import type { KeyValueCache } from "./key-value-cache.ts";
import {
  decodeBalances,
  decodeLastPrice,
  decodePositions,
  decodeStrategyStatus,
  encodeBalances,
  encodeLastPrice,
  encodePositions,
  encodeStrategyStatus,
} from "./snapshot-codec.ts";

/** How long each kind of entry lives, ms. */
export interface DesCacheTtls {
  /** Last prices (default 5 minutes: an older price is worse than none). */
  readonly lastPriceMs: number;
  /** Positions snapshots (default 1 hour; rewritten on every fill and by the app's periodic refresh). */
  readonly positionsMs: number;
  /** Balances snapshots (default 1 hour; as positions). */
  readonly balancesMs: number;
  /** Strategy statuses (default 1 hour; rewritten on every change and by the app's periodic refresh). */
  readonly strategyStatusMs: number;
}

/** The default TTLs. */
export const DEFAULT_DES_CACHE_TTLS: DesCacheTtls = {
  lastPriceMs: 5 * 60_000,
  positionsMs: 60 * 60_000,
  balancesMs: 60 * 60_000,
  strategyStatusMs: 60 * 60_000,
};

/** Options of a {@link DesStateCache}. */
export interface DesStateCacheOptions {
  /** The key namespace (default "default"): processes that share it share their entries. */
  readonly namespace?: string;
  /** TTLs overriding the defaults. */
  readonly ttls?: Partial<DesCacheTtls>;
}

/**
 * DES's typed view of the cache: last price per instrument, positions per book, balances per account,
 * status per strategy. Values are JSON with decimals as strings (see snapshot-codec.ts); keys are
 * `des:<namespace>:<kind>:<id>` (see CacheKeyspace). Writes are fire-and-forget; a value that cannot be
 * decoded (another format version, a foreign writer) reads as absent and is counted in `decodeErrors`.
 */
export class DesStateCache {
  readonly keys: CacheKeyspace;
  readonly ttls: DesCacheTtls;
  readonly #cache: KeyValueCache;
  #decodeErrors = 0;

  constructor(cache: KeyValueCache, options: DesStateCacheOptions = {}) {
    this.#cache = cache;
    this.keys = new CacheKeyspace(options.namespace);
    this.ttls = { ...DEFAULT_DES_CACHE_TTLS, ...options.ttls };
  }

  /** Stores an instrument's last price. */
  putLastPrice(price: LastPrice): void {
    this.#cache.set(this.keys.lastPrice(price.instrumentId), encodeLastPrice(price), this.ttls.lastPriceMs);
  }

  /** Returns an instrument's last price. */
  async getLastPrice(instrumentId: InstrumentId): Promise<LastPrice | undefined> {
    return this.#decode(await this.#cache.get(this.keys.lastPrice(instrumentId)), decodeLastPrice);
  }

  /** Returns the last prices of several instruments, in order (one round trip). */
  async getLastPrices(instrumentIds: readonly InstrumentId[]): Promise<(LastPrice | undefined)[]> {
    const texts = await this.#cache.mget(instrumentIds.map((id) => this.keys.lastPrice(id)));
    return texts.map((text) => this.#decode(text, decodeLastPrice));
  }

  /** Stores a book's positions. */
  putPositions(snapshot: PositionsSnapshot): void {
    this.#cache.set(this.keys.positions(snapshot.bookId), encodePositions(snapshot), this.ttls.positionsMs);
  }

  /** Returns a book's positions. */
  async getPositions(bookId: string): Promise<PositionsSnapshot | undefined> {
    return this.#decode(await this.#cache.get(this.keys.positions(bookId)), decodePositions);
  }

  /** Stores an account's balances. */
  putBalances(snapshot: BalancesSnapshot): void {
    this.#cache.set(this.keys.balances(snapshot.accountId), encodeBalances(snapshot), this.ttls.balancesMs);
  }

  /** Returns an account's balances. */
  async getBalances(accountId: AccountId): Promise<BalancesSnapshot | undefined> {
    return this.#decode(await this.#cache.get(this.keys.balances(accountId)), decodeBalances);
  }

  /** Stores a strategy's status. */
  putStrategyStatus(status: StrategyStatusSnapshot): void {
    this.#cache.set(
      this.keys.strategyStatus(status.strategyId),
      encodeStrategyStatus(status),
      this.ttls.strategyStatusMs,
    );
  }

  /** Returns a strategy's status. */
  async getStrategyStatus(strategyId: StrategyId): Promise<StrategyStatusSnapshot | undefined> {
    return this.#decode(await this.#cache.get(this.keys.strategyStatus(strategyId)), decodeStrategyStatus);
  }

  /** Returns the statuses of several strategies, in order (one round trip). */
  async getStrategyStatuses(
    strategyIds: readonly StrategyId[],
  ): Promise<(StrategyStatusSnapshot | undefined)[]> {
    const texts = await this.#cache.mget(strategyIds.map((id) => this.keys.strategyStatus(id)));
    return texts.map((text) => this.#decode(text, decodeStrategyStatus));
  }

  /** Removes a strategy's status (the instance was deleted). */
  deleteStrategyStatus(strategyId: StrategyId): void {
    this.#cache.delete(this.keys.strategyStatus(strategyId));
  }

  /** Values read that could not be decoded (read as absent). */
  get decodeErrors(): number {
    return this.#decodeErrors;
  }

  #decode<T>(text: string | undefined, decode: (text: string) => T): T | undefined {
    if (text === undefined) return undefined;
    try {
      return decode(text);
    } catch {
      this.#decodeErrors++;
      return undefined;
    }
  }
}
