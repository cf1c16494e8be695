/**
 * Acceptance: PostgreSQL connections killed during a run (what a server restart does to a client):
 * no data lost, writes resume. The server itself is not restarted (other test files use it); the
 * writer's connections are terminated with pg_terminate_backend from a separate client.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import pg from "pg";
import { migrate } from "../schema/migrate.ts";
import { TABLES } from "../schema/tables.ts";
import { openTestPostgres, testPostgresUrl } from "../test-support/postgres-test-db.ts";
import { fillRow, orderRow } from "./batch-test-support.ts";
import { BatchWriter } from "./batch-writer.ts";

const ROWS = 40_000;
const ORDER_KEYS = 97;
const KILLS = 4;

test("PostgreSQL connections killed during a run: every row is written exactly once, writes resume", async (t) => {
  // A name of our own, so only this test's connections are terminated (test files run in parallel).
  const applicationName = `des_bw_kill_${randomBytes(4).toString("hex")}`;
  const db = await openTestPostgres(t, { applicationName, poolSize: 4 });
  if (db === undefined) return;
  await migrate(db);
  const killer = new pg.Client({ connectionString: testPostgresUrl() });
  await killer.connect();
  t.after(() => killer.end());
  const errorCodes = new Map<string, number>();
  const writer = new BatchWriter(db, {
    maxBatchRows: 1_000,
    flushIntervalMs: 10,
    retryBaseMs: 20,
    retryCapMs: 250,
    onWriteError: (e) => errorCodes.set(`${e.code}`, (errorCodes.get(`${e.code}`) ?? 0) + 1),
  });
  t.after(() => writer.close());

  const killWriterConnections = async (): Promise<number> => {
    const result = await killer.query(
      `SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = $1`,
      [applicationName],
    );
    return result.rowCount ?? 0;
  };

  let killed = 0;
  const killPoints = new Set(
    Array.from({ length: KILLS }, (_, k) => Math.floor(((k + 1) * ROWS) / (KILLS + 1))),
  );
  for (let i = 0; i < ROWS; i++) {
    if (killPoints.has(i)) {
      // Kill until a write in flight is hit (a kill of idle connections alone may go unnoticed).
      const before = writer.stats().transientErrorsTotal;
      for (let attempt = 0; attempt < 500 && writer.stats().transientErrorsTotal === before; attempt++) {
        killed += await killWriterConnections();
        await new Promise((resolve) => setTimeout(resolve, 1));
        if (writer.stats().queueDepth === 0)
          writer.enqueue(TABLES.fills, fillRow(ROWS + attempt * 10 + killed), "ignore");
      }
    }
    if (writer.stats().queueDepth >= 150_000) await writer.waitForRoom(1);
    writer.enqueue(TABLES.fills, fillRow(i), "ignore");
    writer.enqueue(TABLES.orders, orderRow(`o${i % ORDER_KEYS}`, `v${i}`, i), "upsert");
    if (i % 200 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  await writer.flush();

  const stats = writer.stats();
  t.diagnostic(
    `killed ${killed} connections; ${stats.transientErrorsTotal} transient errors ` +
      `(${[...errorCodes].map(([code, n]) => `${code}: ${n}`).join(", ")}); ${stats.batchesTotal} batches`,
  );
  assert.ok(killed >= KILLS, `connections were killed (${killed})`);
  assert.ok(
    stats.transientErrorsTotal >= KILLS,
    `transient errors seen and retried: ${stats.transientErrorsTotal}`,
  );
  assert.equal(stats.deadLettered, 0, "no row was given up");
  assert.equal(stats.queueDepth, 0);

  const fills = await db.query<{ n: number; distinct_ids: number }>(
    "SELECT COUNT(*) AS n, COUNT(DISTINCT trade_id) AS distinct_ids FROM fills WHERE trade_id IN (SELECT 't' || g FROM generate_series(0, $1) AS g)",
    [ROWS - 1],
  );
  assert.equal(Number(fills[0]?.n), ROWS, "every enqueued fill is stored");
  assert.equal(Number(fills[0]?.distinct_ids), ROWS, "each exactly once");
  const orders = await db.query<{ client_order_id: string; status: string }>(
    "SELECT client_order_id, status FROM orders",
  );
  assert.equal(orders.length, ORDER_KEYS);
  for (const order of orders) {
    const k = Number(order.client_order_id.slice(1));
    const lastWrite = ROWS - 1 - ((ROWS - 1 - k) % ORDER_KEYS);
    assert.equal(order.status, `v${lastWrite}`, `${order.client_order_id} holds its last write`);
  }

  // Writes resume after the last kill: a fresh row is committed.
  writer.enqueue(TABLES.fills, fillRow(10_000_000), "ignore");
  await writer.flush();
  const fresh = await db.query("SELECT trade_id FROM fills WHERE trade_id = 't10000000'");
  assert.equal(fresh.length, 1);
  assert.equal((await writer.close()).complete, true); // before the test's pool is closed
});
