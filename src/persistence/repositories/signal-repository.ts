import type { InstrumentId, StrategyId } from "../../core/index.ts";
import type { Signal } from "../../model/index.ts";
import type { SqlExecutor, SqlValue } from "../sql/sql-types.ts";
import { chunkSizes } from "../sql/write-sql.ts";
import { microsOf, textOf } from "./row-values.ts";

/** Strategy signals, append-only (a signal has no natural key: each append is a new row). */
export interface SignalRepository {
  /** Appends signals, in the order given. */
  append(signals: readonly Signal[]): Promise<void>;
  /** The latest `limit` signals of a strategy, newest first (by ts, then by insertion). */
  recent(strategyId: StrategyId, limit: number): Promise<Signal[]>;
}

/** Rows per INSERT statement (5 parameters each: far below both dialects' parameter limits). */
const ROWS_PER_INSERT = 500;

/** SignalRepository on the SQL port. The id column is left to the database (autoincrement / serial). */
export class SqlSignalRepository implements SignalRepository {
  readonly #db: SqlExecutor;

  constructor(db: SqlExecutor) {
    this.#db = db;
  }

  async append(signals: readonly Signal[]): Promise<void> {
    let from = 0;
    for (const size of chunkSizes(signals.length, ROWS_PER_INSERT)) {
      const params: SqlValue[] = [];
      for (const s of signals.slice(from, from + size)) {
        params.push(s.strategyId, s.instrumentId, s.action, s.reason, s.ts);
      }
      const tuples = Array.from({ length: size }, () => "(?, ?, ?, ?, ?)").join(", ");
      await this.#db.execute(
        `INSERT INTO signals (strategy_id, instrument_id, action, reason, ts) VALUES ${tuples}`,
        params,
      );
      from += size;
    }
  }

  async recent(strategyId: StrategyId, limit: number): Promise<Signal[]> {
    const rows = await this.#db.query(
      `SELECT strategy_id, instrument_id, action, reason, ts FROM signals WHERE strategy_id = ?
       ORDER BY ts DESC, id DESC LIMIT ?`,
      [strategyId, Math.max(0, Math.trunc(limit))],
    );
    return rows.map((r) => ({
      kind: "Signal",
      strategyId: textOf(r, "strategy_id") as StrategyId,
      instrumentId: textOf(r, "instrument_id") as InstrumentId,
      action: textOf(r, "action") as Signal["action"],
      reason: textOf(r, "reason"),
      ts: microsOf(r, "ts"),
    }));
  }
}
