import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Logger } from "pino";
import { DesError, ErrorCode } from "../core/index.ts";
import {
  ALL_TABLES,
  type DesStore,
  DualWriteDriver,
  defaultJournalPath,
  migrate,
  PostgresDriver,
  SqlDesStore,
  type SqlDriver,
  SqliteDriver,
} from "../persistence/index.ts";
import type { DesConfig } from "./config-schema.ts";

/** Which database holds what, as the settings say. */
export interface StorePlan {
  readonly primary: "sqlite" | "postgres";
  readonly secondary: "sqlite" | "postgres" | undefined;
  /** The local file of the order intent journal (SqlDesStore only). */
  readonly journalPath: string;
}

/**
 * Checks the database settings together and decides which file holds the journal; throws
 * DES_ERR_INVALID_CONFIG naming the setting that is wrong.
 */
export function planStore(config: DesConfig): StorePlan {
  const secondary = config.dbSecondary === "none" ? undefined : config.dbSecondary;
  const invalid = (key: string, message: string) => new DesError(ErrorCode.InvalidConfig, message, { key });
  if (secondary === config.dbType) {
    throw invalid("DB_SECONDARY", `DB_SECONDARY must be the other database than DB_TYPE (${config.dbType})`);
  }
  if ((config.dbType === "postgres" || secondary === "postgres") && config.postgresUrl === undefined) {
    throw invalid("POSTGRES_URL", "PostgreSQL is used (DB_TYPE or DB_SECONDARY) but POSTGRES_URL is not set");
  }
  const dbPath = resolve(config.dbPath);
  const journalPath = config.journalPath === undefined ? undefined : resolve(config.journalPath);
  if (config.dbType === "sqlite" && secondary === undefined) {
    if (journalPath === dbPath) {
      // The batch writer writes DES_DB_PATH in async transactions; the journal's synchronous
      // writes must not wait on (or join) them.
      throw invalid(
        "DES_JOURNAL_PATH",
        "DES_JOURNAL_PATH must be a file of its own, other than DES_DB_PATH (the records' file)",
      );
    }
    return { primary: "sqlite", secondary, journalPath: journalPath ?? defaultJournalPath(dbPath) };
  }
  if (secondary !== undefined && (journalPath === undefined || journalPath === dbPath)) {
    // The SQLite side of a dual-write writes DES_DB_PATH in async transactions; the journal's
    // synchronous writes must not wait on (or join) them.
    throw invalid(
      "DES_JOURNAL_PATH",
      "dual-write (DB_SECONDARY) needs DES_JOURNAL_PATH: a local SQLite file for the order intent journal, other than DES_DB_PATH",
    );
  }
  if (journalPath !== undefined || secondary !== undefined) {
    return { primary: config.dbType, secondary, journalPath: journalPath ?? dbPath };
  }
  // PostgreSQL alone, no DES_JOURNAL_PATH: the journal stays where the last run kept it. After the
  // embedded store (a move by `des db migrate`) that is its file beside DES_DB_PATH; a PostgreSQL
  // deployment of an earlier release kept it in DES_DB_PATH itself.
  const besideDb = defaultJournalPath(dbPath);
  return { primary: config.dbType, secondary, journalPath: existsSync(besideDb) ? besideDb : dbPath };
}

/**
 * Opens the store the settings choose: the embedded SQLite file (DB_TYPE=sqlite, the default), with
 * the order intent journal in a file of its own (DES_JOURNAL_PATH, default beside DES_DB_PATH);
 * PostgreSQL (DB_TYPE=postgres: POSTGRES_URL, a pool of POSTGRES_POOL connections, POSTGRES_SCHEMA),
 * migrated to the latest schema, with the order intent journal in DES_JOURNAL_PATH (default: the
 * embedded store's journal file when it exists, else DES_DB_PATH); or a dual-write of both (DB_SECONDARY, see docs/db-migration-runbook.md), each side
 * migrated. Throws a DesError naming what is wrong (a URL's password never appears in it).
 */
export async function openDesStore(config: DesConfig, log: Logger): Promise<DesStore> {
  const plan = planStore(config);
  const storeLog = log.child({ component: "store" });
  const opened: SqlDriver[] = [];
  try {
    const open = async (kind: "sqlite" | "postgres"): Promise<SqlDriver> => {
      const driver =
        kind === "sqlite"
          ? SqliteDriver.open(resolve(config.dbPath))
          : await PostgresDriver.open({
              url: config.postgresUrl as string,
              poolSize: config.postgresPool,
              ...(config.postgresSchema === undefined ? {} : { schema: config.postgresSchema }),
            });
      opened.push(driver);
      await migrate(driver);
      return driver;
    };
    const primary = await open(plan.primary);
    const driver =
      plan.secondary === undefined
        ? primary
        : await DualWriteDriver.open({
            primary,
            secondary: await open(plan.secondary),
            tables: ALL_TABLES,
            onFailure: (e) =>
              storeLog.warn(
                { err: e.message, secondary: plan.secondary },
                "dual-write: secondary write failed; retried",
              ),
            onDiverged: (reason) =>
              storeLog.error({ reason, secondary: plan.secondary }, "dual-write: the secondary has diverged"),
          });
    if (plan.secondary !== undefined) {
      storeLog.info({ primary: plan.primary, secondary: plan.secondary }, "dual-write on");
    }
    return await SqlDesStore.open({
      driver,
      ownsDriver: true,
      migrate: false,
      journalPath: plan.journalPath,
      // With PostgreSQL as the records' database, DES_DB_PATH may still hold intents that an
      // earlier layout journaled there (the SQLite records' file is read by the driver anyway).
      ...(plan.primary === "postgres" ? { alsoImportIntentsFrom: resolve(config.dbPath) } : {}),
      batch: {
        onWriteError: (e) => storeLog.warn({ ...e }, "store write failed; transient errors are retried"),
        onDeadLetter: (l) =>
          storeLog.error({ table: l.table, row: l.row, err: l.error.message }, "row refused by the database"),
      },
    });
  } catch (e) {
    await Promise.allSettled(opened.map((d) => d.close()));
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
