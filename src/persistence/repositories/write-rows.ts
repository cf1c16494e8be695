import type { SqlExecutor, SqlRow, TableSpec, WriteMode } from "../sql/sql-types.ts";
import { flattenRows, lastRowPerKey, multiRowInsertSql } from "../sql/write-sql.ts";

/**
 * Up to this many rows are written by one multi-row INSERT statement; more go through the driver's
 * bulk path (writeRows: COPY on PostgreSQL). COPY with upsert (and with ignore when a key is already
 * stored) stages rows in a temporary table, which costs ~9 ms per call on PostgreSQL against ~0.4 ms
 * for a one-row INSERT, and COPY with ignore takes a savepoint and its round trips: the
 * repositories' typical writes (one position, two balances) must not pay them.
 */
export const SMALL_WRITE_ROWS = 32;

/**
 * Writes rows of a table with the write mode's ON CONFLICT clause (see WriteMode), choosing the
 * cheapest way for the batch size: one statement for a few rows, the driver's bulk path otherwise.
 * For "upsert", the last row of a key given twice wins, as with writeRows.
 */
export async function writeRows(db: SqlExecutor, table: TableSpec, rows: readonly SqlRow[], mode: WriteMode) {
  if (rows.length === 0) return;
  if (rows.length > SMALL_WRITE_ROWS) {
    await db.writeRows(table, rows, mode);
    return;
  }
  const unique = lastRowPerKey(table, rows, mode);
  await db.execute(
    multiRowInsertSql(table, mode, unique.length, () => "?"),
    flattenRows(table, unique, 0, unique.length),
  );
}
