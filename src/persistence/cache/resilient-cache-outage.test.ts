import assert from "node:assert/strict";
import { it } from "node:test";
import { Redis } from "ioredis";
import { dec, instrumentId, strategyId, type UnixMicros } from "../../core/index.ts";
import { DesStateCache } from "./des-state-cache.ts";
import { RedisCache } from "./redis-cache.ts";
import { ResilientCache } from "./resilient-cache.ts";
import { startOwnRedisServer } from "./test-support/redis-server-process.ts";
import { waitUntil } from "./test-support/test-redis.ts";

const BTC = instrumentId("BTCUSDT");

/**
 * What DES does with the cache while it trades, in miniature: every couple of milliseconds it writes the
 * next price and reads it back. Counts iterations, reads that did not return the price just written,
 * and anything thrown (there must be nothing).
 */
class PriceLoop {
  iterations = 0;
  wrongReads = 0;
  thrown: unknown[] = [];
  #stopped = false;
  readonly #done: Promise<void>;

  constructor(state: DesStateCache) {
    this.#done = this.#run(state);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#done;
  }

  async #run(state: DesStateCache): Promise<void> {
    while (!this.#stopped) {
      try {
        const price = dec(String(1_000 + this.iterations));
        state.putLastPrice({ instrumentId: BTC, price, ts: this.iterations as UnixMicros });
        const read = await state.getLastPrice(BTC);
        if (read === undefined || !read.price.eq(price)) this.wrongReads++;
      } catch (e) {
        this.thrown.push(e);
      }
      this.iterations++;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }
}

it("Redis killed during a run: DES goes on with the local cache, errors are counted, the cache recovers when Redis is back", async (t) => {
  const server = await startOwnRedisServer(t);
  if (server === undefined) return;
  const warnings: string[] = [];
  const infos: string[] = [];
  const logger = {
    warn: (_fields: Record<string, unknown>, message: string) => warnings.push(message),
    info: (_fields: Record<string, unknown>, message: string) => infos.push(message),
  };
  const redis = new RedisCache({
    url: server.url,
    reconnect: { baseMs: 10, capMs: 100 },
    commandTimeoutMs: 500,
    logger,
  });
  const cache = new ResilientCache({ remote: redis, local: { sweepIntervalMs: 0 }, logger });
  t.after(() => cache.close());
  const state = new DesStateCache(cache, { namespace: "outage-test" });
  await waitUntil(() => cache.redisUp, 10_000, "the cache to connect to redis-server");

  const loop = new PriceLoop(state);
  t.after(() => loop.stop());

  // 1. Redis up: reads are served by Redis.
  await waitUntil(() => loop.iterations >= 20, 10_000, "20 iterations with Redis up");
  assert.equal(cache.metrics().fallbackReads, 0);
  assert.ok(cache.metrics().hits >= 20);

  // 2. Kill Redis (SIGKILL, like a crash): the loop goes on, served from the local cache.
  await server.kill();
  await waitUntil(() => cache.metrics().redisUp === 0, 10_000, "the cache to notice Redis is gone");
  const atKill = { iterations: loop.iterations, errors: cache.metrics().errors };
  state.putStrategyStatus({ strategyId: strategyId("s1"), status: "RUNNING", ts: 1 as UnixMicros });
  await waitUntil(
    () => loop.iterations >= atKill.iterations + 30 && cache.metrics().errors > atKill.errors,
    10_000,
    "30 iterations with Redis down and failed reconnection attempts",
  );
  const down = cache.metrics();
  assert.equal(down.redisUp, 0);
  assert.ok(down.fallbackReads >= 30, `fallback reads ${down.fallbackReads}`);
  assert.ok(down.errors > atKill.errors, "the failed reconnection attempts are counted as errors");
  assert.equal((await state.getStrategyStatus(strategyId("s1")))?.status, "RUNNING", "served locally");
  assert.equal(warnings.length, 1, `logged once per outage, not per call: ${warnings.join(" | ")}`);

  // 3. Restart Redis (empty: no persistence) on the same port: the cache reconnects and uses it again.
  await server.restart();
  await waitUntil(() => cache.redisUp, 10_000, "the cache to reconnect");
  const fallbackAtRecovery = cache.metrics().fallbackReads;
  const iterationsAtRecovery = loop.iterations;
  await waitUntil(() => loop.iterations >= iterationsAtRecovery + 20, 10_000, "20 iterations after recovery");
  const up = cache.metrics();
  assert.equal(up.redisUp, 1);
  assert.ok(
    up.fallbackReads - fallbackAtRecovery <= 1,
    "reads go to Redis again (one may have been in flight)",
  );
  assert.equal(up.redisOutages, 1);
  assert.ok(up.republished >= 2, `republished ${up.republished}`);
  assert.ok(infos.some((m) => m.includes("reconnected")));

  // What was written while Redis was down reached the new server (re-published), and new writes reach it.
  const raw = new Redis(server.url, { maxRetriesPerRequest: 0 });
  t.after(() => raw.quit());
  const status = await raw.get(state.keys.strategyStatus("s1"));
  assert.equal(JSON.parse(status ?? "{}").status, "RUNNING");
  const price = JSON.parse((await raw.get(state.keys.lastPrice(BTC))) ?? "{}");
  assert.ok(Number(price.price) >= 1_000 + iterationsAtRecovery, `price in Redis ${price.price}`);

  await loop.stop();
  assert.deepEqual(loop.thrown, [], "nothing was thrown into the caller");
  assert.equal(loop.wrongReads, 0, "every read returned the price just written");
});
