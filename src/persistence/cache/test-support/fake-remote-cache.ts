import { READ_FAILED, type ReadFailed, type RemoteCache, type RemoteCacheStats } from "../remote-cache.ts";

/**
 * A RemoteCache in memory for unit tests of ResilientCache: switched up and down by the test, writes
 * applied at once (no TTL), reads that can be made to fail while up.
 */
export class FakeRemoteCache implements RemoteCache {
  /** What the "server" holds: key to value and the TTL it was written with. */
  readonly data = new Map<string, { value: string; ttlMs: number }>();
  /** Every write that reached the server, in order. */
  readonly log: string[] = [];
  /** When true, reads fail (READ_FAILED, counted as command errors) although the connection is up. */
  failReads = false;
  #up = true;
  #commandErrors = 0;
  #connectionErrors = 0;
  #writesLost = 0;
  readonly #connectionListeners: ((up: boolean) => void)[] = [];
  readonly #lostListeners: ((key: string) => void)[] = [];

  get isUp(): boolean {
    return this.#up;
  }

  /** Takes the connection down (counting one connection error) or brings it back up. */
  setUp(up: boolean): void {
    if (up === this.#up) return;
    this.#up = up;
    if (!up) this.#connectionErrors++;
    for (const listener of this.#connectionListeners) listener(up);
  }

  tryGet(key: string): Promise<string | undefined | ReadFailed> {
    if (!this.#up || this.failReads) return this.#failRead();
    return Promise.resolve(this.data.get(key)?.value);
  }

  tryMget(keys: readonly string[]): Promise<(string | undefined)[] | ReadFailed> {
    if (!this.#up || this.failReads) return this.#failRead();
    return Promise.resolve(keys.map((key) => this.data.get(key)?.value));
  }

  set(key: string, value: string, ttlMs: number): void {
    if (!this.#write(key)) return;
    this.data.set(key, { value, ttlMs });
    this.log.push(`SET ${key} ${value}`);
  }

  delete(key: string): void {
    if (!this.#write(key)) return;
    this.data.delete(key);
    this.log.push(`DEL ${key}`);
  }

  onConnectionChange(listener: (up: boolean) => void): void {
    this.#connectionListeners.push(listener);
  }

  onWriteLost(listener: (key: string) => void): void {
    this.#lostListeners.push(listener);
  }

  stats(): RemoteCacheStats {
    return {
      up: this.#up ? 1 : 0,
      commandErrors: this.#commandErrors,
      connectionErrors: this.#connectionErrors,
      writesLost: this.#writesLost,
      readsWhileDown: 0,
      pipelines: 0,
      writesSent: this.log.length,
      readsSent: 0,
      outages: 0,
    };
  }

  async close(): Promise<void> {}

  #write(key: string): boolean {
    if (this.#up) return true;
    this.#writesLost++;
    for (const listener of this.#lostListeners) listener(key);
    return false;
  }

  #failRead(): Promise<ReadFailed> {
    if (this.#up) this.#commandErrors++;
    return Promise.resolve(READ_FAILED);
  }
}
