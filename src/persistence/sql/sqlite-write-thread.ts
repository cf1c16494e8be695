import { Worker } from "node:worker_threads";
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
 * SQLite's `errcode` and `errstr`, as node:sqlite's own errors do; if the thread stops before it
 * answers, the batch rejects with `code` WRITE_THREAD_STOPPED (transient) and the next batch starts a
 * new thread. The thread keeps the process alive only while a batch is in flight.
 */
export class SqliteWriteThread {
  readonly #data: SqliteWriteWorkerData;
  readonly #pending = new Map<number, PendingBatch>();
  #worker: Worker | undefined;
  #nextId = 1;
  #closed: Promise<void> | undefined;
  /** Threads started (1 after the first batch; more after a thread stopped). */
  started = 0;

  constructor(data: SqliteWriteWorkerData) {
    this.#data = data;
  }

  /** Writes the groups in one transaction on the thread; resolves once committed. */
  write(groups: readonly WriteGroup[]): Promise<void> {
    if (this.#closed !== undefined) {
      return Promise.reject(stoppedError("the SQLite write thread is closed"));
    }
    const flat: FlatWriteGroup[] = groups.map((g) => ({
      table: g.table,
      mode: g.mode,
      rowCount: g.rows.length,
      values: flattenRows(g.table, g.rows, 0, g.rows.length),
    }));
    const id = this.#nextId++;
    const worker = this.#ensureWorker();
    return new Promise<void>((resolve, reject) => {
      this.#pending.set(id, { worker, resolve, reject });
      worker.ref();
      const message: WriteBatchMessage = { id, groups: flat };
      worker.postMessage(message);
    });
  }

  /** Stops the thread once the batches in flight are answered; resolves when it has ended. */
  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve) => {
      const worker = this.#worker;
      if (worker === undefined) return resolve();
      worker.once("exit", () => resolve());
      worker.ref();
      // Messages are handled in order: "stop" comes after every batch already posted.
      worker.postMessage("stop");
      setTimeout(() => void worker.terminate(), 5000).unref();
    });
    return this.#closed;
  }

  #ensureWorker(): Worker {
    if (this.#worker !== undefined) return this.#worker;
    const worker = new Worker(WORKER_SCRIPT, { name: "sqlite-writer", workerData: this.#data });
    this.started++;
    worker.unref();
    worker.on("message", (reply: WriteBatchReply) => this.#answer(reply));
    const stopped = (reason: string) => {
      if (this.#worker === worker) this.#worker = undefined;
      this.#failPending(worker, reason);
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
    if (this.#pending.size === 0) this.#worker?.unref();
    if (reply.ok) waiter.resolve();
    else waiter.reject(threadError(reply.error));
  }

  /** Fails the batches posted to a thread that stopped (not those of a newer thread). */
  #failPending(worker: Worker, reason: string): void {
    for (const [id, waiter] of this.#pending) {
      if (waiter.worker !== worker) continue;
      this.#pending.delete(id);
      waiter.reject(stoppedError(reason));
    }
  }
}

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
