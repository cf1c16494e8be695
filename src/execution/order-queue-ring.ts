/**
 * A fixed-capacity FIFO of items with the time each was first enqueued, stored in two parallel
 * preallocated arrays so pushing and shifting allocate nothing. When full, `push` refuses (returns
 * false) and the caller decides what happens to the item: the ring never overwrites or drops.
 */
export class OrderQueueRing<T> {
  readonly capacity: number;
  readonly #items: (T | undefined)[];
  readonly #times: number[];
  #head = 0;
  #length = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.#items = new Array<T | undefined>(capacity).fill(undefined);
    this.#times = new Array<number>(capacity).fill(0);
  }

  /** Returns how many items are held. */
  get length(): number {
    return this.#length;
  }

  /** Returns how many more items fit. */
  get free(): number {
    return this.capacity - this.#length;
  }

  /** Appends an item with its enqueue time; returns false, holding nothing new, when full. */
  push(item: T, enqueuedAtUs: number): boolean {
    if (this.#length === this.capacity) return false;
    let tail = this.#head + this.#length;
    if (tail >= this.capacity) tail -= this.capacity;
    this.#items[tail] = item;
    this.#times[tail] = enqueuedAtUs;
    this.#length++;
    return true;
  }

  /** Returns the enqueue time of the oldest item (call only when not empty). */
  peekTime(): number {
    return this.#times[this.#head]!;
  }

  /** Removes and returns the oldest item, or undefined when empty. */
  shift(): T | undefined {
    if (this.#length === 0) return undefined;
    const head = this.#head;
    const item = this.#items[head];
    this.#items[head] = undefined; // release the reference for the garbage collector
    this.#head = head + 1 === this.capacity ? 0 : head + 1;
    this.#length--;
    return item;
  }
}
