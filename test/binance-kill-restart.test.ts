import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { type TestContext, test } from "node:test";
import { DesApp, loadConfig } from "../src/app/index.ts";
import { Decimal, type InstrumentId } from "../src/core/index.ts";
import { defaultJournalPath } from "../src/persistence/index.ts";
import { createTestPostgresSchema } from "../src/persistence/test-support/postgres-test-db.ts";
import { BinanceSimulator } from "../src/sim/index.ts";
import { memoryLogger, waitFor } from "./support/binance-sim-harness.ts";
import { balanceTotals, desOnSimEnv, FAST_BTCBUSD_STRATEGIES } from "./support/des-on-sim.ts";

const NODE = process.execPath;
const DES_CLI = new URL("../src/cli/des.ts", import.meta.url).pathname;

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve({ code: child.exitCode, signal: child.signalCode });
      return;
    }
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
}

/** The database settings of each run: the embedded SQLite file, and PostgreSQL in a schema of the test's own. */
const DATABASES: ReadonlyArray<{
  readonly dbType: "sqlite" | "postgres";
  env(t: TestContext): Promise<Record<string, string> | undefined>;
  /** The order intent journal's file (DES_JOURNAL_PATH's default) for the run's DES_DB_PATH. */
  journalFile(dbPath: string): string;
}> = [
  { dbType: "sqlite", env: async () => ({}), journalFile: defaultJournalPath },
  {
    dbType: "postgres",
    journalFile: (dbPath) => dbPath,
    env: async (t) => {
      const pg = await createTestPostgresSchema(t);
      return pg === undefined
        ? undefined
        : { DB_TYPE: "postgres", POSTGRES_URL: pg.url, POSTGRES_SCHEMA: pg.schema };
    },
  },
];

for (const database of DATABASES) {
  test(`DB_TYPE=${database.dbType}: kill -9 of DES with orders in flight at the Binance simulator, then a restart: no order lost or duplicated, books equal the venue's`, async (t) => {
    const dbEnv = await database.env(t);
    if (dbEnv === undefined) return;
    await killRestartRun(t, dbEnv, database.journalFile);
  });
}

async function killRestartRun(
  t: TestContext,
  dbEnv: Record<string, string>,
  journalFile: (dbPath: string) => string,
): Promise<void> {
  // BTCBUSD real 1m bars replayed by the simulator at 600x: a closed bar every 100 ms.
  const sim = await BinanceSimulator.start({
    port: 0,
    sources: [{ kind: "klines", ids: ["btcbusd-1m-2022-12-13"], speed: 600 }],
  });
  const env = desOnSimEnv(sim, FAST_BTCBUSD_STRATEGIES, {
    DES_LOG_LEVEL: "info",
    // A books snapshot after nearly every flush: the restart rebuilds from the snapshot + later fills.
    DES_BOOKS_SNAPSHOT_INTERVAL_MS: "100",
    ...dbEnv,
  });
  const childLog = join(dirname(env.DES_DB_PATH!), "first-run.log");
  // Every order the venue ever accepted, by client order id: a duplicate would count twice.
  const placed = new Map<string, number>();
  let child: ChildProcess | undefined;
  let app: DesApp | undefined;
  try {
    child = spawn(NODE, [DES_CLI, "run"], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const logFile = createWriteStream(childLog);
    child.stdout?.pipe(logFile);
    child.stderr?.pipe(logFile);
    const running = child;
    let killedAtNew = "";
    sim.exchange.onUserEvent((e) => {
      const p = e.payload as { e?: string; x?: string; c?: string };
      if (p.e !== "executionReport" || p.x !== "NEW" || typeof p.c !== "string") return;
      placed.set(p.c, (placed.get(p.c) ?? 0) + 1);
      // After a few orders, slow the REST answers down so orders are in flight, and kill DES the
      // moment the venue has accepted one: its response is never read, its fills never stored.
      if (placed.size === 4) sim.faults.delayRest(400);
      if (placed.size === 7 && killedAtNew === "") {
        killedAtNew = p.c;
        running.kill("SIGKILL");
      }
    });
    const { signal } = await waitFor(() => killedAtNew !== "", 120_000, "seven orders at the venue").then(
      () => exited(running),
    );
    assert.equal(signal, "SIGKILL", "DES was killed with SIGKILL");
    sim.faults.reset();
    t.diagnostic(`killed at order ${killedAtNew}; ${placed.size} orders placed in the first run`);

    // What the first run left: the killed order's intent is in the journal, not done.
    const db = new DatabaseSync(journalFile(env.DES_DB_PATH!), { readOnly: true });
    const journaled = db.prepare("SELECT client_order_id, done_at FROM order_intents").all() as Array<{
      client_order_id: string;
      done_at: number | null;
    }>;
    db.close();
    assert.ok(
      journaled.some((r) => r.client_order_id === killedAtNew && r.done_at === null),
      "the order in flight was journaled before it was sent and is not done",
    );
    for (const id of placed.keys()) {
      assert.ok(
        journaled.some((r) => r.client_order_id === id),
        `order ${id} at the venue has an intent in the journal`,
      );
    }

    // The restart, in process so its books can be read.
    app = await DesApp.create(loadConfig({ env }), { logger: memoryLogger("info").logger });
    await app.start();
    assert.equal(
      app.store.dbType,
      dbEnv.DB_TYPE ?? "sqlite",
      "the records are in the database DB_TYPE names",
    );
    const recovery = app.recovery;
    assert.ok(recovery !== undefined, "start-up reconciliation ran");
    assert.ok(recovery.resumed >= 1, `the order in flight was resumed: ${JSON.stringify(recovery)}`);
    assert.equal(recovery.reported, 0, "no unknown order at the venue");
    assert.equal(
      app.booksRebuild?.from,
      "snapshot",
      "the books came from the snapshot and the fills after it",
    );

    // Let it trade on, then quiet it and let everything settle.
    const restarted = app;
    const before = placed.size;
    await waitFor(() => placed.size >= before + 3, 90_000, "three more orders after the restart");
    for (const id of restarted.strategies.ids()) restarted.strategies.pause(id);
    await waitFor(() => restarted.execution.openOrders().length === 0, 20_000, "no order in flight");
    await new Promise((r) => setTimeout(r, 300));

    // None duplicated: each client order id reached the venue once.
    for (const [id, n] of placed) assert.equal(n, 1, `order ${id} placed ${n} times`);
    // None lost: every venue trade is booked once, and no intent is left open.
    const simTrades = sim.exchange.myTrades("hmac", { symbol: "BTCBUSD", limit: "1000" });
    assert.ok(simTrades.ok);
    await restarted.store.flush();
    assert.equal(
      (await restarted.store.counts()).fills,
      simTrades.body.length,
      "one stored fill per venue trade",
    );
    assert.equal(restarted.store.intents.openCount(), 0, "every intent is done");
    // Positions equal the venue's: quote cash and base holding, exactly.
    const venue = balanceTotals(await restarted.venueSetup.venue.balances());
    const accountId = restarted.venueSetup.venue.accountId;
    const book = restarted.portfolio.account(accountId);
    assert.ok(book !== undefined);
    const position = restarted.portfolio.accountPosition(accountId, "BTCBUSD" as InstrumentId);
    assert.equal(book.cash.BUSD?.toString(), venue.BUSD?.toString(), "BUSD cash equals the venue's");
    assert.equal(
      (book.cash.BTC ?? Decimal.ZERO).add(position.quantity).toString(),
      venue.BTC?.toString(),
      "BTC holding equals the venue's",
    );
    // The strategies' books add up to the account's trading.
    let strategyQty = Decimal.ZERO;
    for (const id of restarted.strategies.ids()) {
      strategyQty = strategyQty.add(restarted.portfolio.position(id, "BTCBUSD" as InstrumentId));
    }
    assert.equal(
      strategyQty.toString(),
      position.quantity.toString(),
      "strategy positions sum to the account's",
    );
    assert.equal(await restarted.stop("test"), true);
    app = undefined;
  } catch (e) {
    t.diagnostic(`first run log:\n${readFileSync(childLog, "utf8").slice(-4000)}`);
    throw e;
  } finally {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await app?.stop("test cleanup");
    await sim.stop();
  }
}
