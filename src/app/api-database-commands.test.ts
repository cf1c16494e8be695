import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ApiErrorCode } from "../api/index.ts";
import { asMicros, ErrorCode, instrumentId, strategyId } from "../core/index.ts";
import type { Signal } from "../model/index.ts";
import {
  ALL_TABLES,
  DualWriteDriver,
  migrate,
  openEmbeddedStore,
  SqlDesStore,
  SqliteDriver,
} from "../persistence/index.ts";
import { FlakyDriver } from "../persistence/migration/test-fixtures.ts";
import { apiHarness } from "./test-support/api-harness.ts";

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "des-api-db-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test("GET /api/db on the embedded store: SQLite alone; a switch of primary is a 409 naming why, audited", async (t) => {
  const store = await openEmbeddedStore({ dbPath: join(tempDir(t), "des.sqlite") });
  t.after(() => store.close());
  const h = await apiHarness({ store });
  const view = await h.call("GET", "/api/db");
  assert.equal(view.statusCode, 200);
  assert.deepEqual(view.json(), {
    primary: "sqlite",
    secondary: null,
    dualWrite: null,
    degraded: null,
    postgresPool: null,
  });
  // Nothing refused by the database yet: no dead letters.
  assert.deepEqual((await h.call("GET", "/api/db/dead-letters")).json(), {
    deadLetteredTotal: 0,
    deadLetters: [],
  });

  const refused = await h.call("POST", "/api/db/switch-primary", {});
  assert.equal(refused.statusCode, 409);
  assert.equal(refused.json().error.code, ErrorCode.PrimarySwitchRefused);
  assert.match(refused.json().error.message, /dual-write is not on \(DB_SECONDARY is not set\)/);
  assert.deepEqual(
    h.audits.map((a) => [a.command, a.outcome, a.statusCode]),
    [["db.switch-primary", "rejected", 409]],
  );
  await h.close();
});

test("POST /api/db/switch-primary with dual-write: refused while the secondary is behind, then swaps; bad bodies are 400s", async (t) => {
  const dir = tempDir(t);
  const primary = SqliteDriver.open(join(dir, "a.sqlite"));
  const secondary = new FlakyDriver(SqliteDriver.open(join(dir, "b.sqlite")));
  await migrate(primary);
  await migrate(secondary);
  const dual = await DualWriteDriver.open({ primary, secondary, tables: ALL_TABLES, retryInitialDelayMs: 5 });
  const store = await SqlDesStore.open({
    driver: dual,
    ownsDriver: true,
    migrate: false,
    journalPath: join(dir, "journal.sqlite"),
  });
  t.after(() => store.close());
  const h = await apiHarness({ store });

  // A write the secondary refuses waits in its retry queue.
  secondary.failing = true;
  await store.save(strategyId("s1"), { n: 1 });
  const behind = (await h.call("GET", "/api/db")).json();
  assert.equal(behind.primary, "sqlite");
  assert.equal(behind.secondary, "sqlite");
  assert.equal(behind.dualWrite.pendingRetries, 1);
  assert.equal(behind.dualWrite.switches, 0);
  assert.equal(behind.degraded, "dual-write: 1 writes waiting for the sqlite secondary");

  const refused = await h.call("POST", "/api/db/switch-primary", { drainTimeoutMs: 20 });
  assert.equal(refused.statusCode, 409);
  assert.equal(refused.json().error.code, ErrorCode.PrimarySwitchRefused);
  assert.match(refused.json().error.message, /1 writes are still pending on the secondary/);
  assert.equal(dual.primary, primary, "nothing changed");

  for (const body of [
    { drainTimeoutMs: -1 },
    { drainTimeoutMs: 1.5 },
    { force: "yes" },
    { primary: "postgres" },
  ]) {
    const bad = await h.call("POST", "/api/db/switch-primary", body);
    assert.equal(bad.statusCode, 400, JSON.stringify(body));
    assert.equal(bad.json().error.code, ApiErrorCode.BadRequest);
  }

  secondary.failing = false;
  const switched = await h.call("POST", "/api/db/switch-primary", {});
  assert.equal(switched.statusCode, 200, switched.body);
  assert.deepEqual(switched.json(), {
    from: "sqlite",
    primary: "sqlite",
    secondary: "sqlite",
    unappliedWrites: 0,
    sequences: [],
  });
  assert.equal(dual.primary, secondary, "the old secondary is the primary");
  const after = (await h.call("GET", "/api/db")).json();
  assert.equal(after.dualWrite.switches, 1);
  assert.equal(after.dualWrite.pendingRetries, 0);
  assert.equal(after.degraded, null);

  // Writes after the switch land on the new primary first and still reach the other side.
  await store.save(strategyId("s1"), { n: 2 });
  for (const db of [primary, secondary.inner]) {
    const rows = await db.query("SELECT state_json FROM strategy_state WHERE strategy_id = ?", ["s1"]);
    assert.deepEqual(JSON.parse(String(rows[0]?.["state_json"])), { n: 2 });
  }
  assert.deepEqual(
    h.audits.map((a) => [a.command, a.outcome, a.statusCode]),
    [
      ["db.switch-primary", "rejected", 409],
      ["db.switch-primary", "rejected", 400],
      ["db.switch-primary", "rejected", 400],
      ["db.switch-primary", "rejected", 400],
      ["db.switch-primary", "rejected", 400],
      ["db.switch-primary", "ok", 200],
    ],
  );
  await h.close();
});

test("without a store the database routes answer 404 saying so", async () => {
  const h = await apiHarness();
  for (const [method, url] of [
    ["GET", "/api/db"],
    ["POST", "/api/db/switch-primary"],
    ["GET", "/api/db/dead-letters"],
    ["POST", "/api/db/dead-letters/requeue"],
  ] as const) {
    const res = await h.call(method, url, method === "POST" ? {} : undefined);
    assert.equal(res.statusCode, 404, url);
    assert.match(res.json().error.message, /no database to show or switch/);
  }
  await h.close();
});

test("dead letters: GET /api/db/dead-letters shows the rows the database refused; requeue writes them once the cause is fixed", async (t) => {
  const dir = tempDir(t);
  const driver = SqliteDriver.open(join(dir, "des.sqlite"));
  await migrate(driver);
  // What an operator might meet: a rule in the database that refuses some rows for good.
  await driver.execute(
    `CREATE TRIGGER refuse_bad BEFORE INSERT ON signals WHEN NEW.reason = 'bad'
     BEGIN SELECT RAISE(ABORT, 'signals refused by a database rule'); END`,
  );
  const store = await SqlDesStore.open({
    driver,
    ownsDriver: true,
    migrate: false,
    journalPath: join(dir, "journal.sqlite"),
  });
  t.after(() => store.close());
  const h = await apiHarness({ store });
  const signal = (reason: string, ts: number) =>
    ({
      strategyId: strategyId("s1"),
      instrumentId: instrumentId("BTCUSDT"),
      action: "BUY",
      reason,
      ts: asMicros(ts),
    }) as Signal;
  store.recordSignal(signal("good", 1));
  store.recordSignal(signal("bad", 2));
  store.recordSignal(signal("good", 3));
  await store.flush();

  const held = (await h.call("GET", "/api/db/dead-letters")).json();
  assert.equal(held.deadLetteredTotal, 1);
  assert.equal(held.deadLetters.length, 1);
  const [letter] = held.deadLetters;
  assert.equal(letter.table, "signals");
  assert.equal(letter.row.reason, "bad");
  assert.match(letter.error.message, /signals refused by a database rule/);
  assert.match(letter.error.at, /^\d{4}-\d\d-\d\dT/);
  assert.equal((await store.counts()).signals, 2, "the other rows were written");

  await driver.execute("DROP TRIGGER refuse_bad"); // the operator fixes the cause
  const requeued = await h.call("POST", "/api/db/dead-letters/requeue");
  assert.equal(requeued.statusCode, 200, requeued.body);
  assert.deepEqual(requeued.json(), { requeued: 1 });
  await store.flush();
  assert.equal((await store.counts()).signals, 3);
  assert.deepEqual((await h.call("GET", "/api/db/dead-letters")).json().deadLetters, []);
  assert.deepEqual(
    h.audits.map((a) => [a.command, a.outcome, a.statusCode]),
    [["db.dead-letters.requeue", "ok", 200]],
  );
  await h.close();
});
