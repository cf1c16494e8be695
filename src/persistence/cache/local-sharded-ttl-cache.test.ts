import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { DesError, ErrorCode } from "../../core/index.ts";
import { LocalShardedTtlCache, type LocalShardedTtlCacheOptions } from "./local-sharded-ttl-cache.ts";
import { shardHash } from "./shard-hash.ts";

/** A cache on a fake clock that reads it on every get (exact expiry), without the sweep timer. */
function fakeClockCache(options: LocalShardedTtlCacheOptions = {}) {
  const clock = { now: 1_000 };
  const cache = new LocalShardedTtlCache<string>({
    sweepIntervalMs: 0,
    clockReadEvery: 1,
    now: () => clock.now,
    ...options,
  });
  return { cache, clock };
}

describe("LocalShardedTtlCache", () => {
  it("returns what was set, and undefined for a key never set", () => {
    const { cache } = fakeClockCache();
    cache.set("a", "1", 1_000);
    cache.set("b", "2", 1_000);
    assert.equal(cache.get("a"), "1");
    assert.equal(cache.get("b"), "2");
    assert.equal(cache.get("c"), undefined);
    assert.deepEqual(cache.mget(["b", "c", "a"]), ["2", undefined, "1"]);
    assert.equal(cache.size, 2);
  });

  it("expires an entry at set time + ttl and removes it on the get that finds it expired", () => {
    const { cache, clock } = fakeClockCache();
    cache.set("a", "1", 100);
    clock.now += 99;
    assert.equal(cache.get("a"), "1");
    assert.equal(cache.remainingTtlMs("a"), 1);
    clock.now += 1;
    assert.equal(cache.get("a"), undefined);
    assert.equal(cache.remainingTtlMs("a"), undefined);
    assert.equal(cache.size, 0);
    assert.equal(cache.stats().expired, 1);
  });

  it("overwrites in place: the new value and a new expiry", () => {
    const { cache, clock } = fakeClockCache();
    cache.set("a", "1", 100);
    clock.now += 90;
    cache.set("a", "2", 100);
    clock.now += 90;
    assert.equal(cache.get("a"), "2");
    assert.equal(cache.size, 1);
  });

  it("delete removes a key and tells whether a live value was removed", () => {
    const { cache, clock } = fakeClockCache();
    cache.set("a", "1", 100);
    cache.set("b", "2", 10);
    assert.equal(cache.delete("a"), true);
    assert.equal(cache.delete("a"), false);
    clock.now += 10;
    assert.equal(cache.delete("b"), false, "b had expired");
    assert.equal(cache.size, 0);
    assert.equal(cache.get("a"), undefined);
  });

  it("reads the clock every clockReadEvery-th get: an expired entry is served by at most that many gets", () => {
    const { cache, clock } = fakeClockCache({ clockReadEvery: 4 });
    cache.set("a", "1", 100); // reads the clock (1,000)
    clock.now += 500;
    assert.equal(cache.get("a"), "1");
    assert.equal(cache.get("a"), "1");
    assert.equal(cache.get("a"), "1");
    assert.equal(cache.get("a"), undefined, "the fourth get reads the clock");
  });

  it("rejects a TTL that is not a positive number, and bad options", () => {
    const { cache } = fakeClockCache();
    for (const ttl of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(
        () => cache.set("a", "1", ttl),
        (e: unknown) => e instanceof DesError && e.code === ErrorCode.InvalidConfig,
      );
    }
    for (const options of [
      { shards: 3 },
      { shards: 0 },
      { maxEntriesPerShard: 0 },
      { sweepBudgetPerShard: 1.5 },
    ]) {
      assert.throws(() => new LocalShardedTtlCache(options), DesError);
    }
  });

  it("a full shard drops its oldest-inserted entry; an overwrite keeps its place; evictions are counted", () => {
    const { cache } = fakeClockCache({ shards: 1, maxEntriesPerShard: 3 });
    cache.set("a", "1", 1_000);
    cache.set("b", "2", 1_000);
    cache.set("c", "3", 1_000);
    cache.set("a", "1'", 1_000); // overwrite: a stays the oldest
    cache.set("d", "4", 1_000);
    assert.equal(cache.get("a"), undefined);
    assert.deepEqual(cache.mget(["b", "c", "d"]), ["2", "3", "4"]);
    cache.set("e", "5", 1_000);
    assert.equal(cache.get("b"), undefined);
    assert.equal(cache.size, 3);
    assert.deepEqual(cache.stats(), { entries: 3, evictions: 2, expired: 0, sweeps: 0 });
  });

  it("an expired entry dropped from a full shard counts as expired, not as an eviction", () => {
    const { cache, clock } = fakeClockCache({ shards: 1, maxEntriesPerShard: 2 });
    cache.set("old", "1", 10);
    cache.set("live", "2", 1_000);
    clock.now += 10;
    cache.set("new", "3", 1_000);
    assert.deepEqual(cache.stats(), { entries: 2, evictions: 0, expired: 1, sweeps: 0 });
  });

  it("a sweep removes expired entries, bounded per shard, resuming where the last one stopped", () => {
    const { cache, clock } = fakeClockCache({ shards: 1, sweepBudgetPerShard: 10 });
    for (let i = 0; i < 20; i++) cache.set(`live${i}`, "x", 10_000);
    for (let i = 0; i < 10; i++) cache.set(`short${i}`, "x", 50);
    clock.now += 50;
    // The expired entries are the last ten in insertion order: a sweep that restarted from the head each
    // time would never reach them.
    assert.equal(cache.sweep(), 0);
    assert.equal(cache.sweep(), 0);
    assert.equal(cache.sweep(), 10);
    assert.equal(cache.size, 20);
    assert.equal(cache.stats().expired, 10);
    assert.equal(cache.stats().sweeps, 3);
    // A finished pass starts again from the head: entries added since are examined.
    cache.set("late", "x", 1);
    clock.now += 1;
    assert.equal(cache.sweep() + cache.sweep() + cache.sweep(), 1);
  });

  it("the sweep examines every shard each time", () => {
    const { cache, clock } = fakeClockCache({ shards: 8, sweepBudgetPerShard: 1_000 });
    for (let i = 0; i < 2_000; i++) cache.set(`k${i}`, "x", 10);
    clock.now += 10;
    assert.equal(cache.sweep(), 2_000);
    assert.equal(cache.size, 0);
  });

  it("sweeps on its timer, and close() stops it", async () => {
    const clock = { now: 0 };
    const cache = new LocalShardedTtlCache<string>({ sweepIntervalMs: 5, now: () => clock.now });
    cache.set("a", "1", 10);
    clock.now = 10;
    const deadline = performance.now() + 5_000;
    while (cache.size > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.equal(cache.size, 0, "the timer's sweep removed the expired entry");
    cache.close();
    const sweeps = cache.stats().sweeps;
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(cache.stats().sweeps, sweeps);
  });

  it("spreads DES-like keys evenly over the shards", () => {
    const cache = new LocalShardedTtlCache<string>({ shards: 16, sweepIntervalMs: 0 });
    const n = 64_000;
    for (let i = 0; i < n / 4; i++) {
      cache.set(`des:default:price:S${i}USDT`, "x", 60_000);
      cache.set(`des:default:positions:strategy-${i}`, "x", 60_000);
      cache.set(`des:prod-eu.1:balances:account_${i}`, "x", 60_000);
      cache.set(`des:default:strategy-status:ma-cross-${i}-btc`, "x", 60_000);
    }
    const sizes = cache.shardSizes();
    assert.equal(sizes.length, 16);
    assert.equal(
      sizes.reduce((a, b) => a + b, 0),
      n,
    );
    for (const size of sizes) assert.ok(Math.abs(size - n / 16) < (n / 16) * 0.1, `shard sizes ${sizes}`);
    cache.close();
  });

  it("behaves like a naive model (fast-check): values, expiry, deletes, sweeps, eviction order, counters", () => {
    const keys = ["a", "b", "c", "d", "e", "f", "g", "h", "price:BTCUSDT", "price:ETHUSDT"];
    const shards = 2;
    const maxEntriesPerShard = 3;
    type Command =
      | { op: "set"; key: string; value: string; ttl: number }
      | { op: "get"; key: string }
      | { op: "delete"; key: string }
      | { op: "advance"; ms: number }
      | { op: "sweep" };
    const key = fc.constantFrom(...keys);
    const command: fc.Arbitrary<Command> = fc.oneof(
      {
        weight: 4,
        arbitrary: fc.record({
          op: fc.constant("set" as const),
          key,
          value: fc.string({ maxLength: 3 }),
          ttl: fc.integer({ min: 1, max: 50 }),
        }),
      },
      { weight: 4, arbitrary: fc.record({ op: fc.constant("get" as const), key }) },
      { weight: 1, arbitrary: fc.record({ op: fc.constant("delete" as const), key }) },
      {
        weight: 2,
        arbitrary: fc.record({ op: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 30 }) }),
      },
      { weight: 1, arbitrary: fc.constant({ op: "sweep" as const }) },
    );
    fc.assert(
      fc.property(fc.array(command, { minLength: 10, maxLength: 150 }), (commands) => {
        const { cache, clock } = fakeClockCache({ shards, maxEntriesPerShard, sweepBudgetPerShard: 1_000 });
        const model = new NaiveTtlModel(shards, maxEntriesPerShard);
        for (const c of commands) {
          switch (c.op) {
            case "set":
              cache.set(c.key, c.value, c.ttl);
              model.set(c.key, c.value, c.ttl, clock.now);
              break;
            case "get":
              assert.equal(cache.get(c.key), model.get(c.key, clock.now));
              break;
            case "delete":
              assert.equal(cache.delete(c.key), model.delete(c.key, clock.now));
              break;
            case "advance":
              clock.now += c.ms;
              break;
            case "sweep":
              assert.equal(cache.sweep(), model.sweep(clock.now));
              break;
          }
          const stats = cache.stats();
          assert.deepEqual(
            { entries: stats.entries, evictions: stats.evictions, expired: stats.expired },
            { entries: model.entries.length, evictions: model.evictions, expired: model.expired },
          );
        }
      }),
      { numRuns: 300 },
    );
  });
});

/** The cache's contract as a plain list: linear scans, no Map order, no cleverness. */
class NaiveTtlModel {
  readonly entries: { key: string; value: string; expiresAt: number; shard: number; seq: number }[] = [];
  evictions = 0;
  expired = 0;
  #seq = 0;
  readonly #shards: number;
  readonly #max: number;

  constructor(shards: number, maxEntriesPerShard: number) {
    this.#shards = shards;
    this.#max = maxEntriesPerShard;
  }

  get(key: string, now: number): string | undefined {
    const i = this.entries.findIndex((e) => e.key === key);
    if (i < 0) return undefined;
    const entry = this.entries[i]!;
    if (entry.expiresAt > now) return entry.value;
    this.entries.splice(i, 1);
    this.expired++;
    return undefined;
  }

  set(key: string, value: string, ttl: number, now: number): void {
    const existing = this.entries.find((e) => e.key === key);
    if (existing !== undefined) {
      existing.value = value;
      existing.expiresAt = now + ttl;
      return;
    }
    const shard = shardHash(key) % this.#shards;
    const inShard = this.entries.filter((e) => e.shard === shard);
    if (inShard.length >= this.#max) {
      const oldest = inShard.reduce((a, b) => (a.seq < b.seq ? a : b));
      this.entries.splice(this.entries.indexOf(oldest), 1);
      if (oldest.expiresAt <= now) this.expired++;
      else this.evictions++;
    }
    this.entries.push({ key, value, expiresAt: now + ttl, shard, seq: this.#seq++ });
  }

  delete(key: string, now: number): boolean {
    const i = this.entries.findIndex((e) => e.key === key);
    if (i < 0) return false;
    const [entry] = this.entries.splice(i, 1);
    if (entry!.expiresAt > now) return true;
    this.expired++;
    return false;
  }

  sweep(now: number): number {
    const before = this.entries.length;
    for (let i = this.entries.length - 1; i >= 0; i--) {
      if (this.entries[i]!.expiresAt <= now) this.entries.splice(i, 1);
    }
    const removed = before - this.entries.length;
    this.expired += removed;
    return removed;
  }
}
