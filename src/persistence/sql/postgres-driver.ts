import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { DesError, ErrorCode, toError } from "../../core/index.ts";
import { copyTextPieces } from "./copy-text.ts";
import { numberPlaceholders } from "./placeholders.ts";
import { redactCredentials, redactUrl, urlPassword } from "./redact-url.ts";
import type { SqlDriver, SqlExecutor, SqlRow, SqlValue, TableSpec, WriteMode } from "./sql-types.ts";
import {
  chunkSizes,
  conflictClause,
  flattenRows,
  lastRowPerKey,
  multiRowInsertSql,
  quoteIdent,
} from "./write-sql.ts";

/** How writeRows sends a batch: COPY FROM STDIN (via a staging table for upsert, see #copyRows) or multi-row INSERTs. */
export type PostgresBulkMethod = "copy" | "insert";

/** Options of the PostgreSQL pool. */
export interface PostgresDriverOptions {
  /** postgres://user:password@host:port/database (the password never appears in logs or errors). */
  readonly url: string;
  /** Connections in the pool (POSTGRES_POOL, default 25). */
  readonly poolSize?: number;
  /** An idle connection is closed after this long (default 300,000 ms = 5 min). */
  readonly idleTimeoutMs?: number;
  /** A connection is retired after this age, when next idle (default 3600 s = 1 h): spreads server-side memory and survives failovers. */
  readonly maxLifetimeSeconds?: number;
  /** Waiting for a connection (new or from the pool) fails after this long (default 5000 ms). */
  readonly connectTimeoutMs?: number;
  /** The schema every connection works in (search_path); default: the server's (public). */
  readonly schema?: string;
  /** application_name shown in pg_stat_activity (default "des"). */
  readonly applicationName?: string;
  /** How writeRows sends batches (default "copy": measured faster for 10,000-row batches). */
  readonly bulk?: PostgresBulkMethod;
  /** Rows per multi-row INSERT when bulk is "insert" (default 1000; capped by the 65535-parameter limit). */
  readonly maxRowsPerInsert?: number;
}

/** SQLSTATE of a duplicate key. */
const UNIQUE_VIOLATION = "23505";
/** The savepoint around an "ignore" batch's direct COPY. */
const IGNORE_SAVEPOINT = "des_ignore_copy";

/** The parameters one PostgreSQL statement may carry (the wire protocol's Int16 count). */
export const POSTGRES_MAX_PARAMETERS = 65535;

/** Counters of the pool (for metrics and health). */
export interface PostgresPoolStats {
  /** Connections open (idle and checked out). */
  readonly totalConnections: number;
  readonly idleConnections: number;
  /** Callers waiting for a connection. */
  readonly waitingClients: number;
  /** Errors raised by connections outside any query (a server restart, a killed backend): never fatal. */
  readonly connectionErrors: number;
  /**
   * "ignore" batches (COPY) that met a stored key, or a key given twice in the batch, and were
   * written again through the staging table (see writeRows); each costs a second pass over its rows.
   */
  readonly ignoreFallbacks: number;
}

const PG_OID_INT8 = 20;
const PG_OID_NUMERIC = 1700;

/**
 * Type parsers of DES's pools: BIGINT comes back as a number when it is a safe integer (microsecond
 * timestamps are) and as a bigint otherwise; NUMERIC comes back as its exact decimal text. Decimal
 * parameters are sent as text and cast by the column's type, so they are never floating point.
 */
const DES_TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") => {
    if (format !== "binary") {
      if (oid === PG_OID_INT8) return parseInt8;
      if (oid === PG_OID_NUMERIC) return (value: string) => value;
    }
    return pg.types.getTypeParser(oid, format as "text");
  }) as pg.CustomTypesConfig["getTypeParser"],
};

function parseInt8(value: string): number | bigint {
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : BigInt(value);
}

/**
 * PostgreSQL (pg) behind the SQL port: a pool of POSTGRES_POOL connections, `?` placeholders numbered
 * to $n, NUMERIC decimals exchanged as exact text. Transactions run on one pooled connection (BEGIN,
 * COMMIT, ROLLBACK); a connection that failed is destroyed rather than returned to the pool. Errors are
 * DES_ERR_STORE_FAILED naming the statement or table, never the password of the URL. Errors emitted
 * by connections (a server restart), idle or handed out, are counted and never crash the process; the pool opens new
 * connections on demand, so writes resume once the server is back.
 */
export class PostgresDriver implements SqlDriver {
  readonly dialect = "postgres" as const;
  /** How writeRows sends batches. */
  readonly bulk: PostgresBulkMethod;
  readonly #pool: pg.Pool;
  readonly #redactedUrl: string;
  readonly #secrets: readonly string[];
  readonly #maxRowsPerInsert: number;
  readonly #insertStatements = new Map<string, { name: string; text: string }>();
  #connectionErrors = 0;
  #ignoreFallbacks = 0;
  #closed = false;

  private constructor(pool: pg.Pool, options: PostgresDriverOptions) {
    this.#pool = pool;
    this.bulk = options.bulk ?? "copy";
    this.#redactedUrl = redactUrl(options.url);
    const password = urlPassword(options.url);
    this.#secrets = password === undefined ? [] : [password];
    this.#maxRowsPerInsert = Math.max(1, options.maxRowsPerInsert ?? 1000);
    pool.on("error", () => {
      // An idle connection failed (server restart, backend terminated): pg-pool drops it already.
      this.#connectionErrors++;
    });
    pool.on("connect", (client) => {
      // A listener for the connection's whole life. pg-pool stops listening when it hands a
      // connection out, and the holder starts only when its code resumes; a termination parsed in
      // the same chunk as the answer that freed the connection falls in between, and pg throws an
      // 'error' event nobody listens to as an uncaught exception. Counted here when no one else
      // listens; the connection is then unusable and its holder's next statement fails transiently.
      client.on("error", () => {
        if (client.listenerCount("error") === 1) this.#connectionErrors++;
      });
    });
  }

  /**
   * Opens a pool and checks that the server answers (one connection, SELECT 1). Fails with
   * DES_ERR_STORE_FAILED "PostgreSQL not reachable at postgres://user:***@host/db: <reason>".
   */
  static async open(options: PostgresDriverOptions): Promise<PostgresDriver> {
    if (options.schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(options.schema)) {
      throw new DesError(ErrorCode.InvalidConfig, `invalid PostgreSQL schema name: ${options.schema}`, {
        schema: options.schema,
      });
    }
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 25,
      idleTimeoutMillis: options.idleTimeoutMs ?? 300_000,
      maxLifetimeSeconds: options.maxLifetimeSeconds ?? 3600,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      application_name: options.applicationName ?? "des",
      ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
      types: DES_TYPES,
    });
    const driver = new PostgresDriver(pool, options);
    try {
      await pool.query("SELECT 1");
    } catch (e) {
      await pool.end().catch(() => undefined);
      throw new DesError(
        ErrorCode.StoreFailed,
        `PostgreSQL not reachable at ${driver.#redactedUrl}: ${driver.#redact(describe(e))}`,
        { url: driver.#redactedUrl, code: (e as { code?: unknown }).code },
        { cause: e },
      );
    }
    return driver;
  }

  async query<T extends SqlRow = SqlRow>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    this.#checkOpen();
    try {
      return (await this.#pool.query(numberPlaceholders(sql), params as unknown[])).rows as T[];
    } catch (e) {
      throw this.#error(sql, e);
    }
  }

  async execute(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    this.#checkOpen();
    try {
      return (await this.#pool.query(numberPlaceholders(sql), params as unknown[])).rowCount ?? 0;
    } catch (e) {
      throw this.#error(sql, e);
    }
  }

  /** Writes the rows in one transaction (all or nothing). */
  async writeRows(table: TableSpec, rows: readonly SqlRow[], mode: WriteMode): Promise<void> {
    if (rows.length === 0) return;
    await this.transaction((tx) => tx.writeRows(table, rows, mode));
  }

  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    this.#checkOpen();
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (e) {
      throw this.#error("connect", e);
    }
    let connectionError: Error | undefined;
    const onError = (e: Error) => {
      // A checked-out connection failed: pg-pool does not listen while we hold it.
      connectionError = e;
      this.#connectionErrors++;
    };
    client.on("error", onError);
    try {
      await this.#on(client, "BEGIN");
    } catch (e) {
      // A connection that cannot even begin is destroyed rather than returned to the pool.
      client.removeListener("error", onError);
      client.release(connectionError ?? toError(e));
      throw e;
    }
    let open = true;
    let destroy = false;
    try {
      const result = await work(this.#executor(client, () => open));
      await this.#on(client, "COMMIT");
      return result;
    } catch (e) {
      // The work's error is rethrown as it is; a connection that cannot roll back is destroyed.
      destroy = connectionError !== undefined || !(await rollback(client));
      throw e;
    } finally {
      open = false;
      client.removeListener("error", onError);
      client.release(destroy ? (connectionError ?? new Error("connection failed")) : undefined);
    }
  }

  /** Counters of the pool. */
  stats(): PostgresPoolStats {
    return {
      totalConnections: this.#pool.totalCount,
      idleConnections: this.#pool.idleCount,
      waitingClients: this.#pool.waitingCount,
      connectionErrors: this.#connectionErrors,
      ignoreFallbacks: this.#ignoreFallbacks,
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }

  #executor(client: pg.PoolClient, isOpen: () => boolean): SqlExecutor {
    const check = () => {
      if (!isOpen()) {
        throw new DesError(
          ErrorCode.StoreFailed,
          "PostgreSQL transaction already ended: its executor was used late",
        );
      }
    };
    return {
      dialect: "postgres",
      query: async <T extends SqlRow = SqlRow>(sql: string, params: readonly SqlValue[] = []) => {
        check();
        return (await this.#on(client, sql, params)).rows as T[];
      },
      execute: async (sql: string, params: readonly SqlValue[] = []) => {
        check();
        return (await this.#on(client, sql, params)).rowCount ?? 0;
      },
      writeRows: async (table: TableSpec, rows: readonly SqlRow[], mode: WriteMode) => {
        check();
        const unique = lastRowPerKey(table, rows, mode);
        if (unique.length === 0) return;
        if (this.bulk === "copy") await this.#copyRows(client, table, unique, mode);
        else await this.#insertRows(client, table, unique, mode);
      },
    };
  }

  async #on(client: pg.PoolClient, sql: string, params: readonly SqlValue[] = []): Promise<pg.QueryResult> {
    try {
      return await client.query(numberPlaceholders(sql), params as unknown[]);
    } catch (e) {
      throw this.#error(sql, e);
    }
  }

  /** Multi-row INSERTs, each a named prepared statement (parsed once per connection). */
  async #insertRows(client: pg.PoolClient, table: TableSpec, rows: readonly SqlRow[], mode: WriteMode) {
    const width = table.columns.length;
    const maxRows = Math.max(
      1,
      Math.min(this.#maxRowsPerInsert, Math.floor(POSTGRES_MAX_PARAMETERS / width)),
    );
    let from = 0;
    for (const size of chunkSizes(rows.length, maxRows)) {
      const statement = this.#insertStatement(table, mode, size);
      try {
        await client.query({ ...statement, values: flattenRows(table, rows, from, size) });
      } catch (e) {
        throw this.#error(`writeRows ${mode} into ${table.name} (${size} rows)`, e);
      }
      from += size;
    }
  }

  #insertStatement(table: TableSpec, mode: WriteMode, size: number): { name: string; text: string } {
    const key = `${table.name}\u0000${table.columns.map((c) => c.name).join(",")}\u0000${mode}\u0000${size}`;
    let statement = this.#insertStatements.get(key);
    if (statement === undefined) {
      const text = multiRowInsertSql(table, mode, size, (i) => `$${i + 1}`);
      const name = `des_w_${createHash("sha1").update(text).digest("hex").slice(0, 24)}`;
      statement = { name, text };
      this.#insertStatements.set(key, statement);
    }
    return statement;
  }

  /**
   * COPY FROM STDIN in text format: straight into the table for "insert"; for "upsert", into a
   * temporary staging table, then INSERT ... SELECT ... ON CONFLICT into the table. For "ignore",
   * straight into the table first, inside a savepoint: a batch of new rows (the usual case: event
   * rows are written once, and met again only when a retry or a restart writes them twice) costs
   * what "insert" costs. When a row's key is already stored, or given twice in the batch, the COPY
   * fails with unique_violation, the savepoint undoes it and the batch goes through the staging
   * table (counted in stats().ignoreFallbacks once written). A transaction holds one such savepoint
   * per ignore group of the batch writer (a handful), far from PostgreSQL's 64 cached subtransactions.
   */
  async #copyRows(client: pg.PoolClient, table: TableSpec, rows: readonly SqlRow[], mode: WriteMode) {
    const columns = table.columns.map((c) => quoteIdent(c.name)).join(", ");
    const target = quoteIdent(table.name);
    const what = `COPY ${mode} into ${table.name} (${rows.length} rows)`;
    const direct = `COPY ${target} (${columns}) FROM STDIN`;
    if (mode === "insert") {
      await this.#copyInto(client, direct, table, rows, what);
      return;
    }
    if (mode === "ignore") {
      await this.#on(client, `SAVEPOINT ${IGNORE_SAVEPOINT}`);
      try {
        await this.#copyInto(client, direct, table, rows, what);
        await this.#on(client, `RELEASE SAVEPOINT ${IGNORE_SAVEPOINT}`);
        return;
      } catch (e) {
        if (!(e instanceof DesError) || e.details["sqlState"] !== UNIQUE_VIOLATION) throw e;
        await this.#on(client, `ROLLBACK TO SAVEPOINT ${IGNORE_SAVEPOINT}`);
        await this.#on(client, `RELEASE SAVEPOINT ${IGNORE_SAVEPOINT}`);
        await this.#copyThroughStage(client, table, rows, mode, columns, target, what);
        this.#ignoreFallbacks++;
        return;
      }
    }
    await this.#copyThroughStage(client, table, rows, mode, columns, target, what);
  }

  /** COPY into a temporary staging table, then INSERT ... SELECT ... ON CONFLICT into the table. */
  async #copyThroughStage(
    client: pg.PoolClient,
    table: TableSpec,
    rows: readonly SqlRow[],
    mode: WriteMode,
    columns: string,
    target: string,
    what: string,
  ) {
    const stage = quoteIdent(`des_stage_${table.name}`);
    await this.#on(client, `CREATE TEMP TABLE ${stage} (LIKE ${target} INCLUDING DEFAULTS)`);
    await this.#copyInto(client, `COPY ${stage} (${columns}) FROM STDIN`, table, rows, what);
    await this.#on(
      client,
      `INSERT INTO ${target} (${columns}) SELECT ${columns} FROM ${stage}${conflictClause(table, mode)}`,
    );
    await this.#on(client, `DROP TABLE ${stage}`);
  }

  async #copyInto(
    client: pg.PoolClient,
    copySql: string,
    table: TableSpec,
    rows: readonly SqlRow[],
    what: string,
  ): Promise<void> {
    try {
      const sink = client.query(copyFrom(copySql));
      await pipeline(Readable.from(copyTextPieces(table, rows)), sink);
    } catch (e) {
      throw this.#error(what, e);
    }
  }

  #checkOpen(): void {
    if (this.#closed) throw new DesError(ErrorCode.StoreFailed, "PostgreSQL driver is closed");
  }

  #redact(text: string): string {
    return redactCredentials(text, this.#secrets);
  }

  /** DES_ERR_STORE_FAILED naming the statement (shortened) and the SQLSTATE, never the password. */
  #error(what: string, e: unknown): DesError {
    if (e instanceof DesError) return e;
    const oneLine = what.replace(/\s+/g, " ").trim();
    const statement = this.#redact(oneLine.length > 200 ? `${oneLine.slice(0, 200)}...` : oneLine);
    const { code, detail } = e as { code?: unknown; detail?: unknown };
    return new DesError(
      ErrorCode.StoreFailed,
      `PostgreSQL failed on ${statement}: ${this.#redact(describe(e))}`,
      {
        statement,
        sqlState: typeof code === "string" ? code : undefined,
        detail: typeof detail === "string" ? this.#redact(detail) : undefined,
        url: this.#redactedUrl,
      },
      { cause: e },
    );
  }
}

/** Rolls back; false when the connection could not (it is then destroyed rather than reused). */
async function rollback(client: pg.PoolClient): Promise<boolean> {
  try {
    await client.query("ROLLBACK");
    return true;
  } catch {
    return false;
  }
}

/** A message for any thrown value (an AggregateError of several connection attempts lists each). */
function describe(e: unknown): string {
  if (e instanceof AggregateError && e.errors.length > 0) {
    return e.errors.map((x) => toError(x).message).join("; ");
  }
  const message = toError(e).message;
  const code = (e as { code?: unknown }).code;
  return message === "" && typeof code === "string" ? code : message;
}
