import { Decimal, DesError, ErrorCode, isDesError, MICROS_PER_MS, type UnixMicros } from "../core/index.ts";

/**
 * Epoch values at or above this are microseconds, below it milliseconds. 10^14 ms is the year 5138 and
 * 10^14 us is 1973, so every real market timestamp falls clearly on one side.
 */
const MICROS_THRESHOLD = 1e14;

/** Returns UnixMicros from an epoch value in milliseconds or microseconds, told apart by magnitude. */
export function microsFromEpoch(value: number): UnixMicros {
  return (value >= MICROS_THRESHOLD ? value : value * MICROS_PER_MS) as UnixMicros;
}

/**
 * Reads the fields of one row of a market-data file and turns every problem into a
 * DES_ERR_INVALID_MARKET_DATA error that names the source, the row and the field.
 * One reader serves a whole file: set `row` before reading a row's fields (no allocation per row).
 */
export class FieldReader {
  /** The file name (or a label such as "klines response") used in error messages. */
  readonly source: string;
  /** The 1-based line or row number currently read (0: the file as a whole). */
  row = 0;

  constructor(source: string) {
    this.source = source;
  }

  /** Returns a DES_ERR_INVALID_MARKET_DATA error located at the current row. */
  error(what: string, details: Record<string, unknown> = {}, cause?: unknown): DesError {
    return new DesError(
      ErrorCode.InvalidMarketData,
      `${this.source}${this.row > 0 ? ` row ${this.row}` : ""}: ${what}`,
      { source: this.source, row: this.row, ...details },
      cause === undefined ? undefined : { cause },
    );
  }

  /** Returns the field as an exact Decimal; the value must be a decimal string. */
  decimal(value: unknown, field: string): Decimal {
    if (typeof value !== "string") {
      throw this.error(`${field} must be a decimal string, got ${describe(value)}`, { field });
    }
    try {
      return Decimal.from(value);
    } catch (thrown) {
      throw this.error(`${field} is not a decimal: ${JSON.stringify(value)}`, { field, value }, thrown);
    }
  }

  /** Returns the field as a non-negative exact Decimal. */
  nonNegativeDecimal(value: unknown, field: string): Decimal {
    const d = this.decimal(value, field);
    if (d.isNegative()) throw this.error(`${field} must not be negative, got ${d}`, { field, value });
    return d;
  }

  /** Returns the field as a safe integer; accepts a JSON number or a string of digits. */
  integer(value: unknown, field: string): number {
    let n: number;
    if (typeof value === "number") n = value;
    else if (typeof value === "string" && /^-?\d+$/.test(value.trim())) n = Number(value);
    else throw this.error(`${field} must be an integer, got ${describe(value)}`, { field });
    if (!Number.isSafeInteger(n)) throw this.error(`${field} must be an integer, got ${value}`, { field });
    return n;
  }

  /** Returns an epoch time (milliseconds or microseconds, told apart by magnitude) as UnixMicros. */
  epoch(value: unknown, field: string): UnixMicros {
    const n = this.integer(value, field);
    if (n <= 0) throw this.error(`${field} must be a positive epoch time, got ${n}`, { field });
    return microsFromEpoch(n);
  }

  /** Returns a boolean from a JSON boolean or a "true"/"false" cell in any letter case. */
  boolean(value: unknown, field: string): boolean {
    if (typeof value === "boolean") return value;
    if (typeof value === "string") {
      const v = value.trim().toLowerCase();
      if (v === "true") return true;
      if (v === "false") return false;
    }
    throw this.error(`${field} must be true or false, got ${describe(value)}`, { field });
  }
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "string")
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === "object") return Array.isArray(value) ? "an array" : "an object";
  return `${typeof value} ${String(value)}`;
}

/** Returns true when the value is an InvalidMarketData error (a bad row, which a loader may skip). */
export function isBadRowError(value: unknown): value is DesError {
  return isDesError(value, ErrorCode.InvalidMarketData);
}
