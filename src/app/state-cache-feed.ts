import { type MessageBus, Topic, type Unsubscribe } from "../bus/index.ts";
import {
  type AccountId,
  type Clock,
  Decimal,
  DesError,
  ErrorCode,
  type InstrumentId,
  type StrategyId,
  type TimerId,
  type UnixMicros,
} from "../core/index.ts";
import type { Bar, Instrument, PositionChanged, StrategyStatusChanged, TradeTick } from "../model/index.ts";
import type { MetricsRegistry } from "../monitor/index.ts";
import {
  type BalancesSnapshot,
  type CachedPosition,
  type CacheLogger,
  DesStateCache,
  RedisCache,
  ResilientCache,
} from "../persistence/index.ts";
import type { BookView } from "../portfolio/index.ts";
import { registerCacheMetrics } from "./app-metrics.ts";
import { bookAssetTotals } from "./book-asset-totals.ts";

/** The account books' key prefix: `account:` cannot start a strategy id (no ':' allowed), so the two never collide. */
const ACCOUNT_BOOK_PREFIX = "account:";

/** Timing of a {@link StateCacheFeed}; every field has a default. */
export interface StateCacheFeedOptions {
  /** Position changes are written at most once per book per this window, ms (default 100). */
  readonly coalesceMs?: number;
  /** Every snapshot (positions, balances, statuses) is rewritten this often, ms (default 5 minutes; their TTL is 1 hour). */
  readonly refreshIntervalMs?: number;
  /** How often the feed checks whether Redis came back, to rewrite every snapshot into it, ms (default 1,000). */
  readonly redisCheckMs?: number;
}

/** What the feed reads of the portfolio (the Portfolio fits it). */
export interface CachedBooksReader {
  strategy(strategyId: StrategyId): BookView | undefined;
  account(accountId: AccountId): BookView | undefined;
  snapshot(): { readonly strategies: readonly BookView[]; readonly accounts: readonly BookView[] };
}

/** The parts of the app the feed is installed on (DesApp fits it). */
export interface StateCacheAppParts {
  readonly config: { readonly redisUrl?: string | undefined; readonly cacheNamespace: string };
  readonly bus: MessageBus;
  readonly clock: Clock;
  /** Where Redis outages (once at the start, once at the end) and re-publishing are logged (pino fits). */
  readonly log: CacheLogger;
  readonly metrics: { readonly registry: MetricsRegistry };
  readonly portfolio: CachedBooksReader;
  readonly strategies: { ids(): StrategyId[]; status(id: StrategyId): string };
  /** The venue's account: its book's positions and balances are cached after each fill. */
  readonly venueSetup: { readonly venue: { readonly accountId: AccountId } };
  /** The instruments (their base asset turns an account's positions into balances). */
  readonly marketSource: { readonly instruments: ReadonlyMap<InstrumentId, Instrument> };
}

/**
 * Feeds DES's live state into the cache (see docs/cache.md): the last price of each instrument on every
 * trade and closed bar (coalesced per tick), each strategy's and the account's positions and the
 * account's balances after fills (at most one write per book per `coalesceMs`), each strategy's status
 * on every change, and every snapshot again every `refreshIntervalMs` and as soon as Redis comes back
 * (a Redis restarted empty holds them again at once). Writes never throw and never wait: while Redis
 * is down they go to the local cache and are counted (des_cache_* metrics).
 */
export class StateCacheFeed {
  /** The cache (Redis with the local fallback): its metrics() are the des_cache_* metrics. */
  readonly cache: ResilientCache;
  /** The typed view the feed writes through; readers (API, tests) use it too. */
  readonly state: DesStateCache;
  readonly #parts: StateCacheAppParts;
  readonly #coalesceMs: number;
  readonly #refreshIntervalMs: number;
  readonly #pendingPrices = new Map<InstrumentId, { price: Decimal; ts: UnixMicros }>();
  #pricesScheduled = false;
  readonly #dirtyStrategies = new Set<StrategyId>();
  #accountDirty = false;
  #booksTimer: TimerId | undefined;
  #checkTimer: TimerId | undefined;
  #lastRefreshUs = 0;
  #redisWasUp = false;
  /** The latest reason per strategy (from its status changes), sent with each rewrite of its status. */
  readonly #reasons = new Map<StrategyId, string>();
  /** Strategies whose status is in the cache: one no longer in the engine is deleted at the next refresh. */
  readonly #statusWritten = new Set<StrategyId>();
  #unsubscribers: Unsubscribe[] = [];
  #closed = false;

  constructor(parts: StateCacheAppParts, cache: ResilientCache, options: StateCacheFeedOptions = {}) {
    this.#parts = parts;
    this.cache = cache;
    this.state = new DesStateCache(cache, { namespace: parts.config.cacheNamespace });
    this.#coalesceMs = options.coalesceMs ?? 100;
    this.#refreshIntervalMs = options.refreshIntervalMs ?? 5 * 60_000;
    const ttls = this.state.ttls;
    if (this.#refreshIntervalMs * 2 > Math.min(ttls.positionsMs, ttls.balancesMs, ttls.strategyStatusMs)) {
      throw new DesError(
        ErrorCode.InvalidConfig,
        "state cache: refreshIntervalMs must be at most half the snapshots' TTL",
        { refreshIntervalMs: this.#refreshIntervalMs },
      );
    }
    this.#redisWasUp = cache.redisUp;
    this.#start(options.redisCheckMs ?? 1_000);
  }

  /** Stops the feed: writes what is pending and every snapshot once more, then closes the cache (Redis after its last pipeline). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const unsubscribe of this.#unsubscribers) unsubscribe();
    this.#unsubscribers = [];
    if (this.#booksTimer !== undefined) this.#parts.clock.clearTimer(this.#booksTimer);
    if (this.#checkTimer !== undefined) this.#parts.clock.clearTimer(this.#checkTimer);
    this.#flushPrices();
    this.refreshAll();
    await this.cache.close();
  }

  /** Writes every snapshot now: each book's positions, the accounts' balances, each strategy's status. */
  refreshAll(): void {
    const { portfolio, strategies } = this.#parts;
    const books = portfolio.snapshot();
    for (const book of books.strategies) this.#putStrategyBook(book);
    for (const book of books.accounts) this.#putAccountBook(book);
    const ids = strategies.ids();
    for (const id of ids) this.#putStatus(id, strategies.status(id));
    const present = new Set(ids);
    for (const id of this.#statusWritten) {
      if (present.has(id)) continue;
      this.state.deleteStrategyStatus(id);
      this.#statusWritten.delete(id);
    }
    this.#dirtyStrategies.clear();
    this.#accountDirty = false;
    this.#lastRefreshUs = this.#parts.clock.now();
  }

  #start(redisCheckMs: number): void {
    const { bus, clock } = this.#parts;
    this.#unsubscribers = [
      bus.subscribe(
        Topic.Trade,
        (t: TradeTick) => this.#onPrice(t.instrumentId, t.price, t.eventTime),
        "cache.trade",
      ),
      bus.subscribe(
        Topic.Bar,
        (b: Bar) => {
          if (b.closed) this.#onPrice(b.instrumentId, b.close, b.closeTime);
        },
        "cache.bar",
      ),
      bus.subscribe(Topic.PositionChanged, (c) => this.#onPositionChanged(c), "cache.position"),
      bus.subscribe(Topic.StrategyStatus, (e) => this.#onStatus(e), "cache.strategy-status"),
    ];
    this.refreshAll();
    this.#checkTimer = clock.setInterval(() => this.#check(), redisCheckMs);
  }

  /** Rewrites everything when Redis came back (it may have restarted empty) or the refresh is due. */
  #check(): void {
    const up = this.cache.redisUp;
    const cameBack = up && !this.#redisWasUp;
    this.#redisWasUp = up;
    const due = this.#parts.clock.now() - this.#lastRefreshUs >= this.#refreshIntervalMs * 1000;
    if (cameBack || due) this.refreshAll();
  }

  #onPrice(instrumentId: InstrumentId, price: Decimal, ts: UnixMicros): void {
    const pending = this.#pendingPrices.get(instrumentId);
    if (pending !== undefined && ts < pending.ts) return;
    this.#pendingPrices.set(instrumentId, { price, ts });
    if (this.#pricesScheduled) return;
    this.#pricesScheduled = true;
    queueMicrotask(() => this.#flushPrices());
  }

  /** Writes the tick's last price of each instrument (one encode per instrument per tick, not per trade). */
  #flushPrices(): void {
    this.#pricesScheduled = false;
    for (const [instrumentId, { price, ts }] of this.#pendingPrices) {
      this.state.putLastPrice({ instrumentId, price, ts });
    }
    this.#pendingPrices.clear();
  }

  #onPositionChanged(change: PositionChanged): void {
    this.#dirtyStrategies.add(change.strategyId);
    this.#accountDirty = true;
    if (this.#booksTimer !== undefined || this.#closed) return;
    this.#booksTimer = this.#parts.clock.setTimeout(() => this.#flushBooks(), this.#coalesceMs);
  }

  /** Writes the books that fills changed since the last write. */
  #flushBooks(): void {
    this.#booksTimer = undefined;
    const { portfolio, venueSetup } = this.#parts;
    for (const id of this.#dirtyStrategies) {
      const book = portfolio.strategy(id);
      if (book !== undefined) this.#putStrategyBook(book);
    }
    this.#dirtyStrategies.clear();
    if (this.#accountDirty) {
      const book = portfolio.account(venueSetup.venue.accountId);
      if (book !== undefined) this.#putAccountBook(book);
      this.#accountDirty = false;
    }
  }

  #onStatus(change: StrategyStatusChanged): void {
    this.#reasons.set(change.strategyId, change.reason);
    this.#putStatus(change.strategyId, change.to);
  }

  #putStatus(strategyId: StrategyId, status: string): void {
    const detail = this.#reasons.get(strategyId);
    const ts = this.#parts.clock.now();
    this.state.putStrategyStatus(
      detail === undefined ? { strategyId, status, ts } : { strategyId, status, detail, ts },
    );
    this.#statusWritten.add(strategyId);
  }

  #putStrategyBook(book: BookView): void {
    this.state.putPositions({
      bookId: book.owner,
      positions: cachedPositions(book),
      ts: this.#parts.clock.now(),
    });
  }

  #putAccountBook(book: BookView): void {
    const ts = this.#parts.clock.now();
    this.state.putPositions({ bookId: accountBookId(book.owner), positions: cachedPositions(book), ts });
    this.state.putBalances(accountBalances(book, this.#parts.marketSource.instruments, ts));
  }
}

/** The cache's book id of an account's positions: `account:<accountId>` (strategy books use the strategy id). */
export function accountBookId(accountId: string): string {
  return `${ACCOUNT_BOOK_PREFIX}${accountId}`;
}

/** A book's positions as cached (flat ones included: their realized PnL and fees still count). */
function cachedPositions(book: BookView): CachedPosition[] {
  return book.positions.map((p) => ({
    instrumentId: p.instrumentId,
    quantity: p.quantity,
    averagePrice: p.averagePrice,
    realizedPnl: p.realizedPnl,
    fees: p.commissions,
  }));
}

/**
 * An account's balances as DES's books hold them: per asset, its cash (starting balances plus every
 * fill's cash flow and commissions) plus the positions whose base asset it is. The books do not track
 * what open orders reserve, so `locked` is 0 and `free` the whole amount (the venue's own view, with
 * locked amounts, is GET /api/portfolio/balances).
 */
export function accountBalances(
  book: BookView,
  instruments: ReadonlyMap<InstrumentId, Instrument>,
  ts: UnixMicros,
): BalancesSnapshot {
  const balances = [...bookAssetTotals(book, instruments)]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([asset, free]) => ({ asset, free, locked: Decimal.ZERO }));
  return { accountId: book.owner as AccountId, balances, ts };
}

/**
 * Builds the cache (Redis at REDIS_URL with the local fallback; local only without it: no connection is
 * attempted), registers its des_cache_* metrics on the app's registry, and starts feeding it. Returns
 * the feed; `close()` it at shutdown (before the store closes).
 */
export function installStateCache(
  parts: StateCacheAppParts,
  options: StateCacheFeedOptions = {},
): StateCacheFeed {
  const url = parts.config.redisUrl;
  const remote =
    url === undefined ? undefined : new RedisCache({ url, logger: parts.log, connectionName: "des" });
  const cache = new ResilientCache({ remote, logger: parts.log });
  registerCacheMetrics(parts.metrics.registry, cache);
  parts.log.info(
    { redis: remote?.endpoint ?? "none (local only)", namespace: parts.config.cacheNamespace },
    "state cache started",
  );
  return new StateCacheFeed(parts, cache, options);
}
