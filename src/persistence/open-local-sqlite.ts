import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { DesError, ErrorCode, toError } from "../core/index.ts";
import { migrateSqliteSync } from "./schema/migrate.ts";
import { applySqliteSettings } from "./sql/sqlite-driver.ts";

/**
 * Opens (creating the file and its folder if needed) a local SQLite database on DES's schema, with
 * DES's connection settings (applySqliteSettings) and pending migrations applied. Throws
 * DES_ERR_STORE_FAILED naming the path when it cannot.
 */
export function openLocalSqlite(path: string): DatabaseSync {
  try {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    const db = new DatabaseSync(path);
    applySqliteSettings(db);
    migrateSqliteSync(db);
    return db;
  } catch (e) {
    throw new DesError(
      ErrorCode.StoreFailed,
      `cannot open SQLite store ${path}: ${toError(e).message}`,
      { path },
      { cause: e },
    );
  }
}
