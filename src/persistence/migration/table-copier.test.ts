import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TestContext, test } from "node:test";
import { migrate } from "../schema/migrate.ts";
import { ALL_TABLES, TABLES } from "../schema/tables.ts";
import type { SqlDriver } from "../sql/sql-types.ts";
import { SqliteDriver } from "../sql/sqlite-driver.ts";
import { openTestPostgres } from "../test-support/postgres-test-db.ts";
import { CopyProgressStore } from "./copy-progress.ts";
import { verifyTables } from "./migration-verification.ts";
import { type CopyProgressEvent, copyDatabase } from "./table-copier.ts";
import { seedDatabase } from "./test-fixtures.ts";

function tempSqlite(t: TestContext, name: string): SqliteDriver {
  const dir = mkdtempSync(join(tmpdir(), "des-copy-"));
  const db = SqliteDriver.open(join(dir, name));
  t.after(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return db;
}

class Interrupted extends Error {}

/** Seeds a source, copies with an interruption after `stopAfter` batches, resumes, and verifies. */
async function interruptedCopyResumesExactly(t: TestContext, target: SqlDriver): Promise<void> {
  const source = tempSqlite(t, "source.sqlite");
  await migrate(source);
  await migrate(target);
  await seedDatabase(source, 1234);
  let batches = 0;
  const stopAfter = 5;
  const committed = new Map<string, number>();
  await assert.rejects(
    copyDatabase(source, target, {
      tables: ALL_TABLES,
      sourceLabel: "source.sqlite",
      batchSize: 100,
      afterBatch: (e) => {
        committed.set(e.table, e.rowsCopied);
        batches++;
        if (batches === stopAfter) throw new Interrupted("stop here");
      },
    }),
    Interrupted,
  );
  const stored = await new CopyProgressStore(target).list(ALL_TABLES);
  const partial = [...stored.values()];
  assert.ok(
    partial.some((p) => !p.done),
    "a table is half copied",
  );
  assert.equal(
    partial.reduce((n, p) => n + p.rowsCopied, 0),
    [...committed.values()].reduce((n, r) => n + r, 0),
    "progress names exactly the committed batches",
  );
  const copiedBefore = partial.reduce((n, p) => n + p.rowsCopied, 0);
  assert.ok(copiedBefore > 0);

  const events: CopyProgressEvent[] = [];
  const report = await copyDatabase(source, target, {
    tables: ALL_TABLES,
    sourceLabel: "source.sqlite",
    batchSize: 100,
    onProgress: (e) => events.push(e),
  });
  const byTable = new Map(report.tables.map((r) => [r.table, r]));
  assert.equal(byTable.get("fills")?.rowsCopied, 1234);
  const resumedRows = report.tables.reduce((n, r) => n + r.rowsThisRun, 0);
  const totalRows = report.tables.reduce((n, r) => n + r.rowsCopied, 0);
  assert.equal(resumedRows, totalRows - copiedBefore, "the resumed run copies only what was left");
  assert.ok(events.some((e) => e.table === "fills" && e.done));

  const verification = await verifyTables(source, target, ALL_TABLES);
  assert.ok(verification.ok, JSON.stringify(verification.tables.filter((v) => !v.match)));
  const fills = verification.tables.find((v) => v.table === "fills");
  assert.equal(fills?.targetRows, 1234);

  // A third run finds every table done and copies nothing.
  const again = await copyDatabase(source, target, { tables: ALL_TABLES, sourceLabel: "source.sqlite" });
  assert.ok(again.tables.every((r) => r.skipped && r.rowsThisRun === 0));

  // A resume from another source is refused; restart copies everything again.
  await assert.rejects(
    copyDatabase(source, target, { tables: ALL_TABLES, sourceLabel: "other.sqlite" }),
    /progress of a copy from source.sqlite/,
  );
  const restarted = await copyDatabase(source, target, {
    tables: [TABLES.fills],
    sourceLabel: "other.sqlite",
    restart: true,
  });
  assert.equal(restarted.tables[0]?.rowsThisRun, 1234);
}

test("an interrupted copy SQLite -> SQLite resumes after the last committed batch and verifies", async (t) => {
  await interruptedCopyResumesExactly(t, tempSqlite(t, "target.sqlite"));
});

test("an interrupted copy SQLite -> PostgreSQL resumes after the last committed batch and verifies", async (t) => {
  const pg = await openTestPostgres(t);
  if (pg === undefined) return;
  await interruptedCopyResumesExactly(t, pg);
  // The serial sequence is past the copied ids: an insert without an id gets the next one.
  const [row] = await pg.query<{ id: number }>(
    "INSERT INTO signals (strategy_id, instrument_id, action, reason, ts) VALUES ('s', 'BTCUSDT', 'BUY', 'r', 1) RETURNING id",
  );
  assert.equal(Number(row?.id), 1235);
});

test("verification sees a changed decimal, a missing row and an extra row", async (t) => {
  const source = tempSqlite(t, "a.sqlite");
  const target = tempSqlite(t, "b.sqlite");
  await migrate(source);
  await migrate(target);
  await seedDatabase(source, 50);
  await copyDatabase(source, target, { tables: ALL_TABLES, sourceLabel: "a" });
  assert.ok((await verifyTables(source, target, ALL_TABLES)).ok);
  await target.execute("UPDATE fills SET price = '1.0' WHERE trade_id = 't000000003'");
  await target.execute("DELETE FROM orders WHERE client_order_id = 'o7'");
  await target.execute("INSERT INTO audit_events VALUES ('e2', 4, 'op', 'resume', 's1', '{}')");
  const report = await verifyTables(source, target, ALL_TABLES);
  assert.equal(report.ok, false);
  const bad = report.tables.filter((v) => !v.match).map((v) => v.table);
  assert.deepEqual(bad.sort(), ["audit_events", "fills", "orders"]);
  const fills = report.tables.find((v) => v.table === "fills")!;
  assert.equal(fills.sourceRows, fills.targetRows, "same count, different content");
});

test("emptyTarget turns a diverged target into an exact copy again, AUTOINCREMENT counter included", async (t) => {
  const source = tempSqlite(t, "a.sqlite");
  const target = tempSqlite(t, "b.sqlite");
  await migrate(source);
  await migrate(target);
  await seedDatabase(source, 40);
  await copyDatabase(source, target, { tables: ALL_TABLES, sourceLabel: "a" });
  await target.execute(
    "INSERT INTO signals (id, strategy_id, instrument_id, action, reason, ts) VALUES (500, 's', 'X', 'BUY', 'extra', 1)",
  );
  await target.execute("DELETE FROM signals WHERE id = 500");
  await target.execute("UPDATE orders SET status = 'GONE'");
  assert.equal((await verifyTables(source, target, ALL_TABLES)).ok, false);
  await copyDatabase(source, target, { tables: ALL_TABLES, sourceLabel: "a", emptyTarget: true });
  assert.ok((await verifyTables(source, target, ALL_TABLES)).ok);
  const insert =
    "INSERT INTO signals (strategy_id, instrument_id, action, reason, ts) VALUES ('s', 'X', 'BUY', 'r', 1) RETURNING id";
  const [a] = await source.query<{ id: number }>(insert);
  const [b] = await target.query<{ id: number }>(insert);
  assert.equal(b?.id, a?.id, "both assign the same next id");
});

test("a copy runs the other way too: PostgreSQL -> SQLite", async (t) => {
  const pg = await openTestPostgres(t);
  if (pg === undefined) return;
  const sqlite = tempSqlite(t, "back.sqlite");
  await migrate(pg);
  await migrate(sqlite);
  await seedDatabase(pg, 321);
  await copyDatabase(pg, sqlite, { tables: ALL_TABLES, sourceLabel: "postgres", batchSize: 50 });
  const report = await verifyTables(pg, sqlite, ALL_TABLES);
  assert.ok(report.ok, JSON.stringify(report.tables.filter((v) => !v.match)));
  assert.equal(report.tables.find((v) => v.table === "balances")?.targetRows, 321);
});
