export * from "./batch/index.ts";
export * from "./cache/index.ts";
export type {
  Awaitable,
  DbType,
  DesStore,
  StoreCounts,
  StoreDatabases,
  StoredStrategyInstance,
  StoreStats,
} from "./des-store.ts";
export * from "./migration/index.ts";
export {
  defaultJournalPath,
  type EmbeddedStoreOptions,
  openEmbeddedStore,
} from "./open-embedded-store.ts";
export * from "./repositories/index.ts";
export { migrate, migrateSqliteSync, schemaVersion } from "./schema/migrate.ts";
export { LATEST_SCHEMA_VERSION, MIGRATIONS, type Migration } from "./schema/migrations.ts";
export { ALL_TABLES, TABLES } from "./schema/tables.ts";
export { PostgresDriver, type PostgresDriverOptions } from "./sql/postgres-driver.ts";
export { redactUrl } from "./sql/redact-url.ts";
export type {
  ColumnSpec,
  ColumnType,
  SqlDialect,
  SqlDriver,
  SqlExecutor,
  SqlRow,
  SqlValue,
  TableSpec,
  WriteMode,
} from "./sql/sql-types.ts";
export { SqliteDriver } from "./sql/sqlite-driver.ts";
export { isTransientDbError } from "./sql/transient-errors.ts";
export { SqlDesStore, type SqlDesStoreOptions } from "./sql-des-store.ts";
export { isFinalStoredStatus, type JournaledOrder, SqliteOrderJournal } from "./sqlite-order-journal.ts";
