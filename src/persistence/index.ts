export { isFinalStoredStatus, type JournaledOrder, SqliteOrderJournal } from "./sqlite-order-journal.ts";
export { SqliteStore, type SqliteStoreOptions, type StoreStats } from "./sqlite-store.ts";
