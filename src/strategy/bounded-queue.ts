/**
 * A FIFO ring buffer that grows on demand (doubling) up to a fixed capacity, so 10,000 mostly idle
 * strategies cost a few words each instead of 10,000 preallocated slots.
 *
 * When full, `push` refuses the item and returns false: the owner decides the policy (the engine
 * pauses the strategy and counts what it dropped). `pushUnbounded` ignores the capacity, for the few
 * items the engine must never refuse (warm-up bars, lifecycle steps).
 */
export class BoundedQueue<T> {
  readonly capacity: number;
  #items: Array<T | undefined> = [];
  #head = 0;
  #length = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  /** Returns how many items are waiting. */
  get length(): number {
    return this.#length;
  }

  /** Appends an item; returns false (and keeps nothing) when the queue is at capacity. */
  push(item: T): boolean {
    if (this.#length >= this.capacity) return false;
    this.pushUnbounded(item);
    return true;
  }

  /** Appends an item even past the capacity. */
  pushUnbounded(item: T): void {
    if (this.#length === this.#items.length) this.#grow();
    const size = this.#items.length;
    this.#items[(this.#head + this.#length) % size] = item;
    this.#length++;
  }

  /** Removes and returns the oldest item, or undefined when empty. */
  shift(): T | undefined {
    if (this.#length === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) % this.#items.length;
    this.#length--;
    return item;
  }

  /** Returns the oldest item without removing it. */
  peek(): T | undefined {
    return this.#length === 0 ? undefined : this.#items[this.#head];
  }

  /** Empties the queue, releases its storage and returns how many items were removed. */
  clear(): number {
    const n = this.#length;
    this.#items = [];
    this.#head = 0;
    this.#length = 0;
    return n;
  }

  /** Puts the given items in front of the waiting ones, in their order (ignores the capacity). */
  unshiftAll(items: readonly T[]): void {
    if (items.length === 0) return;
    const rest: T[] = [];
    for (let item = this.shift(); item !== undefined; item = this.shift()) rest.push(item);
    for (const item of items) this.pushUnbounded(item);
    for (const item of rest) this.pushUnbounded(item);
  }

  #grow(): void {
    const old = this.#items;
    const size = old.length;
    const next: Array<T | undefined> = new Array(size === 0 ? 4 : size * 2);
    for (let i = 0; i < this.#length; i++) next[i] = old[(this.#head + i) % size];
    this.#items = next;
    this.#head = 0;
  }
}
