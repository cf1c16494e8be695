/** What a failed remote read returns instead of a value: the caller then serves it from elsewhere. */
export const READ_FAILED: unique symbol = Symbol("cache read failed");

/** The type of {@link READ_FAILED}. */
export type ReadFailed = typeof READ_FAILED;

/** Counters of a remote cache (see {@link RedisCache} for their meaning). */
export interface RemoteCacheStats {
  /** 1 while connected and ready, else 0. */
  readonly up: 0 | 1;
  /** Commands sent that failed (an error reply, a timeout, the connection lost with them in flight). */
  readonly commandErrors: number;
  /** Connection errors (each failed connection attempt, each lost connection). */
  readonly connectionErrors: number;
  /** Writes that never reached Redis: issued while it was down, or in a pipeline that failed. */
  readonly writesLost: number;
  /** Reads not attempted because Redis was down. */
  readonly readsWhileDown: number;
  /** Pipelines sent (each carries every write of one tick). */
  readonly pipelines: number;
  /** Writes (SET and DEL) sent. */
  readonly writesSent: number;
  /** Reads sent (GET, and each MGET counted once). */
  readonly readsSent: number;
  /** Times the connection was lost (or never made) and later made. */
  readonly outages: number;
}

/**
 * A shared cache reached over the network, as {@link ResilientCache} needs it: reads that report failure
 * instead of throwing, fire-and-forget writes that report the keys they could not deliver, and news of
 * the connection going up or down. {@link RedisCache} implements it; tests use a fake.
 */
export interface RemoteCache {
  /** True while connected and ready for commands. */
  readonly isUp: boolean;
  /** Returns the value, undefined when absent, or READ_FAILED when it could not be read. Never rejects. */
  tryGet(key: string): Promise<string | undefined | ReadFailed>;
  /** Returns the values in order, or READ_FAILED when they could not be read. Never rejects. */
  tryMget(keys: readonly string[]): Promise<(string | undefined)[] | ReadFailed>;
  /** Queues a SET with a TTL (ms); a write that cannot be delivered is reported to the lost-writes listener. */
  set(key: string, value: string, ttlMs: number): void;
  /** Queues a DEL; reported like a set when it cannot be delivered. */
  delete(key: string): void;
  /** Registers a listener told when the connection goes up (true) or down (false). */
  onConnectionChange(listener: (up: boolean) => void): void;
  /** Registers a listener told the key of each write that did not reach the remote cache. */
  onWriteLost(listener: (key: string) => void): void;
  /** Returns the counters. */
  stats(): RemoteCacheStats;
  /** Sends what is queued, then closes the connection. */
  close(): Promise<void>;
}
