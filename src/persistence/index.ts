export { SqliteStore, type SqliteStoreOptions, type StoreStats } from "./sqlite-store.ts";
