import type { Decimal, UnixMicros } from "../../core/index.ts";
import { TABLES } from "../schema/tables.ts";
import type { SqlExecutor, SqlRow } from "../sql/sql-types.ts";
import { decimalOf, decimalText, microsOf, textOf } from "./row-values.ts";
import { writeRows } from "./write-rows.ts";

/** A point of a book's equity curve. */
export interface EquitySnapshotRecord {
  readonly bookId: string;
  readonly ts: UnixMicros;
  readonly equity: Decimal;
  readonly realized: Decimal;
  readonly unrealized: Decimal;
  readonly fees: Decimal;
}

/** Equity snapshots, append-only and idempotent per (book, ts). */
export interface EquitySnapshotRepository {
  /** Appends snapshots; one whose (book, ts) is already stored is skipped (the first one is kept). */
  append(snapshots: readonly EquitySnapshotRecord[]): Promise<void>;
  /** The snapshots of a book with from <= ts <= to, oldest first. */
  range(bookId: string, from: UnixMicros, to: UnixMicros): Promise<EquitySnapshotRecord[]>;
  /** The newest snapshot of a book, or undefined. */
  latest(bookId: string): Promise<EquitySnapshotRecord | undefined>;
}

const COLUMNS = TABLES.equitySnapshots.columns.map((c) => c.name).join(", ");

/** EquitySnapshotRepository on the SQL port. */
export class SqlEquitySnapshotRepository implements EquitySnapshotRepository {
  readonly #db: SqlExecutor;

  constructor(db: SqlExecutor) {
    this.#db = db;
  }

  async append(snapshots: readonly EquitySnapshotRecord[]): Promise<void> {
    if (snapshots.length === 0) return;
    const rows = snapshots.map(
      (s): SqlRow => ({
        book_id: s.bookId,
        ts: s.ts,
        equity: decimalText(s.equity),
        realized: decimalText(s.realized),
        unrealized: decimalText(s.unrealized),
        fees: decimalText(s.fees),
      }),
    );
    await writeRows(this.#db, TABLES.equitySnapshots, rows, "ignore");
  }

  async range(bookId: string, from: UnixMicros, to: UnixMicros): Promise<EquitySnapshotRecord[]> {
    const rows = await this.#db.query(
      `SELECT ${COLUMNS} FROM equity_snapshots WHERE book_id = ? AND ts >= ? AND ts <= ? ORDER BY ts`,
      [bookId, from, to],
    );
    return rows.map(snapshotOf);
  }

  async latest(bookId: string): Promise<EquitySnapshotRecord | undefined> {
    const rows = await this.#db.query(
      `SELECT ${COLUMNS} FROM equity_snapshots WHERE book_id = ? ORDER BY ts DESC LIMIT 1`,
      [bookId],
    );
    return rows[0] === undefined ? undefined : snapshotOf(rows[0]);
  }
}

function snapshotOf(r: SqlRow): EquitySnapshotRecord {
  return {
    bookId: textOf(r, "book_id"),
    ts: microsOf(r, "ts"),
    equity: decimalOf(r, "equity"),
    realized: decimalOf(r, "realized"),
    unrealized: decimalOf(r, "unrealized"),
    fees: decimalOf(r, "fees"),
  };
}
