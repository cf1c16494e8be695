import type { SqlExecutor, SqlRow, SqlValue, TableSpec, WriteMode } from "../sql/sql-types.ts";

/** One write statement as the primary ran it, to be replayed on the secondary. */
export type MirroredStatement =
  | { readonly kind: "execute"; readonly sql: string; readonly params: readonly SqlValue[] }
  /** A write issued through query() (INSERT ... RETURNING); its rows are not needed on the secondary. */
  | { readonly kind: "query"; readonly sql: string; readonly params: readonly SqlValue[] }
  | {
      readonly kind: "writeRows";
      readonly table: TableSpec;
      readonly rows: readonly SqlRow[];
      readonly mode: WriteMode;
    };

/** A write the primary committed: one statement, or a whole transaction's statements in order. */
export type MirroredWrite =
  | MirroredStatement
  | { readonly kind: "transaction"; readonly statements: readonly MirroredStatement[] };

/** Replays a mirrored write (a transaction as one transaction) on a database. */
export async function applyMirroredWrite(
  db: SqlExecutor & { transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> },
  write: MirroredWrite,
): Promise<void> {
  if (write.kind !== "transaction") {
    await applyStatement(db, write);
    return;
  }
  if (write.statements.length === 0) return;
  await db.transaction(async (tx) => {
    for (const statement of write.statements) await applyStatement(tx, statement);
  });
}

async function applyStatement(db: SqlExecutor, statement: MirroredStatement): Promise<void> {
  switch (statement.kind) {
    case "execute":
      await db.execute(statement.sql, statement.params);
      return;
    case "query":
      await db.query(statement.sql, statement.params);
      return;
    case "writeRows":
      await db.writeRows(statement.table, statement.rows, statement.mode);
      return;
  }
}

/** Rows a mirrored write carries (its weight in the bounded retry queue; a statement counts as 1). */
export function mirroredRowCount(write: MirroredWrite): number {
  if (write.kind === "writeRows") return write.rows.length;
  if (write.kind === "transaction") return write.statements.reduce((n, s) => n + mirroredRowCount(s), 0);
  return 1;
}

const READ_ONLY_START = /^(select|explain|show|values)\b/i;
const MODIFYING_WORD = /\b(insert|update|delete|merge)\b/i;

/**
 * Tells whether a statement passed to query() only reads (SELECT, EXPLAIN, SHOW, VALUES, or a WITH
 * query without INSERT/UPDATE/DELETE/MERGE). Anything else is treated as a write and mirrored: a
 * false "write" costs a useless replay, a false "read" would lose a write, so doubt means write.
 */
export function isReadOnlySql(sql: string): boolean {
  const text = stripLeadingComments(sql);
  if (READ_ONLY_START.test(text)) return true;
  if (/^with\b/i.test(text)) return !MODIFYING_WORD.test(text);
  return false;
}

function stripLeadingComments(sql: string): string {
  let text = sql.trimStart();
  for (;;) {
    if (text.startsWith("--")) {
      const end = text.indexOf("\n");
      text = end < 0 ? "" : text.slice(end + 1).trimStart();
    } else if (text.startsWith("/*")) {
      const end = text.indexOf("*/");
      text = end < 0 ? "" : text.slice(end + 2).trimStart();
    } else return text.replace(/^\(+\s*/, "");
  }
}
