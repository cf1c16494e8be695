import type { DatabaseSync } from "node:sqlite";

/**
 * With a background checkpointer, the main connection checkpoints by itself only once the WAL holds
 * this many pages (64 MiB at 16 KiB pages, against SQLite's default of 1,000): a backstop that keeps
 * the WAL bounded if the checkpointer falls behind or stops.
 */
export const BACKSTOP_CHECKPOINT_PAGES = 4096;

/** After a checkpoint resets it, the WAL file is truncated to this size (bytes). */
export const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * Applies DES's connection settings to a SQLite database: WAL, synchronous=NORMAL (see SqliteDriver for
 * what that means for durability), the busy timeout, foreign keys on. Every SQLite connection DES opens
 * (this driver, the embedded store, the order intent journal) goes through it.
 */
export function applySqliteSettings(db: DatabaseSync, busyTimeoutMs = 5000): void {
  const busyTimeout = Math.max(0, Math.trunc(busyTimeoutMs));
  db.exec(
    `PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = ${busyTimeout}; PRAGMA foreign_keys = ON;`,
  );
}

/**
 * Sets the far-off automatic checkpoint of a connection whose WAL a BackgroundCheckpointer keeps
 * short (see BACKSTOP_CHECKPOINT_PAGES), and the size a reset WAL file is truncated to.
 */
export function applyBackstopCheckpoint(db: DatabaseSync): void {
  db.exec(
    `PRAGMA wal_autocheckpoint = ${BACKSTOP_CHECKPOINT_PAGES}; PRAGMA journal_size_limit = ${WAL_SIZE_LIMIT_BYTES};`,
  );
}

/** SQLite's limit on the parameters of one statement (SQLITE_MAX_VARIABLE_NUMBER since 3.32). */
export const SQLITE_MAX_VARIABLES = 32766;
