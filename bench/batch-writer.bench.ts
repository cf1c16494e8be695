/**
 * Batch writer throughput on SQLite and PostgreSQL, next to the raw ceilings measured in the same run
 * (targets: SQLite >= 500,000 rows/s, PostgreSQL >= 300,000 rows/s).
 *
 * Three of DES's tables, one after the other (--table picks one): fills, the widest hot table (13
 * columns, decimals as text, primary key and three secondary indexes); signals, the narrow
 * append-only table (6 columns, an integer primary key, which is SQLite's rowid, and one index on
 * (strategy_id, ts); 20 strategies); equity_snapshots, a narrow time-series table
 * (6 columns, primary key (book_id, ts) only; 50 books, ts increasing, 4 decimal strings). Rows are
 * written in the mode the store writes them (--mode, default ignore: event rows are written once,
 * and a retry's repeat is skipped). Rows are built before any timing. Every measurement starts on an
 * empty, migrated table:
 * - SQLite (temporary file, WAL, synchronous=NORMAL):
 *   raw: node:sqlite, one prepared single-row INSERT run N times in one transaction;
 *   driver: SqliteDriver, one transaction, tx.writeRows of the N rows (multi-row INSERTs);
 *   writer: BatchWriter (its defaults on SQLite), N rows enqueued as fast as the queue takes
 *   them (the producer waits for room only when the 200,000-row queue is full), timed until flush()
 *   resolves, i.e. every row committed; batches go through the driver's write thread, as in the
 *   store; the same again with the write thread off (batches on the event loop), for comparison.
 * - PostgreSQL (a schema of its own, dropped after; skipped with a note when unreachable):
 *   raw: COPY FROM STDIN of the N rows on one pg client, one transaction;
 *   driver: PostgresDriver, one transaction, tx.writeRows (COPY);
 *   writer: as for SQLite.
 * Each ratio is the writer's rows/s divided by the ceiling's. Last (with the fills table): the
 * event-loop delay while 8,000 fills rows/s are written for 5 s, with and without the write thread.
 *
 * Run: node_modules/.bin/node bench/batch-writer.bench.ts [--table fills|signals|equity_snapshots]
 *      [--sqlite-rows 1000000] [--pg-rows 500000] [--batch <maxBatchRows, default the writer's
 *      per database>] [--mode ignore|insert|upsert]
 * Last line of stdout: one JSON object.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { parseArgs } from "node:util";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { fillRow } from "../src/persistence/batch/batch-test-support.ts";
import { BatchWriter } from "../src/persistence/batch/batch-writer.ts";
import {
  BATCH_WRITER_DEFAULTS,
  type BatchWriterOptions,
} from "../src/persistence/batch/batch-writer-options.ts";
import type { BatchWriterStats } from "../src/persistence/batch/batch-writer-stats.ts";
import { migrate } from "../src/persistence/schema/migrate.ts";
import { TABLES } from "../src/persistence/schema/tables.ts";
import { copyTextPieces } from "../src/persistence/sql/copy-text.ts";
import { PostgresDriver } from "../src/persistence/sql/postgres-driver.ts";
import type { SqlDriver, SqlRow, SqlValue, TableSpec, WriteMode } from "../src/persistence/sql/sql-types.ts";
import { SqliteDriver, type SqliteDriverOptions } from "../src/persistence/sql/sqlite-driver.ts";
import { quoteIdent } from "../src/persistence/sql/write-sql.ts";
import { testPostgresUrl } from "../src/persistence/test-support/postgres-test-db.ts";
import { benchMachine } from "./bench-machine.ts";

const { values } = parseArgs({
  options: {
    "sqlite-rows": { type: "string", default: "1000000" },
    "pg-rows": { type: "string", default: "500000" },
    batch: { type: "string" },
    mode: { type: "string", default: "ignore" },
    table: { type: "string" },
  },
});
const SQLITE_ROWS = Number(values["sqlite-rows"]);
const PG_ROWS = Number(values["pg-rows"]);
/** maxBatchRows of the writer; undefined: its default for the database (as the store runs it). */
const BATCH_ROWS = values.batch === undefined ? undefined : Number(values.batch);
const QUEUE_ROWS = Math.max(200_000, BATCH_ROWS ?? 0);
const MODE = values.mode as WriteMode;
const SQLITE_TARGET = 500_000;
/** The event-loop section's steady write rate: about 2,000 orders/s, each an order row, history and a fill. */
const EVENT_LOOP_ROWS_PER_S = 8_000;
const EVENT_LOOP_SECONDS = 5;
const PG_TARGET = 300_000;

/** A table under test: its spec, how to build its i-th row, and the raw SQLite bind of one row. */
interface BenchTable {
  readonly spec: TableSpec;
  /** What the table stands for, in the human lines. */
  readonly shape: string;
  readonly row: (i: number) => SqlRow;
  /** Runs the prepared single-row INSERT (columns in spec order) with the row's values, no array built. */
  readonly runRaw: (insert: { run(...values: (string | number | null)[]): unknown }, row: SqlRow) => void;
}

const EQUITY_BASE_TS = 1_700_000_000_000_000;

/** A row of equity_snapshots: 50 books, one snapshot per i (ts increasing), decimals as text. */
function equityRow(i: number): SqlRow {
  const cents = i % 1_000_000;
  return {
    book_id: `strategy:s${i % 50}`,
    ts: EQUITY_BASE_TS + i,
    equity: `${100_000 + (i % 997)}.${String(cents % 100).padStart(2, "0")}000000`,
    realized: `${i % 5_000}.12500000`,
    unrealized: `-${i % 311}.03000000`,
    fees: `${i % 97}.00015000`,
  };
}

/** A row of signals: ids increasing from 1, 20 strategies, 4 actions, a short reason. */
function signalRow(i: number): SqlRow {
  return {
    id: i + 1,
    strategy_id: `s${i % 20}`,
    instrument_id: "BTCUSDT.BINANCE",
    action: SIGNAL_ACTIONS[i & 3]!,
    reason: `cross ${i % 1000}`,
    ts: EQUITY_BASE_TS + i,
  };
}
const SIGNAL_ACTIONS = ["BUY", "SELL", "HOLD", "CLOSE"] as const;

const BENCH_TABLES: Record<string, BenchTable> = {
  fills: {
    spec: TABLES.fills,
    shape: "13 columns, primary key + 3 indexes",
    row: (i) => ({ ...fillRow(i), seq: i + 1 }),
    runRaw: (insert, row) =>
      insert.run(
        row["account_id"] as string,
        row["trade_id"] as string,
        row["client_order_id"] as string,
        row["strategy_id"] as string,
        row["instrument_id"] as string,
        row["side"] as string,
        row["quantity"] as string,
        row["price"] as string,
        row["commission"] as string,
        row["commission_asset"] as string,
        row["liquidity"] as string,
        row["ts"] as number,
        row["seq"] as number,
      ),
  },
  signals: {
    spec: TABLES.signals,
    shape: "6 columns, integer primary key + 1 index",
    row: signalRow,
    runRaw: (insert, row) =>
      insert.run(
        row["id"] as number,
        row["strategy_id"] as string,
        row["instrument_id"] as string,
        row["action"] as string,
        row["reason"] as string,
        row["ts"] as number,
      ),
  },
  equity_snapshots: {
    spec: TABLES.equitySnapshots,
    shape: "6 columns, primary key only",
    row: equityRow,
    runRaw: (insert, row) =>
      insert.run(
        row["book_id"] as string,
        row["ts"] as number,
        row["equity"] as string,
        row["realized"] as string,
        row["unrealized"] as string,
        row["fees"] as string,
      ),
  },
};
if (values.table !== undefined && !(values.table in BENCH_TABLES)) {
  throw new Error(`--table must be one of ${Object.keys(BENCH_TABLES).join(", ")}, not ${values.table}`);
}
const TABLE_NAMES = values.table === undefined ? Object.keys(BENCH_TABLES) : [values.table];

/** Rows per second of `rows` rows done in `ms`. */
const rate = (rows: number, ms: number): number => Math.round((rows * 1000) / ms);
const fmt = (n: number): string => n.toLocaleString("en-US");

function buildRows(table: BenchTable, n: number): SqlRow[] {
  const rows = new Array<SqlRow>(n);
  for (let i = 0; i < n; i++) rows[i] = table.row(i);
  return rows;
}

/** The column names of a table, in spec order. */
const columnsOf = (spec: TableSpec): string[] => spec.columns.map((c) => c.name);

/** The bench's writer settings: --batch when given, else the writer's defaults for the database. */
function writerOptions(maxQueuedRows: number): BatchWriterOptions {
  return BATCH_ROWS === undefined ? { maxQueuedRows } : { maxBatchRows: BATCH_ROWS, maxQueuedRows };
}

/** Writes every row through a BatchWriter; returns rows/s (enqueue of the first to commit of the last) and its stats. */
async function writerRun(
  driver: SqlDriver,
  spec: TableSpec,
  rows: readonly SqlRow[],
): Promise<{ rowsPerS: number; stats: BatchWriterStats }> {
  const writer = new BatchWriter(driver, writerOptions(QUEUE_ROWS));
  const chunk = 1_000;
  const t0 = performance.now();
  for (let from = 0; from < rows.length; from += chunk) {
    const to = Math.min(rows.length, from + chunk);
    if (writer.queueDepth + (to - from) > QUEUE_ROWS) await writer.waitForRoom(to - from);
    for (let i = from; i < to; i++) writer.enqueue(spec, rows[i]!, MODE);
  }
  await writer.flush();
  const ms = performance.now() - t0;
  const stats = writer.stats();
  const report = await writer.close();
  if (!report.complete || stats.writesTotal !== rows.length) {
    throw new Error(
      `writer wrote ${stats.writesTotal} of ${rows.length} rows (dead letters: ${stats.deadLettered})`,
    );
  }
  return { rowsPerS: rate(rows.length, ms), stats };
}

/**
 * The caller's cost: ns per enqueue of 200,000 rows in one synchronous loop (no flush can run
 * during it; the rows are flushed afterwards, untimed). Median of 5 rounds.
 */
async function enqueueCost(driver: SqlDriver, spec: TableSpec, rows: readonly SqlRow[]): Promise<number> {
  const n = Math.min(200_000, rows.length);
  const samples: number[] = [];
  for (let round = 0; round < 5; round++) {
    await driver.execute(`DELETE FROM ${quoteIdent(spec.name)}`);
    const writer = new BatchWriter(
      driver,
      writerOptions(Math.max(n, BATCH_ROWS ?? BATCH_WRITER_DEFAULTS.maxBatchRows)),
    );
    const t0 = performance.now();
    for (let i = 0; i < n; i++) writer.enqueue(spec, rows[i]!, MODE);
    samples.push(((performance.now() - t0) * 1e6) / n);
    await writer.close();
  }
  samples.sort((a, b) => a - b);
  return round2(samples[2]!);
}

/** Times one transaction of driver.writeRows for every row. */
async function driverCeiling(driver: SqlDriver, spec: TableSpec, rows: readonly SqlRow[]): Promise<number> {
  const t0 = performance.now();
  await driver.transaction((tx) => tx.writeRows(spec, rows, MODE));
  return rate(rows.length, performance.now() - t0);
}

async function countRows(driver: SqlDriver, spec: TableSpec): Promise<number> {
  const r = await driver.query<{ n: SqlValue }>(`SELECT COUNT(*) AS n FROM ${quoteIdent(spec.name)}`);
  return Number(r[0]?.n);
}

interface SqliteResult {
  readonly rows: number;
  readonly rawRowsPerS: number;
  readonly driverRowsPerS: number;
  readonly writerRowsPerS: number;
  /** SQLite only: the writer with the driver's write thread off (batches written on the event loop). */
  readonly writerOnLoopRowsPerS?: number;
  readonly ratioToDriver: number;
  readonly ratioToRaw: number;
  readonly target: number;
  readonly batches: number;
  readonly flushP50Us: number;
  readonly flushP99Us: number;
  /** The caller's cost of one enqueue (see enqueueCost). */
  readonly enqueueNsPerRow: number;
}

async function benchSqlite(table: BenchTable, rows: readonly SqlRow[]): Promise<SqliteResult> {
  const spec = table.spec;
  const columns = columnsOf(spec);
  const dir = mkdtempSync(join(tmpdir(), "des-bench-bw-"));
  let run = 0;
  const fresh = async (options: SqliteDriverOptions = {}): Promise<SqliteDriver> => {
    const driver = SqliteDriver.open(join(dir, `run${run++}.sqlite`), options);
    await migrate(driver);
    return driver;
  };
  try {
    // raw: node:sqlite prepared single-row inserts, one transaction
    const rawDriver = await fresh();
    const db = rawDriver.database;
    const insert = db.prepare(
      `INSERT INTO ${quoteIdent(spec.name)} (${columns.map(quoteIdent).join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`,
    );
    const runRaw = table.runRaw;
    const r0 = performance.now();
    db.exec("BEGIN IMMEDIATE");
    for (const row of rows) runRaw(insert, row);
    db.exec("COMMIT");
    const rawRowsPerS = rate(rows.length, performance.now() - r0);
    await rawDriver.close();

    const ceilingDriver = await fresh();
    const driverRowsPerS = await driverCeiling(ceilingDriver, spec, rows);
    await ceilingDriver.close();

    const writerDriver = await fresh();
    const { rowsPerS: writerRowsPerS, stats } = await writerRun(writerDriver, spec, rows);
    const stored = await countRows(writerDriver, spec);
    const enqueueNsPerRow = await enqueueCost(writerDriver, spec, rows);
    const onLoopDriver = await fresh({ writeThread: false });
    const { rowsPerS: writerOnLoopRowsPerS } = await writerRun(onLoopDriver, spec, rows);
    await onLoopDriver.close();
    await writerDriver.close();
    if (stored !== rows.length) throw new Error(`SQLite ${spec.name} holds ${stored} of ${rows.length} rows`);
    return {
      rows: rows.length,
      rawRowsPerS,
      driverRowsPerS,
      writerRowsPerS,
      writerOnLoopRowsPerS,
      ratioToDriver: round2(writerRowsPerS / driverRowsPerS),
      ratioToRaw: round2(writerRowsPerS / rawRowsPerS),
      target: SQLITE_TARGET,
      batches: stats.batchesTotal,
      flushP50Us: stats.flushLatency.p50Us,
      flushP99Us: stats.flushLatency.p99Us,
      enqueueNsPerRow,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

type PostgresResult =
  | (Omit<SqliteResult, "rawRowsPerS" | "enqueueNsPerRow"> & { readonly rawCopyRowsPerS: number })
  | { readonly skipped: string };

async function benchPostgres(spec: TableSpec, rows: readonly SqlRow[]): Promise<PostgresResult> {
  const url = testPostgresUrl();
  const schema = `des_bench_bw_${process.pid}`;
  const admin = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (e) {
    return { skipped: `PostgreSQL not reachable: ${(e as Error).message}` };
  }
  let driver: PostgresDriver | undefined;
  try {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.query(`CREATE SCHEMA ${schema}`);
    driver = await PostgresDriver.open({ url, schema, poolSize: 4 });
    await migrate(driver);
    await admin.query(`SET search_path = ${schema}`);
    const table = quoteIdent(spec.name);
    const truncate = () => admin.query(`TRUNCATE ${table}`);

    // raw: COPY FROM STDIN on one client, one transaction
    const c0 = performance.now();
    await admin.query("BEGIN");
    const columns = columnsOf(spec).map(quoteIdent).join(", ");
    await pipeline(
      Readable.from(copyTextPieces(spec, rows)),
      admin.query(copyFrom(`COPY ${table} (${columns}) FROM STDIN`)),
    );
    await admin.query("COMMIT");
    const rawCopyRowsPerS = rate(rows.length, performance.now() - c0);
    await truncate();

    const driverRowsPerS = await driverCeiling(driver, spec, rows);
    await truncate();

    const { rowsPerS: writerRowsPerS, stats } = await writerRun(driver, spec, rows);
    const stored = await countRows(driver, spec);
    if (stored !== rows.length)
      throw new Error(`PostgreSQL ${spec.name} holds ${stored} of ${rows.length} rows`);
    return {
      rows: rows.length,
      rawCopyRowsPerS,
      driverRowsPerS,
      writerRowsPerS,
      ratioToDriver: round2(writerRowsPerS / driverRowsPerS),
      ratioToRaw: round2(writerRowsPerS / rawCopyRowsPerS),
      target: PG_TARGET,
      batches: stats.batchesTotal,
      flushP50Us: stats.flushLatency.p50Us,
      flushP99Us: stats.flushLatency.p99Us,
    };
  } finally {
    await driver?.close();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await admin.end();
  }
}

/** Event-loop delay of one run (ms). */
interface LoopDelay {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly maxMs: number;
}

/**
 * What the batch writer costs the event loop (trading runs on it) at a steady write rate: fills
 * rows enqueued every millisecond at EVENT_LOOP_ROWS_PER_S for EVENT_LOOP_SECONDS (after 1 s of
 * warm-up) through the store's SQLite settings, with the write thread and with batches on the event
 * loop. monitorEventLoopDelay at 1 ms resolution: about 1 ms is the enqueue timer's own period.
 */
async function eventLoopDelays(): Promise<{
  rowsPerS: number;
  seconds: number;
  writeThread: LoopDelay;
  onLoop: LoopDelay;
}> {
  const dir = mkdtempSync(join(tmpdir(), "des-bench-bw-loop-"));
  const run = async (writeThread: boolean): Promise<LoopDelay> => {
    const driver = SqliteDriver.open(join(dir, `loop-${writeThread}.sqlite`), { writeThread });
    await migrate(driver);
    const writer = new BatchWriter(driver, {});
    const histogram = monitorEventLoopDelay({ resolution: 1 });
    let i = 0;
    const t0 = performance.now();
    await new Promise<void>((done) => {
      const tick = setInterval(() => {
        const elapsed = performance.now() - t0;
        const due = Math.floor((elapsed / 1000) * EVENT_LOOP_ROWS_PER_S);
        for (; i < due; i++) writer.enqueue(TABLES.fills, { ...fillRow(i), seq: i + 1 }, "ignore");
        if (elapsed >= 1000) histogram.enable();
        if (elapsed >= 1000 + EVENT_LOOP_SECONDS * 1000) {
          clearInterval(tick);
          done();
        }
      }, 1);
    });
    histogram.disable();
    await writer.close();
    await driver.close();
    const ms = (ns: number) => round2(ns / 1e6);
    return {
      p50Ms: ms(histogram.percentile(50)),
      p99Ms: ms(histogram.percentile(99)),
      p999Ms: ms(histogram.percentile(99.9)),
      maxMs: ms(histogram.max),
    };
  };
  try {
    const writeThread = await run(true);
    const onLoop = await run(false);
    const line = (d: LoopDelay) => `p50 ${d.p50Ms}, p99 ${d.p99Ms}, p99.9 ${d.p999Ms}, max ${d.maxMs} ms`;
    console.log(
      `event-loop delay, SQLite, ${fmt(EVENT_LOOP_ROWS_PER_S)} fills rows/s for ${EVENT_LOOP_SECONDS} s: ` +
        `write thread ${line(writeThread)}; batches on the event loop ${line(onLoop)}`,
    );
    return { rowsPerS: EVENT_LOOP_ROWS_PER_S, seconds: EVENT_LOOP_SECONDS, writeThread, onLoop };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

console.log(
  `batch writer bench: mode ${MODE}, ${BATCH_ROWS === undefined ? "the writer's default batches" : `batches of ${fmt(BATCH_ROWS)} rows`}, tables ${TABLE_NAMES.join(", ")}`,
);

const tables: Record<string, { sqlite: SqliteResult; postgres: PostgresResult }> = {};
const met: Record<string, { sqlite: boolean; postgres: boolean | null }> = {};
for (const name of TABLE_NAMES) {
  const table = BENCH_TABLES[name]!;
  const allRows = buildRows(table, Math.max(SQLITE_ROWS, PG_ROWS));
  console.log(`${name} (${table.shape}):`);

  const sqlite = await benchSqlite(table, allRows.slice(0, SQLITE_ROWS));
  console.log(
    `  SQLite     ${fmt(sqlite.rows)} rows: raw prepared inserts ${fmt(sqlite.rawRowsPerS)} rows/s, ` +
      `driver.writeRows ${fmt(sqlite.driverRowsPerS)} rows/s, batch writer ${fmt(sqlite.writerRowsPerS)} rows/s ` +
      `(${sqlite.ratioToDriver} of the driver, ${sqlite.ratioToRaw} of raw; target ${fmt(SQLITE_TARGET)}), ` +
      `${fmt(sqlite.writerOnLoopRowsPerS ?? 0)} rows/s with batches on the event loop; enqueue ${sqlite.enqueueNsPerRow} ns/row`,
  );

  const postgres = await benchPostgres(table.spec, allRows.slice(0, PG_ROWS));
  if ("skipped" in postgres) console.log(`  PostgreSQL skipped: ${postgres.skipped}`);
  else {
    console.log(
      `  PostgreSQL ${fmt(postgres.rows)} rows: raw COPY ${fmt(postgres.rawCopyRowsPerS)} rows/s, ` +
        `driver.writeRows ${fmt(postgres.driverRowsPerS)} rows/s, batch writer ${fmt(postgres.writerRowsPerS)} rows/s ` +
        `(${postgres.ratioToDriver} of the driver, ${postgres.ratioToRaw} of raw COPY; target ${fmt(PG_TARGET)})`,
    );
  }
  tables[name] = { sqlite, postgres };
  met[name] = {
    sqlite: sqlite.writerRowsPerS >= SQLITE_TARGET,
    postgres: "skipped" in postgres ? null : postgres.writerRowsPerS >= PG_TARGET,
  };
}

const eventLoop =
  values.table === undefined || values.table === "fills" ? await eventLoopDelays() : undefined;

console.log(
  JSON.stringify({
    bench: "batch-writer",
    machine: benchMachine(),
    mode: MODE,
    batchRows: BATCH_ROWS ?? "writer defaults",
    tables,
    eventLoop,
    targets: { sqliteRowsPerS: SQLITE_TARGET, postgresRowsPerS: PG_TARGET },
    met,
  }),
);
