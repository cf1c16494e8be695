import type { ColumnType, SqlValue, TableSpec } from "../sql/sql-types.ts";

/** The text a NULL column has in the canonical form (as in PostgreSQL's COPY text format). */
export const CANONICAL_NULL = "\\N";

const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ZERO = 48;
const NINE = 57;
const DOT = 46;
const MINUS = 45;
const PLUS = 43;

/**
 * Normalises the text of an exact decimal so that equal values have equal text on both databases:
 * PostgreSQL NUMERIC keeps its scale ("1.50") where SQLite keeps what was written ("1.5"). Leading
 * zeros of the integer part and trailing zeros of the fraction go, "-0" becomes "0", a leading "+"
 * goes. Text that is not a plain decimal (an exponent, "NaN") is returned as it is. (A character scan
 * rather than a regular expression: it runs for every decimal of every row of a verification.)
 */
export function normalizeDecimalText(text: string): string {
  const length = text.length;
  let start = 0;
  let negative = false;
  const first = text.charCodeAt(0);
  if (first === MINUS || first === PLUS) {
    negative = first === MINUS;
    start = 1;
  }
  let dot = -1;
  for (let i = start; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === DOT) {
      if (dot >= 0) return text;
      dot = i;
    } else if (c < ZERO || c > NINE) return text;
  }
  if (length - start - (dot >= 0 ? 1 : 0) === 0) return text; // "", "+", "-", "."
  let end = length;
  const intEnd = dot >= 0 ? dot : length;
  if (dot >= 0) {
    while (end > dot + 1 && text.charCodeAt(end - 1) === ZERO) end--;
    if (end === dot + 1) end = dot;
  }
  let intStart = start;
  while (intStart < intEnd - 1 && text.charCodeAt(intStart) === ZERO) intStart++;
  const body = intStart === intEnd ? `0${text.slice(intEnd, end)}` : text.slice(intStart, end);
  if (body === "0") return "0";
  return negative ? `-${body}` : body;
}

/**
 * The canonical text of one column value, identical on SQLite and PostgreSQL for equal content:
 * NULL is `\N`, integers and booleans are decimal integer text (whether the driver returned a number,
 * a bigint or a string), decimals are normalised (normalizeDecimalText), text and JSON are kept byte
 * for byte with `\`, tab, CR and LF escaped so that the row text stays unambiguous.
 */
export function canonicalValue(type: ColumnType, value: SqlValue | undefined): string {
  if (value === null || value === undefined) return CANONICAL_NULL;
  switch (type) {
    case "integer":
    case "boolean":
      return typeof value === "string" ? normalizeDecimalText(value) : String(value);
    case "decimal":
      return normalizeDecimalText(String(value));
    default: {
      const text = String(value);
      return NEEDS_ESCAPE.test(text) ? escapeText(text) : text;
    }
  }
}

/** The canonical text of a row: every column of the spec, in spec order, tab-separated. */
export function canonicalRowText(spec: TableSpec, row: Readonly<Record<string, SqlValue>>): string {
  let out = "";
  const columns = spec.columns;
  for (let i = 0; i < columns.length; i++) {
    const column = columns[i]!;
    if (i > 0) out += "\t";
    out += canonicalValue(column.type, row[column.name]);
  }
  return out;
}

/** The canonical text of a row's primary key (the key columns, tab-separated): a map key for comparisons. */
export function canonicalKeyText(spec: TableSpec, row: Readonly<Record<string, SqlValue>>): string {
  let out = "";
  for (let i = 0; i < spec.primaryKey.length; i++) {
    const name = spec.primaryKey[i]!;
    if (i > 0) out += "\t";
    out += canonicalValue(columnType(spec, name), row[name]);
  }
  return out;
}

/** The logical type of a column of the spec (a key column missing from the columns is a spec bug). */
export function columnType(spec: TableSpec, name: string): ColumnType {
  const column = spec.columns.find((c) => c.name === name);
  if (column === undefined) throw new Error(`table ${spec.name} has no column ${name}`);
  return column.type;
}

function escapeText(text: string): string {
  return text.replace(/[\\\t\n\r]/g, (c) =>
    c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r",
  );
}
