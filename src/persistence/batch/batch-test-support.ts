/**
 * Test helpers of the batch writer (used by its tests and benchmark only): rows of the DES tables,
 * a migrated SQLite database in a temporary folder, a driver wrapper that fails on demand, and a
 * bounded wait for a condition.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { migrate } from "../schema/migrate.ts";
import type { SqlDriver, SqlExecutor, SqlRow, SqlValue, TableSpec, WriteMode } from "../sql/sql-types.ts";
import { SqliteDriver, type SqliteDriverOptions } from "../sql/sqlite-driver.ts";
import { BatchWriter } from "./batch-writer.ts";
import type { BatchWriterOptions } from "./batch-writer-options.ts";

/** A row of the fills table; `i` makes the trade id (and so the key) unique. */
export function fillRow(i: number, account = "acc-1"): SqlRow {
  return {
    account_id: account,
    trade_id: `t${i}`,
    client_order_id: `o${i >> 2}`,
    strategy_id: "s1",
    instrument_id: "BTCUSDT.BINANCE",
    side: i % 2 === 0 ? "BUY" : "SELL",
    quantity: "0.00150000",
    price: "64321.12000000",
    commission: "0.00000150",
    commission_asset: "BTC",
    liquidity: "TAKER",
    ts: 1_700_000_000_000_000 + i,
  };
}

/** A row of the orders table (the latest state of one order). */
export function orderRow(clientOrderId: string, status: string, updatedAt: number): SqlRow {
  return {
    client_order_id: clientOrderId,
    strategy_id: "s1",
    instrument_id: "BTCUSDT.BINANCE",
    status,
    venue_order_id: null,
    reason: null,
    updated_at: updatedAt,
  };
}

/** Writers made by testWriter, per test: closed before the test's database. */
const writersOf = new WeakMap<TestContext, BatchWriter[]>();

/**
 * Opens a migrated SQLite database in a fresh temporary folder. When the test ends, the writers made
 * with testWriter are closed first (they may still flush), then the database, then the folder deleted.
 */
export async function openTestSqlite(
  t: TestContext,
  options: SqliteDriverOptions = {},
): Promise<SqliteDriver> {
  const dir = mkdtempSync(join(tmpdir(), "des-batch-"));
  const driver = SqliteDriver.open(join(dir, "des.sqlite"), options);
  await migrate(driver);
  t.after(async () => {
    for (const writer of writersOf.get(t) ?? []) await writer.close();
    await driver.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return driver;
}

/** A BatchWriter closed when the test ends, before the database openTestSqlite opened (call that first). */
export function testWriter(t: TestContext, driver: SqlDriver, options: BatchWriterOptions = {}): BatchWriter {
  const writer = new BatchWriter(driver, options);
  const list = writersOf.get(t) ?? [];
  list.push(writer);
  writersOf.set(t, list);
  return writer;
}

/** Counts the rows of a table. */
export async function countRows(driver: SqlDriver, table: string): Promise<number> {
  const rows = await driver.query<{ n: SqlValue }>(`SELECT COUNT(*) AS n FROM ${table}`);
  return Number(rows[0]?.n ?? 0);
}

/**
 * Waits (yielding to the event loop) until `condition` holds; throws after `limitMs` so a broken
 * writer fails the test instead of hanging it. Not a timing assertion: the limit is generous.
 */
export async function waitFor(condition: () => boolean, what: string, limitMs = 10_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/**
 * A driver that delegates to a real one and makes transactions fail on demand: `failNext(n, error)`
 * makes the next n transactions write their rows, then throw `error` before the commit (so the real
 * driver rolls them back, as a connection lost mid-transaction would).
 */
export class FlakyDriver implements SqlDriver {
  readonly dialect: SqlDriver["dialect"];
  readonly #inner: SqlDriver;
  #failures = 0;
  #error: unknown;
  /** Transactions attempted, failed ones included. */
  attempts = 0;

  /** Wraps `inner`. */
  constructor(inner: SqlDriver) {
    this.#inner = inner;
    this.dialect = inner.dialect;
  }

  /** Makes the next `count` transactions fail with `error` (Infinity: until told otherwise). */
  failNext(count: number, error: unknown): void {
    this.#failures = count;
    this.#error = error;
  }

  query<T extends SqlRow = SqlRow>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.#inner.query<T>(sql, params);
  }

  execute(sql: string, params?: readonly SqlValue[]): Promise<number> {
    return this.#inner.execute(sql, params);
  }

  writeRows(table: TableSpec, rows: readonly SqlRow[], mode: WriteMode): Promise<void> {
    return this.#inner.writeRows(table, rows, mode);
  }

  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    this.attempts++;
    if (this.#failures <= 0) return this.#inner.transaction(work);
    this.#failures--;
    const error = this.#error;
    return this.#inner.transaction(async (tx) => {
      await work(tx);
      throw error;
    });
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}

/** An error the drivers' classification treats as transient (PostgreSQL's admin_shutdown). */
export function transientError(): Error {
  return Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" });
}
