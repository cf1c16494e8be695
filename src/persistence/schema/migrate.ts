import type { DatabaseSync } from "node:sqlite";
import { DesError, ErrorCode, toError } from "../../core/index.ts";
import { dialectSql } from "../sql/column-types.ts";
import type { SqlDialect, SqlDriver, SqlExecutor } from "../sql/sql-types.ts";
import { LATEST_SCHEMA_VERSION, MIGRATIONS, type Migration, migrationSql } from "./migrations.ts";

/** Options of a migration run. */
export interface MigrateOptions {
  /** The schema version wanted (default: the latest). Lower than the current one: down steps are run. */
  readonly targetVersion?: number;
  /** The migrations to apply (default: MIGRATIONS; tests pass their own). */
  readonly migrations?: readonly Migration[];
}

/** What a migration run did. */
export interface MigrationReport {
  /** The schema version before the run (0: empty database). */
  readonly fromVersion: number;
  /** The schema version after the run. */
  readonly toVersion: number;
  /** Versions applied (up), in order. */
  readonly applied: readonly number[];
  /** Versions undone (down), in order. */
  readonly reverted: readonly number[];
}

/** One step of a plan: a migration and the direction it is run in. */
export interface MigrationStep {
  readonly migration: Migration;
  readonly direction: "up" | "down";
}

const MIGRATIONS_TABLE_SQL =
  "CREATE TABLE IF NOT EXISTS schema_migrations (version {integer} PRIMARY KEY, name TEXT NOT NULL, applied_at {integer} NOT NULL)";

/** The key of the PostgreSQL advisory lock that serializes migrations of several DES processes. */
const PG_MIGRATION_LOCK = 727_365_001;

/**
 * Brings a database (SQLite or PostgreSQL) to `targetVersion` (default: the latest): up steps in
 * ascending order, or the `down` steps of the versions above the target in descending order. Each
 * step runs in its own transaction together with its row in schema_migrations(version, name,
 * applied_at in microseconds), so a failure leaves the database at the last completed step. A down
 * run is refused before anything changes when a version on the way has no down step (the error names
 * it). Concurrent runs are safe: each step re-reads the version under a lock (BEGIN IMMEDIATE in
 * SQLite, an advisory lock in PostgreSQL). Migration SQL is split into statements on `;`.
 */
export async function migrate(driver: SqlDriver, options: MigrateOptions = {}): Promise<MigrationReport> {
  const migrations = options.migrations ?? MIGRATIONS;
  const target = options.targetVersion ?? latestVersion(migrations);
  const applied: number[] = [];
  const reverted: number[] = [];
  let fromVersion: number | undefined;
  let current = 0;
  for (;;) {
    const step = await driver.transaction(async (tx) => {
      await lockMigrations(tx);
      await tx.execute(dialectSql(MIGRATIONS_TABLE_SQL, tx.dialect));
      current = await readVersion(tx);
      fromVersion ??= current;
      const next = planMigration(current, target, migrations)[0];
      if (next === undefined) return undefined;
      try {
        for (const sql of stepStatements(next, tx.dialect)) await tx.execute(sql);
      } catch (e) {
        throw stepError(next, e);
      }
      await recordStep(next, (sql, params) => tx.execute(sql, params));
      return next;
    });
    if (step === undefined) break;
    (step.direction === "up" ? applied : reverted).push(step.migration.version);
  }
  return { fromVersion: fromVersion ?? 0, toVersion: current, applied, reverted };
}

/**
 * The synchronous twin of migrate for a node:sqlite connection (the embedded store opens its database
 * synchronously): same plan, one BEGIN IMMEDIATE transaction per step, same schema_migrations rows.
 */
export function migrateSqliteSync(db: DatabaseSync, options: MigrateOptions = {}): MigrationReport {
  const migrations = options.migrations ?? MIGRATIONS;
  const target = options.targetVersion ?? latestVersion(migrations);
  const applied: number[] = [];
  const reverted: number[] = [];
  let fromVersion: number | undefined;
  for (;;) {
    db.exec("BEGIN IMMEDIATE");
    let step: MigrationStep | undefined;
    try {
      db.exec(dialectSql(MIGRATIONS_TABLE_SQL, "sqlite"));
      const current = sqliteVersion(db);
      fromVersion ??= current;
      step = planMigration(current, target, migrations)[0];
      if (step !== undefined) {
        try {
          for (const sql of stepStatements(step, "sqlite")) db.exec(sql);
        } catch (e) {
          throw stepError(step, e);
        }
        recordStep(step, (sql, params) => db.prepare(sql).run(...params));
      }
      db.exec("COMMIT");
    } catch (e) {
      if (db.isTransaction) db.exec("ROLLBACK");
      throw e;
    }
    if (step === undefined)
      return { fromVersion: fromVersion ?? 0, toVersion: sqliteVersion(db), applied, reverted };
    (step.direction === "up" ? applied : reverted).push(step.migration.version);
  }
}

/**
 * The steps from `current` to `target`, in the order they run. Throws DES_ERR_STORE_FAILED when the
 * target is unknown, the database is newer than these migrations, or a down step on the way is missing.
 */
export function planMigration(
  current: number,
  target: number,
  migrations: readonly Migration[] = MIGRATIONS,
): MigrationStep[] {
  const latest = latestVersion(migrations);
  if (!Number.isInteger(target) || target < 0 || target > latest) {
    throw new DesError(
      ErrorCode.StoreFailed,
      `unknown schema version ${target}: this DES knows 0 to ${latest}`,
      {
        targetVersion: target,
        latestVersion: latest,
      },
    );
  }
  if (current > latest) {
    throw new DesError(
      ErrorCode.StoreFailed,
      `database schema version ${current} is newer than this DES knows (${latest}): upgrade DES`,
      { currentVersion: current, latestVersion: latest },
    );
  }
  if (target >= current) {
    return migrations
      .filter((m) => m.version > current && m.version <= target)
      .map((migration) => ({ migration, direction: "up" as const }));
  }
  const downs = migrations.filter((m) => m.version > target && m.version <= current).reverse();
  const irreversible = downs.find((m) => m.down === undefined);
  if (irreversible !== undefined) {
    throw new DesError(
      ErrorCode.StoreFailed,
      `cannot migrate down to version ${target}: migration ${irreversible.version} (${irreversible.name}) has no down step`,
      { currentVersion: current, targetVersion: target, version: irreversible.version },
    );
  }
  return downs.map((migration) => ({ migration, direction: "down" as const }));
}

/** Splits migration SQL into its statements (migrations never put `;` inside a statement). */
export function splitStatements(sql: string): string[] {
  return sql
    .split(";")
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

/** The schema version of a database: the highest applied version, 0 when none (or no migrations table). */
export async function schemaVersion(executor: SqlExecutor): Promise<number> {
  const exists =
    executor.dialect === "sqlite"
      ? await executor.query(
          "SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
        )
      : await executor.query("SELECT 1 AS x WHERE to_regclass('schema_migrations') IS NOT NULL");
  return exists.length === 0 ? 0 : readVersion(executor);
}

function latestVersion(migrations: readonly Migration[]): number {
  return migrations === MIGRATIONS
    ? LATEST_SCHEMA_VERSION
    : migrations.reduce((max, m) => Math.max(max, m.version), 0);
}

async function lockMigrations(tx: SqlExecutor): Promise<void> {
  // SQLite: the transaction is BEGIN IMMEDIATE, which already excludes every other writer.
  if (tx.dialect === "postgres") await tx.query(`SELECT pg_advisory_xact_lock(${PG_MIGRATION_LOCK})`);
}

async function readVersion(executor: SqlExecutor): Promise<number> {
  const rows = await executor.query<{ v: number | null }>("SELECT MAX(version) AS v FROM schema_migrations");
  return Number(rows[0]?.v ?? 0);
}

function sqliteVersion(db: DatabaseSync): number {
  const row = db.prepare("SELECT MAX(version) AS v FROM schema_migrations").get() as { v: number | null };
  return row.v ?? 0;
}

/** The statements of a step in a dialect. */
function stepStatements(step: MigrationStep, dialect: SqlDialect): string[] {
  return splitStatements(migrationSql(step.migration, step.direction, dialect));
}

/** DES_ERR_STORE_FAILED naming the version and direction of the step that failed. */
function stepError(step: MigrationStep, e: unknown): DesError {
  const { migration, direction } = step;
  return new DesError(
    ErrorCode.StoreFailed,
    `migration ${migration.version} (${migration.name}) ${direction} failed: ${toError(e).message}`,
    { version: migration.version, direction },
    { cause: e },
  );
}

function recordStep<R>(
  step: MigrationStep,
  run: (sql: string, params: [number, string, number] | [number]) => R,
): R {
  const { migration, direction } = step;
  return direction === "up"
    ? run("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", [
        migration.version,
        migration.name,
        Date.now() * 1000,
      ])
    : run("DELETE FROM schema_migrations WHERE version = ?", [migration.version]);
}
