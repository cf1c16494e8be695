import assert from "node:assert/strict";
import { test } from "node:test";
import { ErrorCode, isDesError } from "../../core/index.ts";
import { TABLES } from "../schema/tables.ts";
import type { SqlDriver, SqlRow } from "../sql/sql-types.ts";
import { countRows, fillRow, openTestSqlite, orderRow, testWriter, waitFor } from "./batch-test-support.ts";
import { resolveBatchWriterOptions } from "./batch-writer-options.ts";
import type { DeadLetter } from "./dead-letter-list.ts";

test("flushes by size, never inside enqueue", async (t) => {
  const db = await openTestSqlite(t);
  const writer = testWriter(t, db, { maxBatchRows: 100, flushIntervalMs: 3_600_000 });
  for (let i = 0; i < 250; i++) writer.enqueue(TABLES.fills, fillRow(i), "insert");
  assert.equal(writer.stats().writesTotal, 0, "enqueue must not write synchronously");
  assert.equal(writer.stats().queueDepth, 250);
  await waitFor(() => writer.stats().writesTotal === 200, "two full batches");
  assert.equal(await countRows(db, "fills"), 200, "the partial third batch waits (interval far away)");
  const stats = writer.stats();
  assert.equal(stats.batchesTotal, 2);
  assert.equal(stats.lastBatchSize, 100);
  assert.equal(stats.queueDepth, 50);
  assert.equal(stats.flushLatency.count, 2);
  assert.ok(stats.lastFlushAt > 0);
  await writer.flush();
  assert.equal(await countRows(db, "fills"), 250);
  assert.equal(writer.stats().queueDepth, 0);
});

test("flushes by interval", async (t) => {
  const db = await openTestSqlite(t);
  const writer = testWriter(t, db, { maxBatchRows: 10_000, flushIntervalMs: 10 });
  for (let i = 0; i < 10; i++) writer.enqueue(TABLES.fills, fillRow(i), "insert");
  await waitFor(() => writer.stats().writesTotal === 10, "the interval flush");
  assert.equal(await countRows(db, "fills"), 10);
  assert.equal(writer.stats().batchesTotal, 1);
});

test("keeps the order of writes to one key within and across flushes (upsert: last write wins)", async (t) => {
  const db = await openTestSqlite(t);
  // 50-row batches: each key appears several times in a batch, and the run spans many batches.
  const writer = testWriter(t, db, { maxBatchRows: 50, flushIntervalMs: 3_600_000 });
  const keys = 13;
  const versions = 40;
  for (let v = 0; v < versions; v++) {
    for (let k = 0; k < keys; k++) {
      writer.enqueue(TABLES.orders, orderRow(`o${k}`, `v${v}`, v), "upsert");
      // other tables in between, so batches mix groups
      if (k % 5 === 0) writer.enqueue(TABLES.fills, fillRow(v * keys + k), "ignore");
    }
    if (v % 3 === 0) await new Promise((resolve) => setImmediate(resolve)); // let some flushes run
  }
  await writer.flush();
  const rows = await db.query<{ client_order_id: string; status: string; updated_at: number }>(
    "SELECT client_order_id, status, updated_at FROM orders ORDER BY client_order_id",
  );
  assert.equal(rows.length, keys);
  for (const row of rows) {
    assert.equal(row.status, `v${versions - 1}`, `${row.client_order_id} keeps its last write`);
    assert.equal(Number(row.updated_at), versions - 1);
  }
  assert.ok(writer.stats().batchesTotal > 10, "the run spans many flushes");
});

test("back-pressure: a full queue refuses rows with an error and keeps everything accepted", async (t) => {
  const db = await openTestSqlite(t);
  const writer = testWriter(t, db, { maxBatchRows: 50, maxQueuedRows: 100, flushIntervalMs: 3_600_000 });
  // No await: the writer cannot flush, so the queue fills.
  for (let i = 0; i < 100; i++) writer.enqueue(TABLES.fills, fillRow(i), "insert");
  assert.throws(
    () => writer.enqueue(TABLES.fills, fillRow(100), "insert"),
    (e: unknown) =>
      isDesError(e, ErrorCode.StoreFailed) && /queue full \(100 rows queued, max 100\)/.test(e.message),
  );
  assert.throws(
    () => writer.enqueueMany(TABLES.fills, [fillRow(101), fillRow(102)], "insert"),
    (e: unknown) => isDesError(e, ErrorCode.StoreFailed),
  );
  assert.equal(writer.stats().rejectedTotal, 3);
  assert.equal(writer.stats().acceptedTotal, 100);
  await writer.flush();
  assert.equal(await countRows(db, "fills"), 100);
  const stored = await db.query<{ trade_id: string }>(
    "SELECT trade_id FROM fills WHERE trade_id IN ('t100','t101')",
  );
  assert.deepEqual(stored, [], "refused rows were not written");
  writer.enqueueMany(TABLES.fills, [fillRow(100), fillRow(101)], "insert"); // room again
  await writer.flush();
  assert.equal(await countRows(db, "fills"), 102);
});

test("waitForRoom resolves once flushes make room", async (t) => {
  const db = await openTestSqlite(t);
  const writer = testWriter(t, db, { maxBatchRows: 10, maxQueuedRows: 20, flushIntervalMs: 3_600_000 });
  let accepted = 0;
  for (let i = 0; i < 1_000; i++) {
    if (writer.stats().queueDepth >= 20) await writer.waitForRoom(1);
    writer.enqueue(TABLES.fills, fillRow(i), "insert");
    accepted++;
  }
  await writer.flush();
  assert.equal(accepted, 1_000);
  assert.equal(writer.stats().rejectedTotal, 0);
  assert.equal(await countRows(db, "fills"), 1_000);
});

test("permanent errors: refused rows go to the dead-letter list, the rest is written", async (t) => {
  const db = await openTestSqlite(t);
  await db.writeRows(TABLES.fills, [fillRow(7)], "insert"); // t7 exists: inserting it again violates the key
  const reported: DeadLetter[] = [];
  const writer = testWriter(t, db, {
    maxBatchRows: 1_000,
    flushIntervalMs: 3_600_000,
    onDeadLetter: (letter) => reported.push(letter),
  });
  const badQuantity: SqlRow = { ...fillRow(20), quantity: null }; // NOT NULL
  for (let i = 0; i < 30; i++) {
    writer.enqueue(TABLES.fills, i === 20 ? badQuantity : fillRow(i), "insert");
    if (i % 3 === 0) writer.enqueue(TABLES.orders, orderRow(`o${i}`, "NEW", i), "upsert");
  }
  await writer.flush();
  assert.equal(await countRows(db, "fills"), 1 + 28, "every fill but the two bad ones");
  assert.equal(await countRows(db, "orders"), 10, "the other table is untouched by the failure");
  const stats = writer.stats();
  assert.equal(stats.deadLettered, 2);
  assert.equal(stats.queueDepth, 0);
  assert.equal(stats.writesTotal, 28 + 10);
  assert.equal(stats.transientErrorsTotal, 0);
  assert.ok(stats.errorsTotal >= 3, "the batch, then the halves leading to each bad row");
  const letters = writer.deadLetters();
  assert.deepEqual(letters.map((l) => l.row["trade_id"]).sort(), ["t20", "t7"]);
  for (const letter of letters) {
    assert.equal(letter.table, "fills");
    assert.equal(letter.mode, "insert");
    assert.equal(letter.error.transient, false);
    assert.match(letter.error.message, /constraint/i);
  }
  assert.equal(reported.length, 2);
  assert.equal(writer.drainDeadLetters().length, 2);
  assert.equal(writer.deadLetters().length, 0);
});

test("requeueDeadLetters: once the cause is fixed the refused rows are written; still refused ones come back, nothing lost", async (t) => {
  const db = await openTestSqlite(t);
  await db.writeRows(TABLES.fills, [fillRow(7)], "insert"); // t7 exists: inserting it again violates the key
  const writer = testWriter(t, db, { maxBatchRows: 1_000, flushIntervalMs: 3_600_000 });
  for (let i = 0; i < 10; i++) writer.enqueue(TABLES.fills, fillRow(i), "insert");
  await writer.flush();
  assert.deepEqual(
    writer.deadLetters().map((l) => l.row["trade_id"]),
    ["t7"],
  );
  assert.equal(writer.requeueDeadLetters(), 1);
  assert.equal(writer.deadLetters().length, 0, "taken off the list while queued");
  await writer.flush();
  assert.deepEqual(
    writer.deadLetters().map((l) => l.row["trade_id"]),
    ["t7"],
    "the cause is still there: refused again, back on the list",
  );
  await db.execute("DELETE FROM fills WHERE trade_id = ?", ["t7"]); // the operator fixes the cause
  assert.equal(writer.requeueDeadLetters(), 1);
  await writer.flush();
  assert.equal(writer.deadLetters().length, 0);
  assert.equal(await countRows(db, "fills"), 10);
  assert.equal(writer.stats().deadLettered, 2, "the counter counts every refusal");
  assert.equal(writer.requeueDeadLetters(), 0, "nothing to requeue");
});

test("requeueDeadLetters refuses all of them when the queue has no room, and keeps them listed", async (t) => {
  const db = await openTestSqlite(t);
  await db.writeRows(TABLES.fills, [fillRow(1), fillRow(2)], "insert");
  const writer = testWriter(t, db, { maxBatchRows: 3, maxQueuedRows: 3, flushIntervalMs: 3_600_000 });
  writer.enqueue(TABLES.fills, fillRow(1), "insert");
  writer.enqueue(TABLES.fills, fillRow(2), "insert");
  await writer.flush();
  assert.equal(writer.deadLetters().length, 2);
  writer.enqueue(TABLES.fills, fillRow(3), "insert");
  writer.enqueue(TABLES.fills, fillRow(4), "insert");
  assert.throws(
    () => writer.requeueDeadLetters(),
    (e: unknown) => isDesError(e) && e.code === ErrorCode.StoreFailed,
  );
  assert.equal(writer.deadLetters().length, 2, "still listed");
  await writer.flush();
  assert.equal(writer.requeueDeadLetters(), 2);
});

test("close flushes what is queued, reports it complete and refuses later rows", async (t) => {
  const db = await openTestSqlite(t);
  const writer = testWriter(t, db, { flushIntervalMs: 3_600_000 });
  for (let i = 0; i < 123; i++) writer.enqueue(TABLES.fills, fillRow(i), "insert");
  const report = await writer.close();
  assert.equal(report.complete, true);
  assert.equal(report.unwrittenRows, 0);
  assert.equal(report.writesTotal, 123);
  assert.equal(await countRows(db, "fills"), 123);
  assert.throws(
    () => writer.enqueue(TABLES.fills, fillRow(1000), "insert"),
    (e: unknown) => isDesError(e, ErrorCode.StoreFailed) && /closed/.test(e.message),
  );
  assert.equal(writer.stats().rejectedTotal, 1);
  assert.equal(await writer.close(), report, "close is idempotent");
});

test("enqueueAll queues rows of several tables all or none, in order", async (t) => {
  const db = await openTestSqlite(t);
  const commits: number[] = [];
  const writer = testWriter(t, db, {
    maxBatchRows: 3,
    maxQueuedRows: 4,
    flushIntervalMs: 3_600_000,
    onCommit: (rows) => commits.push(rows),
  });
  writer.enqueueAll([
    { table: TABLES.fills, row: fillRow(1), mode: "insert" },
    { table: TABLES.orders, row: orderRow("o1", "FILLED", 1), mode: "upsert" },
  ]);
  assert.throws(
    () =>
      writer.enqueueAll([
        { table: TABLES.fills, row: fillRow(2), mode: "insert" },
        { table: TABLES.fills, row: fillRow(3), mode: "insert" },
        { table: TABLES.orders, row: orderRow("o2", "FILLED", 2), mode: "upsert" },
      ]),
    (e: unknown) => isDesError(e) && e.code === ErrorCode.StoreFailed,
    "5 rows do not fit a queue of 4: nothing of the record is taken",
  );
  assert.equal(writer.stats().queueDepth, 2);
  writer.enqueueAll([]);
  writer.enqueueAll([
    { table: TABLES.fills, row: fillRow(4), mode: "insert" },
    { table: TABLES.orders, row: orderRow("o4", "FILLED", 4), mode: "upsert" },
  ]);
  await writer.flush();
  assert.equal(await countRows(db, "fills"), 2);
  assert.equal(await countRows(db, "orders"), 2);
  // Batches of 3 rows: the second record's order row comes after its fill, in the next transaction.
  assert.deepEqual(commits, [3, 1]);
});

test("group commit: with full batches waiting, one transaction takes several (maxTransactionRows), in order", async (t) => {
  const db = await openTestSqlite(t);
  const writer = testWriter(t, db, {
    maxBatchRows: 100,
    maxTransactionRows: 300,
    flushIntervalMs: 3_600_000,
  });
  // 1,000 rows queued before the flush loop runs: ten full batches waiting.
  for (let i = 0; i < 500; i++) {
    writer.enqueue(TABLES.orders, orderRow(`o${i % 7}`, `v${i}`, i), "upsert");
    writer.enqueue(TABLES.fills, fillRow(i), "ignore");
  }
  await writer.flush();
  const stats = writer.stats();
  assert.equal(stats.writesTotal, 1_000);
  assert.equal(stats.batchesTotal, 4, "300 + 300 + 300 + 100 rows");
  assert.equal(await countRows(db, "fills"), 500);
  const orders = await db.query<{ client_order_id: string; status: string }>(
    "SELECT client_order_id, status FROM orders ORDER BY client_order_id",
  );
  for (const o of orders) {
    const k = Number(o.client_order_id.slice(1));
    const last = 499 - ((499 - k) % 7);
    assert.equal(o.status, `v${last}`, `${o.client_order_id} keeps its last write`);
  }
});

test("maxTransactionRows: 5 batches on PostgreSQL, none joined on SQLite by default; below maxBatchRows is refused", () => {
  assert.equal(resolveBatchWriterOptions({ maxBatchRows: 100 }, "postgres").maxTransactionRows, 500);
  assert.equal(resolveBatchWriterOptions({ maxBatchRows: 100 }, "sqlite").maxTransactionRows, 100);
  assert.equal(
    resolveBatchWriterOptions({ maxBatchRows: 100, maxTransactionRows: 1_000 }, "sqlite").maxTransactionRows,
    1_000,
  );
  assert.throws(
    () => resolveBatchWriterOptions({ maxBatchRows: 100, maxTransactionRows: 50 }, "postgres"),
    (e: unknown) => isDesError(e, ErrorCode.InvalidConfig) && e.message.includes("maxTransactionRows"),
  );
});

test("while isolating a refused batch, event rows (insert, ignore) commit before state rows (upsert)", async (t) => {
  const inner = await openTestSqlite(t);
  await inner.writeRows(TABLES.fills, [fillRow(7)], "insert"); // t7 exists: inserting it again fails
  // Records the tables of every committed transaction, in commit order.
  const committed: string[][] = [];
  const spy: SqlDriver = {
    dialect: inner.dialect,
    query: (sql, params) => inner.query(sql, params),
    execute: (sql, params) => inner.execute(sql, params),
    writeRows: (table, rows, mode) => inner.writeRows(table, rows, mode),
    close: () => inner.close(),
    transaction: async (work) => {
      const tables: string[] = [];
      const result = await inner.transaction((tx) =>
        work({
          ...tx,
          dialect: tx.dialect,
          query: (sql, params) => tx.query(sql, params),
          execute: (sql, params) => tx.execute(sql, params),
          writeRows: async (table, rows, mode) => {
            tables.push(table.name);
            await tx.writeRows(table, rows, mode);
          },
        }),
      );
      committed.push(tables);
      return result;
    },
  };
  const writer = testWriter(t, spy, { maxBatchRows: 1_000, flushIntervalMs: 3_600_000 });
  // The order's final state is enqueued first (its group comes first), its fills after.
  writer.enqueue(TABLES.orders, orderRow("o1", "FILLED", 2), "upsert");
  for (const i of [5, 6, 7]) writer.enqueue(TABLES.fills, fillRow(i), "insert");
  await writer.flush();
  assert.equal(writer.stats().deadLettered, 1, "t7 refused");
  const order = committed.flat();
  assert.ok(
    order.lastIndexOf("fills") < order.indexOf("orders"),
    `fills before orders: ${JSON.stringify(committed)}`,
  );
  assert.equal(await countRows(inner, "fills"), 3);
  assert.equal(await countRows(inner, "orders"), 1);
});
