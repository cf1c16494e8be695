import type { WriteMode } from "../sql/sql-types.ts";
import type { FlushLatencySnapshot } from "./flush-latency-histogram.ts";
import type { WriteErrorSummary } from "./write-error.ts";
import type { RowGroup } from "./write-queue.ts";

/** A snapshot of the batch writer's counters (see docs/batch-writer.md for the exported metric names). */
export interface BatchWriterStats {
  /** Rows accepted by enqueue since start. */
  readonly acceptedTotal: number;
  /** Rows committed to the database. */
  readonly writesTotal: number;
  /** Transactions committed. */
  readonly batchesTotal: number;
  /** Write transactions that failed (transient and permanent). */
  readonly errorsTotal: number;
  /** Of errorsTotal, the transient ones (each followed by a retry after a back-off). */
  readonly transientErrorsTotal: number;
  /** Rows refused by enqueue because the queue was full (or the writer closed). */
  readonly rejectedTotal: number;
  /** Rows the database refused for good, moved to the dead-letter list. */
  readonly deadLettered: number;
  /** Dead letters evicted from the bounded list (they were counted and reported when they happened). */
  readonly deadLettersEvicted: number;
  /** Rows of the last committed transaction. */
  readonly lastBatchSize: number;
  /** When the last transaction committed (ms since the epoch; 0 before the first). */
  readonly lastFlushAt: number;
  /** Rows accepted and not yet committed or dead-lettered (queued plus being written). */
  readonly queueDepth: number;
  /** True while a transient error's back-off is running (the database is unreachable or locked). */
  readonly retrying: boolean;
  /** The last failed write, if any. */
  readonly lastError: WriteErrorSummary | undefined;
  /** Duration of committed transactions. */
  readonly flushLatency: FlushLatencySnapshot;
}

/** Rows close() could not write before its deadline, by table and mode. */
export interface UnwrittenRows {
  readonly table: string;
  readonly mode: WriteMode;
  readonly rows: RowGroup["rows"];
}

/** What close() achieved. */
export interface BatchWriterCloseReport {
  /** True when every accepted row was committed or dead-lettered. */
  readonly complete: boolean;
  /** Rows committed over the writer's life. */
  readonly writesTotal: number;
  /** Rows dead-lettered over the writer's life. */
  readonly deadLettered: number;
  /**
   * Rows not written when the deadline passed (a batch whose commit was in flight is included: it
   * may or may not have been committed).
   */
  readonly unwrittenRows: number;
  /** Those rows, by table and mode, for the caller to log or save elsewhere. */
  readonly unwritten: readonly UnwrittenRows[];
  /** The last failed write, if any (why rows are left). */
  readonly lastError: WriteErrorSummary | undefined;
}
