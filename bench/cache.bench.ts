/**
 * Cache benchmark (issue 6, part 7).
 *
 * Local (LocalShardedTtlCache, 16 shards, the default clock policy): get ops/s on the hit path over
 * 100,000 keys read in turn (target >= 10 M/s), the same over a hot set of 1,000 of them, the same with
 * the clock read on every get (exact expiry), and set ops/s (overwrite, insert). Keys are built once, as
 * DES's callers would keep them; the figure is the cache's own cost.
 *
 * Redis (RedisCache on DES_BENCH_REDIS_URL, default 127.0.0.1:6379, loopback): latency of sequential
 * GETs (each awaited; HDR histogram, p50/p99/p99.9), MGET throughput (100 keys per MGET, 16 in flight),
 * and pipelined SET throughput (writes of one tick in one pipeline). Skipped, with the reason in the
 * JSON, when Redis is unreachable. Uses a namespace of its own and deletes its keys afterwards.
 *
 * Run: node_modules/.bin/node bench/cache.bench.ts   (last line of stdout: one JSON object)
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { CacheKeyspace, LocalShardedTtlCache, RedisCache } from "../src/persistence/cache/index.ts";
import { benchMachine } from "./bench-machine.ts";
import { formatLatency, LatencyHistogram } from "./support/latency-histogram.ts";

const TARGET_LOCAL_GET_PER_S = 10_000_000;
const KEYS = 100_000;
const HOT_KEYS = 1_000;
const GETS_PER_ROUND = 20_000_000;
const ROUNDS = 7;
const TTL_MS = 3_600_000;

const keyspace = new CacheKeyspace("bench");
/** Flat strings, as a key kept by its owner ends up (V8 flattens a concatenation on first use). */
const keys: string[] = [];
for (let i = 0; i < KEYS; i++) keys.push(flat(keyspace.lastPrice(`S${i}USDT`)));
const hotKeys = keys.slice(0, HOT_KEYS);

function flat(s: string): string {
  return s.split("").join("");
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Reads the keys in turn `count` times; returns how many hits (must be all: a miss means a broken bench). */
function readLoop(cache: LocalShardedTtlCache<string>, ks: readonly string[], count: number): number {
  let hits = 0;
  let j = 0;
  const n = ks.length;
  for (let i = 0; i < count; i++) {
    if (cache.get(ks[j]!) !== undefined) hits++;
    if (++j === n) j = 0;
  }
  return hits;
}

/** Median get ops/s over ROUNDS rounds (after one warm-up round). */
function measureGets(cache: LocalShardedTtlCache<string>, ks: readonly string[]): number {
  readLoop(cache, ks, GETS_PER_ROUND / 4);
  const rates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    const hits = readLoop(cache, ks, GETS_PER_ROUND);
    const ms = performance.now() - t0;
    if (hits !== GETS_PER_ROUND) throw new Error(`bench broken: ${GETS_PER_ROUND - hits} misses`);
    rates.push((GETS_PER_ROUND / ms) * 1000);
  }
  return Math.round(median(rates));
}

function filledCache(clockReadEvery?: number): LocalShardedTtlCache<string> {
  const cache = new LocalShardedTtlCache<string>({
    sweepIntervalMs: 0,
    ...(clockReadEvery === undefined ? {} : { clockReadEvery }),
  });
  for (let i = 0; i < KEYS; i++) cache.set(keys[i]!, `{"v":1,"price":"${60_000 + i}"}`, TTL_MS);
  return cache;
}

function measureSets(): { overwrite: number; insert: number } {
  const values = keys.map((_, i) => `{"v":1,"price":"${i}"}`);
  const cache = filledCache();
  const overwriteRates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    for (let round = 0; round < 20; round++)
      for (let i = 0; i < KEYS; i++) cache.set(keys[i]!, values[i]!, TTL_MS);
    overwriteRates.push(((20 * KEYS) / (performance.now() - t0)) * 1000);
  }
  const insertRates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const fresh = new LocalShardedTtlCache<string>({ sweepIntervalMs: 0 });
    const t0 = performance.now();
    for (let i = 0; i < KEYS; i++) fresh.set(keys[i]!, values[i]!, TTL_MS);
    insertRates.push((KEYS / (performance.now() - t0)) * 1000);
  }
  return { overwrite: Math.round(median(overwriteRates)), insert: Math.round(median(insertRates)) };
}

const mops = (n: number): string => `${(n / 1e6).toFixed(1)} M ops/s`;

const getAll = measureGets(filledCache(), keys);
console.log(`local get, ${KEYS} keys in turn: ${mops(getAll)} (target >= ${mops(TARGET_LOCAL_GET_PER_S)})`);
const getHot = measureGets(filledCache(), hotKeys);
console.log(`local get, hot set of ${HOT_KEYS} keys: ${mops(getHot)}`);
const getExact = measureGets(filledCache(1), keys);
console.log(`local get, ${KEYS} keys, clock read on every get: ${mops(getExact)}`);
const sets = measureSets();
console.log(`local set: overwrite ${mops(sets.overwrite)}, insert ${mops(sets.insert)}`);

const redisResult = await benchRedis();

const result = {
  bench: "cache",
  local: {
    keys: KEYS,
    shards: 16,
    getOpsPerSecond: getAll,
    getHotSetOpsPerSecond: getHot,
    hotSetKeys: HOT_KEYS,
    getExactClockOpsPerSecond: getExact,
    setOverwriteOpsPerSecond: sets.overwrite,
    setInsertOpsPerSecond: sets.insert,
  },
  redis: redisResult,
  targets: { localGetOpsPerSecond: TARGET_LOCAL_GET_PER_S },
  pass: getAll >= TARGET_LOCAL_GET_PER_S,
  machine: benchMachine(),
};
console.log(JSON.stringify(result));

async function benchRedis(): Promise<Record<string, unknown>> {
  const url = process.env.DES_BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
  const probe = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  let connectionError: Error | undefined;
  probe.on("error", (e: Error) => {
    connectionError ??= e;
  });
  try {
    await probe.connect();
    await probe.ping();
  } catch (e) {
    probe.disconnect();
    const reason = `Redis unreachable at ${url}: ${(connectionError ?? (e as Error)).message}`;
    console.log(`redis: skipped (${reason})`);
    return { skipped: true, reason };
  }
  const space = new CacheKeyspace(`bench-${randomBytes(4).toString("hex")}`);
  const cache = new RedisCache({ url, commandTimeoutMs: 5_000 });
  try {
    const deadline = performance.now() + 5_000;
    while (!cache.isUp && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const n = 10_000;
    const redisKeys = Array.from({ length: n }, (_, i) => space.lastPrice(`S${i}USDT`));
    const value = JSON.stringify({
      v: 1,
      instrumentId: "BTCUSDT",
      price: "65000.12345678",
      ts: 1_700_000_000_000_000,
    });

    // Pipelined writes: every set of a tick goes out in one pipeline.
    const before = cache.stats();
    const w0 = performance.now();
    for (const key of redisKeys) cache.set(key, value, 600_000);
    await cache.tryGet(redisKeys[0]!); // answered after the pipeline
    await cache.tryGet(space.lastPrice("NONE")); // a round trip after the pipeline's replies
    const writeMs = performance.now() - w0;
    const pipelinedSetsPerSecond = Math.round((n / writeMs) * 1000);
    const pipelines = cache.stats().pipelines - before.pipelines;
    console.log(
      `redis pipelined SET: ${Math.round(pipelinedSetsPerSecond)} writes/s (${pipelines} pipelines)`,
    );

    // Sequential GETs, each awaited: the latency one read pays.
    const histogram = new LatencyHistogram();
    for (let i = 0; i < 2_000; i++) await cache.tryGet(redisKeys[i % n]!); // warm-up
    const gets = 50_000;
    const g0 = performance.now();
    for (let i = 0; i < gets; i++) {
      const s = performance.now();
      const v = await cache.tryGet(redisKeys[i % n]!);
      histogram.recordMs(performance.now() - s);
      if (typeof v !== "string") throw new Error("bench broken: a GET missed");
    }
    const sequentialGetsPerSecond = Math.round((gets / (performance.now() - g0)) * 1000);
    const latency = histogram.summary();
    console.log(`redis sequential GET: ${formatLatency(latency)}, ${sequentialGetsPerSecond} GET/s`);

    // MGET throughput: 100 keys per MGET, 16 MGETs in flight.
    const batch = 100;
    const inFlight = 16;
    const batches = 2_000;
    let next = 0;
    const m0 = performance.now();
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next < batches) {
          const start = (next++ * batch) % n;
          const values = await cache.tryMget(redisKeys.slice(start, start + batch));
          if (!Array.isArray(values) || values.length !== batch) throw new Error("bench broken: MGET failed");
        }
      }),
    );
    const mgetKeysPerSecond = Math.round(((batches * batch) / (performance.now() - m0)) * 1000);
    console.log(`redis MGET (${batch} keys, ${inFlight} in flight): ${mgetKeysPerSecond} keys/s`);

    return {
      url: cache.endpoint,
      getLatencyMs: latency,
      sequentialGetsPerSecond,
      mgetKeysPerSecond,
      mgetBatch: batch,
      mgetInFlight: inFlight,
      pipelinedSetsPerSecond,
      pipelinesForSets: pipelines,
      setsPipelined: n,
      commandErrors: cache.stats().commandErrors,
    };
  } finally {
    await cache.close();
    let cursor = "0";
    do {
      const [nextCursor, found] = await probe.scan(cursor, "MATCH", space.scanPattern(), "COUNT", 1000);
      cursor = nextCursor;
      if (found.length > 0) await probe.del(...found);
    } while (cursor !== "0");
    await probe.quit();
  }
}
