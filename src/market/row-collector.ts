import { type DesError, isoFromMicros } from "../core/index.ts";
import { type FieldReader, isBadRowError } from "./field-reader.ts";

/** What a loader does with a malformed row: stop with its error (the default) or skip and count it. */
export type BadRowPolicy = "throw" | "skip";

/** How many skipped-row errors a load keeps; later ones are only counted in skippedRows. */
export const MAX_KEPT_ROW_ERRORS = 20;

/** The outcome of parsing a file: the parsed items and what was skipped. */
export interface LoadResult<T> {
  readonly items: T[];
  /** Rows skipped because they were malformed (always 0 with the "throw" policy). */
  readonly skippedRows: number;
  /** The first MAX_KEPT_ROW_ERRORS errors of the skipped rows. */
  readonly errors: readonly DesError[];
}

/** How the times of consecutive rows must move: bars strictly increase, trades may share a time. */
export type RowOrder = "increasing" | "non-decreasing";

/**
 * Collects parsed rows in time order, applying the bad-row policy to rows that fail with
 * InvalidMarketData; a row out of time order is such a failure.
 */
export class RowCollector<T> implements LoadResult<T> {
  readonly items: T[] = [];
  readonly errors: DesError[] = [];
  skippedRows = 0;
  readonly #policy: BadRowPolicy;
  readonly #strict: boolean;
  #lastTime = Number.NEGATIVE_INFINITY;

  constructor(policy: BadRowPolicy = "throw", order: RowOrder = "increasing") {
    this.#policy = policy;
    this.#strict = order === "increasing";
  }

  /** Adds a parsed row with its time; a row that goes back in time is rejected as a bad row. */
  add(reader: FieldReader, item: T, timeUs: number): void {
    if (timeUs < this.#lastTime || (this.#strict && timeUs === this.#lastTime)) {
      this.reject(
        reader.error(
          `time ${isoFromMicros(timeUs)} is not after the previous row's ${isoFromMicros(this.#lastTime)}`,
          { time: timeUs, previousTime: this.#lastTime },
        ),
      );
      return;
    }
    this.#lastTime = timeUs;
    this.items.push(item);
  }

  /** Records a row failure: rethrows it (strict policy, or not a bad-row error) or counts it. */
  reject(thrown: unknown): void {
    if (this.#policy === "throw" || !isBadRowError(thrown)) throw thrown;
    this.skippedRows++;
    if (this.errors.length < MAX_KEPT_ROW_ERRORS) this.errors.push(thrown);
  }
}
