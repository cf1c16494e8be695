import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { it } from "node:test";
import { Redis } from "ioredis";
import { MessageBus, Topic } from "../bus/index.ts";
import {
  type AccountId,
  dec,
  type InstrumentId,
  LiveClock,
  strategyId,
  type UnixMicros,
} from "../core/index.ts";
import { MetricsRegistry } from "../monitor/index.ts";
import { startOwnRedisServer } from "../persistence/cache/test-support/redis-server-process.ts";
import { CACHE_METRICS } from "../persistence/index.ts";
import type { BookView } from "../portfolio/index.ts";
import { DesApp } from "./des-app.ts";
import { loadConfig } from "./load-config.ts";
import { createLogger } from "./logger.ts";
import { accountBalances, installStateCache, type StateCacheFeed } from "./state-cache-feed.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const NAMESPACE = "feed-test";
const STRATEGY = "ma-fast";
const KEYS = {
  price: `des:${NAMESPACE}:price:BTCBUSD`,
  strategyBook: `des:${NAMESPACE}:positions:${STRATEGY}`,
  accountBook: `des:${NAMESPACE}:positions:account:paper`,
  balances: `des:${NAMESPACE}:balances:paper`,
  status: `des:${NAMESPACE}:strategy-status:${STRATEGY}`,
};

/** Polls the async condition every 20 ms until it holds; throws after timeoutMs naming what was awaited. */
async function eventually(condition: () => Promise<boolean> | boolean, timeoutMs: number, what: string) {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Reads one unlabelled sample of the Prometheus text at /metrics. */
async function scrape(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const match = new RegExp(`^${name} (\\S+)$`, "m").exec(text);
  if (match === null) throw new Error(`${name} is not on /metrics`);
  return Number(match[1]);
}

/** A plain client that does not reconnect (one per server life). */
function rawClient(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
}

/** Reads every key the feed writes; true when all are present. */
async function allPresent(raw: Redis): Promise<boolean> {
  const values = await raw.mget(...Object.values(KEYS));
  return values.every((v) => v !== null);
}

it("Redis killed during a run: DES keeps replaying and filling, des_cache_errors_total rises on /metrics, and the state is in Redis again once it is back", async (t) => {
  const server = await startOwnRedisServer(t);
  if (server === undefined) return;

  const dir = mkdtempSync(join(tmpdir(), "des-cache-feed-"));
  const strategies = join(dir, "strategies.json");
  writeFileSync(
    strategies,
    JSON.stringify([
      {
        id: STRATEGY,
        strategy: "ma_cross",
        instrument: "BTCBUSD",
        interval: "1m",
        params: { fast: 2, slow: 4, size: "0.01" },
      },
    ]),
  );
  const config = loadConfig({
    env: {
      DES_PORT: "0",
      DES_DB_PATH: join(dir, "des.sqlite"),
      DES_REPLAY_SPEED: "6000",
      DES_REPLAY_LOOP: "true",
      DES_STRATEGIES_FILE: strategies,
      DES_DATASET: join(ROOT, "data/market/manifest.json"),
      REDIS_URL: server.url,
      CACHE_NAMESPACE: NAMESPACE,
    },
  });
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
  const app = await DesApp.create(config, { logger: createLogger("info", sink) });
  const url = await app.start();
  // Until DesApp installs the feed itself (its field `stateCache`), the test installs it.
  const wired = (app as unknown as { stateCache?: StateCacheFeed }).stateCache;
  const feed = wired ?? installStateCache(app);
  t.after(async () => {
    if (wired === undefined) await feed.close();
    await app.stop("test over");
  });
  const fills = () => app.portfolio.stats().fillsApplied;

  // 1. Redis up: prices, positions (strategy and account), balances and the status are in Redis.
  let raw = rawClient(server.url);
  await eventually(() => fills() > 0, 30_000, "a first paper fill");
  await eventually(() => allPresent(raw), 10_000, "every kind of entry in Redis");
  const status = JSON.parse((await raw.get(KEYS.status)) ?? "null") as { v: number; status: string };
  assert.equal(status.v, 1);
  assert.equal(status.status, "RUNNING");
  const price = JSON.parse((await raw.get(KEYS.price)) ?? "null") as { price: string };
  assert.ok(dec(price.price).isPositive(), "a positive price");
  const book = JSON.parse((await raw.get(KEYS.strategyBook)) ?? "null") as { positions: unknown[] };
  assert.ok(book.positions.length > 0, "the strategy's position is cached");
  assert.equal(await scrape(url, "des_cache_redis_up"), 1);
  raw.disconnect();

  // 2. Redis killed: the replay goes on, orders still fill, the error counter rises on /metrics.
  const errorsBefore = await scrape(url, "des_cache_errors_total");
  await server.kill();
  const fillsAtKill = fills();
  const eventsAtKill = app.replay.stats().eventsReplayed;
  await eventually(() => fills() >= fillsAtKill + 3, 60_000, "three more fills with Redis down");
  assert.ok(app.replay.stats().eventsReplayed > eventsAtKill, "the replay goes on");
  await eventually(
    async () => (await scrape(url, "des_cache_errors_total")) > errorsBefore,
    10_000,
    "des_cache_errors_total to rise",
  );
  assert.equal(await scrape(url, "des_cache_redis_up"), 0);
  assert.equal(app.health().status, "ok", "DES is healthy without Redis");
  // Reads are served locally meanwhile.
  assert.equal((await feed.state.getStrategyStatus(app.strategies.ids()[0]!))?.status, "RUNNING");

  // 3. Redis back (restarted empty, same port): every entry is written to it again.
  await server.restart();
  raw = rawClient(server.url);
  t.after(() => raw.disconnect());
  // It keeps nothing across a restart (no RDB, no AOF), so whatever is in it now was written again since.
  // (Its key count is not checked: DES may reconnect and re-publish before this line runs.)
  assert.deepEqual(await raw.config("GET", "save"), ["save", ""], "the restarted server keeps no snapshot");
  assert.deepEqual(await raw.config("GET", "appendonly"), ["appendonly", "no"], "nor an append-only file");
  await eventually(() => allPresent(raw), 15_000, "every kind of entry in the restarted Redis");
  await eventually(async () => (await scrape(url, "des_cache_redis_up")) === 1, 5_000, "redis_up back to 1");
  const fillsAtRestart = fills();
  await eventually(() => fills() > fillsAtRestart, 60_000, "a fill after the restart");
  // The books reach Redis again after the next fill: the cached account book shows every fill so far.
  await eventually(
    async () => {
      const cached = JSON.parse((await raw.get(KEYS.accountBook)) ?? "null") as {
        positions: Array<{ quantity: string }>;
      } | null;
      const live = app.portfolio.account("paper" as never)?.positions[0]?.quantity;
      return cached !== null && live !== undefined && dec(cached.positions[0]!.quantity).eq(live);
    },
    10_000,
    "the account's position in Redis to match the books",
  );
  assert.equal(app.strategies.stats().strategies[0]?.errors, 0, "no strategy error");
});

it("an account's balances: cash plus the positions whose base asset it is, locked 0, sorted by asset", () => {
  const btc = "BTCUSDT" as InstrumentId;
  const book = {
    owner: "paper",
    cash: { USDT: dec("900"), BTC: dec("0.5") },
    positions: [{ instrumentId: btc, quantity: dec("0.1") }],
  } as unknown as BookView;
  const instruments = new Map([[btc, { baseAsset: "BTC", quoteAsset: "USDT" }]]) as never;
  const snapshot = accountBalances(book, instruments, 7 as never);
  assert.deepEqual(
    snapshot.balances.map((b) => [b.asset, b.free.toString(), b.locked.toString()]),
    [
      ["BTC", "0.6", "0"],
      ["USDT", "900", "0"],
    ],
  );
  assert.equal(snapshot.accountId, "paper");
});

it("without REDIS_URL the cache is local: prices and statuses are served from it, every des_cache_* metric is registered, no Redis error", async () => {
  const bus = new MessageBus();
  const registry = new MetricsRegistry();
  const btc = "BTCUSDT" as InstrumentId;
  const id = strategyId("s1");
  const logged: string[] = [];
  const log = {
    info: (_f: object, m: string) => logged.push(m),
    warn: (_f: object, m: string) => logged.push(m),
  };
  const feed = installStateCache({
    config: { redisUrl: undefined, cacheNamespace: "local-test" },
    bus,
    clock: new LiveClock(),
    log,
    metrics: { registry },
    portfolio: {
      strategy: () => undefined,
      account: () => undefined,
      snapshot: () => ({ strategies: [], accounts: [] }),
    },
    strategies: { ids: () => [id], status: () => "RUNNING" },
    venueSetup: { venue: { accountId: "paper" as AccountId } },
    marketSource: { instruments: new Map() },
  });
  try {
    for (const price of ["100", "101", "102"]) {
      bus.publish(Topic.Trade, {
        kind: "trade",
        instrumentId: btc,
        tradeId: price as never,
        price: dec(price),
        quantity: dec("1"),
        aggressor: "BUY" as never,
        eventTime: Number(price) as UnixMicros,
        receivedAt: 0 as UnixMicros,
      });
    }
    await Promise.resolve();
    assert.equal((await feed.state.getLastPrice(btc))?.price.toString(), "102", "the tick's last price");
    assert.equal((await feed.state.getStrategyStatus(id))?.status, "RUNNING", "statuses written at install");
    const text = registry.toPrometheus();
    for (const metric of CACHE_METRICS) assert.match(text, new RegExp(`^${metric.name} `, "m"), metric.name);
    assert.match(text, /^des_cache_errors_total 0$/m);
    assert.match(text, /^des_cache_redis_up 0$/m);
    assert.ok(logged.some((m) => m === "state cache started"));
  } finally {
    await feed.close();
  }
});
