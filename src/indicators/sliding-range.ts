import { z } from "zod";
import { finiteNumber, nonNegativeInt } from "./parse-snapshot.ts";

/** A saved deque: [value, age] pairs, oldest first; age 0 is the newest push. */
const DequeSchema = z.array(z.tuple([finiteNumber, nonNegativeInt]));

/** The saved state of a SlidingRange (validated by the owner's snapshot schema). */
export const SlidingRangeSnapshotSchema = z.object({
  /** Pushes seen, capped at the window. */
  filled: nonNegativeInt,
  highs: DequeSchema,
  lows: DequeSchema,
});
export type SlidingRangeSnapshot = z.infer<typeof SlidingRangeSnapshotSchema>;

/**
 * The highest high and lowest low of the last `window` bars, amortised O(1) per bar with two
 * monotonic deques: a value that can never be the extreme again (an older high not above a newer
 * one) is dropped, so the oldest kept entry is the extreme. Both deques live in one class and
 * one call, which lets the optimiser inline it into the caller's update.
 *
 * Each deque sits in a preallocated linear buffer of 2 * window slots, live entries between head
 * and tail. When a tail reaches the end, the live entries (at most `window`) are copied back to
 * the start before the next push; that happens at most once per `window` pushes, so it stays
 * amortised O(1), and the buffer never overflows.
 */
export class SlidingRange {
  readonly window: number;
  readonly #highValues: Float64Array;
  readonly #highIndices: Float64Array;
  readonly #lowValues: Float64Array;
  readonly #lowIndices: Float64Array;
  #highHead = 0;
  #highTail = 0;
  #lowHead = 0;
  #lowTail = 0;
  /** The index the next push gets. */
  #next = 0;

  constructor(window: number) {
    this.window = window;
    this.#highValues = new Float64Array(2 * window);
    this.#highIndices = new Float64Array(2 * window);
    this.#lowValues = new Float64Array(2 * window);
    this.#lowIndices = new Float64Array(2 * window);
  }

  /** Returns true once `window` bars have been pushed. */
  get isFull(): boolean {
    return this.#next >= this.window;
  }

  /** Returns the highest high of the last `window` bars (NaN before the first bar). */
  get highest(): number {
    return this.#highTail === this.#highHead ? Number.NaN : this.#highValues[this.#highHead]!;
  }

  /** Returns the lowest low of the last `window` bars (NaN before the first bar). */
  get lowest(): number {
    return this.#lowTail === this.#lowHead ? Number.NaN : this.#lowValues[this.#lowHead]!;
  }

  /** Adds the newest bar's high and low; the bar `window` pushes ago leaves the range. */
  push(high: number, low: number): void {
    const end = this.#highValues.length;
    if (this.#highTail === end || this.#lowTail === end) this.#compact();
    const index = this.#next++;
    const expired = index - this.window;
    // Locals keep the loops on registers; each deque loses at most one entry to age per push.
    let values = this.#highValues;
    let indices = this.#highIndices;
    let head = this.#highHead;
    let tail = this.#highTail;
    if (tail > head && indices[head]! <= expired) head++;
    while (tail > head && values[tail - 1]! <= high) tail--;
    values[tail] = high;
    indices[tail] = index;
    this.#highHead = head;
    this.#highTail = tail + 1;

    values = this.#lowValues;
    indices = this.#lowIndices;
    head = this.#lowHead;
    tail = this.#lowTail;
    if (tail > head && indices[head]! <= expired) head++;
    while (tail > head && values[tail - 1]! >= low) tail--;
    values[tail] = low;
    indices[tail] = index;
    this.#lowHead = head;
    this.#lowTail = tail + 1;
  }

  /** Moves both deques' live entries (at most `window` each) back to the start of their buffers. */
  #compact(): void {
    const h = this.#highHead;
    const l = this.#lowHead;
    this.#highValues.copyWithin(0, h, this.#highTail);
    this.#highIndices.copyWithin(0, h, this.#highTail);
    this.#highHead = 0;
    this.#highTail -= h;
    this.#lowValues.copyWithin(0, l, this.#lowTail);
    this.#lowIndices.copyWithin(0, l, this.#lowTail);
    this.#lowHead = 0;
    this.#lowTail -= l;
  }

  /** Empties the range. */
  clear(): void {
    this.#highHead = 0;
    this.#highTail = 0;
    this.#lowHead = 0;
    this.#lowTail = 0;
    this.#next = 0;
  }

  /** Returns the deques' contents; restore() rebuilds an identical range from them. */
  snapshot(): SlidingRangeSnapshot {
    const newest = this.#next - 1;
    const read = (values: Float64Array, indices: Float64Array, head: number, tail: number) => {
      const out: [number, number][] = [];
      for (let i = head; i < tail; i++) out.push([values[i]!, newest - indices[i]!]);
      return out;
    };
    return {
      filled: Math.min(this.#next, this.window),
      highs: read(this.#highValues, this.#highIndices, this.#highHead, this.#highTail),
      lows: read(this.#lowValues, this.#lowIndices, this.#lowHead, this.#lowTail),
    };
  }

  /**
   * Returns what is inconsistent in a snapshot for this window, or undefined when it could have
   * been produced by pushes: ages strictly falling to 0 and inside the window, high values
   * strictly falling (low values strictly rising) from oldest to newest, newest low <= high.
   */
  static problem(window: number, s: SlidingRangeSnapshot): string | undefined {
    if (s.filled > window) return `filled ${s.filled} is above the window ${window}`;
    for (const [name, deque, sign] of [
      ["highs", s.highs, 1],
      ["lows", s.lows, -1],
    ] as const) {
      if (s.filled === 0) {
        if (deque.length > 0) return `${name} must be empty when filled is 0`;
        continue;
      }
      if (deque.length === 0 || deque.at(-1)![1] !== 0) return `${name} must end with the newest bar (age 0)`;
      for (let i = 0; i < deque.length; i++) {
        const [value, age] = deque[i]!;
        if (age >= s.filled) return `${name} age ${age} is outside the ${s.filled} bars seen`;
        if (i > 0) {
          const [prevValue, prevAge] = deque[i - 1]!;
          if (age >= prevAge) return `${name} ages must fall from oldest to newest`;
          if (sign * (prevValue - value) <= 0) return `${name} values are not monotonic`;
        }
      }
    }
    if (s.filled > 0 && s.lows.at(-1)![0] > s.highs.at(-1)![0])
      return "the newest low is above the newest high";
    return undefined;
  }

  /** Returns a range rebuilt from a snapshot that problem() accepted. */
  static restore(window: number, s: SlidingRangeSnapshot): SlidingRange {
    const range = new SlidingRange(window);
    range.#next = s.filled;
    const newest = s.filled - 1;
    s.highs.forEach(([value, age], i) => {
      range.#highValues[i] = value;
      range.#highIndices[i] = newest - age;
    });
    s.lows.forEach(([value, age], i) => {
      range.#lowValues[i] = value;
      range.#lowIndices[i] = newest - age;
    });
    range.#highTail = s.highs.length;
    range.#lowTail = s.lows.length;
    return range;
  }
}
