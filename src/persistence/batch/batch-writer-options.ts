import { DesError, ErrorCode } from "../../core/index.ts";
import type { SqlDialect } from "../sql/sql-types.ts";
import type { DeadLetter } from "./dead-letter-list.ts";
import type { WriteErrorSummary } from "./write-error.ts";

/** Settings of a BatchWriter; every field has a default. */
export interface BatchWriterOptions {
  /**
   * Queued rows that make a batch: a flush is scheduled (on a microtask) when they are reached.
   * Default by the driver's dialect: 5,000 on PostgreSQL; 1,000 on SQLite, whose writes cost the
   * event loop per row even on the driver's write thread (flattening and posting the rows: about
   * 0.4 ms per 1,000 fills rows) and all of their SQLite work without it (5.5-6 ms per 1,000 fills
   * rows, 23-39 ms per 5,000, on 2026-12-07's host).
   */
  readonly maxBatchRows?: number;
  /**
   * Group commit: rows one transaction may take when full batches wait behind the first (a backlog),
   * at least maxBatchRows. Default by the driver's dialect: on PostgreSQL 5 x maxBatchRows (fewer
   * commits: measured +13-28 % rows/s with 25,000-row transactions); on SQLite maxBatchRows, no
   * joining (a bigger transaction costs the event loop more, see maxBatchRows).
   */
  readonly maxTransactionRows?: number;
  /** Queued rows are flushed at least this often (an unref'd timer). Default 50 ms. */
  readonly flushIntervalMs?: number;
  /** Rows accepted but not yet written above which enqueue refuses (back-pressure). Default 200,000. */
  readonly maxQueuedRows?: number;
  /** First retry delay after a transient error (doubles each attempt, with jitter). Default 100 ms. */
  readonly retryBaseMs?: number;
  /** Longest retry delay. Default 5,000 ms. */
  readonly retryCapMs?: number;
  /** Dead letters kept for the operator (the oldest are evicted beyond it, still counted). Default 10,000. */
  readonly maxDeadLetters?: number;
  /** How long close() keeps trying to write what is queued. Default 5,000 ms. */
  readonly closeDeadlineMs?: number;
  /** Source of jitter in [0, 1). Default Math.random. */
  readonly random?: () => number;
  /** Called for every row the database refused for good (log it). Exceptions thrown here are ignored. */
  readonly onDeadLetter?: (letter: DeadLetter) => void;
  /** Called for every failed write transaction, transient or not (log it). Exceptions thrown here are ignored. */
  readonly onWriteError?: (error: WriteErrorSummary) => void;
  /** Called after every committed transaction with its rows and duration (µs). Exceptions thrown here are ignored. */
  readonly onCommit?: (rows: number, latencyUs: number) => void;
}

/** The options with every default filled in. */
export interface ResolvedBatchWriterOptions {
  readonly maxBatchRows: number;
  readonly maxTransactionRows: number;
  readonly flushIntervalMs: number;
  readonly maxQueuedRows: number;
  readonly retryBaseMs: number;
  readonly retryCapMs: number;
  readonly maxDeadLetters: number;
  readonly closeDeadlineMs: number;
  readonly random: () => number;
  readonly onDeadLetter: ((letter: DeadLetter) => void) | undefined;
  readonly onWriteError: ((error: WriteErrorSummary) => void) | undefined;
  readonly onCommit: ((rows: number, latencyUs: number) => void) | undefined;
}

/** The defaults of BatchWriterOptions (maxBatchRows: on PostgreSQL; see SQLITE_MAX_BATCH_ROWS). */
export const BATCH_WRITER_DEFAULTS = {
  maxBatchRows: 5_000,
  flushIntervalMs: 50,
  maxQueuedRows: 200_000,
  retryBaseMs: 100,
  retryCapMs: 5_000,
  maxDeadLetters: 10_000,
  closeDeadlineMs: 5_000,
} as const;

/** maxBatchRows' default on SQLite (see maxBatchRows). */
export const SQLITE_MAX_BATCH_ROWS = 1_000;

/** Group commit's default multiple of maxBatchRows on PostgreSQL (see maxTransactionRows). */
export const POSTGRES_GROUP_COMMIT_BATCHES = 5;

/**
 * Fills in defaults and checks every number; throws DES_ERR_INVALID_CONFIG naming a bad one.
 * `dialect` is the driver's (the defaults of maxBatchRows and maxTransactionRows depend on it).
 */
export function resolveBatchWriterOptions(
  options: BatchWriterOptions = {},
  dialect: SqlDialect = "sqlite",
): ResolvedBatchWriterOptions {
  const d = BATCH_WRITER_DEFAULTS;
  const maxBatchRows =
    options.maxBatchRows ?? (dialect === "sqlite" ? SQLITE_MAX_BATCH_ROWS : d.maxBatchRows);
  const resolved: ResolvedBatchWriterOptions = {
    maxBatchRows,
    maxTransactionRows:
      options.maxTransactionRows ??
      (dialect === "postgres" ? POSTGRES_GROUP_COMMIT_BATCHES * maxBatchRows : maxBatchRows),
    flushIntervalMs: options.flushIntervalMs ?? d.flushIntervalMs,
    maxQueuedRows: options.maxQueuedRows ?? d.maxQueuedRows,
    retryBaseMs: options.retryBaseMs ?? d.retryBaseMs,
    retryCapMs: options.retryCapMs ?? d.retryCapMs,
    maxDeadLetters: options.maxDeadLetters ?? d.maxDeadLetters,
    closeDeadlineMs: options.closeDeadlineMs ?? d.closeDeadlineMs,
    random: options.random ?? Math.random,
    onDeadLetter: options.onDeadLetter,
    onWriteError: options.onWriteError,
    onCommit: options.onCommit,
  };
  const positive = ["maxBatchRows", "flushIntervalMs", "maxQueuedRows", "maxDeadLetters"] as const;
  for (const name of positive) {
    const value = resolved[name];
    if (!Number.isInteger(value) || value < 1) invalid(name, value, "a positive integer");
  }
  const nonNegative = ["retryBaseMs", "retryCapMs", "closeDeadlineMs"] as const;
  for (const name of nonNegative) {
    const value = resolved[name];
    if (!Number.isFinite(value) || value < 0) invalid(name, value, "a number >= 0");
  }
  if (!Number.isInteger(resolved.maxTransactionRows) || resolved.maxTransactionRows < resolved.maxBatchRows) {
    invalid(
      "maxTransactionRows",
      resolved.maxTransactionRows,
      `an integer, at least maxBatchRows (${resolved.maxBatchRows})`,
    );
  }
  if (resolved.maxQueuedRows < resolved.maxBatchRows) {
    invalid("maxQueuedRows", resolved.maxQueuedRows, `at least maxBatchRows (${resolved.maxBatchRows})`);
  }
  return resolved;
}

function invalid(name: string, value: unknown, expected: string): never {
  throw new DesError(
    ErrorCode.InvalidConfig,
    `batch writer option ${name} must be ${expected}, got ${value}`,
    {
      option: name,
      value,
    },
  );
}
