/**
 * The background checkpointer's thread (see BackgroundCheckpointer): its own connection to the
 * database file runs `PRAGMA wal_checkpoint(PASSIVE)` every `intervalMs`, copying committed WAL
 * frames into the database file (and fsyncing it) on this thread's core instead of inside a commit
 * on the main thread. A PASSIVE checkpoint never blocks the writer: it copies what no reader still
 * needs and leaves the rest for the next round.
 *
 * Messages to the parent: { kind: "checkpoint", framesInWal, framesCheckpointed, busy } after each
 * round that found frames, { kind: "error", message } when a round failed (the next round tries
 * again). A "stop" message closes the connection and ends the thread.
 */
import { DatabaseSync } from "node:sqlite";
import { parentPort, workerData } from "node:worker_threads";

interface CheckpointWorkerData {
  readonly path: string;
  readonly intervalMs: number;
  readonly busyTimeoutMs: number;
}

const { path, intervalMs, busyTimeoutMs } = workerData as CheckpointWorkerData;
const port = parentPort;
if (port === null) throw new Error("sqlite-checkpoint-worker must run in a worker thread");

const db = new DatabaseSync(path);
db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))}`);
const checkpoint = db.prepare("PRAGMA wal_checkpoint(PASSIVE)");
let lastFrames = -1;
let lastCheckpointed = -1;

function round(): void {
  try {
    const row = checkpoint.get() as { busy: number; log: number; checkpointed: number } | undefined;
    if (row === undefined) return;
    // Report only when the WAL or the checkpointed part of it moved: an idle database is not a
    // stream of messages, and a round that finishes what the last one left is reported.
    if (row.log !== lastFrames || row.checkpointed !== lastCheckpointed || row.busy !== 0) {
      lastFrames = row.log;
      lastCheckpointed = row.checkpointed;
      port?.postMessage({
        kind: "checkpoint",
        framesInWal: row.log,
        framesCheckpointed: row.checkpointed,
        busy: row.busy !== 0,
      });
    }
  } catch (e) {
    port?.postMessage({ kind: "error", message: (e as Error).message });
  }
}

const timer = setInterval(round, intervalMs);
port.on("message", (message: unknown) => {
  if (message !== "stop") return;
  clearInterval(timer);
  db.close();
  // In a worker thread, process.exit ends this thread only (the parent waits for its "exit" event).
  process.exit(0);
});
