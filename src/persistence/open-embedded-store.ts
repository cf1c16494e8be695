import { basename, dirname, extname, join } from "node:path";
import type { BatchWriterOptions } from "./batch/batch-writer-options.ts";
import { migrate } from "./schema/migrate.ts";
import { SqliteDriver } from "./sql/sqlite-driver.ts";
import { SqlDesStore } from "./sql-des-store.ts";

/**
 * The order intent journal's file when none is set and the records are in the SQLite file `dbPath`:
 * beside it, named after it ("./data/des.sqlite" -> "./data/des-journal.sqlite"). A file of its own:
 * the batch writer writes the records' file in async transactions, which the journal's synchronous
 * writes must neither wait on nor join.
 */
export function defaultJournalPath(dbPath: string): string {
  const ext = extname(dbPath);
  return join(dirname(dbPath), `${basename(dbPath, ext)}-journal${ext === "" ? ".sqlite" : ext}`);
}

/** Settings of the embedded store. */
export interface EmbeddedStoreOptions {
  /** The SQLite file of DES's records (DES_DB_PATH). */
  readonly dbPath: string;
  /** The SQLite file of the order intent journal (DES_JOURNAL_PATH); default defaultJournalPath(dbPath). */
  readonly journalPath?: string;
  /** The batch writer's settings. */
  readonly batch?: BatchWriterOptions;
}

/**
 * Opens the embedded default store (DB_TYPE=sqlite): SqlDesStore on a SqliteDriver of `dbPath`,
 * migrated, with the journal in its own file. Intents still open in the records' file (where
 * releases before the journal had a file of its own kept them) are imported into the journal.
 */
export async function openEmbeddedStore(options: EmbeddedStoreOptions): Promise<SqlDesStore> {
  const driver = SqliteDriver.open(options.dbPath);
  try {
    await migrate(driver);
    return await SqlDesStore.open({
      driver,
      ownsDriver: true,
      migrate: false,
      journalPath: options.journalPath ?? defaultJournalPath(options.dbPath),
      ...(options.batch === undefined ? {} : { batch: options.batch }),
    });
  } catch (e) {
    await driver.close();
    throw e;
  }
}
