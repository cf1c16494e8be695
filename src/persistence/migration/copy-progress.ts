import { dialectSql } from "../sql/column-types.ts";
import type { SqlExecutor, TableSpec } from "../sql/sql-types.ts";
import { decodeKey, encodeKey, type KeyValues } from "./table-pages.ts";

/** The table, on the target database, where a copy records how far it got. */
export const COPY_PROGRESS_TABLE = "des_migration_progress";

/** How far the copy of one table got (a row of des_migration_progress). */
export interface TableCopyProgress {
  readonly table: string;
  /** The key of the last copied row, in the source's key order; absent before the first batch. */
  readonly lastKey: KeyValues | undefined;
  readonly rowsCopied: number;
  readonly done: boolean;
  /** Where the rows come from (a file path or a redacted URL): a resume from elsewhere is refused. */
  readonly source: string;
  /** Microseconds since the epoch. */
  readonly updatedAt: number;
}

/** A stored progress row as the drivers return it. */
type ProgressRow = {
  table_name: string;
  last_key_json: string | null;
  rows_copied: number | string | bigint;
  done: number | string | bigint;
  source: string;
  updated_at: number | string | bigint;
};

/**
 * Reads and writes des_migration_progress on the target database. A batch and its progress row are
 * written in the same transaction (save takes the batch's executor), so after an interruption the
 * stored progress names exactly the last committed batch and the copy resumes right after it.
 */
export class CopyProgressStore {
  readonly #db: SqlExecutor;

  constructor(db: SqlExecutor) {
    this.#db = db;
  }

  /** Creates the progress table when it does not exist. */
  async ensureTable(): Promise<void> {
    await this.#db.execute(
      dialectSql(
        `CREATE TABLE IF NOT EXISTS ${COPY_PROGRESS_TABLE} (
          table_name    TEXT PRIMARY KEY,
          last_key_json TEXT,
          rows_copied   {integer} NOT NULL,
          done          {boolean} NOT NULL,
          source        TEXT NOT NULL,
          updated_at    {integer} NOT NULL
        )`,
        this.#db.dialect,
      ),
    );
  }

  /** Tells whether the progress table exists (a target never copied to has none). */
  async exists(): Promise<boolean> {
    try {
      await this.#db.query(`SELECT table_name FROM ${COPY_PROGRESS_TABLE} WHERE 1 = 0`);
      return true;
    } catch {
      return false;
    }
  }

  /** Every stored progress row, by table name. */
  async list(tables: readonly TableSpec[]): Promise<Map<string, TableCopyProgress>> {
    const rows = await this.#db.query<ProgressRow>(
      `SELECT table_name, last_key_json, rows_copied, done, source, updated_at FROM ${COPY_PROGRESS_TABLE}`,
    );
    const specs = new Map(tables.map((t) => [t.name, t]));
    const out = new Map<string, TableCopyProgress>();
    for (const row of rows) {
      const spec = specs.get(row.table_name);
      out.set(row.table_name, {
        table: row.table_name,
        lastKey:
          row.last_key_json === null || spec === undefined ? undefined : decodeKey(spec, row.last_key_json),
        rowsCopied: Number(row.rows_copied),
        done: Number(row.done) === 1,
        source: row.source,
        updatedAt: Number(row.updated_at),
      });
    }
    return out;
  }

  /** Records progress with the executor of the batch's transaction. */
  static async save(tx: SqlExecutor, progress: TableCopyProgress): Promise<void> {
    await tx.execute(
      `INSERT INTO ${COPY_PROGRESS_TABLE} (table_name, last_key_json, rows_copied, done, source, updated_at)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (table_name) DO UPDATE SET last_key_json = excluded.last_key_json,
         rows_copied = excluded.rows_copied, done = excluded.done, source = excluded.source,
         updated_at = excluded.updated_at`,
      [
        progress.table,
        progress.lastKey === undefined ? null : encodeKey(progress.lastKey),
        progress.rowsCopied,
        progress.done ? 1 : 0,
        progress.source,
        progress.updatedAt,
      ],
    );
  }

  /** Forgets all progress: the next copy starts every table from its first row. */
  async clear(): Promise<void> {
    await this.#db.execute(`DELETE FROM ${COPY_PROGRESS_TABLE}`);
  }
}
