import { resolve } from "node:path";
import type { Logger } from "pino";
import { DesError, ErrorCode } from "../core/index.ts";
import { type DesStore, PostgresDriver, SqlDesStore, SqliteStore } from "../persistence/index.ts";
import type { DesConfig } from "./config-schema.ts";

/**
 * Opens the store DB_TYPE chooses: the embedded SQLite file (DES_DB_PATH), or PostgreSQL
 * (POSTGRES_URL, a pool of POSTGRES_POOL connections, POSTGRES_SCHEMA) migrated to the latest schema,
 * with the order intent journal in DES_DB_PATH. Throws a DesError naming what is wrong (the URL's
 * password never appears in it).
 */
export async function openDesStore(config: DesConfig, log: Logger): Promise<DesStore> {
  if (config.dbType === "sqlite") return SqliteStore.open(resolve(config.dbPath));
  if (config.postgresUrl === undefined) {
    throw new DesError(ErrorCode.InvalidConfig, "DB_TYPE=postgres needs POSTGRES_URL (a postgres:// URL)", {
      key: "POSTGRES_URL",
    });
  }
  const driver = await PostgresDriver.open({
    url: config.postgresUrl,
    poolSize: config.postgresPool,
    ...(config.postgresSchema === undefined ? {} : { schema: config.postgresSchema }),
  });
  const storeLog = log.child({ component: "store" });
  try {
    return await SqlDesStore.open({
      driver,
      ownsDriver: true,
      journalPath: resolve(config.dbPath),
      batch: {
        onWriteError: (e) => storeLog.warn({ ...e }, "store write failed; transient errors are retried"),
        onDeadLetter: (l) =>
          storeLog.error({ table: l.table, row: l.row, err: l.error.message }, "row refused by the database"),
      },
    });
  } catch (e) {
    await driver.close();
    throw e;
  }
}

/** Closes a store on a failed start, logging nothing (the caller reports the original error). */
export async function closeQuietly(store: DesStore): Promise<void> {
  try {
    await store.close();
  } catch {
    // The start failed already; its error is the one that matters.
  }
}
