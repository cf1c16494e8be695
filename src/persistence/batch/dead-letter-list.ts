import type { SqlRow, TableSpec, WriteMode } from "../sql/sql-types.ts";
import type { WriteErrorSummary } from "./write-error.ts";

/** A row the database refused for good (a constraint, a bad value), kept for the operator. */
export interface DeadLetter {
  /** The table's name. */
  readonly table: string;
  /** The table's spec, to write the row again (BatchWriter.requeueDeadLetters). */
  readonly spec: TableSpec;
  readonly mode: WriteMode;
  readonly row: SqlRow;
  /** Why the database refused it (the error of the row written alone). */
  readonly error: WriteErrorSummary;
}

/**
 * The bounded list of dead letters. When full, the oldest entry is evicted to make room and counted
 * in `evicted` (every dead letter is also counted by the writer and handed to its onDeadLetter hook,
 * so an evicted one was already reported, never lost silently).
 */
export class DeadLetterList {
  readonly #capacity: number;
  #entries: DeadLetter[] = [];
  #evicted = 0;

  /** Keeps at most `capacity` entries (at least 1). */
  constructor(capacity: number) {
    this.#capacity = Math.max(1, Math.floor(capacity));
  }

  /** Adds an entry, evicting the oldest when full. */
  add(entry: DeadLetter): void {
    if (this.#entries.length >= this.#capacity) {
      this.#entries.shift();
      this.#evicted++;
    }
    this.#entries.push(entry);
  }

  /** The entries held, oldest first. */
  list(): readonly DeadLetter[] {
    return this.#entries.slice();
  }

  /** Removes and returns every entry held (an operator who re-queued or exported them). */
  drain(): DeadLetter[] {
    const out = this.#entries;
    this.#entries = [];
    return out;
  }

  /** Entries held now. */
  get size(): number {
    return this.#entries.length;
  }

  /** Entries evicted because the list was full. */
  get evicted(): number {
    return this.#evicted;
  }
}
