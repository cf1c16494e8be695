import type { SqlRow, SqlValue, TableSpec, WriteMode } from "./sql-types.ts";

/** Quotes an identifier (table or column name) for both dialects. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * The ON CONFLICT clause of a write mode, the same text in SQLite and PostgreSQL: nothing for
 * "insert" (a duplicate fails), DO NOTHING for "ignore", DO UPDATE of every non-key column for
 * "upsert" (DO NOTHING when every column is part of the key).
 */
export function conflictClause(table: TableSpec, mode: WriteMode): string {
  if (mode === "insert") return "";
  const key = table.primaryKey.map(quoteIdent).join(", ");
  const others = table.columns.filter((c) => !table.primaryKey.includes(c.name));
  if (mode === "ignore" || others.length === 0) return ` ON CONFLICT (${key}) DO NOTHING`;
  const sets = others.map((c) => `${quoteIdent(c.name)} = excluded.${quoteIdent(c.name)}`).join(", ");
  return ` ON CONFLICT (${key}) DO UPDATE SET ${sets}`;
}

/**
 * A multi-row INSERT of `rowCount` rows of every column of `table`. `placeholder(i)` renders the
 * i-th parameter (0-based): `?` for SQLite, `$n` for PostgreSQL.
 */
export function multiRowInsertSql(
  table: TableSpec,
  mode: WriteMode,
  rowCount: number,
  placeholder: (index: number) => string,
): string {
  const width = table.columns.length;
  const tuples: string[] = [];
  for (let r = 0; r < rowCount; r++) {
    const cells: string[] = [];
    for (let c = 0; c < width; c++) cells.push(placeholder(r * width + c));
    tuples.push(`(${cells.join(", ")})`);
  }
  const columns = table.columns.map((c) => quoteIdent(c.name)).join(", ");
  return `INSERT INTO ${quoteIdent(table.name)} (${columns}) VALUES ${tuples.join(", ")}${conflictClause(table, mode)}`;
}

/** Flattens rows into the parameter list of a multi-row INSERT (missing columns become NULL). */
export function flattenRows(
  table: TableSpec,
  rows: readonly SqlRow[],
  from: number,
  count: number,
): SqlValue[] {
  const params: SqlValue[] = [];
  const columns = table.columns;
  for (let r = from; r < from + count; r++) {
    const row = rows[r]!;
    for (const column of columns) params.push(row[column.name] ?? null);
  }
  return params;
}

/**
 * Splits `total` rows into chunk sizes: as many full chunks of `maxRows` as fit, then the rest as
 * descending powers of two. Drivers cache one prepared statement per chunk size, so the cache holds
 * at most log2(maxRows) + 1 statements per table and mode whatever the batch sizes.
 */
export function chunkSizes(total: number, maxRows: number): number[] {
  const sizes: number[] = [];
  let left = total;
  while (left >= maxRows) {
    sizes.push(maxRows);
    left -= maxRows;
  }
  for (let p = 2 ** Math.floor(Math.log2(Math.max(1, maxRows))); left > 0 && p >= 1; p /= 2) {
    while (left >= p) {
      sizes.push(p);
      left -= p;
    }
  }
  return sizes;
}

/**
 * Keeps one row per primary key for an upsert: the last one, as if the rows were written one after
 * the other (PostgreSQL refuses a statement that updates the same row twice). Other modes keep the
 * rows as they are.
 */
export function lastRowPerKey(table: TableSpec, rows: readonly SqlRow[], mode: WriteMode): readonly SqlRow[] {
  if (mode !== "upsert" || rows.length < 2) return rows;
  const byKey = new Map<string, SqlRow>();
  const key = table.primaryKey;
  for (const row of rows) {
    const k = key.length === 1 ? String(row[key[0]!]) : JSON.stringify(key.map((c) => String(row[c])));
    byKey.delete(k);
    byKey.set(k, row);
  }
  return byKey.size === rows.length ? rows : [...byKey.values()];
}
