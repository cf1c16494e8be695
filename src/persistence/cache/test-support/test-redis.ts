import { randomBytes } from "node:crypto";
import type { TestContext } from "node:test";
import { Redis } from "ioredis";
import { CacheKeyspace } from "../cache-keyspace.ts";
import { RedisCache, type RedisCacheOptions } from "../redis-cache.ts";

/** The Redis the integration tests use: DES_TEST_REDIS_URL, else the local server on 127.0.0.1:6379. */
export function testRedisUrl(): string {
  return process.env.DES_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
}

/** What one Redis test gets: a keyspace of its own, a raw client to look behind the cache, and a factory. */
export interface TestRedis {
  /** A namespace unique to the test (des:t<random>:...); its keys are deleted when the test ends. */
  readonly keys: CacheKeyspace;
  /** A plain ioredis client on the same server (offline queue on), closed when the test ends. */
  readonly raw: Redis;
  readonly url: string;
  /** Opens a RedisCache on the server, waits until it is connected, and closes it when the test ends. */
  openCache(options?: Omit<RedisCacheOptions, "url">): Promise<RedisCache>;
}

/**
 * Prepares a Redis integration test. When the server is unreachable: with CI=true the test fails (the
 * error is thrown); elsewhere it is skipped with a message and undefined is returned, so write
 * `const redis = await openTestRedis(t); if (redis === undefined) return;`.
 */
export async function openTestRedis(t: TestContext): Promise<TestRedis | undefined> {
  const url = testRedisUrl();
  const raw = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  let connectionError: Error | undefined;
  raw.on("error", (e: Error) => {
    connectionError ??= e; // the cause (ECONNREFUSED); connect() rejects with "Connection is closed."
  });
  try {
    await raw.connect();
    await raw.ping();
  } catch (e) {
    raw.disconnect();
    const cause = connectionError ?? (e as Error);
    if (process.env.CI === "true") throw cause;
    t.skip(`Redis unreachable at ${url} (${cause.message}): start it or set DES_TEST_REDIS_URL`);
    return undefined;
  }
  const keys = new CacheKeyspace(`t${randomBytes(6).toString("hex")}`);
  const caches: RedisCache[] = [];
  t.after(async () => {
    for (const cache of caches) await cache.close();
    await deleteNamespace(raw, keys);
    await raw.quit();
  });
  return {
    keys,
    raw,
    url,
    async openCache(options = {}) {
      const cache = new RedisCache({ ...options, url });
      caches.push(cache);
      await waitUntil(() => cache.isUp, 5_000, "the RedisCache to connect");
      return cache;
    },
  };
}

/** Deletes every key of the keyspace (SCAN + DEL). */
export async function deleteNamespace(raw: Redis, keys: CacheKeyspace): Promise<void> {
  let cursor = "0";
  do {
    const [next, found] = await raw.scan(cursor, "MATCH", keys.scanPattern(), "COUNT", 1000);
    cursor = next;
    if (found.length > 0) await raw.del(...found);
  } while (cursor !== "0");
}

/** Polls the condition every 10 ms until it holds; throws after timeoutMs naming what was awaited. */
export async function waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
