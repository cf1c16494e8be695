import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { test } from "node:test";
import { DesError, ErrorCode } from "../../core/index.ts";
import { openEmbeddedStore } from "../open-embedded-store.ts";
import type { SqlDriver } from "../sql/sql-types.ts";
import { SqliteDriver } from "../sql/sqlite-driver.ts";
import { SQL_DRIVER_FACTORIES } from "../test-support/sql-driver-factories.ts";
import { migrate, migrateSqliteSync, planMigration, schemaVersion } from "./migrate.ts";
import { LATEST_SCHEMA_VERSION, MIGRATIONS, type Migration } from "./migrations.ts";

const versions = (steps: ReturnType<typeof planMigration>) =>
  steps.map((s) => `${s.direction} ${s.migration.version}`);

test("the plan goes up in order, down in reverse, and refuses a missing down step before anything", () => {
  assert.equal(LATEST_SCHEMA_VERSION, 4);
  assert.deepEqual(versions(planMigration(0, 3)), ["up 1", "up 2", "up 3"]);
  assert.deepEqual(versions(planMigration(1, 3)), ["up 2", "up 3"]);
  assert.deepEqual(versions(planMigration(3, 3)), []);
  assert.deepEqual(versions(planMigration(3, 1)), ["down 3", "down 2"]);
  assert.throws(
    () => planMigration(3, 0),
    (e: unknown) =>
      e instanceof DesError &&
      e.code === ErrorCode.StoreFailed &&
      e.message === "cannot migrate down to version 0: migration 1 (core tables) has no down step" &&
      e.details.version === 1,
  );
  assert.throws(() => planMigration(0, 5), /unknown schema version 5/);
  assert.throws(() => planMigration(7, 3), /database schema version 7 is newer than this DES knows \(4\)/);
});

async function tableExists(db: SqlDriver, table: string): Promise<boolean> {
  const rows =
    db.dialect === "sqlite"
      ? await db.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?", [table])
      : await db.query("SELECT to_regclass(?) AS t WHERE to_regclass(?) IS NOT NULL", [table, table]);
  return rows.length > 0;
}

for (const factory of SQL_DRIVER_FACTORIES.filter((f) => f.name !== "postgres (multi-row INSERT)")) {
  test(`${factory.name}: migrate up to the latest, down to 2, up again`, async (t) => {
    const db = await factory.open(t);
    if (db === undefined) return;
    assert.equal(await schemaVersion(db), 0);
    assert.deepEqual(await migrate(db), {
      fromVersion: 0,
      toVersion: 4,
      applied: [1, 2, 3, 4],
      reverted: [],
    });
    assert.equal(await schemaVersion(db), 4);
    for (const table of ["orders", "fills", "order_intents", "positions", "audit_events"]) {
      assert.ok(await tableExists(db, table), table);
    }
    assert.deepEqual(await migrate(db), { fromVersion: 4, toVersion: 4, applied: [], reverted: [] });
    const rows = await db.query<{ version: number; name: string; applied_at: number }>(
      "SELECT version, name, applied_at FROM schema_migrations ORDER BY version",
    );
    assert.deepEqual(
      rows.map((r) => [r.version, r.name]),
      MIGRATIONS.map((m) => [m.version, m.name]),
    );
    assert.ok(
      rows.every((r) => typeof r.applied_at === "number" && r.applied_at > 1e15),
      "micros",
    );

    await db.execute(
      "INSERT INTO order_intents (client_order_id, strategy_id, instrument_id, side, type, quantity, time_in_force, reduce_only, created_at, sent_at) VALUES ('c1', 's', 'i', 'BUY', 'LIMIT', '1.5', 'GTC', 0, 1, 2)",
    );
    assert.deepEqual(await migrate(db, { targetVersion: 2 }), {
      fromVersion: 4,
      toVersion: 2,
      applied: [],
      reverted: [4, 3],
    });
    assert.equal(await schemaVersion(db), 2);
    assert.equal(await tableExists(db, "positions"), false);
    assert.equal(await tableExists(db, "audit_events"), false);
    assert.deepEqual(await db.query("SELECT quantity FROM order_intents"), [{ quantity: "1.5" }]);

    assert.deepEqual(await migrate(db), { fromVersion: 2, toVersion: 4, applied: [3, 4], reverted: [] });
    assert.ok(await tableExists(db, "positions"));

    await assert.rejects(migrate(db, { targetVersion: 0 }), /migration 1 \(core tables\) has no down step/);
    assert.equal(await schemaVersion(db), 4, "a refused down run changes nothing");
  });

  test(`${factory.name}: a failing step is rolled back whole and names its version`, async (t) => {
    const db = await factory.open(t);
    if (db === undefined) return;
    const broken: Migration[] = [
      { version: 1, name: "one", up: "CREATE TABLE m1 (a TEXT)" },
      { version: 2, name: "two", up: "CREATE TABLE m2 (a TEXT); INSERT INTO no_such_table VALUES (1)" },
    ];
    await assert.rejects(
      migrate(db, { migrations: broken }),
      (e: unknown) =>
        e instanceof DesError &&
        e.details.version === 2 &&
        /^migration 2 \(two\) up failed: /.test(e.message),
    );
    assert.equal(await schemaVersion(db), 1);
    assert.ok(await tableExists(db, "m1"));
    assert.equal(await tableExists(db, "m2"), false);
  });

  test(`${factory.name}: concurrent runs apply each version once`, async (t) => {
    const db = await factory.open(t);
    if (db === undefined) return;
    const reports = await Promise.all([migrate(db), migrate(db), migrate(db)]);
    assert.deepEqual(reports.flatMap((r) => r.applied).sort(), [1, 2, 3, 4]);
    assert.ok(reports.every((r) => r.toVersion === 4));
    assert.deepEqual(await db.query("SELECT COUNT(*) AS c FROM schema_migrations"), [{ c: 4 }]);
  });
}

function schemaOf(db: DatabaseSync): unknown {
  return db
    .prepare("SELECT type, name, sql FROM sqlite_master WHERE name <> 'sqlite_sequence' ORDER BY name")
    .all();
}

test("migrateSqliteSync builds the same schema as migrate, and goes down and up", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "des-migrate-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const sync = new DatabaseSync(join(dir, "sync.db"));
  t.after(() => sync.close());
  assert.deepEqual(migrateSqliteSync(sync), {
    fromVersion: 0,
    toVersion: 4,
    applied: [1, 2, 3, 4],
    reverted: [],
  });
  const driver = SqliteDriver.open(join(dir, "async.db"));
  t.after(() => driver.close());
  await migrate(driver);
  assert.deepEqual(schemaOf(sync), schemaOf(driver.database));
  assert.deepEqual(migrateSqliteSync(sync, { targetVersion: 1 }), {
    fromVersion: 4,
    toVersion: 1,
    applied: [],
    reverted: [4, 3, 2],
  });
  assert.throws(
    () => migrateSqliteSync(sync, { targetVersion: 0 }),
    /migration 1 \(core tables\) has no down step/,
  );
  assert.deepEqual(migrateSqliteSync(sync).applied, [2, 3, 4]);
  assert.deepEqual(schemaOf(sync), schemaOf(driver.database));
});

test("an existing version-2 store file is upgraded to the latest schema when the store opens", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "des-migrate-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, "des.db");
  const old = new DatabaseSync(path);
  migrateSqliteSync(old, { targetVersion: 2 });
  old.exec("INSERT INTO strategy_state VALUES ('s1', '{\"a\":1}', 5)");
  old.close();
  const store = await openEmbeddedStore({ dbPath: path });
  t.after(() => store.close());
  const driver = SqliteDriver.open(path);
  t.after(() => driver.close());
  assert.equal(await schemaVersion(driver), LATEST_SCHEMA_VERSION);
  assert.deepEqual(await store.load("s1" as never), { a: 1 });
});

const FILL_COLUMNS =
  "account_id, trade_id, client_order_id, strategy_id, instrument_id, side, quantity, price, commission, commission_asset, liquidity, ts";
/** A version-3 fill row: trade id and ts chosen so that insertion order differs from time order. */
const v3Fill = (tradeId: string, ts: number) =>
  `INSERT INTO fills (${FILL_COLUMNS}) VALUES ('a', '${tradeId}', 'c', 's', 'i', 'BUY', '1', '2', '0', 'USDT', 'TAKER', ${ts})`;

for (const factory of SQL_DRIVER_FACTORIES.filter((f) => f.name !== "postgres (multi-row INSERT)")) {
  test(`${factory.name}: version 4 numbers the fills already stored (SQLite: as written; PostgreSQL: by time)`, async (t) => {
    const db = await factory.open(t);
    if (db === undefined) return;
    await migrate(db, { targetVersion: 3 });
    for (const [tradeId, ts] of [
      ["t3", 30],
      ["t1", 10],
      ["t2", 20],
    ] as const)
      await db.execute(v3Fill(tradeId, ts));
    await migrate(db);
    const rows = await db.query<{ trade_id: string; seq: number }>(
      "SELECT trade_id, seq FROM fills ORDER BY seq",
    );
    const expected = db.dialect === "sqlite" ? ["t3", "t1", "t2"] : ["t1", "t2", "t3"];
    assert.deepEqual(
      rows.map((r) => r.trade_id),
      expected,
    );
    assert.deepEqual(
      rows.map((r) => Number(r.seq)),
      [1, 2, 3],
    );
  });
}
