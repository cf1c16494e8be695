import { type ResourceLimits, Worker } from "node:worker_threads";
import type { WriteGroup } from "./sql-types.ts";
import type {
  FlatWriteGroup,
  SqliteWriteWorkerData,
  WriteBatchMessage,
  WriteBatchReply,
  WriteThreadError,
} from "./sqlite-write-worker.ts";
import { flattenRows } from "./write-sql.ts";

const WORKER_SCRIPT = new URL("./sqlite-write-worker.ts", import.meta.url);

/**
 * The `code` of the error a batch fails with when the write thread stopped (it crashed, or could not
 * start) before answering: transient (transient-errors.ts), the next batch starts a new thread.
 */
export const WRITE_THREAD_STOPPED = "DES_SQLITE_WRITE_THREAD_STOPPED";

/**
 * Writes whole batches on a worker thread with its own connection to the database file
 * (sqlite-write-worker.ts): node:sqlite is synchronous, so a batch written on the main connection
 * blocks the event loop, and trading with it, for all of its rows (5.5-6 ms per 1,000 fills rows on
 * 2026-12-07's host). Here the event loop only flattens the rows and posts them (about 0.4 ms per
 * 1,000 fills rows); the binding, the inserts and the commit run on the other core.
 *
 * One batch is one transaction; batches are answered in the order they were posted. The caller
 * (SqliteDriver.writeBatch) keeps its main connection idle while a batch is in flight, so the two
 * connections never wait for each other's write lock. A failed batch rejects with an Error carrying
 * SQLite's `errcode` and `errstr`, as node:sqlite's own errors do. A thread that cannot start or
 * open the file (it must exist: a thread never creates an empty one) fails its batch with `code`
 * WRITE_THREAD_STOPPED (transient): the next batch starts a new thread. A thread that dies while
 * writing fails the batch the same way, unless it died on that batch MAX_CRASHES_PER_BATCH times in
 * a row: the batch then fails as permanent, so the batch writer splits it rather than retrying
 * forever. The thread keeps the process alive only while a batch is in flight.
 */
export class SqliteWriteThread {
  readonly #data: SqliteWriteWorkerData;
  readonly #pending = new Map<number, PendingBatch>();
  #worker: Worker | undefined;
  /** The current thread has opened its connection (a stop after that is a crash, not a failed start). */
  #ready = false;
  /** Threads that died while writing, since the last batch answered. */
  #crashesInARow = 0;
  #nextId = 1;
  #closed: Promise<void> | undefined;
  /** Threads started (1 after the first batch; more after a thread stopped). */
  started = 0;

  readonly #resourceLimits: ResourceLimits | undefined;

  /** `resourceLimits`: the thread's heap limits (Node's defaults when absent). */
  constructor(data: SqliteWriteWorkerData, resourceLimits?: ResourceLimits) {
    this.#data = data;
    this.#resourceLimits = resourceLimits;
  }

  /** Writes the groups in one transaction on the thread; resolves once committed. */
  write(groups: readonly WriteGroup[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.#closed !== undefined) {
        reject(stoppedError("the SQLite write thread is closed"));
        return;
      }
      const flat: FlatWriteGroup[] = groups.map((g) => ({
        table: g.table,
        mode: g.mode,
        rowCount: g.rows.length,
        values: flattenRows(g.table, g.rows, 0, g.rows.length),
      }));
      let worker: Worker;
      try {
        worker = this.#ensureWorker();
      } catch (e) {
        reject(stoppedError(`the SQLite write thread cannot start: ${(e as Error).message}`));
        return;
      }
      const id = this.#nextId++;
      const message: WriteBatchMessage = { id, groups: flat };
      // A value that cannot cross threads throws here (bad data: permanent); nothing is pending then.
      worker.postMessage(message);
      this.#pending.set(id, { worker, resolve, reject });
      worker.ref();
    });
  }

  /**
   * Stops the thread after the batches already posted ("stop" is queued behind them); resolves when
   * it has ended. A thread that has not ended 5 s later is terminated, which fails a batch still in
   * flight (transient), so a stuck write cannot hold a shutdown.
   */
  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve) => {
      const worker = this.#worker;
      if (worker === undefined) return resolve();
      worker.once("exit", () => resolve());
      worker.ref();
      worker.postMessage("stop");
      setTimeout(() => void worker.terminate(), 5000).unref();
    });
    return this.#closed;
  }

  #ensureWorker(): Worker {
    if (this.#worker !== undefined) return this.#worker;
    const worker = new Worker(WORKER_SCRIPT, {
      name: "sqlite-writer",
      workerData: this.#data,
      ...(this.#resourceLimits === undefined ? {} : { resourceLimits: this.#resourceLimits }),
    });
    this.started++;
    this.#ready = false;
    worker.unref();
    worker.on("message", (reply: WriteBatchReply | "ready") => {
      if (reply === "ready") {
        if (this.#worker === worker) this.#ready = true;
      } else this.#answer(reply);
    });
    const stopped = (reason: string) => {
      const crashed = this.#worker === worker && this.#ready;
      if (this.#worker === worker) this.#worker = undefined;
      this.#failPending(worker, reason, crashed);
    };
    worker.on("error", (e) => stopped(`the SQLite write thread failed: ${e.message}`));
    worker.on("exit", (code) => stopped(`the SQLite write thread stopped (exit code ${code})`));
    this.#worker = worker;
    return worker;
  }

  #answer(reply: WriteBatchReply): void {
    const waiter = this.#pending.get(reply.id);
    if (waiter === undefined) return;
    this.#pending.delete(reply.id);
    this.#crashesInARow = 0;
    if (this.#pending.size === 0) this.#worker?.unref();
    if (reply.ok) waiter.resolve();
    else waiter.reject(threadError(reply.error));
  }

  /**
   * Fails the batches posted to a thread that stopped (not those of a newer thread): as transient,
   * unless the thread crashed on a batch for the MAX_CRASHES_PER_BATCH-th time in a row.
   */
  #failPending(worker: Worker, reason: string, crashed: boolean): void {
    const waiters = [...this.#pending].filter(([, w]) => w.worker === worker);
    if (waiters.length === 0) return;
    for (const [id] of waiters) this.#pending.delete(id);
    if (crashed) this.#crashesInARow++;
    const giveUp = crashed && this.#crashesInARow >= MAX_CRASHES_PER_BATCH;
    if (giveUp) this.#crashesInARow = 0;
    for (const [, waiter] of waiters) {
      waiter.reject(
        giveUp
          ? new Error(
              `${reason}: the SQLite write thread died on this batch ${MAX_CRASHES_PER_BATCH} times in a row`,
            )
          : stoppedError(reason),
      );
    }
  }
}

/** Deaths of the thread on the same batch (no batch answered in between) after which it fails for good. */
export const MAX_CRASHES_PER_BATCH = 3;

interface PendingBatch {
  readonly worker: Worker;
  readonly resolve: () => void;
  readonly reject: (e: Error) => void;
}

/** An Error shaped like node:sqlite's own (message, code, errcode, errstr). */
function threadError(e: WriteThreadError): Error {
  return Object.assign(new Error(e.message), {
    ...(e.code === undefined ? {} : { code: e.code }),
    ...(e.errcode === undefined ? {} : { errcode: e.errcode }),
    ...(e.errstr === undefined ? {} : { errstr: e.errstr }),
  });
}

function stoppedError(message: string): Error {
  return Object.assign(new Error(message), { code: WRITE_THREAD_STOPPED });
}
