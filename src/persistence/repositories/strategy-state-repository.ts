import type { StrategyId, UnixMicros } from "../../core/index.ts";
import { TABLES } from "../schema/tables.ts";
import type { SqlExecutor } from "../sql/sql-types.ts";
import { jsonOf, jsonText } from "./row-values.ts";
import { writeRows } from "./write-rows.ts";

/** The saved state of each strategy (a JSON document the strategy owns). */
export interface StrategyStateRepository {
  /** Saves a strategy's state (JSON-serialisable; undefined is saved as null), replacing the previous one. */
  save(strategyId: StrategyId, state: unknown, at: UnixMicros): Promise<void>;
  /** The saved state, or undefined when none was saved. */
  load(strategyId: StrategyId): Promise<unknown>;
}

/** StrategyStateRepository on the SQL port. */
export class SqlStrategyStateRepository implements StrategyStateRepository {
  readonly #db: SqlExecutor;

  constructor(db: SqlExecutor) {
    this.#db = db;
  }

  async save(strategyId: StrategyId, state: unknown, at: UnixMicros): Promise<void> {
    await writeRows(
      this.#db,
      TABLES.strategyState,
      [{ strategy_id: strategyId, state_json: jsonText(state), updated_at: at }],
      "upsert",
    );
  }

  async load(strategyId: StrategyId): Promise<unknown> {
    const rows = await this.#db.query("SELECT state_json FROM strategy_state WHERE strategy_id = ?", [
      strategyId,
    ]);
    return rows[0] === undefined ? undefined : jsonOf(rows[0], "state_json");
  }
}
