import type { SqlRow, TableSpec, WriteMode } from "../sql/sql-types.ts";

/** Rows of one table written in one mode, in the order they were enqueued. */
export interface RowGroup {
  readonly table: TableSpec;
  readonly mode: WriteMode;
  readonly rows: SqlRow[];
}

/** A batch's worth of queued rows: grouped by (table, mode) in the order each group first appeared. */
export interface QueueSegment {
  readonly groups: RowGroup[];
  rowCount: number;
  /** Sequence number (count of rows accepted before it) of the segment's first row. */
  readonly firstSeq: number;
}

/**
 * The batch writer's FIFO of accepted rows, cut into segments of at most `maxBatchRows` rows. Rows
 * are appended to the open tail segment, grouped by (table, mode) as they arrive (the common case,
 * a run of rows of the same table, is one comparison and an array push). A full tail is sealed and
 * the next row opens a new one. Segments leave the queue whole and in order, so rows of one
 * (table, mode) are written in the order they were accepted, across flushes too.
 */
export class WriteQueue {
  readonly #maxBatchRows: number;
  readonly #sealed: QueueSegment[] = [];
  #tail: QueueSegment | undefined;
  /** The group the previous row went to; always a group of the current tail when defined. */
  #lastGroup: RowGroup | undefined;
  #accepted = 0;
  #queued = 0;

  /** Cuts segments at `maxBatchRows` rows (at least 1). */
  constructor(maxBatchRows: number) {
    this.#maxBatchRows = Math.max(1, Math.floor(maxBatchRows));
  }

  /** Rows accepted since creation (the sequence number the next row gets). */
  get accepted(): number {
    return this.#accepted;
  }

  /** Rows in the queue (not yet taken by a flush). */
  get queued(): number {
    return this.#queued;
  }

  /** True when a sealed (full) segment waits. */
  get hasFullSegment(): boolean {
    return this.#sealed.length > 0;
  }

  /** Appends one row. Returns true when that row filled the tail segment (a full batch is ready). */
  push(table: TableSpec, row: SqlRow, mode: WriteMode): boolean {
    let group = this.#lastGroup;
    if (group === undefined || group.table !== table || group.mode !== mode)
      group = this.#groupOf(table, mode);
    group.rows.push(row);
    this.#accepted++;
    this.#queued++;
    const tail = this.#tail!;
    if (++tail.rowCount >= this.#maxBatchRows) {
      this.#sealTail();
      return true;
    }
    return false;
  }

  /** Appends rows of one table in order, sealing as many segments as they fill. Returns true when one was sealed. */
  pushMany(table: TableSpec, rows: readonly SqlRow[], mode: WriteMode): boolean {
    let sealed = false;
    let from = 0;
    while (from < rows.length) {
      let group = this.#lastGroup;
      if (group === undefined || group.table !== table || group.mode !== mode)
        group = this.#groupOf(table, mode);
      const tail = this.#tail!;
      const take = Math.min(rows.length - from, this.#maxBatchRows - tail.rowCount);
      for (let i = from; i < from + take; i++) group.rows.push(rows[i]!);
      from += take;
      this.#accepted += take;
      this.#queued += take;
      tail.rowCount += take;
      if (tail.rowCount >= this.#maxBatchRows) {
        this.#sealTail();
        sealed = true;
      }
    }
    return sealed;
  }

  /**
   * Removes and returns the next segment to write: the oldest sealed one, else the open tail when
   * it holds a row whose sequence number is below `dueBeforeSeq` (a flush was asked for or the
   * interval elapsed). Undefined when nothing is ready.
   *
   * Group commit: when sealed segments wait behind the first, they are joined to it while the total
   * stays within `maxRows` (default: no joining). Rows of one (table, mode) keep their order (each
   * group is appended to its own); across tables the order inside one transaction does not matter.
   * The open tail is never joined.
   */
  take(dueBeforeSeq: number, maxRows = 0): QueueSegment | undefined {
    let segment = this.#sealed.shift();
    if (segment === undefined) {
      const tail = this.#tail;
      if (tail === undefined || tail.rowCount === 0 || tail.firstSeq >= dueBeforeSeq) return undefined;
      segment = tail;
      this.#tail = undefined;
      this.#lastGroup = undefined;
    } else {
      while (this.#sealed.length > 0 && segment.rowCount + this.#sealed[0]!.rowCount <= maxRows) {
        segment = joinSegments(segment, this.#sealed.shift()!);
      }
    }
    this.#queued -= segment.rowCount;
    return segment;
  }

  /** Every segment still queued, oldest first (for a report of what was not written). */
  segments(): readonly QueueSegment[] {
    return this.#tail === undefined ? this.#sealed.slice() : [...this.#sealed, this.#tail];
  }

  #groupOf(table: TableSpec, mode: WriteMode): RowGroup {
    let tail = this.#tail;
    if (tail === undefined) {
      tail = { groups: [], rowCount: 0, firstSeq: this.#accepted };
      this.#tail = tail;
    }
    let group = tail.groups.find((g) => g.table === table && g.mode === mode);
    if (group === undefined) {
      group = { table, mode, rows: [] };
      tail.groups.push(group);
    }
    this.#lastGroup = group;
    return group;
  }

  #sealTail(): void {
    if (this.#tail !== undefined) this.#sealed.push(this.#tail);
    this.#tail = undefined;
    this.#lastGroup = undefined;
  }
}

/** `later`'s rows appended to `first`'s, group by group ((table, mode) groups of `later` not in `first` go last). */
function joinSegments(first: QueueSegment, later: QueueSegment): QueueSegment {
  const groups = first.groups.map((g) => ({ table: g.table, mode: g.mode, rows: g.rows }));
  for (const g of later.groups) {
    const same = groups.find((x) => x.table === g.table && x.mode === g.mode);
    if (same === undefined) groups.push({ table: g.table, mode: g.mode, rows: g.rows });
    else for (const row of g.rows) same.rows.push(row);
  }
  return { groups, rowCount: first.rowCount + later.rowCount, firstSeq: first.firstSeq };
}
