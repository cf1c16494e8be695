import type { SqlExecutor, TableSpec } from "../sql/sql-types.ts";
import { columnType } from "./canonical-row.ts";
import { quoteIdentifier } from "./table-pages.ts";

/** A PostgreSQL sequence moved past the largest id of its table. */
export interface SequenceSync {
  readonly table: string;
  readonly sequence: string;
  /** The id the next insert without an id will get. */
  readonly nextId: string;
}

/**
 * Sets every PostgreSQL sequence behind a serial primary key (signals.id) so that the next id is
 * max(id) + 1. Rows copied or mirrored with their ids do not advance a sequence, and without this the
 * first insert without an id after a copy or a switch of primary would collide with a copied row.
 * SQLite needs nothing (AUTOINCREMENT follows the largest id written), so there it returns [].
 */
export async function syncSerialSequences(
  db: SqlExecutor,
  tables: readonly TableSpec[],
): Promise<SequenceSync[]> {
  if (db.dialect !== "postgres") return [];
  const synced: SequenceSync[] = [];
  for (const spec of tables) {
    const [key] = spec.primaryKey;
    if (spec.primaryKey.length !== 1 || key === undefined || columnType(spec, key) !== "integer") continue;
    const [found] = await db.query<{ seq: string | null }>("SELECT pg_get_serial_sequence(?, ?) AS seq", [
      quoteIdentifier(spec.name),
      key,
    ]);
    const sequence = found?.seq ?? null;
    if (sequence === null) continue;
    const [next] = await db.query<{ next_id: string | number }>(
      `SELECT setval(CAST(? AS regclass), (SELECT COALESCE(MAX(${quoteIdentifier(key)}), 0) + 1 FROM ${quoteIdentifier(spec.name)}), false) AS next_id`,
      [sequence],
    );
    const nextId = String(next?.next_id ?? 1);
    synced.push({ table: spec.name, sequence, nextId });
  }
  return synced;
}
