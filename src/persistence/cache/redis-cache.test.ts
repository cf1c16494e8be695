import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { dec, instrumentId, type UnixMicros } from "../../core/index.ts";
import { DesStateCache } from "./des-state-cache.ts";
import { RedisCache } from "./redis-cache.ts";
import { READ_FAILED } from "./remote-cache.ts";
import { ResilientCache } from "./resilient-cache.ts";
import { freePort } from "./test-support/redis-server-process.ts";
import { openTestRedis, waitUntil } from "./test-support/test-redis.ts";

/** Lets queued microtasks (the end-of-tick pipeline) and the reply come through. */
async function settle(cache: RedisCache): Promise<void> {
  // A GET is answered after every command sent before it on the connection.
  await cache.tryGet("des:settle:nothing");
}

describe("RedisCache (integration, Redis on 127.0.0.1:6379)", () => {
  it("round-trips values: set, get, mget, delete", async (t) => {
    const redis = await openTestRedis(t);
    if (redis === undefined) return;
    const cache = await redis.openCache();
    const a = redis.keys.lastPrice("AAAUSDT");
    const b = redis.keys.lastPrice("BBBUSDT");
    cache.set(a, "1.5", 60_000);
    cache.set(b, "2.5", 60_000);
    await settle(cache);
    assert.equal(await redis.raw.get(a), "1.5", "the value is in Redis");
    assert.equal(await cache.get(a), "1.5");
    assert.deepEqual(await cache.mget([b, redis.keys.lastPrice("NONEUSDT"), a]), ["2.5", undefined, "1.5"]);
    cache.delete(a);
    await settle(cache);
    assert.equal(await redis.raw.exists(a), 0);
    assert.equal(await cache.get(a), undefined);
    assert.equal(cache.stats().commandErrors, 0);
  });

  it("sets the TTL on the key (PX) and Redis expires it", async (t) => {
    const redis = await openTestRedis(t);
    if (redis === undefined) return;
    const cache = await redis.openCache();
    const key = redis.keys.strategyStatus("ttl");
    const long = redis.keys.strategyStatus("long");
    cache.set(key, "x", 150.2);
    cache.set(long, "y", 60_000);
    await settle(cache);
    const pttl = await redis.raw.pttl(key);
    assert.ok(pttl > 0 && pttl <= 151, `PTTL ${pttl}`);
    const longPttl = await redis.raw.pttl(long);
    assert.ok(longPttl > 150 && longPttl <= 60_000, `PTTL ${longPttl}`);
    const deadline = performance.now() + 5_000;
    while ((await redis.raw.exists(key)) === 1 && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(await cache.get(key), undefined, "expired in Redis");
    assert.equal(await cache.get(long), "y");
  });

  it("sends every write of one tick in one pipeline, the last value of a key once", async (t) => {
    const redis = await openTestRedis(t);
    if (redis === undefined) return;
    const cache = await redis.openCache();
    const before = cache.stats();
    const keys: string[] = [];
    for (let i = 0; i < 500; i++) {
      const key = redis.keys.lastPrice(`P${i}USDT`);
      keys.push(key);
      cache.set(key, `old${i}`, 60_000);
      cache.set(key, String(i), 60_000);
    }
    // A read in the same tick sees the queued value, not Redis's (absent) one.
    assert.equal(await cache.tryGet(keys[7]!), "7");
    await settle(cache);
    const after = cache.stats();
    assert.equal(after.pipelines - before.pipelines, 1, "one pipeline");
    assert.equal(after.writesSent - before.writesSent, 500, "each key sent once");
    const values = await redis.raw.mget(...keys);
    assert.deepEqual(
      values,
      keys.map((_, i) => String(i)),
    );
    // A second tick is a second pipeline.
    cache.set(keys[0]!, "again", 60_000);
    await settle(cache);
    assert.equal(cache.stats().pipelines - before.pipelines, 2);
  });

  it("splits a tick's writes into pipelines of at most maxPendingWrites", async (t) => {
    const redis = await openTestRedis(t);
    if (redis === undefined) return;
    const cache = await redis.openCache({ maxPendingWrites: 100 });
    const before = cache.stats().pipelines;
    for (let i = 0; i < 250; i++) cache.set(redis.keys.balances(`acc${i}`), "x", 60_000);
    await settle(cache);
    assert.equal(cache.stats().pipelines - before, 3);
    assert.equal(await redis.raw.get(redis.keys.balances("acc249")), "x");
  });

  it("is shared: what one process's cache writes, another's reads", async (t) => {
    const redis = await openTestRedis(t);
    if (redis === undefined) return;
    const writerRedis = await redis.openCache();
    const readerRedis = await redis.openCache();
    const writer = new DesStateCache(
      new ResilientCache({ remote: writerRedis, local: { sweepIntervalMs: 0 } }),
      {
        namespace: redis.keys.namespace,
      },
    );
    const readerCache = new ResilientCache({ remote: readerRedis, local: { sweepIntervalMs: 0 } });
    const reader = new DesStateCache(readerCache, { namespace: redis.keys.namespace });
    const btc = instrumentId("BTCUSDT");
    writer.putLastPrice({ instrumentId: btc, price: dec("65000.01"), ts: 1 as UnixMicros });
    await settle(writerRedis);
    assert.equal((await reader.getLastPrice(btc))?.price.toString(), "65000.01");
    assert.equal(readerCache.local.size, 0, "the reader's local cache holds only its own writes");
    assert.deepEqual(
      { hits: readerCache.metrics().hits, fallbackReads: readerCache.metrics().fallbackReads },
      { hits: 1, fallbackReads: 0 },
    );
  });
});

describe("RedisCache with no Redis listening", () => {
  it("never throws: reads fail soft, writes are reported lost, errors are counted and logged once", async () => {
    const port = await freePort();
    const warnings: string[] = [];
    const cache = new RedisCache({
      url: `redis://:s3cret-pw@127.0.0.1:${port}`,
      reconnect: { baseMs: 5, capMs: 20 },
      logger: {
        info: () => {},
        warn: (fields, message) => warnings.push(`${message} ${JSON.stringify(fields)}`),
      },
    });
    const lost: string[] = [];
    cache.onWriteLost((key) => lost.push(key));
    try {
      await waitUntil(() => cache.stats().connectionErrors >= 3, 5_000, "three failed connection attempts");
      assert.equal(cache.isUp, false);
      assert.equal(await cache.tryGet("k"), READ_FAILED);
      assert.equal(await cache.get("k"), undefined);
      assert.deepEqual(await cache.mget(["k", "l"]), [undefined, undefined]);
      cache.set("k", "v", 1_000);
      cache.delete("l");
      assert.deepEqual(lost, ["k", "l"]);
      const stats = cache.stats();
      assert.equal(stats.up, 0);
      assert.equal(stats.writesLost, 2);
      assert.equal(stats.readsWhileDown, 3);
      assert.equal(warnings.length, 1, warnings.join("\n"));
      assert.ok(!warnings[0]!.includes("s3cret-pw"), warnings[0]);
      assert.match(cache.endpoint, /\*\*\*/);
    } finally {
      await cache.close();
    }
  });
});
