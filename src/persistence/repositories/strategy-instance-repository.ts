import type { InstrumentId, StrategyId, UnixMicros } from "../../core/index.ts";
import type { StrategyStatus } from "../../model/index.ts";
import { TABLES } from "../schema/tables.ts";
import type { SqlExecutor, SqlRow } from "../sql/sql-types.ts";
import { jsonOf, jsonText, microsOf, textOf } from "./row-values.ts";
import { orderBy } from "./text-order.ts";
import { writeRows } from "./write-rows.ts";

/** A configured strategy instance: what DES starts again after a restart. */
export interface StrategyInstanceRecord {
  readonly strategyId: StrategyId;
  /** The strategy kind ("ma_cross", "rsi", ...). */
  readonly kind: string;
  readonly instrumentId: InstrumentId;
  /** The instance's configuration (JSON-serialisable), as given. */
  readonly config: unknown;
  /** The current parameters (JSON-serialisable); changed at run time by setParams. */
  readonly params: unknown;
  readonly status: StrategyStatus;
  readonly updatedAt: UnixMicros;
}

/** Strategy instances: configuration, parameters and status. */
export interface StrategyInstanceRepository {
  /** Inserts or replaces an instance. */
  upsert(instance: StrategyInstanceRecord): Promise<void>;
  /** Sets an instance's status; returns false when no such instance is stored. */
  setStatus(strategyId: StrategyId, status: StrategyStatus, at: UnixMicros): Promise<boolean>;
  /** Replaces an instance's parameters; returns false when no such instance is stored. */
  setParams(strategyId: StrategyId, params: unknown, at: UnixMicros): Promise<boolean>;
  /** One instance, or undefined. */
  get(strategyId: StrategyId): Promise<StrategyInstanceRecord | undefined>;
  /** Every instance, by strategy id. */
  all(): Promise<StrategyInstanceRecord[]>;
}

const COLUMNS = TABLES.strategyInstances.columns.map((c) => c.name).join(", ");

/** StrategyInstanceRepository on the SQL port. */
export class SqlStrategyInstanceRepository implements StrategyInstanceRepository {
  readonly #db: SqlExecutor;

  constructor(db: SqlExecutor) {
    this.#db = db;
  }

  async upsert(instance: StrategyInstanceRecord): Promise<void> {
    const row: SqlRow = {
      strategy_id: instance.strategyId,
      kind: instance.kind,
      instrument_id: instance.instrumentId,
      config_json: jsonText(instance.config),
      params_json: jsonText(instance.params),
      status: instance.status,
      updated_at: instance.updatedAt,
    };
    await writeRows(this.#db, TABLES.strategyInstances, [row], "upsert");
  }

  async setStatus(strategyId: StrategyId, status: StrategyStatus, at: UnixMicros): Promise<boolean> {
    const changed = await this.#db.execute(
      "UPDATE strategy_instances SET status = ?, updated_at = ? WHERE strategy_id = ?",
      [status, at, strategyId],
    );
    return changed > 0;
  }

  async setParams(strategyId: StrategyId, params: unknown, at: UnixMicros): Promise<boolean> {
    const changed = await this.#db.execute(
      "UPDATE strategy_instances SET params_json = ?, updated_at = ? WHERE strategy_id = ?",
      [jsonText(params), at, strategyId],
    );
    return changed > 0;
  }

  async get(strategyId: StrategyId): Promise<StrategyInstanceRecord | undefined> {
    const rows = await this.#db.query(`SELECT ${COLUMNS} FROM strategy_instances WHERE strategy_id = ?`, [
      strategyId,
    ]);
    return rows[0] === undefined ? undefined : instanceOf(rows[0]);
  }

  async all(): Promise<StrategyInstanceRecord[]> {
    const rows = await this.#db.query(
      `SELECT ${COLUMNS} FROM strategy_instances ORDER BY ${orderBy(this.#db.dialect, "text:strategy_id")}`,
    );
    return rows.map(instanceOf);
  }
}

function instanceOf(r: SqlRow): StrategyInstanceRecord {
  return {
    strategyId: textOf(r, "strategy_id") as StrategyId,
    kind: textOf(r, "kind"),
    instrumentId: textOf(r, "instrument_id") as InstrumentId,
    config: jsonOf(r, "config_json"),
    params: jsonOf(r, "params_json"),
    status: textOf(r, "status") as StrategyStatus,
    updatedAt: microsOf(r, "updated_at"),
  };
}
