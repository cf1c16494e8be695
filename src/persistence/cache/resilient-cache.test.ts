import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CacheLogger } from "./cache-logger.ts";
import { CACHE_METRICS, type CacheMetricsSnapshot } from "./cache-metrics.ts";
import { LocalShardedTtlCache } from "./local-sharded-ttl-cache.ts";
import { ResilientCache } from "./resilient-cache.ts";
import { FakeRemoteCache } from "./test-support/fake-remote-cache.ts";

/** A resilient cache over a fake remote and a local cache on a fake clock. */
function setup(options: { maxRepublishKeys?: number; logger?: CacheLogger } = {}) {
  const clock = { now: 0 };
  const local = new LocalShardedTtlCache<string>({
    sweepIntervalMs: 0,
    clockReadEvery: 1,
    now: () => clock.now,
  });
  const remote = new FakeRemoteCache();
  const cache = new ResilientCache({ remote, local, ...options });
  return { cache, remote, local, clock };
}

function pick(m: CacheMetricsSnapshot, ...fields: (keyof CacheMetricsSnapshot)[]): Record<string, number> {
  return Object.fromEntries(fields.map((f) => [f, m[f]]));
}

describe("ResilientCache", () => {
  it("writes to the local cache and to Redis; reads from Redis while it is up", async () => {
    const { cache, remote, local } = setup();
    cache.set("k", "v1", 1_000);
    assert.equal(local.get("k"), "v1");
    assert.deepEqual(remote.data.get("k"), { value: "v1", ttlMs: 1_000 });
    // Another process wrote a newer value: Redis is the shared source, so it wins over the local copy.
    remote.data.set("k", { value: "v2-from-another-process", ttlMs: 1_000 });
    assert.equal(await cache.get("k"), "v2-from-another-process");
    assert.deepEqual(await cache.mget(["k", "absent"]), ["v2-from-another-process", undefined]);
    assert.equal(await cache.get("absent"), undefined);
    assert.deepEqual(pick(cache.metrics(), "hits", "misses", "fallbackReads", "redisUp", "errors"), {
      hits: 2,
      misses: 2,
      fallbackReads: 0,
      redisUp: 1,
      errors: 0,
    });
  });

  it("serves reads from the local cache while Redis is down, and counts them as fallback reads", async () => {
    const { cache, remote } = setup();
    cache.set("k", "v1", 1_000);
    remote.setUp(false);
    assert.equal(await cache.get("k"), "v1");
    assert.equal(await cache.get("absent"), undefined);
    assert.deepEqual(await cache.mget(["k", "absent"]), ["v1", undefined]);
    assert.deepEqual(pick(cache.metrics(), "hits", "misses", "fallbackReads", "redisUp", "errors"), {
      hits: 2,
      misses: 2,
      fallbackReads: 4,
      redisUp: 0,
      errors: 1,
    });
  });

  it("falls back to the local cache when a read fails although Redis is up", async () => {
    const { cache, remote } = setup();
    cache.set("k", "v1", 1_000);
    remote.failReads = true;
    assert.equal(await cache.get("k"), "v1");
    assert.deepEqual(pick(cache.metrics(), "fallbackReads", "errors", "hits"), {
      fallbackReads: 1,
      errors: 1,
      hits: 1,
    });
  });

  it("re-publishes the keys written while Redis was down, with their remaining TTL, when it is back", async () => {
    const { cache, remote, clock } = setup();
    cache.set("before", "b", 1_000);
    cache.set("to-delete", "x", 1_000);
    remote.setUp(false);
    cache.set("during", "d1", 1_000);
    cache.set("during", "d2", 1_000);
    cache.set("short", "s", 10);
    cache.delete("to-delete");
    clock.now += 400;
    assert.equal(cache.pendingRepublish, 3);
    remote.setUp(true);
    assert.deepEqual(remote.log.slice(2), ["SET during d2", "DEL to-delete"], "short had expired: not sent");
    assert.deepEqual(remote.data.get("during"), { value: "d2", ttlMs: 600 });
    assert.equal(remote.data.has("to-delete"), false);
    assert.equal(await cache.get("during"), "d2");
    assert.equal(cache.pendingRepublish, 0);
    assert.deepEqual(pick(cache.metrics(), "republished", "republishSkipped", "redisWritesLost"), {
      republished: 2,
      republishSkipped: 0,
      redisWritesLost: 4,
    });
  });

  it("a value written after a lost delete is what gets re-published", () => {
    const { cache, remote } = setup();
    remote.setUp(false);
    cache.delete("k");
    cache.local.set("k", "later", 1_000); // as a write after the delete leaves it
    remote.setUp(true);
    assert.deepEqual(remote.log, ["SET k later"]);
  });

  it("remembers at most maxRepublishKeys keys; the others are counted and reach Redis at their next write", () => {
    const { cache, remote } = setup({ maxRepublishKeys: 2 });
    remote.setUp(false);
    cache.set("a", "1", 1_000);
    cache.set("b", "2", 1_000);
    cache.set("a", "1'", 1_000); // already remembered: not over the bound
    cache.set("c", "3", 1_000);
    remote.setUp(true);
    assert.deepEqual(remote.log, ["SET a 1'", "SET b 2"]);
    assert.equal(cache.metrics().republishSkipped, 1);
    cache.set("c", "3'", 1_000);
    assert.equal(remote.data.get("c")?.value, "3'");
  });

  it("logs the re-publishing once per recovery", () => {
    const infos: string[] = [];
    const { cache, remote } = setup({ logger: { info: (_f, m) => infos.push(m), warn: () => {} } });
    remote.setUp(false);
    cache.set("a", "1", 1_000);
    cache.set("b", "1", 1_000);
    remote.setUp(true);
    assert.equal(infos.length, 1);
    assert.match(infos[0]!, /re-published/);
  });

  it("without Redis it is a local cache: reads are hits or misses, never fallbacks", async () => {
    const cache = new ResilientCache({ local: { sweepIntervalMs: 0 } });
    cache.set("k", "v", 1_000);
    assert.equal(await cache.get("k"), "v");
    assert.equal(await cache.get("x"), undefined);
    assert.deepEqual(pick(cache.metrics(), "hits", "misses", "fallbackReads", "redisUp", "errors"), {
      hits: 1,
      misses: 1,
      fallbackReads: 0,
      redisUp: 0,
      errors: 0,
    });
    await cache.close();
  });

  it("reports the local cache's evictions and expiries", async () => {
    const cache = new ResilientCache({ local: { shards: 1, maxEntriesPerShard: 1, sweepIntervalMs: 0 } });
    cache.set("a", "1", 1_000);
    cache.set("b", "2", 1_000);
    assert.equal(cache.metrics().evictions, 1);
    assert.equal(cache.metrics().localEntries, 1);
    await cache.close();
  });

  it("names a Prometheus metric for every counter, once", () => {
    const { cache } = setup();
    const fields = Object.keys(cache.metrics()).sort();
    assert.deepEqual(CACHE_METRICS.map((m) => m.field).sort(), fields);
    assert.equal(new Set(CACHE_METRICS.map((m) => m.name)).size, CACHE_METRICS.length);
    for (const m of CACHE_METRICS) {
      assert.match(m.name, /^des_cache_[a-z_]+$/);
      assert.equal(m.name.endsWith("_total"), m.type === "counter", m.name);
    }
  });
});
