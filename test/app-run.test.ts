import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { test } from "node:test";
import { createLogger, DesApp, loadConfig } from "../src/app/index.ts";
import { openEmbeddedStore } from "../src/persistence/index.ts";

const ROOT = new URL("../", import.meta.url).pathname;

/** Waits until the predicate holds, checking on each turn of the event loop, for at most boundMs. */
async function waitFor(predicate: () => boolean, boundMs: number, what: string): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${boundMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function silentLogger() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _e, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger("info", sink), lines };
}

function metricValue(json: { counters: Record<string, Array<{ value: number }>> }, name: string): number {
  return (json.counters[name] ?? []).reduce((n, s) => n + s.value, 0);
}

test("DES runs end to end on the embedded default: ticks, signals and paper fills, then a graceful stop", async () => {
  const dbPath = join(mkdtempSync(join(tmpdir(), "des-app-")), "des.sqlite");
  const config = loadConfig({
    env: {
      DES_PORT: "0",
      DES_DB_PATH: dbPath,
      DES_REPLAY_SPEED: "max",
      DES_REPLAY_LOOP: "false",
      DES_STRATEGIES_FILE: join(ROOT, "config/strategies.json"),
      DES_DATASET: join(ROOT, "data/market/manifest.json"),
    },
  });
  const { logger, lines } = silentLogger();
  const app = await DesApp.create(config, { logger });
  const url = await app.start();
  await waitFor(() => app.replay.stats().state === "completed", 60_000, "the replay to complete");

  const health = await fetch(`${url}/health`);
  assert.equal(health.status, 200);
  const metrics = (await (await fetch(`${url}/api/metrics`)).json()) as Parameters<typeof metricValue>[0];
  assert.equal(metricValue(metrics, "des_market_events_replayed_total"), 1440);
  assert.ok(metricValue(metrics, "des_ticks_processed_total") > 1440, "every strategy saw the bars");
  assert.ok(metricValue(metrics, "des_signals_total") > 0, "signals");
  assert.ok(metricValue(metrics, "des_fills_total") > 0, "paper fills");
  assert.equal(metricValue(metrics, "des_strategy_errors_total"), 0);
  const prom = await (await fetch(`${url}/metrics`)).text();
  assert.match(prom, /# TYPE des_fills_total counter\ndes_fills_total \d+/);
  // The store's writes are measured: flushes, their size and time, and their latency.
  await waitFor(() => app.store.stats().batchesTotal > 0, 5_000, "a store flush");
  const afterFlush = (await (await fetch(`${url}/metrics`)).text()).split("\n");
  const value = (name: string) => Number(afterFlush.find((l) => l.startsWith(`${name} `))?.split(" ")[1]);
  assert.ok(value("des_store_batches_total") > 0, "store flushes counted");
  assert.ok(value("des_store_last_batch_size") > 0, "last batch size");
  assert.ok(value("des_store_last_flush_timestamp_seconds") > 1.7e9, "last flush time");
  assert.ok(
    afterFlush.some((l) => l.startsWith("des_store_flush_latency_us_count ")),
    "flush latency",
  );
  assert.ok(
    !afterFlush.some((l) => l.startsWith("des_postgres_")),
    "no PostgreSQL pool on the embedded store",
  );

  // Every fill booked by the portfolio: the account's position equals the venue's fills.
  const fills = metricValue(metrics, "des_fills_total");
  assert.equal(await app.stop("test"), true);
  assert.ok(lines.some((l) => l.includes('"graceful":true')));

  const store = await openEmbeddedStore({ dbPath });
  const counts = await store.counts();
  await store.close();
  assert.equal(counts.fills, fills, "every fill is in the store after shutdown");
  // One row per strategy, plus the risk engine's snapshot (kill switch, daily counters).
  assert.equal(counts.strategy_state, app.strategies.ids().length + 1, "every strategy's state was saved");
  assert.ok(counts.signals > 0);
});

test("a restart restores each strategy's saved state before live data", async () => {
  const dbPath = join(mkdtempSync(join(tmpdir(), "des-app-")), "des.sqlite");
  const env = {
    DES_PORT: "0",
    DES_DB_PATH: dbPath,
    DES_REPLAY_SPEED: "max",
    DES_REPLAY_LOOP: "false",
    DES_STRATEGIES_FILE: join(ROOT, "config/strategies.json"),
    DES_DATASET: join(ROOT, "data/market/manifest.json"),
  };
  const first = await DesApp.create(loadConfig({ env }), silentLogger());
  await first.start();
  await waitFor(() => first.replay.stats().state === "completed", 60_000, "the first replay");
  await first.stop("restart");
  const store = await openEmbeddedStore({ dbPath });
  const saved = await store.load("dca-btc-15m" as never);
  await store.close();
  assert.ok(saved !== undefined && saved !== null, "dca state saved");

  const second = await DesApp.create(loadConfig({ env: { ...env, DES_REPLAY_SPEED: "1" } }), silentLogger());
  const loads: string[] = [];
  const originalLoad = second.store.load.bind(second.store);
  second.store.load = async (id) => {
    loads.push(id);
    return originalLoad(id);
  };
  await second.start();
  await second.stop("done");
  assert.deepEqual(
    loads.filter((id) => !id.startsWith("__")).sort(),
    second.strategies.ids().map(String).sort(),
    "every strategy asked for its saved state at start",
  );
});

test("a bad strategies file stops start-up with the entry and key named", async () => {
  const dir = mkdtempSync(join(tmpdir(), "des-app-"));
  const file = join(dir, "strategies.json");
  const { writeFileSync } = await import("node:fs");
  writeFileSync(
    file,
    JSON.stringify([
      {
        id: "x",
        strategy: "ma_cross",
        instrument: "BTCBUSD",
        interval: "1m",
        params: { fast: 30, slow: 10, size: "0.01" },
      },
    ]),
  );
  const config = loadConfig({
    env: {
      DES_PORT: "0",
      DES_DB_PATH: join(dir, "d.sqlite"),
      DES_STRATEGIES_FILE: file,
      DES_DATASET: join(ROOT, "data/market/manifest.json"),
    },
  });
  await assert.rejects(
    DesApp.create(config, silentLogger()),
    (e: Error) => /entry 0/.test(e.message) && /fast|slow/.test(e.message),
  );
  writeFileSync(file, JSON.stringify([{ id: "y", strategy: "nope", instrument: "BTCBUSD", interval: "1m" }]));
  await assert.rejects(DesApp.create(config, silentLogger()), (e: Error) => /nope/.test(e.message));
});
