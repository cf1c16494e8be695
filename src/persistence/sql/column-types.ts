import type { ColumnType, SqlDialect } from "./sql-types.ts";

/** The SQL type of a logical column type in each dialect. Decimals are never floating point. */
export const COLUMN_SQL_TYPE: Readonly<Record<SqlDialect, Readonly<Record<ColumnType, string>>>> = {
  sqlite: { text: "TEXT", decimal: "TEXT", integer: "INTEGER", boolean: "INTEGER", json: "TEXT" },
  postgres: { text: "TEXT", decimal: "NUMERIC", integer: "BIGINT", boolean: "SMALLINT", json: "TEXT" },
};

/**
 * Replaces the type markers of a migration written once for both dialects: {text}, {decimal},
 * {integer}, {boolean}, {json} and {serial} (an auto-increment integer primary key).
 */
export function dialectSql(sql: string, dialect: SqlDialect): string {
  const types = COLUMN_SQL_TYPE[dialect];
  return sql
    .replaceAll(
      "{serial}",
      dialect === "sqlite" ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "BIGSERIAL PRIMARY KEY",
    )
    .replace(/\{(text|decimal|integer|boolean|json)\}/g, (_, t: ColumnType) => types[t]);
}
