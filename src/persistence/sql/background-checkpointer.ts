import { Worker } from "node:worker_threads";

const WORKER_SCRIPT = new URL("./sqlite-checkpoint-worker.ts", import.meta.url);

/** Settings of a BackgroundCheckpointer. */
export interface BackgroundCheckpointerOptions {
  /** How often the thread checkpoints (default 100 ms). */
  readonly intervalMs?: number;
  /** Its connection's busy timeout (default 5000 ms). */
  readonly busyTimeoutMs?: number;
  /** Told of a failed round (the next round tries again); for logs. */
  readonly onError?: (message: string) => void;
}

/** What the checkpointer has done so far. */
export interface CheckpointerStats {
  /** Rounds that found frames in the WAL. */
  readonly rounds: number;
  /** Frames in the WAL at the last such round, and how many of them were in the database file after it. */
  readonly lastFramesInWal: number;
  readonly lastFramesCheckpointed: number;
  /** Rounds that could not finish because another checkpoint ran. */
  readonly busyRounds: number;
  readonly errors: number;
  readonly lastError: string | undefined;
}

/**
 * Moves SQLite's WAL checkpoints off the main thread. In WAL mode every commit appends to the WAL,
 * and by default the commit that takes the WAL past 1,000 pages also copies the WAL into the
 * database file and fsyncs it, synchronously, on the event loop. A worker thread with its own
 * connection checkpoints instead (PASSIVE, every intervalMs), on the machine's other core, while the
 * main connection keeps writing: in interleaved runs of bench:batch-writer the SQLite batch writer
 * measured +15-25 % on fills and +0-19 % on equity_snapshots, with a lower flush p99 (BENCHMARKS.md).
 *
 * The main connection keeps a far-off automatic checkpoint as a backstop (SqliteDriver sets it), so
 * the WAL stays bounded even if this thread falls behind or stops. The thread never keeps the process
 * alive (unref); close() stops it before the database closes.
 */
export class BackgroundCheckpointer {
  readonly #worker: Worker;
  #stats = {
    rounds: 0,
    lastFramesInWal: 0,
    lastFramesCheckpointed: 0,
    busyRounds: 0,
    errors: 0,
    lastError: undefined as string | undefined,
  };
  #closed: Promise<void> | undefined;
  #exited = false;

  constructor(path: string, options: BackgroundCheckpointerOptions = {}) {
    this.#worker = new Worker(WORKER_SCRIPT, {
      name: "sqlite-checkpointer",
      workerData: {
        path,
        intervalMs: Math.max(1, options.intervalMs ?? 100),
        busyTimeoutMs: options.busyTimeoutMs ?? 5000,
      },
    });
    this.#worker.unref();
    this.#worker.once("exit", () => {
      this.#exited = true;
    });
    this.#worker.on("message", (m: CheckpointMessage) => {
      if (m.kind === "checkpoint") {
        this.#stats.rounds++;
        this.#stats.lastFramesInWal = m.framesInWal;
        this.#stats.lastFramesCheckpointed = m.framesCheckpointed;
        if (m.busy) this.#stats.busyRounds++;
      } else {
        this.#noteError(m.message, options.onError);
      }
    });
    // A thread that fails to start or dies: the main connection's backstop checkpoint takes over.
    this.#worker.on("error", (e) => this.#noteError(e.message, options.onError));
  }

  stats(): CheckpointerStats {
    return { ...this.#stats };
  }

  /** Stops the thread and closes its connection; resolves when it has ended. */
  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve) => {
      if (this.#exited) return resolve();
      this.#worker.once("exit", () => resolve());
      // Referenced again while it stops: a caller awaiting close() keeps the process up until it ends.
      this.#worker.ref();
      this.#worker.postMessage("stop");
      // A thread stuck in a checkpoint still ends: terminate after a bound.
      setTimeout(() => void this.#worker.terminate(), 5000).unref();
    });
    return this.#closed;
  }

  #noteError(message: string, onError: ((message: string) => void) | undefined): void {
    this.#stats.errors++;
    this.#stats.lastError = message;
    try {
      onError?.(message);
    } catch {
      // A failing log hook must not take the checkpointer down.
    }
  }
}

type CheckpointMessage =
  | { readonly kind: "checkpoint"; framesInWal: number; framesCheckpointed: number; busy: boolean }
  | { readonly kind: "error"; readonly message: string };
