import type { Decimal, UnixMicros } from "../core/index.ts";

/** One sample of a book's equity: per quote asset, cash plus the marked positions. */
export interface EquityPoint {
  readonly ts: UnixMicros;
  readonly equity: Readonly<Record<string, Decimal>>;
}

/**
 * The equity curve of one book: samples in time order, in a ring of fixed capacity. When full, the
 * oldest sample is overwritten and counted in `dropped` (a long run keeps its most recent history).
 */
export class EquityCurve {
  readonly capacity: number;
  readonly #ring: Array<EquityPoint | undefined>;
  #next = 0;
  #size = 0;
  #dropped = 0;

  constructor(capacity = 10_000) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.#ring = new Array<EquityPoint | undefined>(capacity);
  }

  /** Appends a sample (a sample older than the last one is ignored: time only moves forward). */
  record(point: EquityPoint): void {
    const last = this.last();
    if (last !== undefined && point.ts < last.ts) return;
    if (this.#size === this.capacity) this.#dropped++;
    else this.#size++;
    this.#ring[this.#next] = point;
    this.#next = (this.#next + 1) % this.capacity;
  }

  /** Returns the most recent sample. */
  last(): EquityPoint | undefined {
    return this.#size === 0 ? undefined : this.#ring[(this.#next - 1 + this.capacity) % this.capacity];
  }

  /** Returns the samples, oldest first. */
  points(): EquityPoint[] {
    const out: EquityPoint[] = [];
    const start = (this.#next - this.#size + this.capacity) % this.capacity;
    for (let i = 0; i < this.#size; i++) out.push(this.#ring[(start + i) % this.capacity] as EquityPoint);
    return out;
  }

  /** Samples overwritten because the ring was full. */
  get dropped(): number {
    return this.#dropped;
  }
}
