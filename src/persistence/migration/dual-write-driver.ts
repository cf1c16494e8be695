import { DesError, ErrorCode } from "../../core/index.ts";
import type {
  SqlDialect,
  SqlDriver,
  SqlExecutor,
  SqlRow,
  SqlValue,
  TableSpec,
  WriteMode,
} from "../sql/sql-types.ts";
import { isReadOnlySql, type MirroredStatement } from "./mirrored-write.ts";
import {
  SecondaryMirror,
  type SecondaryMirrorOptions,
  type SecondaryMirrorStats,
} from "./secondary-mirror.ts";
import { type SequenceSync, syncSerialSequences } from "./serial-sequences.ts";
import { WriteGate } from "./write-gate.ts";

/** Options of a DualWriteDriver. */
export interface DualWriteOptions extends SecondaryMirrorOptions {
  /** The database of record: reads go here, its result is the caller's result. */
  readonly primary: SqlDriver;
  /** Receives every write after the primary committed it. */
  readonly secondary: SqlDriver;
  /** The tables whose serial sequences are synced on a PostgreSQL primary (at open and at a switch). */
  readonly tables: readonly TableSpec[];
  /** How long close() retries pending writes before giving up (default 5000 ms). */
  readonly closeDrainTimeoutMs?: number;
}

/** Counters of a DualWriteDriver: the current secondary's mirror, and which database has which role. */
export interface DualWriteStats extends SecondaryMirrorStats {
  readonly primary: SqlDialect;
  readonly secondary: SqlDialect;
  /** Switches of primary so far. */
  readonly switches: number;
  /** Writes the primary is missing because a switch was forced with writes still unapplied on it. */
  readonly primaryMissingWrites: number;
}

/** Options of switchPrimary. */
export interface SwitchPrimaryOptions {
  /** How long to retry pending writes on the secondary before refusing (default 5000 ms). */
  readonly drainTimeoutMs?: number;
  /**
   * Switch even when the secondary still has pending writes or has diverged. The new primary then
   * lacks those writes (counted in primaryMissingWrites): only for a primary that is lost anyway.
   */
  readonly force?: boolean;
}

/** What a switch of primary did. */
export interface SwitchResult {
  readonly primary: SqlDialect;
  readonly secondary: SqlDialect;
  /** Writes that were still unapplied on the new primary (0 unless forced). */
  readonly unappliedWrites: number;
  readonly sequences: readonly SequenceSync[];
}

/**
 * The SQL port over two databases during a migration: every write goes to the primary first (its
 * result or error is the caller's), then, once the primary has committed it, to the secondary, where
 * a failure never reaches the caller (see SecondaryMirror: recorded, queued, retried in order with
 * back-off; a full queue marks the secondary diverged). A transaction runs on the primary; its write
 * statements are recorded and replayed on the secondary as one transaction after the primary's commit.
 * Reads go to the primary. Writes issued through query() are mirrored unless the SQL only reads
 * (isReadOnlySql). The caller waits for the secondary's attempt too, so after a write returns both
 * databases have it, unless it was queued (stats().pendingRetries).
 *
 * Statements are replayed as written: they must be valid on both dialects (the repositories' SQL
 * is; bulk writes go through writeRows, which each driver runs in its own dialect). `dialect` is the
 * primary's. A serial id assigned by the database (INSERT without an id) is assigned by each side
 * on its own: write explicit ids, or let the divergence check confirm the two agree.
 *
 * switchPrimary() swaps the roles after the secondary has caught up; rollback is the same call again.
 * The old primary stays current as the new secondary, so switching back loses nothing.
 */
export class DualWriteDriver implements SqlDriver {
  readonly #options: DualWriteOptions;
  readonly #gate = new WriteGate();
  #primary: SqlDriver;
  #mirror: SecondaryMirror;
  #switches = 0;
  #primaryMissingWrites = 0;
  #closed = false;

  private constructor(options: DualWriteOptions) {
    this.#options = options;
    this.#primary = options.primary;
    this.#mirror = new SecondaryMirror(options.secondary, options);
  }

  /**
   * Starts dual-write. On a PostgreSQL primary the serial sequences are first moved past the largest
   * ids (rows copied or mirrored with their ids do not advance them).
   */
  static async open(options: DualWriteOptions): Promise<DualWriteDriver> {
    await syncSerialSequences(options.primary, options.tables);
    return new DualWriteDriver(options);
  }

  /** The primary's dialect. */
  get dialect(): SqlDialect {
    return this.#primary.dialect;
  }

  /** The current primary. */
  get primary(): SqlDriver {
    return this.#primary;
  }

  /** The current secondary. */
  get secondary(): SqlDriver {
    return this.#mirror.secondary;
  }

  async query<T extends SqlRow = SqlRow>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    this.#checkOpen();
    if (isReadOnlySql(sql)) return this.#primary.query<T>(sql, params);
    return this.#write(
      (db) => db.query<T>(sql, params),
      () => ({ kind: "query", sql, params: [...params] }),
    );
  }

  async execute(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    this.#checkOpen();
    return this.#write(
      (db) => db.execute(sql, params),
      () => ({ kind: "execute", sql, params: [...params] }),
    );
  }

  async writeRows(table: TableSpec, rows: readonly SqlRow[], mode: WriteMode): Promise<void> {
    this.#checkOpen();
    if (rows.length === 0) return;
    await this.#write(
      (db) => db.writeRows(table, rows, mode),
      () => ({ kind: "writeRows", table, rows: [...rows], mode }),
    );
  }

  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    this.#checkOpen();
    await this.#gate.enter();
    try {
      const statements: MirroredStatement[] = [];
      const result = await this.#primary.transaction((tx) => work(recordingExecutor(tx, statements)));
      if (statements.length > 0) await this.#mirror.mirror({ kind: "transaction", statements });
      return result;
    } finally {
      this.#gate.leave();
    }
  }

  /** Counters of the secondary and the roles. */
  stats(): DualWriteStats {
    return {
      ...this.#mirror.stats(),
      primary: this.#primary.dialect,
      secondary: this.#mirror.secondary.dialect,
      switches: this.#switches,
      primaryMissingWrites: this.#primaryMissingWrites,
    };
  }

  /** What is wrong with the secondary (diverged, or writes waiting for it), or undefined when it is current. */
  degradation(): string | undefined {
    const s = this.stats();
    if (s.diverged)
      return `dual-write: the ${s.secondary} secondary has diverged (${s.divergedReason ?? "see the log"})`;
    if (s.pendingRetries > 0)
      return `dual-write: ${s.pendingRetries} writes waiting for the ${s.secondary} secondary`;
    return undefined;
  }

  /** Retries the secondary's pending writes until none is left or the timeout passes; true when none is left. */
  async drain(timeoutMs: number): Promise<boolean> {
    await this.#mirror.settled();
    return this.#mirror.drain(timeoutMs);
  }

  /**
   * Makes the secondary the primary and the primary the secondary. New writes wait while it runs;
   * writes in flight finish first; the secondary's pending writes are retried (drainTimeoutMs). It
   * refuses (DES_ERR_PRIMARY_SWITCH_REFUSED, nothing changed) when writes are still pending or the secondary
   * has diverged, unless forced. Serial sequences of a PostgreSQL new primary are synced. Rolling back
   * is calling it again.
   */
  async switchPrimary(options: SwitchPrimaryOptions = {}): Promise<SwitchResult> {
    this.#checkOpen();
    return this.#gate.exclusive(async () => {
      await this.#mirror.settled();
      await this.#mirror.drain(options.drainTimeoutMs ?? 5000);
      const before = this.#mirror.stats();
      const unapplied = before.pendingRetries + before.unmirroredWrites;
      if ((before.pendingRetries > 0 || before.diverged) && options.force !== true) {
        throw new DesError(
          ErrorCode.PrimarySwitchRefused,
          before.diverged
            ? `cannot switch primary: the secondary has diverged (${before.divergedReason}); copy it afresh first`
            : `cannot switch primary: ${before.pendingRetries} writes are still pending on the secondary (last error: ${before.lastError})`,
          { pendingRetries: before.pendingRetries, diverged: before.diverged },
        );
      }
      const newPrimary = this.#mirror.secondary;
      const sequences = await syncSerialSequences(newPrimary, this.#options.tables);
      this.#mirror.stop();
      const oldPrimary = this.#primary;
      this.#primary = newPrimary;
      this.#mirror = new SecondaryMirror(oldPrimary, this.#options);
      this.#switches++;
      if (options.force === true) this.#primaryMissingWrites += unapplied;
      return {
        primary: newPrimary.dialect,
        secondary: oldPrimary.dialect,
        unappliedWrites: options.force === true ? unapplied : 0,
        sequences,
      };
    });
  }

  /**
   * Waits for the writes in flight, retries pending writes on the secondary (closeDrainTimeoutMs),
   * then closes both databases. Writes still pending then are lost on the secondary (onDiverged is
   * told; the divergence check lists them).
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#gate.exclusive(async () => {
      this.#closed = true;
      await this.#mirror.settled();
      const drained = await this.#mirror.drain(this.#options.closeDrainTimeoutMs ?? 5000);
      const { pendingRetries } = this.#mirror.stats();
      if (!drained && pendingRetries > 0)
        this.#mirror.markDiverged(`closed with ${pendingRetries} writes not applied on the secondary`);
      this.#mirror.stop();
    });
    const results = await Promise.allSettled([this.#primary.close(), this.#mirror.secondary.close()]);
    const failed = results.find((r) => r.status === "rejected");
    if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
  }

  async #write<T>(onPrimary: (db: SqlDriver) => Promise<T>, toMirror: () => MirroredStatement): Promise<T> {
    await this.#gate.enter();
    try {
      const result = await onPrimary(this.#primary);
      await this.#mirror.mirror(toMirror());
      return result;
    } finally {
      this.#gate.leave();
    }
  }

  #checkOpen(): void {
    if (this.#closed) throw new DesError(ErrorCode.StoreFailed, "dual-write driver is closed");
  }
}

/** An executor that runs on the primary's transaction and records each successful write for the secondary. */
function recordingExecutor(tx: SqlExecutor, statements: MirroredStatement[]): SqlExecutor {
  return {
    dialect: tx.dialect,
    query: async <T extends SqlRow = SqlRow>(sql: string, params: readonly SqlValue[] = []) => {
      const rows = await tx.query<T>(sql, params);
      if (!isReadOnlySql(sql)) statements.push({ kind: "query", sql, params: [...params] });
      return rows;
    },
    execute: async (sql: string, params: readonly SqlValue[] = []) => {
      const changed = await tx.execute(sql, params);
      statements.push({ kind: "execute", sql, params: [...params] });
      return changed;
    },
    writeRows: async (table: TableSpec, rows: readonly SqlRow[], mode: WriteMode) => {
      await tx.writeRows(table, rows, mode);
      if (rows.length > 0) statements.push({ kind: "writeRows", table, rows: [...rows], mode });
    },
  };
}
