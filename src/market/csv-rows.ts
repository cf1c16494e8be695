/** One non-blank CSV line: its 1-based line number and its comma-separated cells, trimmed. */
export interface CsvRow {
  readonly line: number;
  readonly cells: string[];
}

/**
 * Returns the non-blank lines of a simple CSV text (no quoting: market-data files never quote),
 * accepting \n and \r\n line ends and a missing final newline.
 */
export function splitCsvRows(text: string): CsvRow[] {
  const out: CsvRow[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line.length === 0) continue;
    const cells = line.split(",");
    for (let c = 0; c < cells.length; c++) cells[c] = cells[c]!.trim();
    out.push({ line: i + 1, cells });
  }
  return out;
}

/** Returns true when the cell reads as a number, so a first row of names can be told from data. */
export function isNumericCell(cell: string | undefined): boolean {
  return cell !== undefined && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(cell);
}
