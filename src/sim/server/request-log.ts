/** One request the simulator received, as the tests read it back. */
export interface SimRequestLogEntry {
  /** "rest" for HTTP requests (including /sim control routes), "ws-api" for WebSocket API frames. */
  readonly transport: "rest" | "ws-api";
  /** HTTP method, or the WebSocket API method name (e.g. "userDataStream.subscribe"). */
  readonly method: string;
  /** URL path without the query string; "/ws-api/v3" for WebSocket API frames. */
  readonly path: string;
  /** Server time (the simulator's clock, skew included) when the request arrived, ms. */
  readonly timeMs: number;
  /** Status answered; 0 when no response was sent (timeoutAfterAccept, or the client left first). */
  readonly status: number;
  /** Binance error code when the answer was an error. */
  readonly code?: number;
}

/**
 * The last `capacity` requests (default 10,000), oldest first. When full, each new entry overwrites the
 * oldest one; `dropped` counts how many were overwritten. Recording is O(1) and allocates one object.
 */
export class RequestLog {
  readonly capacity: number;
  readonly #ring: (SimRequestLogEntry | undefined)[];
  #next = 0;
  #size = 0;
  #dropped = 0;

  constructor(capacity = 10_000) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError("request log capacity must be >= 1");
    this.capacity = capacity;
    this.#ring = new Array(capacity);
  }

  /** Appends an entry, overwriting the oldest when full. */
  record(entry: SimRequestLogEntry): void {
    this.#ring[this.#next] = entry;
    this.#next = (this.#next + 1) % this.capacity;
    if (this.#size < this.capacity) this.#size++;
    else this.#dropped++;
  }

  /** Returns the kept entries, oldest first. */
  entries(): SimRequestLogEntry[] {
    const out: SimRequestLogEntry[] = [];
    const start = this.#size < this.capacity ? 0 : this.#next;
    for (let i = 0; i < this.#size; i++) {
      const e = this.#ring[(start + i) % this.capacity];
      if (e !== undefined) out.push(e);
    }
    return out;
  }

  /** Number of entries kept. */
  get size(): number {
    return this.#size;
  }

  /** Number of entries overwritten because the log was full. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Forgets every entry. */
  clear(): void {
    this.#ring.fill(undefined);
    this.#next = 0;
    this.#size = 0;
  }
}
