/**
 * A fixed-capacity sliding window of numbers over a preallocated ring. When full, each push
 * overwrites the oldest value and hands it back, which is what a running sum needs to stay O(1).
 */
export class RingWindow {
  readonly capacity: number;
  readonly #values: Float64Array;
  #next = 0;
  #length = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.#values = new Float64Array(capacity);
  }

  /** Returns how many values the window holds (at most capacity). */
  get length(): number {
    return this.#length;
  }

  /** Returns true once the window holds capacity values. */
  get isFull(): boolean {
    return this.#length === this.capacity;
  }

  /** Appends a value; returns the evicted oldest value when full, or 0 while filling. */
  push(value: number): number {
    const i = this.#next;
    const evicted = this.#length === this.capacity ? this.#values[i]! : 0;
    if (this.#length < this.capacity) this.#length++;
    this.#values[i] = value;
    this.#next = i + 1 === this.capacity ? 0 : i + 1;
    return evicted;
  }

  /** Returns the value at position i, counted from the oldest (0) to the newest (length - 1). */
  at(i: number): number {
    const start = this.#length === this.capacity ? this.#next : 0;
    const j = start + i;
    return this.#values[j >= this.capacity ? j - this.capacity : j]!;
  }

  /** Returns the values oldest first. */
  toArray(): number[] {
    const out = new Array<number>(this.#length);
    for (let i = 0; i < this.#length; i++) out[i] = this.at(i);
    return out;
  }

  /** Empties the window. */
  clear(): void {
    this.#next = 0;
    this.#length = 0;
  }
}
