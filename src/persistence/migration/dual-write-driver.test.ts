import assert from "node:assert/strict";
import { test } from "node:test";
import { clientOrderId, ErrorCode, isDesError } from "../../core/index.ts";
import { filled } from "../repositories/contract/fixtures.ts";
import { fillRecordOf } from "../repositories/fill-repository.ts";
import { sqlRepositories } from "../repositories/repositories.ts";
import { migrate } from "../schema/migrate.ts";
import { ALL_TABLES, TABLES } from "../schema/tables.ts";
import { SqliteDriver } from "../sql/sqlite-driver.ts";
import { openTestPostgres } from "../test-support/postgres-test-db.ts";
import { checkDivergence } from "./divergence-check.ts";
import { DualWriteDriver } from "./dual-write-driver.ts";
import { FlakyDriver, orderRow } from "./test-fixtures.ts";

async function setup(options: { maxPendingWrites?: number } = {}) {
  const primary = SqliteDriver.open(":memory:");
  const inner = SqliteDriver.open(":memory:");
  await migrate(primary);
  await migrate(inner);
  const secondary = new FlakyDriver(inner);
  const diverged: string[] = [];
  const dual = await DualWriteDriver.open({
    primary,
    secondary,
    tables: ALL_TABLES,
    retryInitialDelayMs: 5,
    retryMaxDelayMs: 20,
    closeDrainTimeoutMs: 50,
    onDiverged: (reason) => diverged.push(reason),
    ...options,
  });
  const insertOrder = (i: number, status = "NEW") =>
    dual.execute(
      "INSERT INTO orders (client_order_id, strategy_id, instrument_id, status, venue_order_id, reason, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (client_order_id) DO UPDATE SET status = excluded.status",
      Object.values(orderRow(i, status)),
    );
  const orderIds = async (db: { query: SqliteDriver["query"] }) =>
    (await db.query<{ id: string }>("SELECT client_order_id AS id FROM orders ORDER BY updated_at")).map(
      (r) => r.id,
    );
  const divergence = () =>
    checkDivergence(
      { name: "primary", db: dual.primary },
      { name: "secondary", db: dual.secondary },
      ALL_TABLES,
    );
  return { primary, inner, secondary, dual, diverged, insertOrder, orderIds, divergence };
}

test("a write reaches the primary then the secondary; reads come from the primary", async () => {
  const { primary, inner, dual, insertOrder, orderIds } = await setup();
  assert.equal(await insertOrder(1), 1, "the primary's result is the result");
  await dual.writeRows(TABLES.orders, [orderRow(2)], "insert");
  assert.deepEqual(await orderIds(primary), ["o1", "o2"]);
  assert.deepEqual(await orderIds(inner), ["o1", "o2"]);
  await inner.execute("DELETE FROM orders");
  assert.deepEqual(await orderIds(dual), ["o1", "o2"], "reads go to the primary");
  assert.equal(dual.stats().mirroredWrites, 2);
  assert.equal(dual.dialect, "sqlite");
  await dual.close();
});

test("a failing primary fails the caller and nothing reaches the secondary", async () => {
  const { inner, dual, insertOrder, orderIds } = await setup();
  await insertOrder(1);
  await assert.rejects(
    dual.writeRows(TABLES.orders, [orderRow(1)], "insert"),
    (e) => isDesError(e),
    "duplicate key on the primary",
  );
  assert.deepEqual(await orderIds(inner), ["o1"]);
  assert.equal(dual.stats().secondaryFailures, 0);
  await dual.close();
});

test("secondary failures never reach the caller: recorded, queued in order, retried until applied", async () => {
  const { secondary, inner, dual, insertOrder, orderIds, divergence } = await setup();
  await insertOrder(1);
  secondary.failing = true;
  await insertOrder(2);
  await insertOrder(3);
  await insertOrder(2, "FILLED");
  let stats = dual.stats();
  assert.equal(stats.secondaryFailures >= 1, true);
  assert.equal(stats.pendingRetries, 3, "the failed write and every later one wait, in order");
  assert.match(stats.lastError ?? "", /Connection terminated/);
  assert.deepEqual(await orderIds(inner), ["o1"]);
  assert.equal((await divergence()).identical, false);

  secondary.failing = false;
  assert.equal(await dual.drain(2000), true);
  stats = dual.stats();
  assert.equal(stats.pendingRetries, 0);
  assert.equal(stats.retriedWrites, 3);
  assert.deepEqual(await orderIds(inner), ["o1", "o2", "o3"]);
  const [o2] = await inner.query<{ status: string }>(
    "SELECT status FROM orders WHERE client_order_id = 'o2'",
  );
  assert.equal(o2?.status, "FILLED", "the later update was applied after the insert it depends on");
  assert.ok((await divergence()).identical);
  await dual.close();
});

test("retries run on their own with back-off once the secondary is back", async () => {
  const { secondary, dual, insertOrder, divergence } = await setup();
  secondary.failing = true;
  await insertOrder(1);
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.ok(secondary.refused >= 2, `retried while failing (${secondary.refused} attempts)`);
  secondary.failing = false;
  for (let i = 0; i < 100 && dual.stats().pendingRetries > 0; i++)
    await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(dual.stats().pendingRetries, 0);
  assert.ok((await divergence()).identical);
  await dual.close();
});

test("a transaction is mirrored as one transaction; a rolled-back one is not mirrored", async () => {
  const { inner, dual, orderIds } = await setup();
  await dual.transaction(async (tx) => {
    await tx.writeRows(TABLES.orders, [orderRow(1), orderRow(2)], "insert");
    await tx.execute("UPDATE orders SET status = 'FILLED' WHERE client_order_id = ?", ["o1"]);
    const [row] = await tx.query<{ n: number }>("SELECT COUNT(*) AS n FROM orders");
    assert.equal(row?.n, 2);
    await tx.query(
      "INSERT INTO signals (id, strategy_id, instrument_id, action, reason, ts) VALUES (7, 's', 'X', 'BUY', 'r', 1) RETURNING id",
    );
  });
  await assert.rejects(
    dual.transaction(async (tx) => {
      await tx.writeRows(TABLES.orders, [orderRow(3)], "insert");
      throw new Error("abandon");
    }),
    /abandon/,
  );
  assert.deepEqual(await orderIds(inner), ["o1", "o2"]);
  const [signal] = await inner.query<{ id: number }>("SELECT id FROM signals");
  assert.equal(signal?.id, 7, "a write through query() (RETURNING) is mirrored");
  assert.equal(dual.stats().mirroredWrites, 1, "one transaction, one mirrored write");
  await dual.close();
});

test("a full retry queue marks the secondary diverged instead of dropping writes silently", async () => {
  const { secondary, dual, diverged, insertOrder } = await setup({ maxPendingWrites: 3 });
  secondary.failing = true;
  for (let i = 0; i < 5; i++) await insertOrder(i);
  const stats = dual.stats();
  assert.equal(stats.diverged, true);
  assert.match(stats.divergedReason ?? "", /retry queue full.*fresh copy/);
  assert.equal(stats.pendingRetries, 0);
  assert.equal(stats.unmirroredWrites, 5, "every write the secondary lacks is counted");
  assert.equal(diverged.length, 1);
  secondary.failing = false;
  await assert.rejects(dual.switchPrimary(), (e: unknown) => {
    assert.ok(isDesError(e) && e.code === ErrorCode.PrimarySwitchRefused, String(e));
    assert.match(e.message, /secondary has diverged/);
    return true;
  });
  const forced = await dual.switchPrimary({ force: true });
  assert.equal(forced.unappliedWrites, 5);
  assert.equal(dual.stats().primaryMissingWrites, 5);
  await dual.close();
});

test("switchPrimary refuses while writes are pending, swaps roles once caught up, and switches back", async () => {
  const { primary, inner, secondary, dual, insertOrder, orderIds, divergence } = await setup();
  await insertOrder(1);
  secondary.failing = true;
  await insertOrder(2);
  await assert.rejects(dual.switchPrimary({ drainTimeoutMs: 20 }), (e: unknown) => {
    assert.ok(isDesError(e) && e.code === ErrorCode.PrimarySwitchRefused, String(e));
    assert.match(e.message, /1 writes are still pending/);
    return true;
  });
  assert.equal(dual.primary, primary, "nothing changed");
  secondary.failing = false;
  const switched = await dual.switchPrimary();
  assert.equal(switched.unappliedWrites, 0);
  assert.equal(dual.primary, secondary);
  assert.equal(dual.secondary, primary);
  assert.equal(dual.stats().switches, 1);

  await insertOrder(3);
  await inner.execute("DELETE FROM orders WHERE client_order_id = 'o1'");
  assert.deepEqual(await orderIds(dual), ["o2", "o3"], "reads now come from the new primary");
  await inner.writeRows(TABLES.orders, [orderRow(1)], "insert"); // put it back behind DES's back
  assert.deepEqual(await orderIds(primary), ["o1", "o2", "o3"], "the old primary receives the writes");

  await dual.switchPrimary(); // rollback
  assert.equal(dual.primary, primary);
  await insertOrder(4);
  assert.deepEqual(await orderIds(inner), ["o1", "o2", "o3", "o4"]);
  assert.ok((await divergence()).identical);
  await dual.close();
});

test("a switch waits for writes in flight and holds new writes until it is done", async () => {
  const { dual, inner, orderIds } = await setup();
  let release!: () => void;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const slow = dual.transaction(async (tx) => {
    await tx.writeRows(TABLES.orders, [orderRow(1)], "insert");
    await held;
  });
  await new Promise((resolve) => setImmediate(resolve));
  let switched = false;
  const switching = dual.switchPrimary().then(() => {
    switched = true;
  });
  const later = dual.writeRows(TABLES.orders, [orderRow(2)], "insert");
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(switched, false, "the switch waits for the transaction in flight");
  release();
  await slow;
  await switching;
  await later;
  assert.equal(dual.primary.dialect, "sqlite");
  assert.deepEqual(await orderIds(inner), ["o1", "o2"], "the held write ran on the new primary");
  await dual.close();
});

test("repositories built before a switch of primary query the new primary in its own dialect (PostgreSQL <-> SQLite)", async (t) => {
  const postgres = await openTestPostgres(t);
  if (postgres === undefined) return;
  const sqlite = SqliteDriver.open(":memory:");
  t.after(() => sqlite.close());
  await migrate(sqlite);
  await migrate(postgres);
  const dual = await DualWriteDriver.open({ primary: postgres, secondary: sqlite, tables: ALL_TABLES });
  const repos = sqlRepositories(dual);
  // Same time: the ties are ordered by trade id in code point order ("a-b" before "ab"), on both sides.
  await repos.fills.appendMany([fillRecordOf(filled("o1", "ab", 5)), fillRecordOf(filled("o1", "a-b", 5))]);
  const byOrder = async () => (await repos.fills.byOrder(clientOrderId("o1"))).map((f) => f.tradeId);
  assert.deepEqual(await byOrder(), ["a-b", "ab"]);
  await dual.switchPrimary();
  assert.equal(dual.dialect, "sqlite");
  assert.deepEqual(await byOrder(), ["a-b", "ab"], "SQLite primary: no PostgreSQL collation in its SQL");
  await dual.switchPrimary();
  assert.equal(dual.dialect, "postgres");
  assert.deepEqual(await byOrder(), ["a-b", "ab"], 'back on PostgreSQL: COLLATE "C" ordering again');
});
