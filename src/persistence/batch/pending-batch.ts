import type { SqlDriver } from "../sql/sql-types.ts";
import { isTransientDbError } from "../sql/transient-errors.ts";
import type { RowGroup } from "./write-queue.ts";

/** What one write attempt of a pending batch did. */
export type BatchStepOutcome =
  /** A transaction committed `rows` rows in `latencyUs`. */
  | { readonly kind: "committed"; readonly rows: number; readonly latencyUs: number }
  /** A transient error: nothing was committed, the same step must be retried after a pause. */
  | { readonly kind: "transient"; readonly error: unknown }
  /** A permanent error on several rows: they are split and retried in smaller transactions. */
  | { readonly kind: "isolating"; readonly error: unknown }
  /** A permanent error on a single row written alone: it is given up (dead-lettered). */
  | { readonly kind: "refused"; readonly group: RowGroup; readonly error: unknown };

/**
 * One segment of the queue being written. The first attempt writes every group in one transaction.
 * If the database refuses it for good (a constraint, a bad value), the batch switches to isolation:
 * each (table, mode) group is written in its own transaction (upserts last), a group that fails is split in halves
 * and retried, down to single rows; a single row that still fails is refused (the writer dead-letters
 * it) and everything else is written. A transient error (connection lost, database locked) leaves
 * the batch exactly where it was, to be retried after a back-off. Rows of one group keep their order
 * (halves are written first half first).
 */
export class PendingBatch {
  /** Rows the batch was created with (settled all together when it is done). */
  readonly rowCount: number;
  /** Groups (or parts of groups, while isolating) still to write, in order. */
  #pieces: RowGroup[];
  #isolating = false;

  /** A batch of the given groups (each non-empty), `rowCount` rows in all. */
  constructor(groups: RowGroup[], rowCount: number) {
    this.#pieces = groups.filter((g) => g.rows.length > 0);
    this.rowCount = rowCount;
  }

  /** True when every row is committed or refused. */
  get done(): boolean {
    return this.#pieces.length === 0;
  }

  /** True once a permanent error split the batch into smaller transactions. */
  get isolating(): boolean {
    return this.#isolating;
  }

  /** The rows not written yet, by group (for a report of what could not be written). */
  remaining(): readonly RowGroup[] {
    return this.#pieces;
  }

  /** Makes one write attempt (one transaction) and reports what happened. */
  async step(driver: SqlDriver): Promise<BatchStepOutcome> {
    const pieces = this.#isolating ? this.#pieces.slice(0, 1) : this.#pieces;
    const rows = pieces.reduce((n, p) => n + p.rows.length, 0);
    const started = performance.now();
    try {
      if (driver.writeBatch !== undefined) await driver.writeBatch(pieces);
      else {
        await driver.transaction(async (tx) => {
          for (const piece of pieces) await tx.writeRows(piece.table, piece.rows, piece.mode);
        });
      }
    } catch (error) {
      if (isTransientDbError(error)) return { kind: "transient", error };
      return this.#refuse(error);
    }
    const latencyUs = Math.round((performance.now() - started) * 1000);
    this.#pieces = this.#isolating ? this.#pieces.slice(1) : [];
    return { kind: "committed", rows, latencyUs };
  }

  /** Handles a permanent error of the last attempt: split what failed, or refuse a single row. */
  #refuse(error: unknown): BatchStepOutcome {
    if (!this.#isolating) {
      this.#isolating = true;
      // Several groups: next attempts write them one by one, event rows (insert, ignore) before
      // state rows (upsert), so a committed state (an order's final status) never precedes the
      // events accepted with it (its fills), even if DES stops mid-way. One group: split it at once.
      if (this.#pieces.length > 1) {
        this.#pieces = [
          ...this.#pieces.filter((p) => p.mode !== "upsert"),
          ...this.#pieces.filter((p) => p.mode === "upsert"),
        ];
        return { kind: "isolating", error };
      }
    }
    const failed = this.#pieces[0]!;
    if (failed.rows.length === 1) {
      this.#pieces.shift();
      return { kind: "refused", group: failed, error };
    }
    const half = Math.ceil(failed.rows.length / 2);
    this.#pieces.splice(
      0,
      1,
      { table: failed.table, mode: failed.mode, rows: failed.rows.slice(0, half) },
      { table: failed.table, mode: failed.mode, rows: failed.rows.slice(half) },
    );
    return { kind: "isolating", error };
  }
}
