import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { migrate } from "../schema/migrate.ts";
import { ALL_TABLES, TABLES } from "../schema/tables.ts";
import { PostgresDriver } from "../sql/postgres-driver.ts";
import type { SqlDriver, SqlExecutor } from "../sql/sql-types.ts";
import { SqliteDriver } from "../sql/sqlite-driver.ts";
import { openTestPostgres, testPostgresUrl } from "../test-support/postgres-test-db.ts";
import { checkDivergence, formatDivergenceReport } from "./divergence-check.ts";
import { DualWriteDriver } from "./dual-write-driver.ts";
import { verifyTables } from "./migration-verification.ts";
import { copyDatabase } from "./table-copier.ts";
import { fillRow, orderRow, seedDatabase } from "./test-fixtures.ts";

/** The test's PostgreSQL driver seen through a view whose close() does nothing (the test context closes it). */
function borrowed(db: SqlDriver): SqlDriver {
  return {
    dialect: db.dialect,
    query: (sql, params) => db.query(sql, params),
    execute: (sql, params) => db.execute(sql, params),
    writeRows: (table, rows, mode) => db.writeRows(table, rows, mode),
    transaction: (work) => db.transaction(work),
    close: async () => undefined,
  };
}

/** A unit of work as the repositories write it: a fill updates order, fill, position and balance together. */
async function recordFill(db: SqlDriver, i: number): Promise<void> {
  await db.transaction(async (tx: SqlExecutor) => {
    const fill = fillRow(100_000 + i);
    await tx.writeRows(TABLES.fills, [{ ...fill, client_order_id: `o${i}` }], "insert");
    await tx.execute("UPDATE orders SET status = ?, updated_at = ? WHERE client_order_id = ?", [
      "FILLED",
      1_800_000_000_000_000 + i,
      `o${i}`,
    ]);
    await tx.execute(
      `INSERT INTO positions (book_id, instrument_id, quantity, average_price, realized_pnl, fees_json, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (book_id, instrument_id) DO UPDATE SET quantity = excluded.quantity, updated_at = excluded.updated_at`,
      ["s1", "BTCUSDT", `${i}.500`, "60000.10", "-3.5", '{"USDT":"0.1"}', 10 + i],
    );
    await tx.execute(
      `INSERT INTO balances (account_id, asset, free, locked, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (account_id, asset) DO UPDATE SET free = excluded.free, updated_at = excluded.updated_at`,
      ["acct-0", "USDT", `${10_000 - i}.25`, "0", 10 + i],
    );
  });
}

const insertAudit =
  "INSERT INTO audit_events (event_id, ts, actor, action, subject, detail_json) VALUES (?, ?, ?, ?, ?, ?)";
const insertSignalWithoutId =
  "INSERT INTO signals (strategy_id, instrument_id, action, reason, ts) VALUES (?, ?, ?, ?, ?)";

test("scenario: copy and verify, dual-write with SQLite primary, secondary failures retried, divergence listed, switch to PostgreSQL, roll back to SQLite", async (t) => {
  const applicationName = `des_mig_${randomBytes(4).toString("hex")}`;
  const pg = await openTestPostgres(t, { applicationName, poolSize: 3 });
  if (pg === undefined) return;
  const dir = mkdtempSync(join(tmpdir(), "des-scenario-"));
  const file = join(dir, "des.sqlite");
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const sqlite = SqliteDriver.open(file);
  t.after(() => sqlite.close());
  const sqliteSide = { name: "sqlite", db: sqlite };
  const pgSide = { name: "postgres", db: pg };
  const divergence = async () => {
    const report = await checkDivergence(sqliteSide, pgSide, ALL_TABLES);
    return { report, text: formatDivergenceReport(report) };
  };

  // 1. Seed SQLite, copy, verify.
  await migrate(sqlite);
  await seedDatabase(sqlite, 2000);
  await migrate(pg);
  await copyDatabase(sqlite, pg, { tables: ALL_TABLES, sourceLabel: file, batchSize: 500 });
  const verified = await verifyTables(sqlite, pg, ALL_TABLES);
  assert.ok(verified.ok, JSON.stringify(verified.tables.filter((v) => !v.match)));

  // 2. Dual-write, SQLite primary.
  const failures: string[] = [];
  const dual = await DualWriteDriver.open({
    primary: sqlite,
    secondary: borrowed(pg),
    tables: ALL_TABLES,
    retryInitialDelayMs: 10,
    retryMaxDelayMs: 100,
    onFailure: (e) => failures.push(e.message),
  });
  for (let i = 0; i < 20; i++) await recordFill(dual, i);
  await dual.writeRows(TABLES.orders, [orderRow(5000), orderRow(5001)], "insert");
  await dual.execute(insertSignalWithoutId, ["s1", "BTCUSDT", "BUY", "dual-write", 42]);
  assert.equal(dual.stats().secondaryFailures, 0);
  assert.ok((await divergence()).report.identical, (await divergence()).text);

  // 3. A row inserted directly into PostgreSQL: the divergence check lists it.
  await pg.execute(insertAudit, ["e-direct", 1, "someone", "poke", "s1", "{}"]);
  let check = await divergence();
  assert.equal(check.report.identical, false);
  const audit = check.report.tables.find((x) => x.table === "audit_events")!;
  assert.equal(audit.onlyInB, 1);
  assert.deepEqual(audit.rows[0], {
    table: "audit_events",
    kind: "missing",
    presentIn: "postgres",
    key: { event_id: "e-direct" },
  });

  // 4. The same key written through dual-write: the primary accepts it, PostgreSQL refuses it
  // (unique violation). The caller does not see it; the write and the ones after it are queued.
  await dual.execute(insertAudit, ["e-direct", 2, "op", "pause", "s1", '{"why":"test"}']);
  await recordFill(dual, 20);
  await dual.execute("UPDATE orders SET reason = ? WHERE client_order_id = ?", ["late", "o5000"]);
  let stats = dual.stats();
  assert.ok(stats.secondaryFailures >= 1);
  assert.equal(stats.pendingRetries, 3);
  assert.match(failures[0] ?? "", /duplicate key|unique/i);
  // The cause is removed: the retry succeeds and the two databases are equal again.
  await pg.execute("DELETE FROM audit_events WHERE event_id = 'e-direct'");
  assert.equal(await dual.drain(5000), true, `still pending: ${JSON.stringify(dual.stats())}`);
  stats = dual.stats();
  assert.equal(stats.pendingRetries, 0);
  assert.equal(stats.retriedWrites, 3);
  check = await divergence();
  assert.ok(check.report.identical, check.text);

  // 5. PostgreSQL's connections are killed under the secondary: writes go on; whether a write hit a dead
  // connection (queued and retried) or a fresh one, nothing is lost.
  const admin = await PostgresDriver.open({ url: testPostgresUrl(), poolSize: 1 });
  try {
    const killed = await admin.query(
      "SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = ?",
      [applicationName],
    );
    assert.ok(killed.length >= 1, "the secondary had connections to kill");
  } finally {
    await admin.close();
  }
  for (let i = 21; i < 30; i++) await recordFill(dual, i);
  assert.equal(await dual.drain(10_000), true);
  check = await divergence();
  assert.ok(check.report.identical, check.text);

  // 6. Switch the primary to PostgreSQL; more writes (a signal without an id: both sides assign the same one).
  const switched = await dual.switchPrimary();
  assert.equal(switched.primary, "postgres");
  assert.deepEqual(
    switched.sequences.map((s) => [s.table, s.nextId]),
    [["signals", "2002"]],
  );
  for (let i = 30; i < 40; i++) await recordFill(dual, i);
  await dual.execute(insertSignalWithoutId, ["s1", "BTCUSDT", "SELL", "pg primary", 43]);
  await dual.writeRows(TABLES.orders, [orderRow(6000)], "upsert");
  const [fromPrimary] = await dual.query<{ n: number }>("SELECT COUNT(*) AS n FROM fills");
  assert.equal(Number(fromPrimary?.n), 2040);
  assert.equal(dual.stats().secondaryFailures, 0);
  check = await divergence();
  assert.ok(check.report.identical, check.text);

  // 7. Roll back: SQLite is the primary again, it missed nothing while it was the secondary.
  const rolledBack = await dual.switchPrimary();
  assert.equal(rolledBack.primary, "sqlite");
  for (let i = 40; i < 45; i++) await recordFill(dual, i);
  await dual.execute(insertSignalWithoutId, ["s1", "BTCUSDT", "BUY", "back on sqlite", 44]);
  assert.equal(await dual.drain(5000), true);
  check = await divergence();
  assert.ok(check.report.identical, check.text);
  const final = await verifyTables(sqlite, pg, ALL_TABLES);
  assert.ok(final.ok, JSON.stringify(final.tables.filter((v) => !v.match)));
  const [signals] = await sqlite.query<{ n: number; max: number }>(
    "SELECT COUNT(*) AS n, MAX(id) AS max FROM signals",
  );
  assert.deepEqual({ ...signals }, { n: 2003, max: 2003 });

  // 8. The SQLite file itself, reopened, holds the same content as PostgreSQL.
  await sqlite.close();
  const reopened = SqliteDriver.open(file);
  try {
    const fromFile = await verifyTables(reopened, pg, ALL_TABLES);
    assert.ok(fromFile.ok);
    assert.equal(fromFile.tables.find((x) => x.table === "fills")?.sourceRows, 2045);
  } finally {
    await reopened.close();
  }
});
