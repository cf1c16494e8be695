/**
 * A set of keys with a fixed capacity: when full, adding a key evicts the oldest one (insertion
 * order). Used to recognise fills and final order events already handed on; a key evicted long ago
 * could be handed on twice, so the capacity must exceed what can arrive twice (a fill is repeated
 * within seconds: the submit response and the stream, or a reconciliation right after a reconnect).
 */
export class BoundedSeenSet {
  readonly #keys = new Set<string>();
  readonly #capacity: number;
  #evicted = 0;

  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new RangeError(`BoundedSeenSet capacity must be a positive integer, got ${capacity}`);
    }
    this.#capacity = capacity;
  }

  /** Returns true when the key was added before (and not yet evicted). */
  has(key: string): boolean {
    return this.#keys.has(key);
  }

  /** Adds the key; returns false when it was already there. Evicts the oldest key when full. */
  add(key: string): boolean {
    if (this.#keys.has(key)) return false;
    if (this.#keys.size >= this.#capacity) {
      const oldest = this.#keys.values().next().value;
      if (oldest !== undefined) this.#keys.delete(oldest);
      this.#evicted++;
    }
    this.#keys.add(key);
    return true;
  }

  get size(): number {
    return this.#keys.size;
  }

  /** How many keys were evicted to make room. */
  get evicted(): number {
    return this.#evicted;
  }
}
