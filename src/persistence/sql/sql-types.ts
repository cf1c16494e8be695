/**
 * The SQL port every persistence adapter is written against. Two drivers implement it: SQLite
 * (node:sqlite, the embedded default) and PostgreSQL (pg). Statements use `?` placeholders; the
 * PostgreSQL driver numbers them ($1, $2, ...). Values cross the port as text, integers or null:
 * decimals are always strings (exact), timestamps are integer microseconds (bigint-safe numbers).
 */

/** Which database a driver talks to. */
export type SqlDialect = "sqlite" | "postgres";

/** A parameter or column value. Decimals are strings; booleans are 0/1. */
export type SqlValue = string | number | bigint | null;

/** One row as the database returns it: column name -> value (PostgreSQL NUMERIC comes back as text). */
export type SqlRow = Record<string, SqlValue>;

/** How a bulk write treats a row whose primary key already exists. */
export type WriteMode =
  /** Fails the batch (a duplicate is a bug). */
  | "insert"
  /** Keeps the stored row (idempotent appends: fills by trade id, audit events by id). */
  | "ignore"
  /** Replaces the stored row's non-key columns (latest state: orders, positions, balances). */
  | "upsert";

/** Runs statements on one connection (inside or outside a transaction). */
export interface SqlExecutor {
  readonly dialect: SqlDialect;
  /** Runs a query and returns its rows. */
  query<T extends SqlRow = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** Runs a statement and returns the number of rows it changed. */
  execute(sql: string, params?: readonly SqlValue[]): Promise<number>;
  /**
   * Writes many rows of one table, in the fastest way the driver has (multi-row INSERT, COPY).
   * Rows carry every column of the table's spec (missing ones are written as NULL).
   */
  writeRows(table: TableSpec, rows: readonly SqlRow[], mode: WriteMode): Promise<void>;
}

/** A database: a pool (or the embedded file) that runs transactions. */
export interface SqlDriver extends SqlExecutor {
  /**
   * Runs `work` in one transaction: committed when it resolves, rolled back when it throws (the
   * error is rethrown). Transactions of one driver never interleave their statements.
   */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /**
   * Writes the groups in one transaction, in order, each as writeRows would (optional): a driver
   * that can write a whole batch off the event loop offers it (SQLite's write thread), and the batch
   * writer then uses it instead of transaction + writeRows.
   */
  writeBatch?(groups: readonly WriteGroup[]): Promise<void>;
  /** Closes every connection; later calls fail. */
  close(): Promise<void>;
}

/** The logical type of a column; each dialect maps it (see column-types.ts). */
export type ColumnType =
  /** Free text. */
  | "text"
  /** An exact decimal: TEXT in SQLite, NUMERIC in PostgreSQL; always a string in DES. */
  | "decimal"
  /** A 64-bit integer (microsecond timestamps, counters, sequence numbers). */
  | "integer"
  /** 0 or 1. */
  | "boolean"
  /** A JSON document, stored as text in both dialects so it round-trips byte for byte. */
  | "json";

/** One column of a table. */
export interface ColumnSpec {
  readonly name: string;
  readonly type: ColumnType;
  readonly nullable?: boolean;
}

/**
 * A table as DES reads and writes it: columns in order and the primary key. The migrations create
 * the tables; the specs drive bulk writes, copying between databases and content checksums.
 */
export interface TableSpec {
  readonly name: string;
  readonly columns: readonly ColumnSpec[];
  /** Primary key columns, in order; also the order rows are compared and copied in. */
  readonly primaryKey: readonly string[];
}

/** One (table, mode) group of rows, as a batch is written. */
export interface WriteGroup {
  readonly table: TableSpec;
  readonly mode: WriteMode;
  readonly rows: readonly SqlRow[];
}
