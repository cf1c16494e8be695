import { DesError, ErrorCode } from "../../core/index.ts";
import type { SqlDriver, SqlExecutor, TableSpec } from "../sql/sql-types.ts";
import { CopyProgressStore, type TableCopyProgress } from "./copy-progress.ts";
import { type SequenceSync, syncSerialSequences } from "./serial-sequences.ts";
import { quoteIdentifier, readTablePages } from "./table-pages.ts";

/** Rows per batch (one source query, one target transaction) unless told otherwise. */
export const DEFAULT_COPY_BATCH_SIZE = 10_000;

/** What the copier reports after each committed batch and at the end of each table. */
export interface CopyProgressEvent {
  readonly table: string;
  /** Rows of this table copied so far, over all runs. */
  readonly rowsCopied: number;
  /** Rows of the table on the source when its copy (re)started. */
  readonly totalRows: number;
  /** Rows written by this run. */
  readonly rowsThisRun: number;
  /** Milliseconds since this run started on the table (rowsThisRun / elapsedMs is the rate). */
  readonly elapsedMs: number;
  readonly done: boolean;
}

/** Options of copyDatabase. */
export interface CopyOptions {
  /** The tables to copy, in order (parents before children). */
  readonly tables: readonly TableSpec[];
  /** Names the source in the progress table (a file path or a redacted URL); a resume from another source is refused. */
  readonly sourceLabel: string;
  /** Rows per batch (default 10,000). */
  readonly batchSize?: number;
  /** Forget stored progress and copy every table from its first row. */
  readonly restart?: boolean;
  /**
   * Empty every table of `tables` on the target first (and forget the progress): for a target that
   * must become an exact copy again (a secondary that diverged). Destroys the target's rows.
   */
  readonly emptyTarget?: boolean;
  /** Called after each committed batch and when a table is done. */
  readonly onProgress?: (event: CopyProgressEvent) => void;
  /** Called after each committed batch; a throw stops the copy there (tests use it to interrupt a copy). */
  readonly afterBatch?: (event: CopyProgressEvent) => void | Promise<void>;
  /** Microseconds since the epoch, for updated_at (default: the wall clock). */
  readonly nowMicros?: () => number;
}

/** What one table's copy did. */
export interface TableCopyResult {
  readonly table: string;
  readonly rowsCopied: number;
  /** Rows written by this run (0 when an earlier run had finished the table). */
  readonly rowsThisRun: number;
  /** True when an earlier run had already finished the table. */
  readonly skipped: boolean;
}

/** What copyDatabase did. */
export interface CopyReport {
  readonly tables: readonly TableCopyResult[];
  readonly sequences: readonly SequenceSync[];
}

/**
 * Copies every table of `tables` from source to target, table by table in order, each by keyset
 * pagination over its primary key. Every batch is written with writeRows(..., "upsert") in one target
 * transaction together with its progress row (des_migration_progress), so an interrupted copy
 * (a crash, Ctrl+C, a lost connection) resumes after the last committed batch, and a batch written
 * twice changes nothing. Tables an earlier run finished are skipped. Serial sequences on a PostgreSQL
 * target are moved past the copied ids at the end.
 *
 * The target's schema must exist (run migrate on it first). The source must not be written during
 * the copy: rows changed behind the copier's position are not seen (the runbook stops DES first).
 */
export async function copyDatabase(
  source: SqlExecutor,
  target: SqlDriver,
  options: CopyOptions,
): Promise<CopyReport> {
  const batchSize = options.batchSize ?? DEFAULT_COPY_BATCH_SIZE;
  if (!Number.isSafeInteger(batchSize) || batchSize <= 0)
    throw new DesError(ErrorCode.InvalidConfig, `batch size must be a positive integer, got ${batchSize}`);
  const nowMicros = options.nowMicros ?? (() => Date.now() * 1000);
  const progressStore = new CopyProgressStore(target);
  await progressStore.ensureTable();
  if (options.emptyTarget === true) await emptyTables(target, options.tables);
  if (options.restart === true || options.emptyTarget === true) await progressStore.clear();
  const stored = await progressStore.list(options.tables);
  for (const p of stored.values()) {
    if (p.source !== options.sourceLabel) {
      throw new DesError(
        ErrorCode.StoreFailed,
        `the target holds the progress of a copy from ${p.source}, not ${options.sourceLabel}: copy again from the start (restart) to replace it`,
        { storedSource: p.source, source: options.sourceLabel },
      );
    }
  }
  const results: TableCopyResult[] = [];
  for (const spec of options.tables) {
    const previous = stored.get(spec.name);
    if (previous?.done === true) {
      results.push({ table: spec.name, rowsCopied: previous.rowsCopied, rowsThisRun: 0, skipped: true });
      continue;
    }
    results.push(await copyTable(source, target, spec, previous, { ...options, batchSize, nowMicros }));
  }
  const sequences = await syncSerialSequences(target, options.tables);
  return { tables: results, sequences };
}

async function copyTable(
  source: SqlExecutor,
  target: SqlDriver,
  spec: TableSpec,
  previous: TableCopyProgress | undefined,
  options: CopyOptions & { batchSize: number; nowMicros: () => number },
): Promise<TableCopyResult> {
  const [counted] = await source.query<{ n: number | string | bigint }>(
    `SELECT COUNT(*) AS n FROM ${quoteIdentifier(spec.name)}`,
  );
  const totalRows = Number(counted?.n ?? 0);
  let rowsCopied = previous?.rowsCopied ?? 0;
  let lastKey = previous?.lastKey;
  let rowsThisRun = 0;
  const started = performance.now();
  const event = (done: boolean): CopyProgressEvent => ({
    table: spec.name,
    rowsCopied,
    totalRows,
    rowsThisRun,
    elapsedMs: performance.now() - started,
    done,
  });
  for await (const page of readTablePages(source, spec, { pageSize: options.batchSize, after: lastKey })) {
    const last = page.rows.length < options.batchSize;
    await target.transaction(async (tx) => {
      await tx.writeRows(spec, page.rows, "upsert");
      await CopyProgressStore.save(tx, {
        table: spec.name,
        lastKey: page.lastKey,
        rowsCopied: rowsCopied + page.rows.length,
        done: last,
        source: options.sourceLabel,
        updatedAt: options.nowMicros(),
      });
    });
    rowsCopied += page.rows.length;
    rowsThisRun += page.rows.length;
    lastKey = page.lastKey;
    options.onProgress?.(event(last));
    await options.afterBatch?.(event(last));
    if (last) return { table: spec.name, rowsCopied, rowsThisRun, skipped: false };
  }
  // The table ended exactly at a batch boundary (or is empty): record it as done.
  await CopyProgressStore.save(target, {
    table: spec.name,
    lastKey,
    rowsCopied,
    done: true,
    source: options.sourceLabel,
    updatedAt: options.nowMicros(),
  });
  options.onProgress?.(event(true));
  return { table: spec.name, rowsCopied, rowsThisRun, skipped: false };
}

/**
 * Deletes every row of the tables, children first, in one transaction: TRUNCATE on PostgreSQL;
 * DELETE on SQLite, which also forgets the tables' AUTOINCREMENT counters (sqlite_sequence), so the
 * next id follows the copied rows as it does on PostgreSQL after syncSerialSequences.
 */
async function emptyTables(target: SqlDriver, tables: readonly TableSpec[]): Promise<void> {
  const names = [...tables].reverse().map((t) => quoteIdentifier(t.name));
  await target.transaction(async (tx) => {
    if (tx.dialect === "postgres") {
      await tx.execute(`TRUNCATE ${names.join(", ")}`);
      return;
    }
    for (const name of names) await tx.execute(`DELETE FROM ${name}`);
    const counters = await tx.query("SELECT name FROM sqlite_master WHERE name = 'sqlite_sequence'");
    if (counters.length > 0) {
      const list = tables.map(() => "?").join(", ");
      await tx.execute(
        `DELETE FROM sqlite_sequence WHERE name IN (${list})`,
        tables.map((t) => t.name),
      );
    }
  });
}
