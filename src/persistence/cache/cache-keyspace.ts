import { DesError, ErrorCode } from "../../core/index.ts";

/** A namespace: 1-64 of [a-zA-Z0-9_.-]. */
const NAMESPACE_PATTERN = /^[a-zA-Z0-9_.-]{1,64}$/;

/** The namespace used when none is configured. */
export const DEFAULT_CACHE_NAMESPACE = "default";

/**
 * Builds DES's cache keys: `des:<namespace>:<kind>:<id>`. Processes configured with the same namespace
 * share their entries in one Redis (that is the point: an API process reads the prices a trading
 * process writes); different namespaces never see each other's keys.
 *
 * | kind | key | value |
 * |---|---|---|
 * | last price | `des:<ns>:price:<instrumentId>` | {@link LastPrice} |
 * | positions | `des:<ns>:positions:<bookId>` | {@link PositionsSnapshot} |
 * | balances | `des:<ns>:balances:<accountId>` | {@link BalancesSnapshot} |
 * | strategy status | `des:<ns>:strategy-status:<strategyId>` | {@link StrategyStatusSnapshot} |
 */
export class CacheKeyspace {
  /** The namespace, as configured. */
  readonly namespace: string;
  /** `des:<namespace>:`, the start of every key. */
  readonly prefix: string;

  constructor(namespace: string = DEFAULT_CACHE_NAMESPACE) {
    if (!NAMESPACE_PATTERN.test(namespace)) {
      throw new DesError(
        ErrorCode.InvalidConfig,
        `invalid cache namespace ${JSON.stringify(namespace)}: expected 1-64 of [a-zA-Z0-9_.-]`,
        { namespace },
      );
    }
    this.namespace = namespace;
    this.prefix = `des:${namespace}:`;
  }

  /** The key of an instrument's last price. */
  lastPrice(instrumentId: string): string {
    return `${this.prefix}price:${instrumentId}`;
  }

  /** The key of a book's positions snapshot (a book: a strategy's or an account's positions). */
  positions(bookId: string): string {
    return `${this.prefix}positions:${bookId}`;
  }

  /** The key of an account's balances snapshot. */
  balances(accountId: string): string {
    return `${this.prefix}balances:${accountId}`;
  }

  /** The key of a strategy instance's status. */
  strategyStatus(strategyId: string): string {
    return `${this.prefix}strategy-status:${strategyId}`;
  }

  /** A Redis SCAN pattern matching every key of the namespace (a namespace holds no glob character). */
  scanPattern(): string {
    return `${this.prefix}*`;
  }
}
