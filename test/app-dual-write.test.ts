import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { DesApp, loadConfig } from "../src/app/index.ts";
import { ALL_TABLES, checkDivergence, PostgresDriver, SqliteDriver } from "../src/persistence/index.ts";
import { createTestPostgresSchema } from "../src/persistence/test-support/postgres-test-db.ts";
import { memoryLogger, waitFor } from "./support/binance-sim-harness.ts";

const ROOT = new URL("../", import.meta.url).pathname;

/** DES on the bundled replay (paper venue) at full speed, any port, with the settings given on top. */
function replaySettings(env: Record<string, string>): Record<string, string> {
  return {
    DES_PORT: "0",
    DES_REPLAY_SPEED: "max",
    DES_REPLAY_LOOP: "false",
    DES_STRATEGIES_FILE: join(ROOT, "config/strategies.json"),
    DES_DATASET: join(ROOT, "data/market/manifest.json"),
    ...env,
  };
}

/** The settings of both databases of a dual-write in `dir` and the test's PostgreSQL schema. */
function databaseSettings(dir: string, pg: { url: string; schema: string }): Record<string, string> {
  return {
    DES_DB_PATH: join(dir, "des.sqlite"),
    DES_JOURNAL_PATH: join(dir, "journal.sqlite"),
    POSTGRES_URL: pg.url,
    POSTGRES_SCHEMA: pg.schema,
  };
}

/** One run of DES on the bundled replay with the database settings given, to its end. */
async function runReplay(
  env: Record<string, string>,
): Promise<{ signals: number; fills: number; log: string }> {
  const { logger, text } = memoryLogger("info");
  const app = await DesApp.create(loadConfig({ env: replaySettings(env) }), { logger });
  try {
    await app.start();
    await waitFor(() => app.replay.stats().state === "completed", 60_000, "the replay to complete");
    await app.store.flush();
    assert.deepEqual(app.health().checks.store, { status: "ok" }, "the secondary is current");
    const counts = await app.store.counts();
    return { signals: counts.signals, fills: counts.fills, log: text() };
  } finally {
    assert.equal(await app.stop("test"), true);
  }
}

/** Both databases hold the same rows, table by table (DES stopped). */
async function assertSame(
  sqlitePath: string,
  pg: { url: string; schema: string },
  when: string,
): Promise<void> {
  const sqlite = SqliteDriver.open(sqlitePath);
  const postgres = await PostgresDriver.open({ url: pg.url, schema: pg.schema, poolSize: 2 });
  try {
    const report = await checkDivergence(
      { name: "sqlite", db: sqlite },
      { name: "postgres", db: postgres },
      // The journal is a file of its own in dual-write: order_intents is not mirrored on purpose.
      ALL_TABLES.filter((t) => t.name !== "order_intents"),
    );
    const diverged = report.tables.filter((t) => t.onlyInA + t.onlyInB + t.different > 0);
    assert.deepEqual(
      diverged.map((t) => t.table),
      [],
      `${when}: ${JSON.stringify(diverged.map((t) => ({ table: t.table, rows: t.rows.slice(0, 2) })))}`,
    );
  } finally {
    await sqlite.close();
    await postgres.close();
  }
}

test("dual-write from the settings: SQLite primary with PostgreSQL secondary, the switch by a restart, and back to SQLite alone; the two stay identical", async (t) => {
  const pg = await createTestPostgresSchema(t);
  if (pg === undefined) return;
  const dir = mkdtempSync(join(tmpdir(), "des-dual-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const common = databaseSettings(dir, pg);
  const dbPath = common.DES_DB_PATH as string;

  // 1. Dual-write, SQLite primary (the embedded default, with PostgreSQL receiving every write).
  const first = await runReplay({ ...common, DB_TYPE: "sqlite", DB_SECONDARY: "postgres" });
  assert.ok(first.fills > 0 && first.signals > 0, `the run traded: ${JSON.stringify(first)}`);
  assert.ok(first.log.includes('"dual-write on"'), "the log says dual-write is on");
  await assertSame(dbPath, pg, "after the SQLite-primary run");

  // 2. The switch of primary by a restart: PostgreSQL primary, the SQLite file kept current.
  const second = await runReplay({ ...common, DB_TYPE: "postgres", DB_SECONDARY: "sqlite" });
  assert.ok(second.signals > first.signals, "the second run added its signals");
  await assertSame(dbPath, pg, "after the PostgreSQL-primary run");

  // 3. Rollback: SQLite alone, the file has everything PostgreSQL has.
  const third = await runReplay({ DES_DB_PATH: dbPath, DB_TYPE: "sqlite" });
  assert.ok(third.signals > second.signals, "SQLite alone continues from what both runs wrote");
});

test("the switch of primary while DES trades (POST /api/db/switch-primary): SQLite -> PostgreSQL -> SQLite, no write lost on either side", async (t) => {
  const pg = await createTestPostgresSchema(t);
  if (pg === undefined) return;
  const dir = mkdtempSync(join(tmpdir(), "des-switch-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const databases = databaseSettings(dir, pg);
  const dbPath = databases.DES_DB_PATH as string;
  const { logger, text } = memoryLogger("info");
  const app = await DesApp.create(
    loadConfig({
      env: replaySettings({
        // The replay loops: strategies keep signalling and trading through both switches.
        DES_REPLAY_LOOP: "true",
        ...databases,
        DB_TYPE: "sqlite",
        DB_SECONDARY: "postgres",
      }),
    }),
    { logger },
  );
  let stopped = false;
  t.after(async () => {
    if (!stopped) await app.stop("test cleanup");
  });
  const url = await app.start();
  const signalsNow = async () => (await app.store.counts()).signals;
  /** Waits until more than `atLeast` signals are stored; returns how many. */
  const signalsAbove = async (atLeast: number, what: string): Promise<number> => {
    let seen = 0;
    await waitFor(
      async () => {
        seen = await signalsNow();
        return seen > atLeast;
      },
      30_000,
      what,
    );
    return seen;
  };
  const switchPrimary = async (body: unknown) =>
    fetch(`${url}/api/db/switch-primary`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  const before = (await (await fetch(`${url}/api/db`)).json()) as Record<string, unknown>;
  assert.equal(before["primary"], "sqlite");
  assert.equal(before["secondary"], "postgres");
  // PostgreSQL is the dual-write's secondary here: its pool is shown all the same.
  const pool = before["postgresPool"] as {
    totalConnections: number;
    connectionErrors: number;
    ignoreFallbacks: number;
  } | null;
  assert.ok(pool !== null, "GET /api/db shows the PostgreSQL pool");
  assert.ok(pool.totalConnections >= 1, JSON.stringify(pool));
  assert.equal(pool.connectionErrors, 0);
  assert.equal(typeof pool.ignoreFallbacks, "number");
  const prom = (await (await fetch(`${url}/metrics`)).text()).split("\n");
  const promValue = (name: string) => Number(prom.find((l) => l.startsWith(`${name} `))?.split(" ")[1]);
  assert.ok(promValue("des_postgres_pool_connections") >= 1, "the pool on /metrics");
  assert.equal(promValue("des_postgres_connection_errors_total"), 0);
  assert.ok(
    promValue("des_postgres_ignore_fallbacks_total") >= pool.ignoreFallbacks,
    "fallbacks on /metrics",
  );

  const atSwitch = await signalsAbove(0, "the first signals");
  const toPostgres = await switchPrimary({});
  assert.equal(toPostgres.status, 200, await toPostgres.clone().text());
  const switched = (await toPostgres.json()) as Record<string, unknown>;
  assert.equal(switched["from"], "sqlite");
  assert.equal(switched["primary"], "postgres");
  assert.equal(switched["secondary"], "sqlite");
  assert.equal(switched["unappliedWrites"], 0);
  assert.equal(app.store.databases().primary, "postgres");
  assert.equal(app.store.dbType, "postgres");

  // Trading goes on with PostgreSQL as the database of record: its new signals reach both sides.
  const atRollback = await signalsAbove(atSwitch + 50, "signals written with PostgreSQL primary");
  const rollback = await switchPrimary({ drainTimeoutMs: 10_000 });
  assert.equal(rollback.status, 200, await rollback.clone().text());
  assert.equal(((await rollback.json()) as Record<string, unknown>)["primary"], "sqlite");
  await signalsAbove(atRollback + 50, "signals after the rollback");

  const during = (await (await fetch(`${url}/api/db`)).json()) as {
    primary: string;
    dualWrite: { switches: number; diverged: boolean; primaryMissingWrites: number };
  };
  assert.equal(during.primary, "sqlite");
  assert.equal(during.dualWrite.switches, 2);
  assert.equal(during.dualWrite.diverged, false);
  assert.equal(during.dualWrite.primaryMissingWrites, 0);
  const fills = (await app.store.counts()).fills;
  assert.ok(fills > 0, "the strategies traded");
  assert.equal(await app.stop("test"), true);
  stopped = true;
  assert.match(text(), /"command":"db\.switch-primary"/, "each switch is in the command audit log");
  await assertSame(dbPath, pg, "after two switches while trading");
});

test("dual-write settings that cannot work are refused before anything opens, naming the setting", async () => {
  const base = {
    DES_PORT: "0",
    DES_STRATEGIES_FILE: join(ROOT, "config/strategies.json"),
    DES_DATASET: join(ROOT, "data/market/manifest.json"),
    DES_DB_PATH: join(mkdtempSync(join(tmpdir(), "des-dual-bad-")), "des.sqlite"),
    POSTGRES_URL: "postgres://nobody@127.0.0.1:1/none",
  };
  const { logger } = memoryLogger("info");
  const refused = async (env: Record<string, string>, key: string) =>
    assert.rejects(DesApp.create(loadConfig({ env: { ...base, ...env } }), { logger }), (e: unknown) => {
      assert.equal((e as { details?: { key?: string } }).details?.key, key, String(e));
      return true;
    });
  await refused({ DB_TYPE: "sqlite", DB_SECONDARY: "sqlite" }, "DB_SECONDARY");
  await refused({ DB_TYPE: "sqlite", DB_SECONDARY: "postgres" }, "DES_JOURNAL_PATH");
  await refused(
    { DB_TYPE: "postgres", DB_SECONDARY: "sqlite", DES_JOURNAL_PATH: base.DES_DB_PATH },
    "DES_JOURNAL_PATH",
  );
  // The embedded store's journal must be a file of its own, not the records' file.
  await refused({ DB_TYPE: "sqlite", DES_JOURNAL_PATH: base.DES_DB_PATH }, "DES_JOURNAL_PATH");
  const { POSTGRES_URL: _, ...noUrl } = base;
  await assert.rejects(
    DesApp.create(loadConfig({ env: { ...noUrl, DB_TYPE: "postgres" } }), { logger }),
    /POSTGRES_URL is not set/,
  );
});
