/**
 * The write thread of a SqliteDriver (see SqliteWriteThread): its own connection to the database
 * file, with DES's settings, writes whole batches so that their SQLite work (binding, B-tree
 * inserts, the commit's WAL writes) runs on this thread instead of the event loop.
 *
 * Message out first: "ready" once the connection is open (the file must exist already).
 * Message in: { id, groups: [{ table, mode, rowCount, values }] } (values: the rows flattened in
 * column order, see flattenRows) or "stop". Each batch is one transaction, BEGIN IMMEDIATE ...
 * COMMIT, its groups written in order by a SqliteRowWriter, as on the main connection. Message out:
 * { id, ok: true } once committed, or { id, ok: false, error } after a rollback, with SQLite's
 * result code (errcode, errstr) so the caller can tell a busy or full database from bad data.
 */
import { existsSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { parentPort, workerData } from "node:worker_threads";
import type { SqlValue, TableSpec, WriteMode } from "./sql-types.ts";
import { SqliteRowWriter } from "./sqlite-row-writer.ts";
import { applyBackstopCheckpoint, applySqliteSettings } from "./sqlite-settings.ts";

/** What the thread is started with. */
export interface SqliteWriteWorkerData {
  readonly path: string;
  readonly busyTimeoutMs: number;
  readonly maxRowsPerInsert: number;
  /** Set the far-off automatic checkpoint (a BackgroundCheckpointer keeps the WAL short). */
  readonly backstopCheckpoint: boolean;
}

/** One (table, mode) group of a batch, its rows flattened. */
export interface FlatWriteGroup {
  readonly table: TableSpec;
  readonly mode: WriteMode;
  readonly rowCount: number;
  readonly values: readonly SqlValue[];
}

/** A batch to write in one transaction. */
export interface WriteBatchMessage {
  readonly id: number;
  readonly groups: readonly FlatWriteGroup[];
}

/** The outcome of a batch. */
export type WriteBatchReply =
  | { readonly id: number; readonly ok: true }
  | { readonly id: number; readonly ok: false; readonly error: WriteThreadError };

/** A failure as the thread reports it: the message and SQLite's codes when SQLite raised it. */
export interface WriteThreadError {
  readonly message: string;
  readonly code: string | undefined;
  readonly errcode: number | undefined;
  readonly errstr: string | undefined;
}

const { path, busyTimeoutMs, maxRowsPerInsert, backstopCheckpoint } = workerData as SqliteWriteWorkerData;
const port = parentPort;
if (port === null) throw new Error("sqlite-write-worker must run in a worker thread");

// The main connection created the file: a missing one was deleted or moved, and opening it here
// would create an empty database that every batch fails on. Fail the start instead (transient).
if (!existsSync(path)) throw new Error(`SQLite database ${path} does not exist`);
const db = new DatabaseSync(path);
applySqliteSettings(db, busyTimeoutMs);
if (backstopCheckpoint) applyBackstopCheckpoint(db);
const rowWriter = new SqliteRowWriter(db, maxRowsPerInsert);
port.postMessage("ready");

function writeGroup(group: FlatWriteGroup): void {
  const width = group.table.columns.length;
  const values = group.values;
  rowWriter.write(group.table, group.mode, group.rowCount, (from, count) =>
    from === 0 && count === group.rowCount ? values : values.slice(from * width, (from + count) * width),
  );
}

function writeBatch(message: WriteBatchMessage): void {
  db.exec("BEGIN IMMEDIATE");
  try {
    for (const group of message.groups) writeGroup(group);
    db.exec("COMMIT");
  } catch (e) {
    if (db.isTransaction) db.exec("ROLLBACK");
    throw e;
  }
}

function describe(e: unknown): WriteThreadError {
  const { message, code, errcode, errstr } = e as {
    message?: unknown;
    code?: unknown;
    errcode?: unknown;
    errstr?: unknown;
  };
  return {
    message: typeof message === "string" ? message : String(e),
    code: typeof code === "string" ? code : undefined,
    errcode: typeof errcode === "number" ? errcode : undefined,
    errstr: typeof errstr === "string" ? errstr : undefined,
  };
}

port.on("message", (message: WriteBatchMessage | "stop") => {
  if (message === "stop") {
    db.close();
    // In a worker thread, process.exit ends this thread only (the parent waits for its "exit" event).
    process.exit(0);
  }
  let reply: WriteBatchReply;
  try {
    writeBatch(message);
    reply = { id: message.id, ok: true };
  } catch (e) {
    reply = { id: message.id, ok: false, error: describe(e) };
  }
  port.postMessage(reply);
});
