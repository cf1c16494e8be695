import type { UnixMicros } from "../../core/index.ts";
import { TABLES } from "../schema/tables.ts";
import type { SqlExecutor, SqlRow } from "../sql/sql-types.ts";
import { jsonOf, jsonText, microsOf, textOf } from "./row-values.ts";
import { orderBy } from "./text-order.ts";
import { writeRows } from "./write-rows.ts";

/** The daily risk counters of one scope (the whole account, or one strategy) for one risk day. */
export interface RiskCounterRecord {
  /** What the counters cover ("global", a strategy id, ...). */
  readonly scope: string;
  /** The risk day the counters belong to ("2024-05-01"); a restart on another day starts from zero. */
  readonly day: string;
  /** The risk engine's snapshot (JSON-serialisable). */
  readonly snapshot: unknown;
  readonly updatedAt: UnixMicros;
}

/** Daily risk counters, one snapshot per scope, replaced on every save. */
export interface RiskCounterRepository {
  /** Saves (inserts or replaces) the snapshot of a scope. */
  save(record: RiskCounterRecord): Promise<void>;
  /** The snapshot of a scope, or undefined. */
  load(scope: string): Promise<RiskCounterRecord | undefined>;
  /** Every scope's snapshot, by scope. */
  all(): Promise<RiskCounterRecord[]>;
}

const COLUMNS = TABLES.riskCounters.columns.map((c) => c.name).join(", ");

/** RiskCounterRepository on the SQL port. */
export class SqlRiskCounterRepository implements RiskCounterRepository {
  readonly #db: SqlExecutor;

  constructor(db: SqlExecutor) {
    this.#db = db;
  }

  async save(record: RiskCounterRecord): Promise<void> {
    const row: SqlRow = {
      scope: record.scope,
      day: record.day,
      snapshot_json: jsonText(record.snapshot),
      updated_at: record.updatedAt,
    };
    await writeRows(this.#db, TABLES.riskCounters, [row], "upsert");
  }

  async load(scope: string): Promise<RiskCounterRecord | undefined> {
    const rows = await this.#db.query(`SELECT ${COLUMNS} FROM risk_counters WHERE scope = ?`, [scope]);
    return rows[0] === undefined ? undefined : counterOf(rows[0]);
  }

  async all(): Promise<RiskCounterRecord[]> {
    const rows = await this.#db.query(
      `SELECT ${COLUMNS} FROM risk_counters ORDER BY ${orderBy(this.#db.dialect, "text:scope")}`,
    );
    return rows.map(counterOf);
  }
}

function counterOf(r: SqlRow): RiskCounterRecord {
  return {
    scope: textOf(r, "scope"),
    day: textOf(r, "day"),
    snapshot: jsonOf(r, "snapshot_json"),
    updatedAt: microsOf(r, "updated_at"),
  };
}
