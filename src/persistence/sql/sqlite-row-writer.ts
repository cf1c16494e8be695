import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";
import type { SqlValue, TableSpec, WriteMode } from "./sql-types.ts";
import { SQLITE_MAX_VARIABLES } from "./sqlite-settings.ts";
import { chunkSizes, multiRowInsertSql } from "./write-sql.ts";

/**
 * The bulk INSERTs of one SQLite connection: a table's rows go in multi-row INSERTs of at most
 * `maxRowsPerInsert` rows (fewer when SQLite's variable limit requires; sizes from chunkSizes), each
 * with a statement prepared once per table, mode and size. It serves the driver's main connection
 * (writeRows) and its write thread's connection alike.
 */
export class SqliteRowWriter {
  readonly #db: DatabaseSync;
  readonly #maxRowsPerInsert: number;
  readonly #statements = new Map<string, StatementSync>();

  constructor(db: DatabaseSync, maxRowsPerInsert: number) {
    this.#db = db;
    this.#maxRowsPerInsert = Math.max(1, maxRowsPerInsert);
  }

  /**
   * Writes `rowCount` rows with the mode's conflict clause; `valuesOf(from, count)` gives rows
   * from..from+count-1 flattened in column order (see flattenRows). Throws what SQLite throws.
   */
  write(
    table: TableSpec,
    mode: WriteMode,
    rowCount: number,
    valuesOf: (from: number, count: number) => readonly SqlValue[],
  ): void {
    const width = table.columns.length;
    const maxRows = Math.max(1, Math.min(this.#maxRowsPerInsert, Math.floor(SQLITE_MAX_VARIABLES / width)));
    const keyPrefix = `${table.name}\u0000${table.columns.map((c) => c.name).join(",")}\u0000${mode}`;
    let from = 0;
    for (const size of chunkSizes(rowCount, maxRows)) {
      const params = valuesOf(from, size) as SQLInputValue[];
      this.#statement(keyPrefix, table, mode, size).run(...params);
      from += size;
    }
  }

  /** Forgets the prepared statements (before the connection closes). */
  clear(): void {
    this.#statements.clear();
  }

  #statement(keyPrefix: string, table: TableSpec, mode: WriteMode, size: number): StatementSync {
    const key = `${keyPrefix}\u0000${size}`;
    let statement = this.#statements.get(key);
    if (statement === undefined) {
      statement = this.#db.prepare(multiRowInsertSql(table, mode, size, () => "?"));
      this.#statements.set(key, statement);
    }
    return statement;
  }
}
