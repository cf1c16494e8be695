import assert from "node:assert/strict";
import { test } from "node:test";
import { migrate } from "../schema/migrate.ts";
import { TABLES } from "../schema/tables.ts";
import type { SqlRow } from "../sql/sql-types.ts";
import { openTestPostgres } from "../test-support/postgres-test-db.ts";
import { countRows, FlakyDriver, fillRow, orderRow, transientError } from "./batch-test-support.ts";
import { BatchWriter } from "./batch-writer.ts";

test("PostgreSQL: batches by size, keeps the last write of each key, retries transient errors", async (t) => {
  const pg = await openTestPostgres(t);
  if (pg === undefined) return;
  await migrate(pg);
  const db = new FlakyDriver(pg);
  const writer = new BatchWriter(db, {
    maxBatchRows: 500,
    flushIntervalMs: 3_600_000,
    retryBaseMs: 1,
    retryCapMs: 5,
  });
  t.after(() => writer.close());
  db.failNext(3, transientError());
  for (let i = 0; i < 2_000; i++) {
    writer.enqueue(TABLES.fills, fillRow(i), "ignore");
    writer.enqueue(TABLES.orders, orderRow(`o${i % 31}`, `v${i}`, i), "upsert");
    if (i % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  await writer.flush();
  assert.equal(await countRows(pg, "fills"), 2_000);
  const orders = await pg.query<{ client_order_id: string; status: string }>(
    "SELECT client_order_id, status FROM orders",
  );
  assert.equal(orders.length, 31);
  for (const o of orders) {
    const k = Number(o.client_order_id.slice(1));
    assert.equal(o.status, `v${1999 - ((1999 - k) % 31)}`);
  }
  const stats = writer.stats();
  assert.equal(stats.transientErrorsTotal, 3);
  assert.equal(stats.writesTotal, 4_000);
  assert.equal(stats.deadLettered, 0);
  assert.equal((await writer.close()).complete, true); // before the test's pool is closed
});

test("PostgreSQL: rows refused for good are dead-lettered, the rest of the batch is written", async (t) => {
  const pg = await openTestPostgres(t);
  if (pg === undefined) return;
  await migrate(pg);
  await pg.writeRows(TABLES.fills, [fillRow(3)], "insert");
  const writer = new BatchWriter(pg, { flushIntervalMs: 3_600_000 });
  t.after(() => writer.close());
  const notANumber: SqlRow = { ...fillRow(11), price: "not a number" };
  for (let i = 0; i < 40; i++) writer.enqueue(TABLES.fills, i === 11 ? notANumber : fillRow(i), "insert");
  writer.enqueue(TABLES.orders, orderRow("o1", "NEW", 1), "upsert");
  await writer.flush();
  assert.equal(await countRows(pg, "fills"), 1 + 38);
  assert.equal(await countRows(pg, "orders"), 1);
  const letters = writer.deadLetters();
  assert.deepEqual(letters.map((l) => l.row["trade_id"]).sort(), ["t11", "t3"]);
  const codes = new Set(letters.map((l) => l.error.code));
  assert.deepEqual([...codes].sort(), ["22P02", "23505"], "invalid numeric text, unique violation");
  assert.equal(writer.stats().deadLettered, 2);
  assert.equal(writer.stats().queueDepth, 0);
  assert.equal((await writer.close()).complete, true);
});
