import { COLUMN_SQL_TYPE } from "../sql/column-types.ts";
import type { SqlExecutor, SqlRow, SqlValue, TableSpec } from "../sql/sql-types.ts";
import { canonicalKeyText, canonicalRowText, canonicalValue, columnType } from "./canonical-row.ts";
import { checksumTable } from "./table-checksum.ts";
import { keyOf, quoteIdentifier, readTablePages } from "./table-pages.ts";

/** One side of a comparison: a database and the name reports give it ("sqlite", "primary"). */
export interface NamedDatabase {
  readonly name: string;
  readonly db: SqlExecutor;
}

/** A row that is not the same on both sides. */
export interface DivergentRow {
  readonly table: string;
  /** `missing`: the row exists on one side only (`presentIn` names it); `different`: contents differ. */
  readonly kind: "missing" | "different";
  /** For `missing`: the side that has the row. */
  readonly presentIn?: string;
  /** The primary key, column -> value. */
  readonly key: Readonly<Record<string, SqlValue>>;
  /** For `different`: the columns that differ, with each side's canonical value. */
  readonly columns?: readonly { column: string; a: string; b: string }[];
}

/** The divergence of one table. */
export interface TableDivergence {
  readonly table: string;
  /** Rows only on side a. */
  readonly onlyInA: number;
  /** Rows only on side b. */
  readonly onlyInB: number;
  /** Rows on both sides whose contents differ. */
  readonly different: number;
  /** The first divergent rows found (at most maxListed per table). */
  readonly rows: readonly DivergentRow[];
}

/** The result of a divergence check. */
export interface DivergenceReport {
  readonly a: string;
  readonly b: string;
  readonly tables: readonly TableDivergence[];
  /** True when no table diverges. */
  readonly identical: boolean;
}

/** Options of checkDivergence. */
export interface DivergenceOptions {
  /** Divergent rows listed per table (default 20); all are counted. */
  readonly maxListed?: number;
  /** Keys looked up per query (default 500). */
  readonly pageSize?: number;
}

/**
 * Lists the rows that differ between two databases, table by table: rows missing on either side and
 * rows whose canonical content differs (decimals compared by value, see canonicalRowText). A table
 * whose count and content checksum agree on both sides is not examined further (the common case
 * costs one read of each side). Otherwise each side is read in pages in its own key order and each
 * page's keys are looked up on the other side (the two databases order text keys differently, so a
 * merge of two ordered streams would not be sound). Counts are exact; the listed rows are bounded.
 * Writes during the check show up as transient differences: run it when writes are quiet, or twice.
 */
export async function checkDivergence(
  a: NamedDatabase,
  b: NamedDatabase,
  tables: readonly TableSpec[],
  options: DivergenceOptions = {},
): Promise<DivergenceReport> {
  const maxListed = options.maxListed ?? 20;
  const pageSize = options.pageSize ?? 500;
  const results: TableDivergence[] = [];
  for (const spec of tables) {
    const [sumA, sumB] = await Promise.all([checksumTable(a.db, spec), checksumTable(b.db, spec)]);
    if (sumA.rows === sumB.rows && sumA.checksum === sumB.checksum) {
      results.push({ table: spec.name, onlyInA: 0, onlyInB: 0, different: 0, rows: [] });
      continue;
    }
    const listed: DivergentRow[] = [];
    const list = (row: DivergentRow) => {
      if (listed.length < maxListed) listed.push(row);
    };
    const forward = await compareFrom(a, b, spec, pageSize, list, true);
    const backward = await compareFrom(b, a, spec, pageSize, list, false);
    results.push({
      table: spec.name,
      onlyInA: forward.missing,
      onlyInB: backward.missing,
      different: forward.different,
      rows: listed,
    });
  }
  return {
    a: a.name,
    b: b.name,
    tables: results,
    identical: results.every((t) => t.onlyInA === 0 && t.onlyInB === 0 && t.different === 0),
  };
}

/**
 * Reads `from` page by page and looks each page's keys up in `other`: counts the rows missing there
 * and, when `compareContent`, the rows whose content differs (`from` is then side a).
 */
async function compareFrom(
  from: NamedDatabase,
  other: NamedDatabase,
  spec: TableSpec,
  pageSize: number,
  list: (row: DivergentRow) => void,
  compareContent: boolean,
): Promise<{ missing: number; different: number }> {
  let missing = 0;
  let different = 0;
  for await (const page of readTablePages(from.db, spec, { pageSize })) {
    const found = new Map<string, SqlRow>();
    for (const row of await lookUpKeys(other.db, spec, page.rows))
      found.set(canonicalKeyText(spec, row), row);
    for (const row of page.rows) {
      const match = found.get(canonicalKeyText(spec, row));
      if (match === undefined) {
        missing++;
        list({ table: spec.name, kind: "missing", presentIn: from.name, key: keyRecord(spec, row) });
      } else if (compareContent && canonicalRowText(spec, row) !== canonicalRowText(spec, match)) {
        different++;
        list({
          table: spec.name,
          kind: "different",
          key: keyRecord(spec, row),
          columns: spec.columns
            .map((c) => ({
              column: c.name,
              a: canonicalValue(c.type, row[c.name]),
              b: canonicalValue(c.type, match[c.name]),
            }))
            .filter((c) => c.a !== c.b),
        });
      }
    }
  }
  return { missing, different };
}

/**
 * Fetches the rows of `db` with the keys of `rows`: `pk IN (?, ...)` for a one-column key,
 * `(k1, k2) IN (VALUES (CAST(? AS t1), CAST(? AS t2)), ...)` for a composite one (the casts give
 * PostgreSQL the parameter types it cannot infer inside VALUES).
 */
async function lookUpKeys(db: SqlExecutor, spec: TableSpec, rows: readonly SqlRow[]): Promise<SqlRow[]> {
  if (rows.length === 0) return [];
  const columns = spec.columns.map((c) => quoteIdentifier(c.name)).join(", ");
  const key = spec.primaryKey;
  const params: SqlValue[] = [];
  for (const row of rows) params.push(...keyOf(spec, row));
  let where: string;
  if (key.length === 1) {
    where = `${quoteIdentifier(key[0]!)} IN (${rows.map(() => "?").join(", ")})`;
  } else {
    const types = COLUMN_SQL_TYPE[db.dialect];
    const tuple = `(${key.map((k) => `CAST(? AS ${types[columnType(spec, k)]})`).join(", ")})`;
    where = `(${key.map(quoteIdentifier).join(", ")}) IN (VALUES ${rows.map(() => tuple).join(", ")})`;
  }
  return db.query(`SELECT ${columns} FROM ${quoteIdentifier(spec.name)} WHERE ${where}`, params);
}

function keyRecord(spec: TableSpec, row: SqlRow): Record<string, SqlValue> {
  const out: Record<string, SqlValue> = {};
  for (const k of spec.primaryKey) {
    const v = row[k] ?? null;
    out[k] = typeof v === "bigint" ? v.toString() : v;
  }
  return out;
}

/** Formats a divergence report as text: one line per table, then the listed rows. */
export function formatDivergenceReport(report: DivergenceReport): string {
  const lines: string[] = [];
  for (const t of report.tables) {
    const clean = t.onlyInA === 0 && t.onlyInB === 0 && t.different === 0;
    lines.push(
      clean
        ? `${t.table}: identical`
        : `${t.table}: ${t.onlyInA} only in ${report.a}, ${t.onlyInB} only in ${report.b}, ${t.different} different`,
    );
    for (const row of t.rows) {
      const key = JSON.stringify(row.key);
      if (row.kind === "missing") lines.push(`  only in ${row.presentIn}: ${key}`);
      else
        lines.push(
          `  different: ${key}: ${(row.columns ?? []).map((c) => `${c.column} ${report.a}=${c.a} ${report.b}=${c.b}`).join("; ")}`,
        );
    }
  }
  lines.push(
    report.identical
      ? `no divergence between ${report.a} and ${report.b}`
      : `DIVERGED: ${report.a} and ${report.b} differ`,
  );
  return lines.join("\n");
}
