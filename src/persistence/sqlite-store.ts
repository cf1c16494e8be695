import type { DatabaseSync, StatementSync } from "node:sqlite";
import {
  type AccountId,
  DesError,
  ErrorCode,
  type StrategyId,
  type TradeId,
  toError,
} from "../core/index.ts";
import type { OrderEvent, OrderFilled, Signal } from "../model/index.ts";
import type { DeadLetter } from "./batch/dead-letter-list.ts";
import {
  type DesStore,
  noSecondaryToSwitchTo,
  type StoreCounts,
  type StoreDatabases,
  type StoredStrategyInstance,
  type StoreStats,
} from "./des-store.ts";
import type { SwitchResult } from "./migration/dual-write-driver.ts";
import { openLocalSqlite } from "./open-local-sqlite.ts";
import { FILLED_EVENT_ORDER_COLUMNS, filledEventOf } from "./repositories/fill-repository.ts";
import { statusAfter } from "./repositories/order-status-change.ts";
import type { SqlRow } from "./sql/sql-types.ts";
import { type JournaledOrder, SqliteOrderJournal } from "./sqlite-order-journal.ts";

/** Options of the embedded store. */
export interface SqliteStoreOptions {
  /** Pending writes that trigger an immediate flush. */
  readonly maxPendingWrites?: number;
  /** Pending writes above which new records are refused with an error (back-pressure, never a silent drop). */
  readonly maxBufferedWrites?: number;
}

type PendingWrite = { kind: "order"; event: OrderEvent } | { kind: "signal"; signal: Signal };

/**
 * The embedded default store (a SQLite file under ./data): strategy state, orders, fills and signals.
 * Strategy state is written at once (it is small and rare). Order events and signals are buffered
 * and written in one transaction per flush (by size, or when the owner calls flush on its interval),
 * off the strategy hot path. When the buffer holds maxBufferedWrites records, record* throws
 * DES_ERR_STORE_FAILED rather than dropping anything silently.
 *
 * Durability: WAL with synchronous=NORMAL. A committed transaction survives a crash of DES; after a
 * power loss or OS crash the last transactions before the failure may be rolled back (the database
 * stays consistent). Buffered writes not yet flushed are lost on kill -9; graceful shutdown flushes.
 */
export class SqliteStore implements DesStore {
  readonly dbType = "sqlite" as const;
  /** The order intent journal (written before a live venue is sent an order). */
  readonly intents: SqliteOrderJournal;
  readonly #db: DatabaseSync;
  readonly #maxPending: number;
  readonly #maxBuffered: number;
  #pending: PendingWrite[] = [];
  #stats = { writesTotal: 0, batchesTotal: 0, errorsTotal: 0, lastBatchSize: 0, lastFlushAt: 0 };
  #flushObserver: ((records: number, micros: number) => void) | undefined;
  /** The seq of the last fill written (fills.seq: the order the books applied them in). */
  #lastSeq: number;
  readonly #stmts: {
    loadState: StatementSync;
    saveState: StatementSync;
    upsertOrder: StatementSync;
    insertFill: StatementSync;
    insertSignal: StatementSync;
    accountFills: StatementSync;
    fillRowid: StatementSync;
    saveInstance: StatementSync;
    instances: StatementSync;
    accountFillsAfter: StatementSync;
  };

  private constructor(db: DatabaseSync, options: SqliteStoreOptions) {
    this.#db = db;
    this.#maxPending = options.maxPendingWrites ?? 1000;
    this.#maxBuffered = options.maxBufferedWrites ?? 100_000;
    this.intents = new SqliteOrderJournal(db);
    this.#lastSeq = (db.prepare("SELECT COALESCE(MAX(seq), 0) AS m FROM fills").get() as { m: number }).m;
    this.#stmts = {
      loadState: db.prepare("SELECT state_json FROM strategy_state WHERE strategy_id = ?"),
      saveState: db.prepare(
        `INSERT INTO strategy_state (strategy_id, state_json, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (strategy_id) DO UPDATE SET state_json = excluded.state_json, updated_at = excluded.updated_at`,
      ),
      upsertOrder: db.prepare(
        `INSERT INTO orders (client_order_id, strategy_id, instrument_id, status, venue_order_id, reason, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (client_order_id) DO UPDATE SET status = excluded.status,
           venue_order_id = COALESCE(excluded.venue_order_id, orders.venue_order_id),
           reason = COALESCE(excluded.reason, orders.reason), updated_at = excluded.updated_at`,
      ),
      insertFill: db.prepare(
        `INSERT OR IGNORE INTO fills (account_id, trade_id, client_order_id, strategy_id, instrument_id, side,
           quantity, price, commission, commission_asset, liquidity, ts, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      insertSignal: db.prepare(
        "INSERT INTO signals (strategy_id, instrument_id, action, reason, ts) VALUES (?, ?, ?, ?, ?)",
      ),
      accountFills: db.prepare(
        `SELECT f.*, ${FILLED_EVENT_ORDER_COLUMNS}
         FROM fills f LEFT JOIN orders o ON o.client_order_id = f.client_order_id
         WHERE +f.account_id = ? ORDER BY f.rowid`,
      ),
      saveInstance: db.prepare(
        `INSERT INTO strategy_instances (strategy_id, kind, instrument_id, config_json, params_json, status, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (strategy_id) DO UPDATE SET kind = excluded.kind, instrument_id = excluded.instrument_id,
           config_json = excluded.config_json, params_json = excluded.params_json, status = excluded.status,
           updated_at = excluded.updated_at`,
      ),
      instances: db.prepare("SELECT * FROM strategy_instances ORDER BY strategy_id"),
      fillRowid: db.prepare("SELECT rowid AS r FROM fills WHERE account_id = ? AND trade_id = ?"),
      accountFillsAfter: db.prepare(
        `SELECT f.*, ${FILLED_EVENT_ORDER_COLUMNS}
         FROM fills f LEFT JOIN orders o ON o.client_order_id = f.client_order_id
         WHERE f.rowid > ? AND +f.account_id = ? ORDER BY f.rowid`,
      ),
    };
  }

  /** Opens (creating if needed) the database file and applies pending migrations. */
  static open(path: string, options: SqliteStoreOptions = {}): SqliteStore {
    return new SqliteStore(openLocalSqlite(path), options);
  }

  /** Returns the schema version applied. */
  schemaVersion(): number {
    const row = this.#db.prepare("SELECT MAX(version) AS v FROM schema_migrations").get() as {
      v: number | null;
    };
    return row.v ?? 0;
  }

  /** Returns the saved state of a strategy, or undefined. */
  async load(id: StrategyId): Promise<unknown> {
    return this.loadNow(id);
  }

  /** Returns the saved state of a strategy (or an app record such as the portfolio baseline), or undefined, synchronously. */
  loadNow(id: StrategyId): unknown {
    const row = this.#stmts.loadState.get(id) as { state_json: string } | undefined;
    return row === undefined ? undefined : JSON.parse(row.state_json);
  }

  /** Saves a strategy's state (a JSON-serialisable value), replacing the previous one. */
  async save(id: StrategyId, state: unknown, atUs = Date.now() * 1000): Promise<void> {
    this.saveNow(id, state, atUs);
  }

  /** Saves a strategy's state (or an app record such as the books snapshot) synchronously, committed. */
  saveNow(id: StrategyId, state: unknown, atUs = Date.now() * 1000): void {
    this.#stmts.saveState.run(id, JSON.stringify(state ?? null), atUs);
  }

  /** Saves (replaces) a strategy instance's configuration, current parameters and status, committed. */
  saveStrategyInstance(row: StoredStrategyInstance): void {
    this.#stmts.saveInstance.run(
      row.strategyId,
      row.kind,
      row.instrumentId,
      row.configJson,
      row.paramsJson,
      row.status,
      row.updatedAt,
    );
  }

  /** Returns every stored strategy instance, by id. */
  strategyInstances(): StoredStrategyInstance[] {
    return (this.#stmts.instances.all() as Array<Record<string, string | number>>).map((r) => ({
      strategyId: String(r["strategy_id"]),
      kind: String(r["kind"]),
      instrumentId: String(r["instrument_id"]),
      configJson: String(r["config_json"]),
      paramsJson: String(r["params_json"]),
      status: String(r["status"]),
      updatedAt: Number(r["updated_at"]),
    }));
  }

  /** Buffers an order event (status and fills) for the next flush. */
  recordOrderEvent(event: OrderEvent): void {
    this.#buffer({ kind: "order", event });
  }

  /** Buffers a signal for the next flush. */
  recordSignal(signal: Signal): void {
    this.#buffer({ kind: "signal", signal });
  }

  /** Tells `observer` the size and duration (µs, begin to commit) of every flush that wrote records. */
  observeFlushes(observer: (records: number, micros: number) => void): void {
    this.#flushObserver = observer;
  }

  /** Writes every buffered record in one transaction. On error the batch stays buffered and is retried. */
  flush(): void {
    if (this.#pending.length === 0) return;
    const batch = this.#pending;
    const started = performance.now();
    this.#db.exec("BEGIN");
    try {
      for (const w of batch) this.#write(w);
      this.#db.exec("COMMIT");
    } catch (e) {
      this.#db.exec("ROLLBACK");
      this.#stats.errorsTotal++;
      throw new DesError(
        ErrorCode.StoreFailed,
        `SQLite flush of ${batch.length} records failed: ${toError(e).message}`,
        {},
        { cause: e },
      );
    }
    this.#pending = [];
    this.#stats.writesTotal += batch.length;
    this.#stats.batchesTotal++;
    this.#stats.lastBatchSize = batch.length;
    this.#stats.lastFlushAt = Date.now();
    this.#flushObserver?.(batch.length, Math.round((performance.now() - started) * 1000));
  }

  /**
   * Returns every stored fill of an account as the OrderFilled event it was, in the order written: the
   * history a portfolio is rebuilt from after a restart.
   */
  accountFills(accountId: AccountId): OrderFilled[] {
    return [...this.eachAccountFill(accountId)];
  }

  /**
   * Yields every stored fill of an account in the order it was written (the order the portfolio
   * applied them), one row at a time: a full replay of a long history holds one fill in memory, not
   * all of them.
   */
  *eachAccountFill(accountId: AccountId): Generator<OrderFilled> {
    for (const row of this.#stmts.accountFills.iterate(accountId)) yield filledEventOf(row as SqlRow);
  }

  /**
   * Returns the stored fills of an account written after the fill `tradeId` of that account, in the
   * order they were written (the order the portfolio applied them), or undefined when that fill is
   * not stored. The fills a books snapshot does not include are those after its last fill.
   */
  accountFillsAfter(accountId: AccountId, tradeId: TradeId): OrderFilled[] | undefined {
    const row = this.#stmts.fillRowid.get(accountId, tradeId) as { r: number } | undefined;
    if (row === undefined) return undefined;
    return (this.#stmts.accountFillsAfter.all(row.r, accountId) as SqlRow[]).map(filledEventOf);
  }

  /** The journal's intents not done, with the status and fills this file holds for each. */
  openIntents(): JournaledOrder[] {
    return this.intents.openIntents();
  }

  /** Returns the counts of rows per table (for the API and tests). */
  counts(): StoreCounts {
    const count = (t: string) =>
      (this.#db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n;
    return {
      orders: count("orders"),
      fills: count("fills"),
      signals: count("signals"),
      strategy_state: count("strategy_state"),
    };
  }

  degradedReason(): string | undefined {
    return undefined;
  }

  databases(): StoreDatabases {
    return { primary: "sqlite", dualWrite: undefined };
  }

  /** None: a failed flush keeps its whole batch and retries it, nothing is set aside. */
  deadLetters(): readonly DeadLetter[] {
    return [];
  }

  requeueDeadLetters(): number {
    return 0;
  }

  /** Always refused: the embedded store writes its one SQLite file (dual-write runs on SqlDesStore). */
  async switchPrimary(): Promise<SwitchResult> {
    throw noSecondaryToSwitchTo("sqlite");
  }

  stats(): StoreStats {
    // A failed flush keeps its whole batch and retries it: nothing here is dead-lettered or classified.
    return {
      pendingWrites: this.#pending.length,
      ...this.#stats,
      transientErrorsTotal: 0,
      deadLetteredTotal: 0,
    };
  }

  /** Flushes and closes the database. */
  close(): void {
    try {
      this.flush();
    } finally {
      this.#db.close();
    }
  }

  #buffer(w: PendingWrite): void {
    if (this.#pending.length >= this.#maxBuffered) {
      this.#stats.errorsTotal++;
      throw new DesError(
        ErrorCode.StoreFailed,
        `store write buffer full (${this.#maxBuffered} records): flush is failing or too slow`,
        {
          pending: this.#pending.length,
        },
      );
    }
    this.#pending.push(w);
    if (this.#pending.length >= this.#maxPending) this.flush();
  }

  #write(w: PendingWrite): void {
    if (w.kind === "signal") {
      const s = w.signal;
      this.#stmts.insertSignal.run(s.strategyId, s.instrumentId, s.action, s.reason, s.ts);
      return;
    }
    const e = w.event;
    const status = statusAfter(e);
    const venueOrderId = e.kind === "OrderAccepted" || e.kind === "OrderFilled" ? e.venueOrderId : null;
    const reason = e.kind === "OrderRejected" || e.kind === "OrderDenied" ? e.reason : null;
    this.#stmts.upsertOrder.run(
      e.clientOrderId,
      e.strategyId,
      e.instrumentId,
      status,
      venueOrderId,
      reason,
      e.ts,
    );
    if (e.kind === "OrderFilled") {
      this.#insertFill(e);
    }
    // After the order's fills (same transaction): the intent is done only with its fills stored.
    this.intents.markDoneIfFinal(e.clientOrderId, status, e.ts);
  }

  #insertFill(e: OrderFilled): void {
    this.#stmts.insertFill.run(
      e.accountId,
      e.tradeId,
      e.clientOrderId,
      e.strategyId,
      e.instrumentId,
      e.side,
      e.lastQty.toString(),
      e.lastPrice.toString(),
      e.commission.toString(),
      e.commissionAsset,
      e.liquidity,
      e.ts,
      ++this.#lastSeq,
    );
  }
}
