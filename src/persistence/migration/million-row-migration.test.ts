import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { migrate } from "../schema/migrate.ts";
import { ALL_TABLES, TABLES } from "../schema/tables.ts";
import { SqliteDriver } from "../sql/sqlite-driver.ts";
import { openTestPostgres } from "../test-support/postgres-test-db.ts";
import { verifyTables } from "./migration-verification.ts";
import { checksumTable } from "./table-checksum.ts";
import { copyDatabase } from "./table-copier.ts";
import { fillRow } from "./test-fixtures.ts";

const ROWS = 1_000_000;
const BUILD_BATCH = 50_000;

test("a 1,000,000-row SQLite database migrates to PostgreSQL and verifies (counts and checksums)", async (t) => {
  const pg = await openTestPostgres(t, { poolSize: 4 });
  if (pg === undefined) return;
  const dir = mkdtempSync(join(tmpdir(), "des-million-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const sqlite = SqliteDriver.open(join(dir, "des.sqlite"), { maxRowsPerInsert: 2000 });
  t.after(() => sqlite.close());
  const seconds = (from: number) => ((performance.now() - from) / 1000).toFixed(1);

  let started = performance.now();
  await migrate(sqlite);
  await sqlite.transaction(async (tx) => {
    for (let from = 0; from < ROWS; from += BUILD_BATCH) {
      const rows = Array.from({ length: Math.min(BUILD_BATCH, ROWS - from) }, (_, i) => fillRow(from + i));
      await tx.writeRows(TABLES.fills, rows, "insert");
    }
  });
  t.diagnostic(`built SQLite with ${ROWS} fills in ${seconds(started)} s`);

  started = performance.now();
  await migrate(pg);
  const report = await copyDatabase(sqlite, pg, { tables: ALL_TABLES, sourceLabel: "des.sqlite" });
  const copySeconds = (performance.now() - started) / 1000;
  t.diagnostic(
    `copied in ${copySeconds.toFixed(1)} s (${Math.round(ROWS / copySeconds).toLocaleString("en")} rows/s)`,
  );
  assert.equal(report.tables.find((r) => r.table === "fills")?.rowsCopied, ROWS);

  started = performance.now();
  const verification = await verifyTables(sqlite, pg, ALL_TABLES);
  t.diagnostic(`verified (counts and checksums, both sides) in ${seconds(started)} s`);
  const fills = verification.tables.find((v) => v.table === "fills");
  assert.equal(fills?.sourceRows, ROWS);
  assert.equal(fills?.targetRows, ROWS);
  assert.equal(fills?.sourceChecksum, fills?.targetChecksum);
  assert.ok(verification.ok);

  // The checksum sees a single changed row among a million.
  const changed = fillRow(777_777);
  const updated = await pg.execute(
    "UPDATE fills SET commission = '0.00013' WHERE account_id = ? AND trade_id = ?",
    [changed.account_id ?? null, changed.trade_id ?? null],
  );
  assert.equal(updated, 1);
  const after = await checksumTable(pg, TABLES.fills);
  assert.equal(after.rows, ROWS);
  assert.notEqual(after.checksum, fills?.sourceChecksum);
});
