import type { SqlRow, SqlValue, TableSpec } from "./sql-types.ts";

/**
 * Encodes one value for PostgreSQL's COPY text format: NULL is \N; a backslash, tab, newline and
 * carriage return inside text are escaped (\\, \t, \n, \r) so they cannot end a column or a row.
 */
export function copyTextValue(value: SqlValue | undefined): string {
  if (value === null || value === undefined) return "\\N";
  if (typeof value !== "string") return String(value);
  return NEEDS_ESCAPE.test(value) ? value.replace(ESCAPED, escapeChar) : value;
}

const NEEDS_ESCAPE = /[\\\t\n\r]/;
const ESCAPED = /[\\\t\n\r]/g;
const ESCAPES: Readonly<Record<string, string>> = { "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" };

function escapeChar(c: string): string {
  return ESCAPES[c]!;
}

/**
 * Yields the rows of a table as COPY text-format data (one line per row, columns in spec order), in
 * pieces of `rowsPerPiece` rows so a large batch is streamed rather than built as one string.
 */
export function* copyTextPieces(
  table: TableSpec,
  rows: readonly SqlRow[],
  rowsPerPiece = 1000,
): Generator<string> {
  const names = table.columns.map((c) => c.name);
  for (let from = 0; from < rows.length; from += rowsPerPiece) {
    let piece = "";
    const to = Math.min(rows.length, from + rowsPerPiece);
    for (let r = from; r < to; r++) {
      const row = rows[r]!;
      let line = "";
      for (let c = 0; c < names.length; c++) {
        if (c > 0) line += "\t";
        line += copyTextValue(row[names[c]!]);
      }
      piece += `${line}\n`;
    }
    yield piece;
  }
}
