import { DesError, ErrorCode } from "../core/index.ts";
import { booksSnapshotProblems } from "./books-snapshot-check.ts";

/** The snapshot format version restoreBooks accepts; a change of meaning or shape gets a new one. */
export const PORTFOLIO_BOOKS_SNAPSHOT_VERSION = 1;

/**
 * The error code of a snapshot that cannot be restored. There is no dedicated code for portfolio
 * state yet; the snapshot is stored data, so a damaged one is reported as a store failure.
 */
const SNAPSHOT_ERROR = ErrorCode.StoreFailed;

/** One position's complete internal state; decimals are exact strings ("0.1", "-12.5"). */
export interface PositionSnapshot {
  readonly instrumentId: string;
  /** Signed quantity: positive long, negative short. */
  readonly quantity: string;
  /** The exact cost of the open quantity, signed like it (zero when flat). */
  readonly costBasis: string;
  readonly realizedPnl: string;
  /** Commissions paid per asset, in the order the assets were first charged. */
  readonly commissions: Readonly<Record<string, string>>;
  readonly fillCount: number;
  /** The last fill's price (the mark of last resort), null before any fill. */
  readonly lastFillPrice: string | null;
  /** UnixMicros of the last fill, null before any fill. */
  readonly updatedAt: number | null;
}

/** One book: a strategy's virtual book or an account's. */
export interface BookSnapshot {
  readonly kind: "strategy" | "account";
  /** The strategy id or the account id. */
  readonly id: string;
  /** Cash per asset, in the order each asset first moved. */
  readonly cash: Readonly<Record<string, string>>;
  /**
   * Accounts only: the starting cash the portfolio was configured with for the account when the
   * snapshot was taken (for information; restoring does not change the configured cash).
   */
  readonly initialCash?: Readonly<Record<string, string>>;
  /** In the order the book first traded each instrument. */
  readonly positions: readonly PositionSnapshot[];
}

/** The last fill the books include (the most recently applied one), to find where replay starts. */
export interface FillWatermark {
  readonly accountId: string;
  readonly instrumentId: string;
  readonly tradeId: string;
  readonly clientOrderId: string;
  /** UnixMicros of the fill. */
  readonly ts: number;
}

/**
 * An exact, JSON-safe snapshot of every book of a portfolio (Portfolio.exportBooks), from which
 * Portfolio.restoreBooks rebuilds books that give the same results as the originals for every fill
 * that follows. It holds no marks (they come back from market data: until then a position is
 * marked at its last fill price), no equity curves and no counters (stats()).
 */
export interface PortfolioBooksSnapshot {
  readonly version: typeof PORTFOLIO_BOOKS_SNAPSHOT_VERSION;
  /** UnixMicros when the snapshot was taken (the portfolio's clock). */
  readonly takenAt: number;
  /** The last fill the books include, null when none was ever applied. */
  readonly lastFill: FillWatermark | null;
  /** Strategy books then account books, each in the order the portfolio created them. */
  readonly books: readonly BookSnapshot[];
  /**
   * The trade ids the portfolio remembers to refuse a repeated fill, oldest first, as
   * [accountId, instrumentId, tradeId]: a fill the books already include is refused again after a
   * restore (so replaying from a watermark a little too early is harmless).
   */
  readonly recentTradeIds: ReadonlyArray<readonly [string, string, string]>;
}

/** At most this many problems are spelled out in the error message (details.fields has up to 100). */
const PROBLEMS_IN_MESSAGE = 10;

/**
 * Returns the snapshot validated (shape, no unknown fields, exact decimals, ids, version, one book
 * per owner and one position per instrument in a book, a cost basis signed like its quantity);
 * throws a DesError (DES_ERR_STORE_FAILED) naming the bad fields by their paths
 * ("books.2.positions.0.costBasis: ...").
 */
export function parseBooksSnapshot(raw: unknown): PortfolioBooksSnapshot {
  const problems = booksSnapshotProblems(raw, PORTFOLIO_BOOKS_SNAPSHOT_VERSION);
  if (problems.length === 0) return raw as PortfolioBooksSnapshot;
  const shown = problems.slice(0, PROBLEMS_IN_MESSAGE).map((p) => `${p.field}: ${p.message}`);
  if (problems.length > PROBLEMS_IN_MESSAGE) shown.push(`and ${problems.length - PROBLEMS_IN_MESSAGE} more`);
  throw new DesError(SNAPSHOT_ERROR, `invalid portfolio books snapshot: ${shown.join("; ")}`, {
    fields: problems.slice(0, 100).map((p) => p.field),
    problems: problems.length,
  });
}
