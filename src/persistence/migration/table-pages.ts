import type { SqlExecutor, SqlRow, SqlValue, TableSpec } from "../sql/sql-types.ts";
import { columnType } from "./canonical-row.ts";

/** A primary key value: one value per key column, in key order. */
export type KeyValues = readonly SqlValue[];

/** One page of a table read in primary-key order. */
export interface TablePage {
  readonly rows: readonly SqlRow[];
  /** The key of the page's last row: the next page starts after it. */
  readonly lastKey: KeyValues;
}

/** Where a paged read starts and how large its pages are. */
export interface TablePageOptions {
  /** Rows per page (one query each). */
  readonly pageSize: number;
  /** Start after this key (exclusive); absent: from the first row. */
  readonly after?: KeyValues | undefined;
}

/** Quotes an identifier for both dialects ("name"). */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Reads a whole table in pages, in the database's own primary-key order, by keyset pagination
 * (`WHERE (pk) > (last) ORDER BY pk LIMIT n`): each page is an index range scan, however deep into
 * the table, and a read can resume after any key. The order is the database's own (its collation
 * for text keys): pages of two databases are not compared row by row, only as sets.
 */
export async function* readTablePages(
  db: SqlExecutor,
  spec: TableSpec,
  options: TablePageOptions,
): AsyncGenerator<TablePage> {
  const pageSize = positiveInteger(options.pageSize, "pageSize");
  const columns = spec.columns.map((c) => quoteIdentifier(c.name)).join(", ");
  const key = spec.primaryKey.map(quoteIdentifier);
  const keyList = key.length === 1 ? key[0]! : `(${key.join(", ")})`;
  const after = key.length === 1 ? "?" : `(${key.map(() => "?").join(", ")})`;
  const from = `SELECT ${columns} FROM ${quoteIdentifier(spec.name)}`;
  const tail = `ORDER BY ${key.join(", ")} LIMIT ${pageSize}`;
  const firstSql = `${from} ${tail}`;
  const nextSql = `${from} WHERE ${keyList} > ${after} ${tail}`;
  let last = options.after;
  for (;;) {
    const rows = last === undefined ? await db.query(firstSql) : await db.query(nextSql, last);
    if (rows.length === 0) return;
    last = keyOf(spec, rows[rows.length - 1]!);
    yield { rows, lastKey: last };
    if (rows.length < pageSize) return;
  }
}

/** The primary key values of a row, in key order. */
export function keyOf(spec: TableSpec, row: SqlRow): KeyValues {
  return spec.primaryKey.map((name) => row[name] ?? null);
}

/** Encodes a key as JSON text (bigints as decimal strings) to store it between runs. */
export function encodeKey(key: KeyValues): string {
  return JSON.stringify(key.map((v) => (typeof v === "bigint" ? v.toString() : v)));
}

/**
 * Decodes a key stored by encodeKey, giving integer key columns back their integer type (a number,
 * or a bigint past 2^53) so that both drivers compare them as integers.
 */
export function decodeKey(spec: TableSpec, json: string): KeyValues {
  const values: unknown = JSON.parse(json);
  if (!Array.isArray(values) || values.length !== spec.primaryKey.length)
    throw new Error(`stored key ${json} does not fit the primary key of ${spec.name}`);
  return values.map((v, i) => {
    const type = columnType(spec, spec.primaryKey[i]!);
    if ((type === "integer" || type === "boolean") && typeof v === "string" && /^-?\d+$/.test(v)) {
      const n = Number(v);
      return Number.isSafeInteger(n) ? n : BigInt(v);
    }
    if (v === null || typeof v === "string" || typeof v === "number") return v;
    throw new Error(`stored key ${json} has a value of type ${typeof v}`);
  });
}

function positiveInteger(n: number, name: string): number {
  if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got ${n}`);
  return n;
}
