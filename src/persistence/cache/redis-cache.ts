import { Redis } from "ioredis";
import { DesError, ErrorCode } from "../../core/index.ts";
import { redactCredentials, redactUrl, urlPassword } from "../sql/redact-url.ts";
import { type CacheLogger, silentCacheLogger } from "./cache-logger.ts";
import type { KeyValueCache } from "./key-value-cache.ts";
import { MAX_TTL_MS } from "./local-sharded-ttl-cache.ts";
import { DEFAULT_RECONNECT_BACKOFF, type ReconnectBackoff, reconnectDelayMs } from "./reconnect-backoff.ts";
import { READ_FAILED, type ReadFailed, type RemoteCache, type RemoteCacheStats } from "./remote-cache.ts";

/** The Redis used when none is configured. */
export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

/** Options of a {@link RedisCache}; every field has a default. */
export interface RedisCacheOptions {
  /** `redis://[user:password@]host:port[/db]` (default redis://127.0.0.1:6379). Logged with the password masked. */
  readonly url?: string;
  /** Time allowed to open a connection, ms (default 2,000). */
  readonly connectTimeoutMs?: number;
  /** Time allowed for one command's reply, ms (default 1,000); a command past it fails (counted). */
  readonly commandTimeoutMs?: number;
  /**
   * Reconnection attempts a command in flight waits through before it fails (default 0: it fails as soon
   * as the connection is lost; the cache then serves it from elsewhere rather than waiting).
   */
  readonly maxRetriesPerRequest?: number;
  /** Back-off between reconnection attempts (default 50 ms doubling to 2 s, for ever). */
  readonly reconnect?: ReconnectBackoff;
  /** Writes queued in one tick before a pipeline is sent without waiting for the tick's end (default 10,000). */
  readonly maxPendingWrites?: number;
  /** Where connection trouble is logged: once when an outage starts, once when it ends. */
  readonly logger?: CacheLogger;
  /** CLIENT SETNAME of the connection (default "des-cache"). */
  readonly connectionName?: string;
}

/** A write waiting for the end of the tick: a SET (value and TTL) or a DEL (value undefined). */
interface PendingWrite {
  value: string | undefined;
  ttlMs: number;
}

/**
 * The cache in Redis (ioredis), shared by every DES process that uses the same Redis and namespace.
 *
 * - **Writes** are queued and sent together at the end of the tick: every SET (`SET key value PX ttl`)
 *   and DEL issued in one synchronous run goes out in one pipeline (one round trip); a key written twice
 *   in the tick is sent once, with its last value. A read of a key still queued returns the queued value.
 * - **Reads**: GET, and MGET for several keys (one round trip).
 * - **Outages**: ioredis reconnects on its own (capped exponential back-off, for ever). The offline queue
 *   is off, so while Redis is down a command is not queued: reads report READ_FAILED at once, writes are
 *   dropped and reported to the lost-write listener. Nothing is thrown to the caller because of Redis;
 *   errors are counted, and logged once when an outage starts and once when it ends.
 * - **Counters**: see {@link RemoteCacheStats}.
 */
export class RedisCache implements RemoteCache, KeyValueCache {
  readonly #client: Redis;
  readonly #endpoint: string;
  readonly #secrets: string[];
  readonly #logger: CacheLogger;
  readonly #maxPendingWrites: number;
  #pending = new Map<string, PendingWrite>();
  #flushScheduled = false;
  readonly #flushNow = (): void => this.#flush();
  readonly #onReadError = (error: unknown): ReadFailed => this.#commandFailed(error);
  readonly #inFlight = new Set<Promise<void>>();
  readonly #connectionListeners: ((up: boolean) => void)[] = [];
  readonly #lostListeners: ((key: string) => void)[] = [];
  #up = false;
  #closed = false;
  /** Set when trouble has been logged; cleared when Redis answers again. */
  #troubleLogged = false;
  /** Monotonic ms when the current outage started (undefined while up, and before the first connection). */
  #downSince: number | undefined;
  #errorsAtOutageStart = 0;
  #commandErrors = 0;
  #connectionErrors = 0;
  #writesLost = 0;
  #readsWhileDown = 0;
  #pipelines = 0;
  #writesSent = 0;
  #readsSent = 0;
  #outages = 0;

  constructor(options: RedisCacheOptions = {}) {
    const url = options.url ?? DEFAULT_REDIS_URL;
    this.#endpoint = redactUrl(url);
    const password = urlPassword(url);
    this.#secrets = password === undefined ? [] : [password];
    this.#logger = options.logger ?? silentCacheLogger;
    this.#maxPendingWrites = options.maxPendingWrites ?? 10_000;
    if (!Number.isInteger(this.#maxPendingWrites) || this.#maxPendingWrites < 1) {
      throw new DesError(
        ErrorCode.InvalidConfig,
        "redis cache: maxPendingWrites must be a positive integer",
        {
          maxPendingWrites: this.#maxPendingWrites,
        },
      );
    }
    const backoff = options.reconnect ?? DEFAULT_RECONNECT_BACKOFF;
    this.#client = new Redis(url, {
      connectionName: options.connectionName ?? "des-cache",
      connectTimeout: options.connectTimeoutMs ?? 2_000,
      // How long close() waits for a socket to end before destroying it (ioredis's 2 s holds a timer).
      disconnectTimeout: 250,
      commandTimeout: options.commandTimeoutMs ?? 1_000,
      maxRetriesPerRequest: options.maxRetriesPerRequest ?? 0,
      enableOfflineQueue: false,
      // A command caught by a disconnect fails rather than being replayed later over newer writes.
      autoResendUnfulfilledCommands: false,
      retryStrategy: (attempt: number) => reconnectDelayMs(attempt, backoff),
    });
    this.#client.on("ready", () => this.#onReady());
    this.#client.on("close", () => this.#onClose());
    this.#client.on("error", (error: unknown) => this.#onConnectionError(error));
  }

  /** True while connected and ready for commands. */
  get isUp(): boolean {
    return this.#up;
  }

  /** The Redis URL with its password masked, as logged. */
  get endpoint(): string {
    return this.#endpoint;
  }

  /** Returns the value, or undefined when absent or unreadable (counted). */
  async get(key: string): Promise<string | undefined> {
    const value = await this.tryGet(key);
    return value === READ_FAILED ? undefined : value;
  }

  /** Returns the values in order (undefined for each absent one, all undefined when unreadable). */
  async mget(keys: readonly string[]): Promise<(string | undefined)[]> {
    const values = await this.tryMget(keys);
    return values === READ_FAILED ? new Array<undefined>(keys.length).fill(undefined) : values;
  }

  /** Returns the value, undefined when absent, or READ_FAILED (Redis down or the GET failed). Never rejects. */
  tryGet(key: string): Promise<string | undefined | ReadFailed> {
    const pending = this.#pending.get(key);
    if (pending !== undefined) return Promise.resolve(pending.value);
    if (!this.#up) {
      this.#readsWhileDown++;
      return Promise.resolve(READ_FAILED);
    }
    this.#readsSent++;
    return this.#client.get(key).then(nullToUndefined, this.#onReadError);
  }

  /** Returns the values in order, or READ_FAILED (Redis down or the MGET failed). Never rejects. */
  tryMget(keys: readonly string[]): Promise<(string | undefined)[] | ReadFailed> {
    if (keys.length === 0) return Promise.resolve([]);
    if (!this.#up) {
      this.#readsWhileDown++;
      return Promise.resolve(READ_FAILED);
    }
    // Values still queued in this tick win over what Redis holds (they are sent after this MGET).
    const queued = this.#pending.size === 0 ? undefined : keys.map((key) => this.#pending.get(key));
    this.#readsSent++;
    return this.#client.mget(...keys).then(
      (values) =>
        values.map((value, i) => {
          const write = queued?.[i];
          return write === undefined ? (value ?? undefined) : write.value;
        }),
      this.#onReadError,
    );
  }

  /** Queues `SET key value PX ttl` for the end of the tick (ttlMs rounded up to a whole ms). */
  set(key: string, value: string, ttlMs: number): void {
    if (!(ttlMs > 0 && ttlMs <= MAX_TTL_MS)) {
      throw new DesError(
        ErrorCode.InvalidConfig,
        `redis cache: ttlMs must be a positive number up to ${MAX_TTL_MS}`,
        {
          ttlMs,
        },
      );
    }
    this.#queue(key, value, Math.ceil(ttlMs));
  }

  /** Queues `DEL key` for the end of the tick. */
  delete(key: string): void {
    this.#queue(key, undefined, 0);
  }

  /** Registers a listener told when the connection goes up (true) or down (false). */
  onConnectionChange(listener: (up: boolean) => void): void {
    this.#connectionListeners.push(listener);
  }

  /** Registers a listener told the key of each write that did not reach Redis. */
  onWriteLost(listener: (key: string) => void): void {
    this.#lostListeners.push(listener);
  }

  /** Returns the counters. */
  stats(): RemoteCacheStats {
    return {
      up: this.#up ? 1 : 0,
      commandErrors: this.#commandErrors,
      connectionErrors: this.#connectionErrors,
      writesLost: this.#writesLost,
      readsWhileDown: this.#readsWhileDown,
      pipelines: this.#pipelines,
      writesSent: this.#writesSent,
      readsSent: this.#readsSent,
      outages: this.#outages,
    };
  }

  /** Sends the queued writes, waits for the pipelines in flight, then closes the connection (QUIT). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#flush();
    await Promise.allSettled([...this.#inFlight]);
    this.#closed = true;
    if (this.#up) {
      try {
        await this.#client.quit();
        return;
      } catch {
        // fall through: drop the connection
      }
    }
    this.#client.disconnect();
  }

  #queue(key: string, value: string | undefined, ttlMs: number): void {
    if (this.#closed || !this.#up) {
      this.#lost(key);
      return;
    }
    const existing = this.#pending.get(key);
    if (existing !== undefined) {
      existing.value = value;
      existing.ttlMs = ttlMs;
      return;
    }
    this.#pending.set(key, { value, ttlMs });
    if (this.#pending.size >= this.#maxPendingWrites) {
      this.#flush();
    } else if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      queueMicrotask(this.#flushNow);
    }
  }

  /** Sends every queued write in one pipeline. */
  #flush(): void {
    this.#flushScheduled = false;
    if (this.#pending.size === 0) return;
    const batch = this.#pending;
    this.#pending = new Map();
    if (!this.#up) {
      for (const key of batch.keys()) this.#lost(key);
      return;
    }
    const pipeline = this.#client.pipeline();
    for (const [key, write] of batch) {
      if (write.value === undefined) pipeline.del(key);
      else pipeline.set(key, write.value, "PX", write.ttlMs);
    }
    this.#pipelines++;
    this.#writesSent += batch.size;
    const sent: Promise<void> = pipeline.exec().then(
      (results) => this.#onPipelineDone(batch, results),
      (error: unknown) => this.#onPipelineFailed(batch, error),
    );
    this.#inFlight.add(sent);
    void sent.finally(() => this.#inFlight.delete(sent));
  }

  #onPipelineDone(batch: Map<string, PendingWrite>, results: [Error | null, unknown][] | null): void {
    if (results === null) {
      this.#onPipelineFailed(batch, new Error("pipeline discarded"));
      return;
    }
    let i = 0;
    let failure: Error | undefined;
    for (const key of batch.keys()) {
      const error = results[i++]?.[0];
      if (error === null || error === undefined) continue;
      failure = error;
      this.#commandErrors++;
      this.#lost(key);
    }
    if (failure !== undefined) this.#logTrouble("redis cache: writes failed", failure);
    else this.#commandSucceeded();
  }

  #onPipelineFailed(batch: Map<string, PendingWrite>, error: unknown): void {
    this.#commandErrors += batch.size;
    for (const key of batch.keys()) this.#lost(key);
    this.#logTrouble("redis cache: writes failed", error);
  }

  #commandFailed(error: unknown): ReadFailed {
    this.#commandErrors++;
    this.#logTrouble("redis cache: a read failed", error);
    return READ_FAILED;
  }

  #commandSucceeded(): void {
    if (this.#troubleLogged && this.#up) {
      this.#troubleLogged = false;
      this.#logger.info({ redis: this.#endpoint }, "redis cache: commands succeed again");
    }
  }

  #lost(key: string): void {
    this.#writesLost++;
    for (const listener of this.#lostListeners) this.#call(listener, key);
  }

  #onReady(): void {
    if (this.#closed || this.#up) return;
    this.#up = true;
    const fields: Record<string, unknown> = { redis: this.#endpoint };
    if (this.#downSince !== undefined) {
      this.#outages++;
      fields["downMs"] = Math.round(performance.now() - this.#downSince);
      fields["errorsDuringOutage"] = this.#commandErrors + this.#connectionErrors - this.#errorsAtOutageStart;
    }
    this.#downSince = undefined;
    this.#troubleLogged = false;
    this.#logger.info(
      fields,
      fields["downMs"] === undefined ? "redis cache: connected" : "redis cache: reconnected",
    );
    for (const listener of this.#connectionListeners) this.#call(listener, true);
  }

  #onClose(): void {
    if (this.#closed) {
      this.#up = false;
      return;
    }
    if (!this.#up) return;
    this.#up = false;
    this.#startOutage();
    this.#logTrouble("redis cache: connection lost; reconnecting", undefined);
    for (const listener of this.#connectionListeners) this.#call(listener, false);
  }

  #onConnectionError(error: unknown): void {
    if (this.#closed) return;
    this.#connectionErrors++;
    if (!this.#up) this.#startOutage();
    this.#logTrouble("redis cache: unavailable; reconnecting", error);
  }

  /** Calls a listener; one that throws is logged, never thrown into ioredis's event loop or a writer. */
  #call<T>(listener: (arg: T) => void, arg: T): void {
    try {
      listener(arg);
    } catch (error) {
      this.#logger.warn(
        { error: String((error as Error)?.message ?? error) },
        "redis cache: a listener threw",
      );
    }
  }

  #startOutage(): void {
    if (this.#downSince !== undefined) return;
    this.#downSince = performance.now();
    this.#errorsAtOutageStart = this.#commandErrors + this.#connectionErrors;
  }

  /** Logs the first trouble of an outage (or of a run of failed commands); later ones are only counted. */
  #logTrouble(message: string, error: unknown): void {
    if (this.#troubleLogged) return;
    this.#troubleLogged = true;
    const fields: Record<string, unknown> = { redis: this.#endpoint };
    if (error !== undefined)
      fields["error"] = redactCredentials(String((error as Error)?.message ?? error), this.#secrets);
    this.#logger.warn(fields, message);
  }
}

function nullToUndefined(value: string | null): string | undefined {
  return value ?? undefined;
}
