import { Decimal, DesError, ErrorCode, type UnixMicros } from "../../core/index.ts";
import type { SqlRow, SqlValue } from "../sql/sql-types.ts";

/**
 * Decoding of column values as the two drivers return them. SQLite gives numbers and text;
 * PostgreSQL gives NUMERIC and BIGINT as text. Every reader accepts both and fails with
 * DES_ERR_STORE_FAILED on a value that cannot be what the column should hold.
 */

function badValue(column: string, value: SqlValue | undefined, expected: string): DesError {
  return new DesError(ErrorCode.StoreFailed, `column ${column}: expected ${expected}, got ${String(value)}`, {
    column,
    value: String(value),
  });
}

/** A NOT NULL text column. */
export function textOf(row: SqlRow, column: string): string {
  const v = row[column];
  if (typeof v !== "string") throw badValue(column, v, "text");
  return v;
}

/** A nullable text column: NULL becomes undefined. */
export function optionalTextOf(row: SqlRow, column: string): string | undefined {
  const v = row[column];
  if (v === null || v === undefined) return undefined;
  if (typeof v !== "string") throw badValue(column, v, "text or NULL");
  return v;
}

/** A 64-bit integer column within the safe integer range (timestamps, counts, ids). */
export function integerOf(row: SqlRow, column: string): number {
  const v = row[column];
  const n = typeof v === "number" ? v : typeof v === "bigint" || typeof v === "string" ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) throw badValue(column, v, "an integer");
  return n;
}

/** A microsecond timestamp column. */
export function microsOf(row: SqlRow, column: string): UnixMicros {
  return integerOf(row, column) as UnixMicros;
}

/** An exact decimal column (TEXT in SQLite, NUMERIC in PostgreSQL), read without floating point. */
export function decimalOf(row: SqlRow, column: string): Decimal {
  const v = row[column];
  if (typeof v === "string") return Decimal.from(v);
  if (typeof v === "bigint") return Decimal.from(v);
  // SQLite hands back an integer-looking TEXT value as text, so a number here means a foreign writer.
  if (typeof v === "number" && Number.isSafeInteger(v)) return Decimal.from(BigInt(v));
  throw badValue(column, v, "a decimal string");
}

/** A JSON column, parsed. */
export function jsonOf(row: SqlRow, column: string): unknown {
  const text = textOf(row, column);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new DesError(ErrorCode.StoreFailed, `column ${column}: invalid JSON`, { column }, { cause: e });
  }
}

/** The text a decimal is stored as: its exact canonical form, never a float. */
export function decimalText(value: Decimal): string {
  return value.toString();
}

/** The text a JSON column stores (undefined is stored as null). */
export function jsonText(value: unknown): string {
  return JSON.stringify(value ?? null);
}

/** A map of asset -> amount as stored in a JSON column: keys sorted, amounts as exact strings. */
export function decimalMapText(map: Readonly<Record<string, Decimal>>): string {
  const out: Record<string, string> = {};
  for (const key of Object.keys(map).sort()) out[key] = decimalText(map[key]!);
  return JSON.stringify(out);
}

/** Parses a JSON column written by decimalMapText. */
export function decimalMapOf(row: SqlRow, column: string): Record<string, Decimal> {
  const parsed = jsonOf(row, column);
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw badValue(column, String(parsed), "a JSON object of decimals");
  }
  const out: Record<string, Decimal> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value !== "string") throw badValue(column, String(value), "a decimal string");
    out[key] = Decimal.from(value);
  }
  return out;
}

/** The row count of a `SELECT COUNT(*) AS n` query. */
export function countOf(rows: readonly SqlRow[]): number {
  const row = rows[0];
  return row === undefined ? 0 : integerOf(row, "n");
}
