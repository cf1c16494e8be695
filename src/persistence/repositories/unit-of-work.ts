import { AsyncLocalStorage } from "node:async_hooks";
import { DesError, ErrorCode } from "../../core/index.ts";
import type { SqlDriver } from "../sql/sql-types.ts";
import { type Repositories, sqlRepositories } from "./repositories.ts";

/**
 * Runs several repository writes as one transaction: all of them are stored, or none. The
 * repositories handed to `work` are bound to that transaction and must not be used after `work`
 * settles (the driver refuses them). Reads inside `work` see the transaction's own writes.
 */
export interface UnitOfWork {
  /** Commits when `work` resolves; rolls back and rethrows when it throws or rejects. */
  run<T>(work: (repos: Repositories) => Promise<T>): Promise<T>;
}

/**
 * UnitOfWork on a SQL driver: one driver transaction per run.
 *
 * Runs of one SqlUnitOfWork are serialized in call order (FIFO) on both databases: they never
 * interleave, a read-modify-write inside `work` cannot lose a concurrent update, and they commit
 * in the order they were started, so a position or balance snapshot computed after another is
 * never overwritten by it. SQLite serializes every transaction anyway; on PostgreSQL, whose
 * transactions run on separate pooled connections at READ COMMITTED, this queue is what gives the
 * guarantee (within this process: other processes, or other code using the driver directly, are
 * only isolated at READ COMMITTED). A failed run does not hold up the next one.
 *
 * Calling run from inside `work` would wait for itself: it is refused with DES_ERR_STORE_FAILED.
 * Inside `work`, use only the repositories given, never the driver (on SQLite that would wait
 * for the transaction that is waiting for it).
 */
export class SqlUnitOfWork implements UnitOfWork {
  readonly #driver: SqlDriver;
  readonly #inside = new AsyncLocalStorage<true>();
  /** Settles when the last run started so far has ended (never rejects). */
  #tail: Promise<unknown> = Promise.resolve();

  constructor(driver: SqlDriver) {
    this.#driver = driver;
  }

  run<T>(work: (repos: Repositories) => Promise<T>): Promise<T> {
    if (this.#inside.getStore() === true) {
      return Promise.reject(
        new DesError(
          ErrorCode.StoreFailed,
          "nested unit of work: use the repositories given to the outer run",
        ),
      );
    }
    const result = this.#tail.then(() =>
      this.#inside.run(true, () => this.#driver.transaction((tx) => work(sqlRepositories(tx)))),
    );
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
