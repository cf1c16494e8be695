import { type TestContext, test } from "node:test";
import type { SqlDriver } from "../../sql/sql-types.ts";
import { type Repositories, sqlRepositories } from "../repositories.ts";
import { SqlUnitOfWork, type UnitOfWork } from "../unit-of-work.ts";

/**
 * Opens a fresh, migrated, empty database for one test and closes it when the test ends (t.after);
 * returns undefined after t.skip when the database is not available.
 */
export type OpenDriver = (t: TestContext) => Promise<SqlDriver | undefined>;

/** What a contract test gets: the driver, repositories on it, and a unit of work on it. */
export interface ContractContext {
  readonly driver: SqlDriver;
  readonly repos: Repositories;
  readonly uow: UnitOfWork;
}

/** Declares contract tests, each on a database of its own. */
export type ContractTest = (name: string, body: (c: ContractContext) => Promise<void>) => void;

/** A ContractTest on the databases `open` returns. */
export function contractTest(open: OpenDriver): ContractTest {
  return (name, body) => {
    test(name, async (t) => {
      const driver = await open(t);
      if (driver === undefined) return;
      await body({ driver, repos: sqlRepositories(driver), uow: new SqlUnitOfWork(driver) });
    });
  };
}
