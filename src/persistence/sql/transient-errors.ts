/**
 * Tells whether a database error is transient: the same statement is expected to succeed if retried
 * after a pause (the server restarting, a connection dropped, a lock held by another writer). The
 * batch writer retries these with back-off; any other error is a bug or bad data and is surfaced.
 * The error's cause chain is followed (a DesError wrapping a driver error is recognised).
 */
export function isTransientDbError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current !== undefined && current !== null; depth++) {
    if (isTransientItself(current)) return true;
    if (current instanceof AggregateError && current.errors.some((e) => isTransientDbError(e))) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** PostgreSQL SQLSTATEs that a retry can cure. */
const TRANSIENT_SQLSTATES = new Set([
  "57P01", // admin_shutdown: the server is shutting down or the backend was terminated
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now: the server is starting up or in recovery
  "53000", // insufficient_resources
  "53100", // disk_full: kept queued (back-pressure) rather than dead-lettered while space is freed
  "53200", // out_of_memory
  "53300", // too_many_connections
  "25006", // read_only_sql_transaction: a standby after a failover, until the primary is back
  "57014", // query_canceled: a statement timeout or an operator's cancel
  "40001", // serialization_failure: the transaction can be replayed
  "40P01", // deadlock_detected: the transaction can be replayed
]);

/** Node.js socket error codes of a lost or refused connection. */
const TRANSIENT_NODE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "ECONNABORTED",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  // SqliteWriteThread's thread stopped before it answered (WRITE_THREAD_STOPPED): the next batch starts a new one.
  "DES_SQLITE_WRITE_THREAD_STOPPED",
]);

/**
 * SQLite primary result codes a retry can cure: busy and locked (another writer), and the disk's
 * state (full, an I/O error, the file made read-only), which the operator fixes: rows wait in the
 * queue meanwhile (back-pressure) rather than being dead-lettered, as with PostgreSQL's disk_full.
 */
const SQLITE_TRANSIENT: ReadonlyMap<string, number> = new Map([
  ["SQLITE_BUSY", 5],
  ["SQLITE_LOCKED", 6],
  ["SQLITE_READONLY", 8],
  ["SQLITE_IOERR", 10],
  ["SQLITE_FULL", 13],
]);
const SQLITE_TRANSIENT_PRIMARY_CODES: ReadonlySet<number> = new Set(SQLITE_TRANSIENT.values());

/** Messages of pg and pg-pool errors that carry no code. */
const TRANSIENT_MESSAGES = [
  "connection terminated",
  "connection timeout",
  "timeout exceeded when trying to connect",
  "client has encountered a connection error",
  "connection ended unexpectedly",
  "the database system is starting up",
  "the database system is shutting down",
  "database is locked",
  "database table is locked",
  "database or disk is full",
  "disk i/o error",
];

function isTransientItself(e: unknown): boolean {
  if (typeof e !== "object" || e === null) return false;
  const { code, errcode, message } = e as { code?: unknown; errcode?: unknown; message?: unknown };
  if (typeof code === "string") {
    if (TRANSIENT_SQLSTATES.has(code) || TRANSIENT_NODE_CODES.has(code)) return true;
    if (/^08[0-9A-Z]{3}$/.test(code)) return true; // class 08: connection exception
    if (SQLITE_TRANSIENT.has(code)) return true;
  }
  if (typeof errcode === "number") {
    const primary = errcode & 0xff; // extended result codes keep the primary code in the low byte
    if (SQLITE_TRANSIENT_PRIMARY_CODES.has(primary)) return true;
  }
  if (typeof message === "string") {
    const lower = message.toLowerCase();
    if (TRANSIENT_MESSAGES.some((m) => lower.includes(m))) return true;
  }
  return false;
}
