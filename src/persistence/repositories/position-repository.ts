import type { Decimal, InstrumentId, UnixMicros } from "../../core/index.ts";
import { TABLES } from "../schema/tables.ts";
import type { SqlExecutor, SqlRow } from "../sql/sql-types.ts";
import { decimalMapOf, decimalMapText, decimalOf, decimalText, microsOf, textOf } from "./row-values.ts";
import { orderBy } from "./text-order.ts";
import { writeRows } from "./write-rows.ts";

/** The latest snapshot of one position of a book (a strategy or an account). */
export interface PositionRecord {
  /** The book the position belongs to (a strategy id, or an account-level book). */
  readonly bookId: string;
  readonly instrumentId: InstrumentId;
  /** Signed quantity: positive long, negative short. */
  readonly quantity: Decimal;
  readonly averagePrice: Decimal;
  readonly realizedPnl: Decimal;
  /** Fees paid, per asset. */
  readonly fees: Readonly<Record<string, Decimal>>;
  readonly updatedAt: UnixMicros;
}

/** Position snapshots, one row per (book, instrument), replaced on every change. */
export interface PositionRepository {
  /** Writes (inserts or replaces) snapshots; for a key given twice the last one wins. */
  upsert(positions: readonly PositionRecord[]): Promise<void>;
  /** The snapshot of one position, or undefined. */
  get(bookId: string, instrumentId: InstrumentId): Promise<PositionRecord | undefined>;
  /** The positions of a book, by instrument. */
  byBook(bookId: string): Promise<PositionRecord[]>;
  /** Every position, by book then instrument. */
  all(): Promise<PositionRecord[]>;
}

const COLUMNS = TABLES.positions.columns.map((c) => c.name).join(", ");

/** PositionRepository on the SQL port. */
export class SqlPositionRepository implements PositionRepository {
  readonly #db: SqlExecutor;

  constructor(db: SqlExecutor) {
    this.#db = db;
  }

  async upsert(positions: readonly PositionRecord[]): Promise<void> {
    if (positions.length === 0) return;
    await writeRows(this.#db, TABLES.positions, positions.map(positionRow), "upsert");
  }

  async get(bookId: string, instrumentId: InstrumentId): Promise<PositionRecord | undefined> {
    const rows = await this.#db.query(
      `SELECT ${COLUMNS} FROM positions WHERE book_id = ? AND instrument_id = ?`,
      [bookId, instrumentId],
    );
    return rows[0] === undefined ? undefined : positionOf(rows[0]);
  }

  async byBook(bookId: string): Promise<PositionRecord[]> {
    const rows = await this.#db.query(
      `SELECT ${COLUMNS} FROM positions WHERE book_id = ? ORDER BY ${orderBy(this.#db.dialect, "text:instrument_id")}`,
      [bookId],
    );
    return rows.map(positionOf);
  }

  async all(): Promise<PositionRecord[]> {
    const rows = await this.#db.query(
      `SELECT ${COLUMNS} FROM positions ORDER BY ${orderBy(this.#db.dialect, "text:book_id", "text:instrument_id")}`,
    );
    return rows.map(positionOf);
  }
}

function positionRow(p: PositionRecord): SqlRow {
  return {
    book_id: p.bookId,
    instrument_id: p.instrumentId,
    quantity: decimalText(p.quantity),
    average_price: decimalText(p.averagePrice),
    realized_pnl: decimalText(p.realizedPnl),
    fees_json: decimalMapText(p.fees),
    updated_at: p.updatedAt,
  };
}

function positionOf(r: SqlRow): PositionRecord {
  return {
    bookId: textOf(r, "book_id"),
    instrumentId: textOf(r, "instrument_id") as InstrumentId,
    quantity: decimalOf(r, "quantity"),
    averagePrice: decimalOf(r, "average_price"),
    realizedPnl: decimalOf(r, "realized_pnl"),
    fees: decimalMapOf(r, "fees_json"),
    updatedAt: microsOf(r, "updated_at"),
  };
}
