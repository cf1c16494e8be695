import type { SqlExecutor, TableSpec } from "../sql/sql-types.ts";
import { checksumTable, DEFAULT_CHECKSUM_PAGE_SIZE, type TableChecksum } from "./table-checksum.ts";

/** One table of a verification: counts and checksums on both databases. */
export interface TableVerification {
  readonly table: string;
  readonly sourceRows: number;
  readonly targetRows: number;
  readonly sourceChecksum: string;
  readonly targetChecksum: string;
  /** True when the counts and the checksums are equal. */
  readonly match: boolean;
}

/** The result of comparing two databases table by table. */
export interface VerificationReport {
  readonly tables: readonly TableVerification[];
  /** True when every table matches. */
  readonly ok: boolean;
}

/**
 * Compares two databases table by table: row counts and content checksums (checksumTable), each
 * table read on both sides at the same time. Run it while nothing writes, or it compares moving data.
 */
export async function verifyTables(
  source: SqlExecutor,
  target: SqlExecutor,
  tables: readonly TableSpec[],
  pageSize = DEFAULT_CHECKSUM_PAGE_SIZE,
): Promise<VerificationReport> {
  const results: TableVerification[] = [];
  for (const spec of tables) {
    const [s, t] = await Promise.all([
      checksumTable(source, spec, pageSize),
      checksumTable(target, spec, pageSize),
    ]);
    results.push(compare(s, t));
  }
  return { tables: results, ok: results.every((r) => r.match) };
}

function compare(source: TableChecksum, target: TableChecksum): TableVerification {
  return {
    table: source.table,
    sourceRows: source.rows,
    targetRows: target.rows,
    sourceChecksum: source.checksum,
    targetChecksum: target.checksum,
    match: source.rows === target.rows && source.checksum === target.checksum,
  };
}

/** Formats a verification report as aligned text lines (one per table, then a verdict). */
export function formatVerificationReport(report: VerificationReport, sourceName: string, targetName: string) {
  const width = Math.max(5, ...report.tables.map((t) => t.table.length));
  const lines = [
    `${"table".padEnd(width)}  ${`${sourceName} rows`.padStart(14)}  ${`${targetName} rows`.padStart(14)}  checksums (first 16 hex digits)     result`,
  ];
  for (const t of report.tables) {
    lines.push(
      `${t.table.padEnd(width)}  ${String(t.sourceRows).padStart(14)}  ${String(t.targetRows).padStart(14)}  ` +
        `${t.sourceChecksum.slice(0, 16)} ${t.targetChecksum.slice(0, 16)}  ${t.match ? "match" : "MISMATCH"}`,
    );
  }
  const bad = report.tables.filter((t) => !t.match).length;
  lines.push(report.ok ? "verified: every table matches" : `NOT verified: ${bad} table(s) differ`);
  return lines.join("\n");
}
