/**
 * Counts events in a sliding time window with a hard limit, in O(1) per call. It keeps only the last
 * `limit` timestamps in a ring (full: the oldest is overwritten, which is exactly the one the window
 * test no longer needs), so memory is bounded by the limit whatever the event rate. The ring grows as
 * events arrive, so a generous limit costs nothing until it is used.
 */
export class SlidingWindowCounter {
  readonly limit: number;
  readonly windowUs: number;
  readonly #ring: number[];
  #next = 0;
  #size = 0;

  constructor(limit: number, windowUs: number) {
    this.limit = limit;
    this.windowUs = windowUs;
    this.#ring = [];
  }

  /** Returns true when one more event at `nowUs` would exceed the limit within the window. */
  wouldExceed(nowUs: number): boolean {
    if (this.limit === 0) return true;
    if (this.#size < this.limit) return false;
    // The ring is full: the slot about to be overwritten holds the limit-th most recent event.
    const oldest = this.#ring[this.#next] ?? 0;
    return oldest > nowUs - this.windowUs;
  }

  /** Returns how many recorded events fall inside the window ending at nowUs. */
  count(nowUs: number): number {
    let n = 0;
    for (let i = 0; i < this.#size; i++) if ((this.#ring[i] ?? 0) > nowUs - this.windowUs) n++;
    return n;
  }

  /** Records one event at nowUs. */
  record(nowUs: number): void {
    if (this.limit === 0) return;
    this.#ring[this.#next] = nowUs;
    this.#next = (this.#next + 1) % this.limit;
    if (this.#size < this.limit) this.#size++;
  }

  /** Returns the recorded timestamps, oldest first (to carry history over a limit change). */
  timestamps(): number[] {
    const out: number[] = [];
    const start = this.#size < this.limit ? 0 : this.#next;
    for (let i = 0; i < this.#size; i++) out.push(this.#ring[(start + i) % Math.max(1, this.limit)] ?? 0);
    return out;
  }

  /** Returns a counter with another limit that keeps this one's most recent timestamps. */
  resized(limit: number): SlidingWindowCounter {
    const c = new SlidingWindowCounter(limit, this.windowUs);
    if (limit > 0) for (const t of this.timestamps().slice(-limit)) c.record(t);
    return c;
  }
}
