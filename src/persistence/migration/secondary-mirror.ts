import { toError } from "../../core/index.ts";
import type { SqlDriver } from "../sql/sql-types.ts";
import { applyMirroredWrite, type MirroredWrite, mirroredRowCount } from "./mirrored-write.ts";

/** Limits and back-off of a SecondaryMirror. */
export interface SecondaryMirrorOptions {
  /** Writes the retry queue holds at most (default 10,000). */
  readonly maxPendingWrites?: number;
  /** Rows the retry queue holds at most, over all its writes (default 1,000,000). */
  readonly maxPendingRows?: number;
  /** First retry delay after a failure (default 100 ms); doubles on each failed retry. */
  readonly retryInitialDelayMs?: number;
  /** Longest retry delay (default 10,000 ms). */
  readonly retryMaxDelayMs?: number;
  /** Called on every failed attempt on the secondary (for logs; the caller never sees the error). */
  readonly onFailure?: (error: Error, write: MirroredWrite) => void;
  /** Called once when the secondary is marked diverged (the queue overflowed). */
  readonly onDiverged?: (reason: string) => void;
}

/** Counters of a SecondaryMirror. */
export interface SecondaryMirrorStats {
  /** Writes applied on the secondary (at once or by a retry). */
  readonly mirroredWrites: number;
  /** Failed attempts on the secondary (a write that failed twice counts twice). */
  readonly secondaryFailures: number;
  /** Writes applied from the retry queue: the one that failed and those queued behind it. */
  readonly retriedWrites: number;
  /** Writes waiting in the retry queue (the failed one and every later one, kept in order). */
  readonly pendingRetries: number;
  /** Rows held by the queued writes. */
  readonly pendingRows: number;
  /** True once the secondary can no longer be kept equal to the primary: it needs a fresh copy. */
  readonly diverged: boolean;
  readonly divergedReason: string | undefined;
  /** Writes not applied on the secondary because it had diverged (dropped from the queue or never queued). */
  readonly unmirroredWrites: number;
  /** The message of the last failure on the secondary. */
  readonly lastError: string | undefined;
}

/**
 * Applies the primary's committed writes to the secondary, one at a time and in commit order. A write
 * the secondary rejects (it is down, a connection was killed, a constraint fails) never reaches the
 * caller: it goes to a bounded in-memory retry queue, and so does every later write (order is kept,
 * nothing overtakes a failed write). The queue is retried with exponential back-off, oldest first.
 *
 * Overflow policy: when the queue would exceed maxPendingWrites or maxPendingRows, the secondary is
 * marked diverged ("needs a fresh copy"): the queue is released, later writes are counted as
 * unmirrored and not attempted, and onDiverged is called. Nothing is dropped silently: the flag and
 * the counts are in stats() and `des db divergence` lists the differing rows. The queue lives in
 * memory: writes still queued when the process dies are missing on the secondary (close() drains
 * first; the divergence check finds any that remain).
 */
export class SecondaryMirror {
  readonly secondary: SqlDriver;
  readonly #maxWrites: number;
  readonly #maxRows: number;
  readonly #initialDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #onFailure: ((error: Error, write: MirroredWrite) => void) | undefined;
  readonly #onDiverged: ((reason: string) => void) | undefined;
  #pending: MirroredWrite[] = [];
  #pendingRows = 0;
  /** Every access to the secondary is chained here, so writes and retries never overlap. */
  #tail: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #delayMs: number;
  #stopped = false;
  #mirrored = 0;
  #failures = 0;
  #retried = 0;
  #unmirrored = 0;
  #divergedReason: string | undefined;
  #lastError: string | undefined;

  constructor(secondary: SqlDriver, options: SecondaryMirrorOptions = {}) {
    this.secondary = secondary;
    this.#maxWrites = options.maxPendingWrites ?? 10_000;
    this.#maxRows = options.maxPendingRows ?? 1_000_000;
    this.#initialDelayMs = options.retryInitialDelayMs ?? 100;
    this.#maxDelayMs = options.retryMaxDelayMs ?? 10_000;
    this.#delayMs = this.#initialDelayMs;
    this.#onFailure = options.onFailure;
    this.#onDiverged = options.onDiverged;
  }

  /**
   * Applies a committed write on the secondary, or queues it for a retry. Resolves once it is
   * applied or queued; never rejects.
   */
  mirror(write: MirroredWrite): Promise<void> {
    return this.#chain(async () => {
      if (this.#divergedReason !== undefined) {
        this.#unmirrored++;
        return;
      }
      if (this.#pending.length > 0) {
        this.#enqueue(write);
        return;
      }
      try {
        await applyMirroredWrite(this.secondary, write);
        this.#mirrored++;
      } catch (e) {
        this.#failed(e, write);
        this.#enqueue(write);
        this.#scheduleRetry();
      }
    });
  }

  /**
   * Retries the queue now and keeps retrying (with the back-off delays) until it is empty or
   * `timeoutMs` has passed. Resolves true when the queue is empty.
   */
  async drain(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.#chain(() => this.#retryQueue());
      if (this.#pending.length === 0 || this.#divergedReason !== undefined) return this.#pending.length === 0;
      const wait = Math.min(this.#delayMs, deadline - Date.now());
      if (wait <= 0) return false;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  /** Waits until every write handed over so far has been applied or queued. */
  async settled(): Promise<void> {
    await this.#tail;
  }

  /** Marks the secondary diverged (a forced switch of primary left writes unapplied). */
  markDiverged(reason: string): void {
    this.#diverge(reason);
  }

  /** Counters and the diverged flag. */
  stats(): SecondaryMirrorStats {
    return {
      mirroredWrites: this.#mirrored,
      secondaryFailures: this.#failures,
      retriedWrites: this.#retried,
      pendingRetries: this.#pending.length,
      pendingRows: this.#pendingRows,
      diverged: this.#divergedReason !== undefined,
      divergedReason: this.#divergedReason,
      unmirroredWrites: this.#unmirrored,
      lastError: this.#lastError,
    };
  }

  /** Stops retrying (the queue is kept for stats). */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #chain(step: () => Promise<void>): Promise<void> {
    const run = this.#tail.then(step, step);
    this.#tail = run.catch(() => undefined);
    return this.#tail;
  }

  #enqueue(write: MirroredWrite): void {
    const rows = mirroredRowCount(write);
    if (this.#pending.length + 1 > this.#maxWrites || this.#pendingRows + rows > this.#maxRows) {
      this.#diverge(
        `retry queue full (${this.#pending.length} writes, ${this.#pendingRows} rows waiting): the secondary needs a fresh copy`,
      );
      this.#unmirrored++;
      return;
    }
    this.#pending.push(write);
    this.#pendingRows += rows;
  }

  #diverge(reason: string): void {
    if (this.#divergedReason !== undefined) return;
    this.#divergedReason = reason;
    this.#unmirrored += this.#pending.length;
    this.#pending = [];
    this.#pendingRows = 0;
    this.stop();
    this.#onDiverged?.(reason);
  }

  #failed(e: unknown, write: MirroredWrite): void {
    const error = toError(e);
    this.#failures++;
    this.#lastError = error.message;
    this.#onFailure?.(error, write);
  }

  #scheduleRetry(): void {
    if (this.#timer !== undefined || this.#stopped || this.#pending.length === 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#chain(() => this.#retryQueue());
    }, this.#delayMs);
    this.#timer.unref();
  }

  /** Applies queued writes oldest first; stops at the first failure and schedules the next retry. */
  async #retryQueue(): Promise<void> {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    while (this.#pending.length > 0 && this.#divergedReason === undefined) {
      const write = this.#pending[0]!;
      try {
        await applyMirroredWrite(this.secondary, write);
      } catch (e) {
        this.#failed(e, write);
        this.#delayMs = Math.min(this.#maxDelayMs, this.#delayMs * 2);
        this.#scheduleRetry();
        return;
      }
      this.#pending.shift();
      this.#pendingRows -= mirroredRowCount(write);
      this.#mirrored++;
      this.#retried++;
    }
    this.#delayMs = this.#initialDelayMs;
  }
}
