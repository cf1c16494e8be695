import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { test } from "node:test";
import { ErrorCode, isDesError } from "../../core/index.ts";
import { TABLES } from "../schema/tables.ts";
import {
  countRows,
  FlakyDriver,
  fillRow,
  openTestSqlite,
  testWriter,
  transientError,
  waitFor,
} from "./batch-test-support.ts";
import type { WriteErrorSummary } from "./write-error.ts";

test("transient errors: the batch is retried with back-off until it commits, exactly once", async (t) => {
  const db = new FlakyDriver(await openTestSqlite(t));
  const errors: WriteErrorSummary[] = [];
  const writer = testWriter(t, db, {
    flushIntervalMs: 3_600_000,
    retryBaseMs: 1,
    retryCapMs: 4,
    onWriteError: (e) => errors.push(e),
  });
  db.failNext(5, transientError());
  for (let i = 0; i < 100; i++) writer.enqueue(TABLES.fills, fillRow(i), "insert");
  await writer.flush();
  assert.equal(await countRows(db, "fills"), 100, "written once: the failed attempts were rolled back");
  const stats = writer.stats();
  assert.equal(stats.transientErrorsTotal, 5);
  assert.equal(stats.errorsTotal, 5);
  assert.equal(stats.deadLettered, 0);
  assert.equal(stats.writesTotal, 100);
  assert.equal(stats.batchesTotal, 1);
  assert.equal(stats.retrying, false);
  assert.equal(db.attempts, 6);
  assert.equal(errors.length, 5);
  assert.ok(errors.every((e) => e.transient && e.code === "57P01"));
});

test("a locked SQLite database (SQLITE_BUSY) is retried until the lock is released", async (t) => {
  const driver = await openTestSqlite(t, { busyTimeoutMs: 1 });
  const path = driver.database.location();
  assert.ok(path !== null);
  const other = new DatabaseSync(path);
  t.after(() => other.close());
  other.exec("BEGIN IMMEDIATE"); // another connection holds the write lock
  const writer = testWriter(t, driver, { flushIntervalMs: 3_600_000, retryBaseMs: 1, retryCapMs: 10 });
  for (let i = 0; i < 50; i++) writer.enqueue(TABLES.fills, fillRow(i), "ignore");
  const flushed = writer.flush();
  await waitFor(() => writer.stats().transientErrorsTotal >= 3, "retries on the locked database");
  assert.equal(writer.stats().writesTotal, 0);
  assert.match(writer.stats().lastError?.message ?? "", /locked|busy/i);
  assert.equal(driver.writeThreadsStarted, 1, "the batches went through the write thread");
  other.exec("ROLLBACK");
  await flushed;
  assert.equal(await countRows(driver, "fills"), 50);
  assert.equal(writer.stats().deadLettered, 0);
});

test("back-pressure while the database is down names the cause, and nothing accepted is lost", async (t) => {
  const db = new FlakyDriver(await openTestSqlite(t));
  const writer = testWriter(t, db, {
    maxBatchRows: 10,
    maxQueuedRows: 40,
    flushIntervalMs: 1,
    retryBaseMs: 1,
    retryCapMs: 5,
  });
  db.failNext(Number.POSITIVE_INFINITY, transientError());
  let refused: unknown;
  let accepted = 0;
  for (let i = 0; i < 1_000 && refused === undefined; i++) {
    try {
      writer.enqueue(TABLES.fills, fillRow(i), "insert");
      accepted++;
    } catch (e) {
      refused = e;
    }
    await new Promise((resolve) => setImmediate(resolve)); // flushes (failing) can run
  }
  assert.equal(accepted, 40);
  assert.ok(isDesError(refused, ErrorCode.StoreFailed));
  assert.match(
    refused.message,
    /queue full \(40 rows queued, max 40\).*last flush failure: terminating connection/,
  );
  assert.equal(refused.details["queueDepth"], 40);
  assert.equal(writer.stats().rejectedTotal, 1);
  assert.ok(writer.stats().transientErrorsTotal > 0);
  db.failNext(0, undefined); // the database is back
  await writer.flush();
  assert.equal(await countRows(db, "fills"), 40);
  assert.equal(writer.stats().queueDepth, 0);
});

test("close gives up at its deadline and reports the rows it could not write", async (t) => {
  const db = new FlakyDriver(await openTestSqlite(t));
  const writer = testWriter(t, db, {
    maxBatchRows: 10,
    flushIntervalMs: 3_600_000,
    retryBaseMs: 1,
    retryCapMs: 2,
    closeDeadlineMs: 30,
  });
  db.failNext(Number.POSITIVE_INFINITY, transientError());
  for (let i = 0; i < 25; i++) writer.enqueue(TABLES.fills, fillRow(i), "insert");
  writer.enqueue(
    TABLES.orders,
    { client_order_id: "o1", strategy_id: "s1", instrument_id: "X", status: "NEW", updated_at: 1 },
    "upsert",
  );
  const pendingFlush = writer.flush();
  const report = await writer.close();
  assert.equal(report.complete, false);
  assert.equal(report.unwrittenRows, 26);
  const byTable = new Map<string, number>();
  for (const u of report.unwritten) byTable.set(u.table, (byTable.get(u.table) ?? 0) + u.rows.length);
  assert.deepEqual(Object.fromEntries(byTable), { fills: 25, orders: 1 });
  assert.match(report.lastError?.message ?? "", /terminating connection/);
  await assert.rejects(
    pendingFlush,
    (e: unknown) => isDesError(e, ErrorCode.StoreFailed) && /26 row\(s\) not written/.test(e.message),
  );
  assert.equal(await countRows(db, "fills"), 0);
});

test("SQLite disk full: rows stay queued (no dead letters) until there is room, then every one is written", async (t) => {
  // max_page_count is a setting of one connection: the batches are written on this one, not on a
  // write thread's own connection, which would not see it.
  const db = await openTestSqlite(t, { writeThread: false });
  // A full disk, as SQLite sees it: the file may not grow past its current size.
  const pages = Number((await db.query("PRAGMA page_count"))[0]?.["page_count"]);
  await db.execute(`PRAGMA max_page_count = ${pages}`);
  const errors: WriteErrorSummary[] = [];
  const writer = testWriter(t, db, {
    flushIntervalMs: 5,
    retryBaseMs: 1,
    retryCapMs: 10,
    onWriteError: (e) => errors.push(e),
  });
  for (let i = 0; i < 2_000; i++) writer.enqueue(TABLES.fills, fillRow(i), "insert");
  await waitFor(() => writer.stats().transientErrorsTotal >= 3, "retries while the disk is full");
  assert.equal(writer.stats().deadLettered, 0, "nothing given up");
  assert.equal(writer.stats().queueDepth, 2_000);
  assert.ok(
    errors.every((e) => e.transient),
    "disk full is transient",
  );
  await db.execute("PRAGMA max_page_count = 1073741823"); // the operator frees space
  await writer.flush();
  assert.equal(await countRows(db, "fills"), 2_000);
  assert.equal(writer.stats().deadLettered, 0);
});
