import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import type { PostgresDriverOptions } from "../sql/postgres-driver.ts";
import type { SqlDriver } from "../sql/sql-types.ts";
import { SqliteDriver, type SqliteDriverOptions } from "../sql/sqlite-driver.ts";
import { openTestPostgres } from "./postgres-test-db.ts";

/** Options a contract test may pass to whichever driver it gets. */
export interface TestDriverOptions {
  /** Rows per multi-row INSERT (both drivers); large values exercise the parameter limits. */
  readonly maxRowsPerInsert?: number;
}

/** Opens a fresh, empty database of one kind for one test, closed (and deleted) when the test ends. */
export interface SqlDriverFactory {
  readonly name: string;
  /** Undefined when the test was skipped (PostgreSQL unreachable outside CI). */
  open(t: TestContext, options?: TestDriverOptions): Promise<SqlDriver | undefined>;
}

/** A SQLite file in a temporary folder (WAL needs a file, not :memory:). */
export const sqliteFactory: SqlDriverFactory = {
  name: "sqlite",
  async open(t, options = {}) {
    const dir = mkdtempSync(join(tmpdir(), "des-sql-"));
    const driverOptions: SqliteDriverOptions = { ...options };
    const driver = SqliteDriver.open(join(dir, "des.db"), driverOptions);
    t.after(async () => {
      await driver.close();
      rmSync(dir, { recursive: true, force: true });
    });
    return driver;
  },
};

/** PostgreSQL in a schema of its own, writing batches with COPY. */
export const postgresCopyFactory: SqlDriverFactory = {
  name: "postgres (COPY)",
  open: (t, options = {}) =>
    openTestPostgres(t, { ...options, bulk: "copy" } satisfies Partial<PostgresDriverOptions>),
};

/** PostgreSQL in a schema of its own, writing batches with multi-row INSERTs. */
export const postgresInsertFactory: SqlDriverFactory = {
  name: "postgres (multi-row INSERT)",
  open: (t, options = {}) => openTestPostgres(t, { ...options, bulk: "insert" }),
};

/** Every driver a contract suite runs against: the same test function over each of them. */
export const SQL_DRIVER_FACTORIES: readonly SqlDriverFactory[] = [
  sqliteFactory,
  postgresCopyFactory,
  postgresInsertFactory,
];
