import { setImmediate as nextTurn } from "node:timers/promises";
import { DesError, ErrorCode } from "../../core/index.ts";
import type { SqlDriver, SqlRow, TableSpec, WriteMode } from "../sql/sql-types.ts";
import {
  type BatchWriterOptions,
  type ResolvedBatchWriterOptions,
  resolveBatchWriterOptions,
} from "./batch-writer-options.ts";
import type { BatchWriterCloseReport, BatchWriterStats, UnwrittenRows } from "./batch-writer-stats.ts";
import { type DeadLetter, DeadLetterList } from "./dead-letter-list.ts";
import { FlushLatencyHistogram } from "./flush-latency-histogram.ts";
import { type BatchStepOutcome, PendingBatch } from "./pending-batch.ts";
import { retryDelayMs } from "./retry-backoff.ts";
import { summarizeWriteError, type WriteErrorSummary } from "./write-error.ts";
import { WriteQueue } from "./write-queue.ts";

/** One row for one table, as enqueueAll takes it. */
export interface TableWrite {
  readonly table: TableSpec;
  readonly row: SqlRow;
  readonly mode: WriteMode;
}

/** Someone waiting until every row accepted before `target` is settled (or until room frees up). */
interface Waiter {
  readonly target: number;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/**
 * Takes writes off the hot path: callers enqueue rows (a push onto an in-memory queue) and the
 * writer commits them in batches, one transaction per flush, through any SqlDriver (SQLite or
 * PostgreSQL). See docs/batch-writer.md.
 *
 * - Flush when `maxBatchRows` rows are queued (scheduled on a microtask, never inside enqueue), every
 *   `flushIntervalMs`, on flush() and on close(). One flush at a time; rows of one (table, mode) are
 *   written in the order they were accepted (an upsert's last write wins). Group commit: with full
 *   batches waiting, one transaction takes several, up to `maxTransactionRows` (PostgreSQL).
 * - Back-pressure: at most `maxQueuedRows` rows accepted and not yet written; beyond that enqueue
 *   throws DES_ERR_STORE_FAILED (counted in rejectedTotal). Nothing accepted is ever dropped.
 * - Transient errors (connection lost, server restarting, database locked): the batch stays at the
 *   head of the queue and is retried after an exponential back-off with jitter, until it commits.
 *   Retries are at-least-once: use "ignore" or "upsert" (idempotent) so a retry after a commit whose
 *   acknowledgement was lost cannot fail.
 * - Permanent errors: the batch is written group by group, failing groups split down to single rows;
 *   the rows the database refuses go to a bounded dead-letter list (counted, reported through
 *   onDeadLetter); the rest is written.
 */
export class BatchWriter {
  readonly #driver: SqlDriver;
  readonly #options: ResolvedBatchWriterOptions;
  readonly #queue: WriteQueue;
  readonly #deadLetters: DeadLetterList;
  readonly #latency = new FlushLatencyHistogram();
  readonly #interval: NodeJS.Timeout;
  /** Rows with a sequence number below this must be flushed now (flush(), the interval, close()). */
  #dueBeforeSeq = 0;
  /** Rows committed or dead-lettered, counted per finished batch (batches finish in queue order). */
  #settled = 0;
  #batch: PendingBatch | undefined;
  #pumping = false;
  #retryTimer: NodeJS.Timeout | undefined;
  #consecutiveTransient = 0;
  #flushWaiters: Waiter[] = [];
  #roomWaiters: Waiter[] = [];
  #closing: Promise<BatchWriterCloseReport> | undefined;
  /** Set when close() gave up at its deadline: no more attempts are made. */
  #aborted = false;
  #lastError: WriteErrorSummary | undefined;
  #lastErrorCause: unknown;
  #stats = {
    writesTotal: 0,
    batchesTotal: 0,
    errorsTotal: 0,
    transientErrorsTotal: 0,
    rejectedTotal: 0,
    deadLettered: 0,
    lastBatchSize: 0,
    lastFlushAt: 0,
  };

  /** A writer on `driver` (which the caller owns and closes after the writer). Starts its interval timer. */
  constructor(driver: SqlDriver, options: BatchWriterOptions = {}) {
    this.#driver = driver;
    this.#options = resolveBatchWriterOptions(options, driver.dialect);
    this.#queue = new WriteQueue(this.#options.maxBatchRows);
    this.#deadLetters = new DeadLetterList(this.#options.maxDeadLetters);
    this.#interval = setInterval(() => this.#onInterval(), this.#options.flushIntervalMs);
    this.#interval.unref();
  }

  /**
   * Queues one row for `table` (every column of the spec; missing ones are written as NULL). Returns
   * at once. Throws DES_ERR_STORE_FAILED when the queue is full or the writer is closed; the row is
   * then not accepted (and counted in rejectedTotal): the caller decides what to do.
   */
  enqueue(table: TableSpec, row: SqlRow, mode: WriteMode): void {
    if (this.#closing !== undefined || this.#queue.accepted - this.#settled >= this.#options.maxQueuedRows) {
      this.#reject(table, 1);
    }
    if (this.#queue.push(table, row, mode)) this.#scheduleFlush();
  }

  /** Queues rows of one table, all or none (see enqueue). */
  enqueueMany(table: TableSpec, rows: readonly SqlRow[], mode: WriteMode): void {
    if (rows.length === 0) return;
    if (
      this.#closing !== undefined ||
      this.#queue.accepted - this.#settled + rows.length > this.#options.maxQueuedRows
    ) {
      this.#reject(table, rows.length);
    }
    if (this.#queue.pushMany(table, rows, mode)) this.#scheduleFlush();
  }

  /**
   * Queues rows of several tables (one record's rows: an order, its history, its fill), all or none,
   * in the given order (see enqueue). Rows later in the list may land in a later transaction, never an
   * earlier one: put first the rows that must not be committed after the others.
   */
  enqueueAll(writes: readonly TableWrite[]): void {
    if (writes.length === 0) return;
    if (
      this.#closing !== undefined ||
      this.#queue.accepted - this.#settled + writes.length > this.#options.maxQueuedRows
    ) {
      this.#reject(writes[0]?.table as TableSpec, writes.length);
    }
    let full = false;
    for (const w of writes) full = this.#queue.push(w.table, w.row, w.mode) || full;
    if (full) this.#scheduleFlush();
  }

  /**
   * Resolves when every row accepted before the call is committed or dead-lettered: waits for the
   * flush in progress, then flushes the rest. While the database is unreachable it keeps waiting (the
   * writer keeps retrying); rejects only if close() gives up on those rows.
   */
  flush(): Promise<void> {
    const target = this.#queue.accepted;
    if (this.#settled >= target) return Promise.resolve();
    if (this.#aborted) return Promise.reject(this.#abortedError());
    if (target > this.#dueBeforeSeq) this.#dueBeforeSeq = target;
    const done = new Promise<void>((resolve, reject) => this.#flushWaiters.push({ target, resolve, reject }));
    this.#kick();
    return done;
  }

  /**
   * Resolves when the queue has room for `rows` more rows: for producers that can wait (a bulk copy),
   * instead of handling enqueue's back-pressure error. Rejects if the writer is closed.
   */
  waitForRoom(rows = 1): Promise<void> {
    if (this.#closing !== undefined) return Promise.reject(this.#closedError());
    const target =
      this.#queue.accepted + Math.min(rows, this.#options.maxQueuedRows) - this.#options.maxQueuedRows;
    if (this.#settled >= target) return Promise.resolve();
    const room = new Promise<void>((resolve, reject) => this.#roomWaiters.push({ target, resolve, reject }));
    this.#dueBeforeSeq = Math.max(this.#dueBeforeSeq, this.#queue.accepted); // no need to wait for the interval
    this.#kick();
    return room;
  }

  /**
   * Stops the interval timer, refuses new rows and flushes what is queued, trying until
   * `closeDeadlineMs` (a pending back-off is cut short: one more attempt is made at once). Returns what
   * could not be written (rows included). Does not close the driver. Calling it again returns the same report.
   */
  close(): Promise<BatchWriterCloseReport> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  /** Rows accepted since start (cheap; stats() has it too): flush() settles every row counted here. */
  get acceptedTotal(): number {
    return this.#queue.accepted;
  }

  /** Rows accepted and not yet committed or dead-lettered (cheap; stats() has it too). */
  get queueDepth(): number {
    return this.#queue.accepted - this.#settled;
  }

  /** A snapshot of the counters. */
  stats(): BatchWriterStats {
    return {
      acceptedTotal: this.#queue.accepted,
      ...this.#stats,
      deadLettersEvicted: this.#deadLetters.evicted,
      queueDepth: this.#queue.accepted - this.#settled,
      retrying: this.#retryTimer !== undefined,
      lastError: this.#lastError,
      flushLatency: this.#latency.snapshot(),
    };
  }

  /** The dead letters held (oldest first), for the operator. */
  deadLetters(): readonly DeadLetter[] {
    return this.#deadLetters.list();
  }

  /** Removes and returns the dead letters held (after the operator exported or re-queued them). */
  drainDeadLetters(): DeadLetter[] {
    return this.#deadLetters.drain();
  }

  /**
   * Queues every dead letter held again, in their order, all or none (enqueueAll), and takes them off
   * the list: for an operator who fixed what made the database refuse them. A row refused again comes
   * back on the list (and is counted again). Returns how many were queued. Throws
   * DES_ERR_STORE_FAILED, the list untouched, when the queue has no room for all of them or the
   * writer is closed.
   */
  requeueDeadLetters(): number {
    const letters = this.#deadLetters.list();
    if (letters.length === 0) return 0;
    this.enqueueAll(letters.map((l) => ({ table: l.spec, row: l.row, mode: l.mode })));
    // enqueueAll and this drain run in one turn: no letter can be added in between.
    this.#deadLetters.drain();
    return letters.length;
  }

  #reject(table: TableSpec, rows: number): never {
    this.#stats.rejectedTotal += rows;
    if (this.#closing !== undefined) throw this.#closedError();
    const depth = this.#queue.accepted - this.#settled;
    const max = this.#options.maxQueuedRows;
    const last = this.#lastError;
    const failing = last !== undefined && last.at >= this.#stats.lastFlushAt;
    const why = failing
      ? `last flush failure: ${last.message}`
      : "no flush is failing: rows arrive faster than the database takes them";
    throw new DesError(
      ErrorCode.StoreFailed,
      `batch writer queue full (${depth} rows queued, max ${max}): ${rows} row(s) of ${table.name} refused; ${why}`,
      {
        table: table.name,
        rows,
        queueDepth: depth,
        maxQueuedRows: max,
        lastError: failing ? last : undefined,
      },
      failing ? { cause: this.#lastErrorCause } : undefined,
    );
  }

  #closedError(): DesError {
    return new DesError(ErrorCode.StoreFailed, "batch writer is closed: no more rows are accepted");
  }

  #abortedError(): DesError {
    const depth = this.#queue.accepted - this.#settled;
    return new DesError(
      ErrorCode.StoreFailed,
      `batch writer closed with ${depth} row(s) not written${this.#lastError === undefined ? "" : `: ${this.#lastError.message}`}`,
      { unwrittenRows: depth },
    );
  }

  #onInterval(): void {
    const accepted = this.#queue.accepted;
    if (accepted === this.#settled) return;
    if (accepted > this.#dueBeforeSeq) this.#dueBeforeSeq = accepted;
    this.#kick();
  }

  /** A full batch is ready: flush soon, but never inside the caller's enqueue. */
  #scheduleFlush(): void {
    if (this.#pumping || this.#retryTimer !== undefined || this.#aborted) return;
    this.#pumping = true;
    queueMicrotask(() => void this.#pump());
  }

  /** Starts the flush loop unless it runs already or a back-off is pending. */
  #kick(): void {
    if (this.#pumping || this.#retryTimer !== undefined || this.#aborted) return;
    this.#pumping = true;
    void this.#pump();
  }

  /**
   * Writes batches one after the other while some are ready (one transaction per turn of the event
   * loop); stops on a transient error (back-off).
   */
  async #pump(): Promise<void> {
    try {
      for (;;) {
        if (this.#aborted) return;
        if (this.#batch === undefined) {
          const segment = this.#queue.take(this.#dueBeforeSeq, this.#options.maxTransactionRows);
          if (segment === undefined) return;
          this.#batch = new PendingBatch(segment.groups, segment.rowCount);
        }
        const batch = this.#batch;
        const outcome = await batch.step(this.#driver);
        this.#record(outcome);
        if (outcome.kind === "transient") {
          this.#scheduleRetry();
          return;
        }
        if (batch.done) {
          this.#batch = undefined;
          this.#settle(batch.rowCount);
        }
        // Let timers and I/O run between transactions: on SQLite (synchronous underneath) a deep
        // queue would otherwise be drained in one turn of the event loop.
        await nextTurn();
      }
    } catch (error) {
      // Only a bug can land here (step() reports every database error as an outcome): keep the
      // batch and retry later rather than stop writing.
      this.#noteError(error);
      this.#scheduleRetry();
    } finally {
      this.#pumping = false;
    }
  }

  #record(outcome: BatchStepOutcome): void {
    const s = this.#stats;
    switch (outcome.kind) {
      case "committed":
        this.#consecutiveTransient = 0;
        s.writesTotal += outcome.rows;
        s.batchesTotal++;
        s.lastBatchSize = outcome.rows;
        s.lastFlushAt = Date.now();
        this.#latency.record(outcome.latencyUs);
        safely(() => this.#options.onCommit?.(outcome.rows, outcome.latencyUs));
        return;
      case "transient":
        this.#consecutiveTransient++;
        s.transientErrorsTotal++;
        this.#noteError(outcome.error);
        return;
      case "isolating":
        this.#consecutiveTransient = 0;
        this.#noteError(outcome.error);
        return;
      case "refused": {
        this.#consecutiveTransient = 0;
        const error = this.#noteError(outcome.error);
        const { table, mode, rows } = outcome.group;
        for (const row of rows) {
          const letter: DeadLetter = { table: table.name, spec: table, mode, row, error };
          s.deadLettered++;
          this.#deadLetters.add(letter);
          safely(() => this.#options.onDeadLetter?.(letter));
        }
        return;
      }
    }
  }

  #noteError(error: unknown): WriteErrorSummary {
    const summary = summarizeWriteError(error, Date.now());
    this.#stats.errorsTotal++;
    this.#lastError = summary;
    this.#lastErrorCause = error;
    safely(() => this.#options.onWriteError?.(summary));
    return summary;
  }

  #scheduleRetry(): void {
    if (this.#aborted || this.#retryTimer !== undefined) return;
    const { retryBaseMs, retryCapMs, random } = this.#options;
    const delay = retryDelayMs(
      Math.max(1, this.#consecutiveTransient),
      { baseMs: retryBaseMs, capMs: retryCapMs },
      random,
    );
    // Not unref'd: accepted rows keep the process alive until written or until close() gives up.
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#kick();
    }, delay);
  }

  #settle(rows: number): void {
    this.#settled += rows;
    const settled = this.#settled;
    while (this.#flushWaiters.length > 0 && this.#flushWaiters[0]!.target <= settled) {
      this.#flushWaiters.shift()!.resolve();
    }
    if (this.#roomWaiters.length > 0) {
      const waiting = this.#roomWaiters;
      this.#roomWaiters = waiting.filter((w) => w.target > settled);
      for (const w of waiting) if (w.target <= settled) w.resolve();
    }
  }

  async #close(): Promise<BatchWriterCloseReport> {
    clearInterval(this.#interval);
    for (const w of this.#roomWaiters.splice(0)) w.reject(this.#closedError());
    const target = this.#queue.accepted;
    if (this.#settled < target) {
      this.#dueBeforeSeq = target;
      if (this.#retryTimer !== undefined) {
        clearTimeout(this.#retryTimer);
        this.#retryTimer = undefined;
      }
      const flushed = new Promise<boolean>((resolve) =>
        this.#flushWaiters.push({ target, resolve: () => resolve(true), reject: () => resolve(false) }),
      );
      this.#kick();
      let deadline: NodeJS.Timeout | undefined;
      const timedOut = new Promise<boolean>((resolve) => {
        deadline = setTimeout(() => resolve(false), this.#options.closeDeadlineMs);
      });
      const complete = await Promise.race([flushed, timedOut]);
      clearTimeout(deadline);
      if (!complete) this.#abort();
    }
    const unwritten = this.#unwritten();
    return {
      complete: unwritten.length === 0,
      writesTotal: this.#stats.writesTotal,
      deadLettered: this.#stats.deadLettered,
      unwrittenRows: unwritten.reduce((n, u) => n + u.rows.length, 0),
      unwritten,
      lastError: this.#lastError,
    };
  }

  /** Gives up at close's deadline: no more attempts; flush() callers are told. */
  #abort(): void {
    this.#aborted = true;
    if (this.#retryTimer !== undefined) {
      clearTimeout(this.#retryTimer);
      this.#retryTimer = undefined;
    }
    const error = this.#abortedError();
    for (const w of this.#flushWaiters.splice(0)) w.reject(error);
  }

  /** Rows accepted and not settled: the batch being written (what remains of it), then the queue. */
  #unwritten(): UnwrittenRows[] {
    const out: UnwrittenRows[] = [];
    for (const g of this.#batch?.remaining() ?? [])
      out.push({ table: g.table.name, mode: g.mode, rows: g.rows });
    for (const segment of this.#queue.segments()) {
      for (const g of segment.groups) out.push({ table: g.table.name, mode: g.mode, rows: g.rows });
    }
    return out.filter((u) => u.rows.length > 0);
  }
}

/** Runs an observer hook; what it throws must not stop the writer. */
function safely(hook: () => void): void {
  try {
    hook();
  } catch {
    // an observer's failure is its own business
  }
}
