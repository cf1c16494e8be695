import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import { DesError, ErrorCode, toError } from "../../core/index.ts";
import { BackgroundCheckpointer, type CheckpointerStats } from "./background-checkpointer.ts";
import type {
  SqlDriver,
  SqlExecutor,
  SqlRow,
  SqlValue,
  TableSpec,
  WriteGroup,
  WriteMode,
} from "./sql-types.ts";
import { SqliteRowWriter } from "./sqlite-row-writer.ts";
import { applyBackstopCheckpoint, applySqliteSettings } from "./sqlite-settings.ts";
import { SqliteWriteThread } from "./sqlite-write-thread.ts";
import { flattenRows } from "./write-sql.ts";

export {
  applySqliteSettings,
  BACKSTOP_CHECKPOINT_PAGES,
  SQLITE_MAX_VARIABLES,
} from "./sqlite-settings.ts";

/** Options of the embedded SQLite database. */
export interface SqliteDriverOptions {
  /** How long a statement waits for a lock held by another connection before SQLITE_BUSY (default 5000 ms). */
  readonly busyTimeoutMs?: number;
  /** Rows per multi-row INSERT statement in writeRows (default 500; capped by SQLite's 32766 variables). */
  readonly maxRowsPerInsert?: number;
  /**
   * Checkpoint the WAL from a worker thread instead of inside commits on the main thread (default
   * true for a file; never for ":memory:"). See BackgroundCheckpointer.
   */
  readonly backgroundCheckpoint?: boolean;
  /** How often the background checkpointer runs (default 100 ms). */
  readonly checkpointIntervalMs?: number;
  /** Told when a background checkpoint round fails (the next one tries again). */
  readonly onCheckpointError?: (message: string) => void;
  /**
   * writeBatch runs on a worker thread with its own connection (SqliteWriteThread) instead of on the
   * event loop (default true for a file; never for ":memory:", which a second connection cannot see).
   */
  readonly writeThread?: boolean;
}

/**
 * Page size of a database file the driver creates. Bulk writes into DES's wide, indexed tables touch
 * fewer pages per row with 16 KiB pages than with SQLite's default 4 KiB: raw inserts into `fills`
 * measured +19-23 % and its batch writer about +20 % in three interleaved runs; the narrow
 * equity_snapshots table's batch writer measured about 5 % slower (more bytes per dirty page at each
 * commit), its one-transaction writes +25 % (BENCHMARKS.md). A page size is fixed once a file has
 * content, so an existing file keeps its own. The order intent journal (openLocalSqlite) stays at
 * 4 KiB: its single-row commit before each order measured 36 us p50 with 4 KiB against 47 us with 16 KiB.
 */
export const SQLITE_BULK_PAGE_SIZE = 16_384;

/**
 * The embedded database (node:sqlite, a file under ./data by default) behind the SQL port.
 *
 * Settings: WAL journal; synchronous=NORMAL; busy timeout; foreign keys on; 16 KiB pages for a file it
 * creates (SQLITE_BULK_PAGE_SIZE); WAL checkpoints on a worker thread (BackgroundCheckpointer) with
 * the main connection's own automatic checkpoint kept as a far-off backstop; statements prepared once
 * and cached by their SQL text. writeBatch (the batch writer's path) runs on a write thread with a
 * connection of its own (SqliteWriteThread), so a batch's SQLite work stays off the event loop:
 * measured at 8,000 fills rows/s, event-loop delay p99 1.6 ms against 4.0-4.2 ms with batches on
 * the event loop, for about a quarter less peak throughput (bench:batch-writer).
 *
 * Durability with WAL and synchronous=NORMAL: a commit appends to the WAL file without waiting for
 * fsync (the WAL is synced at checkpoints). A committed transaction therefore survives a crash or
 * kill -9 of DES (the data is in the OS page cache and the WAL is replayed at the next open). After
 * a power loss or an OS crash, the last transactions committed before the failure may be rolled back;
 * the database itself stays consistent (never corrupt, never half a transaction). Use
 * synchronous=FULL if losing the last commits on a power cut is not acceptable (each commit then
 * costs an fsync).
 *
 * node:sqlite is synchronous: query/execute run at once and return settled promises. Transactions
 * are BEGIN IMMEDIATE ... COMMIT on the single connection; because `work` is async, transactions are
 * serialized by a mutex so the statements of two callers never interleave, and statements issued on
 * the driver (outside a transaction) while one is open wait for it to end. Do not call
 * driver.transaction (or driver.query) from inside `work`: use the `tx` executor, or it deadlocks.
 */
export class SqliteDriver implements SqlDriver {
  readonly dialect = "sqlite" as const;
  /**
   * The main connection, for code that must stay synchronous (benches, tests). Batches the driver
   * writes go through its write thread's own connection; a synchronous write here would wait, in
   * SQLite's busy handler on the event loop, while one is in flight.
   */
  readonly database: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();
  readonly #rowWriter: SqliteRowWriter;
  readonly #checkpointer: BackgroundCheckpointer | undefined;
  readonly #writeThread: SqliteWriteThread | undefined;
  /** Settles when the open transaction ends; undefined when none is open. */
  #busy: Promise<void> | undefined;
  #closed = false;

  private constructor(
    database: DatabaseSync,
    options: SqliteDriverOptions,
    checkpointer: BackgroundCheckpointer | undefined,
    writeThread: SqliteWriteThread | undefined,
  ) {
    this.database = database;
    this.#writeThread = writeThread;
    this.#rowWriter = new SqliteRowWriter(database, options.maxRowsPerInsert ?? 500);
    this.#checkpointer = checkpointer;
  }

  /** Opens (creating the file and its folder if needed) a database; ":memory:" for a private in-memory one. */
  static open(path: string, options: SqliteDriverOptions = {}): SqliteDriver {
    try {
      if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
      const db = new DatabaseSync(path);
      // Before journal_mode=WAL writes the header: on an empty file this sets the page size, on an
      // existing one it is a no-op.
      db.exec(`PRAGMA page_size = ${SQLITE_BULK_PAGE_SIZE}`);
      applySqliteSettings(db, options.busyTimeoutMs);
      // The file's absolute path (resolved now, not when a thread starts later); null for a database
      // only this connection can see (":memory:", "", a memory URI): no second connection then.
      const location = db.location() || undefined;
      const background = location !== undefined && options.backgroundCheckpoint !== false;
      const writeThread =
        location !== undefined && options.writeThread !== false
          ? new SqliteWriteThread({
              path: location,
              busyTimeoutMs: options.busyTimeoutMs ?? 5000,
              maxRowsPerInsert: Math.max(1, options.maxRowsPerInsert ?? 500),
              backstopCheckpoint: background,
            })
          : undefined;
      if (!background || location === undefined) return new SqliteDriver(db, options, undefined, writeThread);
      applyBackstopCheckpoint(db);
      const checkpointer = new BackgroundCheckpointer(location, {
        ...(options.checkpointIntervalMs === undefined ? {} : { intervalMs: options.checkpointIntervalMs }),
        ...(options.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: options.busyTimeoutMs }),
        ...(options.onCheckpointError === undefined ? {} : { onError: options.onCheckpointError }),
      });
      return new SqliteDriver(db, options, checkpointer, writeThread);
    } catch (e) {
      throw new DesError(
        ErrorCode.StoreFailed,
        `cannot open SQLite database ${path}: ${toError(e).message}`,
        { path },
        { cause: e },
      );
    }
  }

  async query<T extends SqlRow = SqlRow>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return this.#whenIdle(() => this.#query<T>(sql, params));
  }

  async execute(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    return this.#whenIdle(() => this.#execute(sql, params));
  }

  /** Writes the rows in one transaction (all or nothing). */
  async writeRows(table: TableSpec, rows: readonly SqlRow[], mode: WriteMode): Promise<void> {
    if (rows.length === 0) return;
    await this.transaction(async (tx) => tx.writeRows(table, rows, mode));
  }

  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const release = await this.#acquire();
    let open = true;
    const tx = this.#executor(() => open);
    try {
      this.#run("BEGIN IMMEDIATE", () => this.database.exec("BEGIN IMMEDIATE"));
      try {
        const result = await work(tx);
        this.#run("COMMIT", () => this.database.exec("COMMIT"));
        return result;
      } catch (e) {
        if (this.database.isTransaction) this.database.exec("ROLLBACK");
        throw e;
      }
    } finally {
      open = false;
      release();
    }
  }

  /**
   * Writes the groups in one transaction (the batch writer's path): on the write thread when the
   * driver has one, so the event loop only flattens and posts the rows; else on the main connection,
   * as transaction + writeRows would. The main connection stays idle meanwhile (statements and
   * transactions issued on the driver wait), so the two connections never contend for the write
   * lock. Errors are DES_ERR_STORE_FAILED carrying SQLite's result code, as on the main connection.
   */
  async writeBatch(groups: readonly WriteGroup[]): Promise<void> {
    const thread = this.#writeThread;
    if (thread === undefined) {
      await this.transaction(async (tx) => {
        for (const g of groups) await tx.writeRows(g.table, g.rows, g.mode);
      });
      return;
    }
    const what = `writeBatch into ${groups.map((g) => `${g.table.name} (${g.mode}, ${g.rows.length} rows)`).join(", ")}`;
    const release = await this.#acquire();
    try {
      await thread.write(groups);
    } catch (e) {
      throw storeError(what, e);
    } finally {
      release();
    }
  }

  /** Write threads started so far (0 until the first writeBatch on a file; more after one stopped). */
  get writeThreadsStarted(): number {
    return this.#writeThread?.started ?? 0;
  }

  /** What the background checkpointer has done, or undefined without one. */
  checkpointStats(): CheckpointerStats | undefined {
    return this.#checkpointer?.stats();
  }

  /**
   * Stops the write thread (after the batch in flight, or terminated after 5 s, which fails that
   * batch), waits for the driver to be idle, stops the background checkpointer, then closes the
   * database (whose last close checkpoints the rest).
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#writeThread?.close();
    await this.#whenIdle(() => undefined).catch(() => undefined);
    await this.#checkpointer?.close();
    await this.#whenIdle(() => {
      this.#closed = true;
      this.#statements.clear();
      this.#rowWriter.clear();
      this.database.close();
    });
  }

  /**
   * Runs `step` (synchronous) once no transaction is open. The check and the step run in the same
   * turn, so no transaction can begin in between.
   */
  async #whenIdle<T>(step: () => T): Promise<T> {
    while (this.#busy !== undefined) await this.#busy;
    if (this.#closed) throw new DesError(ErrorCode.StoreFailed, "SQLite database is closed");
    return step();
  }

  /**
   * Waits until no transaction is open and marks one open, in the same turn (several waiters each
   * re-check after waking, so exactly one proceeds). Returns the function that ends it.
   */
  async #acquire(): Promise<() => void> {
    return this.#whenIdle(() => {
      let release!: () => void;
      const busy = new Promise<void>((resolve) => {
        release = resolve;
      });
      this.#busy = busy;
      return () => {
        this.#busy = undefined;
        release();
      };
    });
  }

  #executor(isOpen: () => boolean): SqlExecutor {
    const check = () => {
      if (!isOpen()) {
        throw new DesError(
          ErrorCode.StoreFailed,
          "SQLite transaction already ended: its executor was used late",
        );
      }
    };
    return {
      dialect: "sqlite",
      query: async <T extends SqlRow = SqlRow>(sql: string, params: readonly SqlValue[] = []) => {
        check();
        return this.#query<T>(sql, params);
      },
      execute: async (sql: string, params: readonly SqlValue[] = []) => {
        check();
        return this.#execute(sql, params);
      },
      writeRows: async (table: TableSpec, rows: readonly SqlRow[], mode: WriteMode) => {
        check();
        this.#writeRows(table, rows, mode);
      },
    };
  }

  #query<T extends SqlRow>(sql: string, params: readonly SqlValue[]): T[] {
    const rows = this.#run(sql, () => this.#statement(sql).all(...(params as SQLInputValue[])));
    // node:sqlite rows have a null prototype; plain objects compare equal to PostgreSQL's rows.
    return rows.map((row) => ({ ...row })) as T[];
  }

  #execute(sql: string, params: readonly SqlValue[]): number {
    return this.#run(sql, () => Number(this.#statement(sql).run(...(params as SQLInputValue[])).changes));
  }

  #writeRows(table: TableSpec, rows: readonly SqlRow[], mode: WriteMode): void {
    this.#run(`writeRows ${mode} into ${table.name}`, () =>
      this.#rowWriter.write(table, mode, rows.length, (from, count) => flattenRows(table, rows, from, count)),
    );
  }

  #statement(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.database.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  /** Runs a step and wraps a failure in DES_ERR_STORE_FAILED naming the statement. */
  #run<T>(what: string, step: () => T): T {
    try {
      return step();
    } catch (e) {
      throw storeError(what, e);
    }
  }
}

function storeError(what: string, e: unknown): DesError {
  if (e instanceof DesError) return e;
  const statement = what.length > 200 ? `${what.slice(0, 200)}...` : what;
  const { errcode, errstr } = e as { errcode?: number; errstr?: string };
  return new DesError(
    ErrorCode.StoreFailed,
    `SQLite failed on ${statement.replace(/\s+/g, " ").trim()}: ${toError(e).message}`,
    { statement, sqliteCode: errcode, sqliteError: errstr },
    { cause: e },
  );
}
