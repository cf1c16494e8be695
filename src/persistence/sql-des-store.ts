import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { DatabaseSync } from "node:sqlite";
import {
  type AccountId,
  type ClientOrderId,
  Decimal,
  DesError,
  ErrorCode,
  type InstrumentId,
  type StrategyId,
  type TradeId,
  toError,
  type UnixMicros,
  type VenueOrderId,
} from "../core/index.ts";
import {
  isTerminalStatus,
  type OrderEvent,
  type OrderFilled,
  type OrderStatus,
  type Signal,
  type StrategyStatus,
} from "../model/index.ts";
import { BatchWriter, type TableWrite } from "./batch/batch-writer.ts";
import type { BatchWriterOptions } from "./batch/batch-writer-options.ts";
import type { BatchWriterStats } from "./batch/batch-writer-stats.ts";
import type { DeadLetter } from "./batch/dead-letter-list.ts";
import {
  type DbType,
  type DesStore,
  noSecondaryToSwitchTo,
  type StoreCounts,
  type StoreDatabases,
  type StoredStrategyInstance,
  type StoreStats,
} from "./des-store.ts";
import {
  DualWriteDriver,
  type SwitchPrimaryOptions,
  type SwitchResult,
} from "./migration/dual-write-driver.ts";
import { openLocalSqlite } from "./open-local-sqlite.ts";
import {
  FILLED_EVENT_ORDER_COLUMNS,
  filledEventOf,
  fillRecordOf,
  fillRow,
} from "./repositories/fill-repository.ts";
import { orderEventRow } from "./repositories/order-status-change.ts";
import { type Repositories, sqlRepositories } from "./repositories/repositories.ts";
import { migrate } from "./schema/migrate.ts";
import { TABLES } from "./schema/tables.ts";
import { PostgresDriver } from "./sql/postgres-driver.ts";
import type { SqlDriver } from "./sql/sql-types.ts";
import { SqliteDriver } from "./sql/sqlite-driver.ts";
import { isFinalStoredStatus, type JournaledOrder, SqliteOrderJournal } from "./sqlite-order-journal.ts";

/** Settings of a SqlDesStore. */
export interface SqlDesStoreOptions {
  /** The database (PostgreSQL in practice); the store migrates it at open. */
  readonly driver: SqlDriver;
  /** Whether close() closes the driver too (default false: the caller owns it and closes it after the store). */
  readonly ownsDriver?: boolean;
  /** The local SQLite file holding the order intent journal (DES_DB_PATH). */
  readonly journalPath: string;
  /** The batch writer's settings (batch size, interval, queue bound, retries). */
  readonly batch?: BatchWriterOptions;
  /** Whether open() migrates the database (default true; false when the caller migrated it, e.g. each side of a dual-write). */
  readonly migrate?: boolean;
  /** Why the database is degraded beyond the writer's counters and a dual-write's secondary (which the store checks itself), or undefined. */
  readonly degradedReason?: () => string | undefined;
  /**
   * A local SQLite file that may hold intents of an earlier layout (DES_DB_PATH, where releases
   * before 2026-12-07 kept the journal): its open intents are imported too, when it exists and is
   * not the journal's file. An intent the journal holds already is left as the journal has it.
   */
  readonly alsoImportIntentsFrom?: string;
}

/** Orders with a dead-lettered row remembered until their intent's turn to be marked done. */
const MAX_REFUSED_ORDERS_REMEMBERED = 100_000;

/** Fills read per query while streaming a replay. */
const REPLAY_PAGE = 5_000;

/** What a later event of an order must not erase from its row (events carry these only sometimes). */
interface OrderMemo {
  venueOrderId: VenueOrderId | undefined;
  reason: string | undefined;
}

/** An intent to mark done once the order's final event is committed. */
interface PendingDone {
  readonly clientOrderId: ClientOrderId;
  readonly status: OrderStatus;
  readonly ts: number;
  /** The batch writer's accepted-row count after this event's rows: committed once flush() covers it. */
  readonly afterRows: number;
}

/**
 * DES's records on any SqlDriver (PostgreSQL in practice; the tests run it on SQLite too), with the
 * order intent journal in a local SQLite file. See docs/persistence.md, "The app's store".
 *
 * - Strategy state and instances are written at once (small and rare); their promises settle when
 *   committed.
 * - Order events, fills and signals go through a BatchWriter (off the hot path; one transaction per
 *   batch; COPY on PostgreSQL; transient errors retried until the database is back; a full queue
 *   refuses with DES_ERR_STORE_FAILED, never a silent drop). Rows are idempotent (orders: upsert of
 *   the latest state; status history and fills: ignore by key; signals: ignore by the id DES
 *   assigns), so a retried batch is harmless.
 * - Durability before an order is sent: the intent journal (local, synchronous). An intent is marked
 *   done only after flush() has committed the order's final event and fills in the database; a
 *   crash in between leaves it open, and start-up asks the venue about it (fills are idempotent).
 * - Fill order: each fill gets `seq`, the order the books applied it in (continuing from the largest
 *   stored), which a restart replays by. One DES process writes a database (signal ids likewise).
 */
export class SqlDesStore implements DesStore {
  readonly intents: SqliteOrderJournal;
  readonly #driver: SqlDriver;
  readonly #ownsDriver: boolean;
  readonly #degradedReason: (() => string | undefined) | undefined;
  readonly #repos: Repositories;
  readonly #writer: BatchWriter;
  readonly #journalDb: DatabaseSync;
  readonly #orders = new Map<ClientOrderId, OrderMemo>();
  #pendingDone: PendingDone[] = [];
  /** Orders with a row the database refused for good (dead-lettered): their intents stay open. */
  readonly #refusedOrders = new Set<string>();
  #lastSeq: number;
  #lastSignalId: number;
  #flushObserver: ((records: number, micros: number) => void) | undefined;

  private constructor(
    options: SqlDesStoreOptions,
    journalDb: DatabaseSync,
    lastSeq: number,
    lastSignalId: number,
  ) {
    this.#driver = options.driver;
    this.#ownsDriver = options.ownsDriver ?? false;
    this.#degradedReason = options.degradedReason;
    this.#repos = sqlRepositories(options.driver);
    this.#journalDb = journalDb;
    this.intents = new SqliteOrderJournal(journalDb);
    this.#lastSeq = lastSeq;
    this.#lastSignalId = lastSignalId;
    this.#writer = new BatchWriter(options.driver, {
      ...options.batch,
      onDeadLetter: (letter) => {
        this.#noteRefused(letter);
        options.batch?.onDeadLetter?.(letter);
      },
      onCommit: (rows, us) => {
        options.batch?.onCommit?.(rows, us);
        this.#flushObserver?.(rows, us);
      },
    });
  }

  /** Migrates the database, opens the local journal and returns the store. */
  static async open(options: SqlDesStoreOptions): Promise<SqlDesStore> {
    if (options.migrate !== false) await migrate(options.driver);
    const rows = await options.driver.query("SELECT COALESCE(MAX(id), 0) AS m FROM signals");
    const lastSignalId = Number(rows[0]?.["m"] ?? 0);
    const lastSeq = await sqlRepositories(options.driver).fills.maxSeq();
    const journal = openLocalSqlite(options.journalPath);
    try {
      await importOpenIntents(options.driver, journal);
      const legacy = options.alsoImportIntentsFrom;
      if (legacy !== undefined && resolve(legacy) !== resolve(options.journalPath) && existsSync(legacy)) {
        await importOpenIntentsFromFile(legacy, journal);
      }
    } catch (e) {
      journal.close();
      throw e;
    }
    return new SqlDesStore(options, journal, lastSeq, lastSignalId);
  }

  async load(id: StrategyId): Promise<unknown> {
    return this.#repos.strategyState.load(id);
  }

  async save(id: StrategyId, state: unknown, atUs = Date.now() * 1000): Promise<void> {
    await this.#repos.strategyState.save(id, state ?? null, atUs as UnixMicros);
  }

  async saveStrategyInstance(row: StoredStrategyInstance): Promise<void> {
    await this.#repos.strategyInstances.upsert({
      strategyId: row.strategyId as StrategyId,
      kind: row.kind,
      instrumentId: row.instrumentId as InstrumentId,
      config: JSON.parse(row.configJson),
      params: JSON.parse(row.paramsJson),
      status: row.status as StrategyStatus,
      updatedAt: row.updatedAt as UnixMicros,
    });
  }

  async strategyInstances(): Promise<StoredStrategyInstance[]> {
    return (await this.#repos.strategyInstances.all()).map((r) => ({
      strategyId: r.strategyId,
      kind: r.kind,
      instrumentId: r.instrumentId,
      configJson: JSON.stringify(r.config),
      paramsJson: JSON.stringify(r.params),
      status: r.status,
      updatedAt: r.updatedAt,
    }));
  }

  recordOrderEvent(event: OrderEvent): void {
    const row = orderEventRow(event);
    const memo = this.#orders.get(row.clientOrderId) ?? { venueOrderId: undefined, reason: undefined };
    memo.venueOrderId = row.venueOrderId ?? memo.venueOrderId;
    memo.reason = row.reason ?? memo.reason;
    // The fill first and the order's row last: batches commit in queue order, so an order row stored
    // with a final status means its fills and history are stored too (start-up relies on it).
    const writes: TableWrite[] = [];
    if (event.kind === "OrderFilled") {
      writes.push({
        table: TABLES.fills,
        row: fillRow(fillRecordOf(event, this.#lastSeq + 1)),
        mode: "ignore",
      });
    }
    writes.push(
      {
        table: TABLES.orderStatusHistory,
        row: {
          client_order_id: row.clientOrderId,
          event_id: row.eventId,
          status: row.status,
          venue_order_id: row.venueOrderId ?? null,
          reason: row.reason ?? null,
          ts: row.ts,
        },
        mode: "ignore",
      },
      {
        table: TABLES.orders,
        row: {
          client_order_id: row.clientOrderId,
          strategy_id: row.strategyId,
          instrument_id: row.instrumentId,
          status: row.status,
          venue_order_id: memo.venueOrderId ?? null,
          reason: memo.reason ?? null,
          updated_at: row.ts,
        },
        mode: "upsert",
      },
    );
    this.#enqueueAll(writes);
    if (event.kind === "OrderFilled") this.#lastSeq++;
    if (isTerminalStatus(row.status)) {
      this.#orders.delete(row.clientOrderId);
      this.#pendingDone.push({
        clientOrderId: row.clientOrderId,
        status: row.status,
        ts: row.ts,
        afterRows: this.#writer.acceptedTotal,
      });
    } else {
      this.#orders.set(row.clientOrderId, memo);
    }
  }

  recordSignal(signal: Signal): void {
    this.#enqueueAll([
      {
        table: TABLES.signals,
        row: {
          id: this.#lastSignalId + 1,
          strategy_id: signal.strategyId,
          instrument_id: signal.instrumentId,
          action: signal.action,
          reason: signal.reason,
          ts: signal.ts,
        },
        mode: "ignore",
      },
    ]);
    this.#lastSignalId++;
  }

  /** Waits until every record buffered so far is committed, then marks the intents they end done. */
  async flush(): Promise<void> {
    const covered = this.#writer.acceptedTotal;
    await this.#writer.flush();
    this.#markDone(covered);
  }

  observeFlushes(observer: (records: number, micros: number) => void): void {
    this.#flushObserver = observer;
  }

  eachAccountFill(accountId: AccountId): AsyncGenerator<OrderFilled> {
    return this.#fillsAfterSeq(accountId, 0);
  }

  async accountFillsAfter(accountId: AccountId, tradeId: TradeId): Promise<OrderFilled[] | undefined> {
    const seq = await this.#repos.fills.seqOf(accountId, tradeId);
    if (seq === undefined) return undefined;
    const fills: OrderFilled[] = [];
    for await (const fill of this.#fillsAfterSeq(accountId, seq)) fills.push(fill);
    return fills;
  }

  /**
   * The journal's intents not done, with the status and fills the database holds for each. An intent
   * whose order is final in the database is marked done here instead: its final event was committed
   * (with its fills, which were queued before it) but DES stopped before flush() marked it.
   */
  async openIntents(): Promise<JournaledOrder[]> {
    const intents = this.intents.openIntents();
    const known: JournaledOrder[] = [];
    for (const intent of intents) {
      const order = await this.#repos.orders.get(intent.clientOrderId);
      const final = order !== undefined && isFinalStoredStatus(order.status);
      // A final order is done, unless it is FILLED and the store lacks some of its fills (a fill the
      // database refused): it then stays open, and the venue reports the missing fill at start-up.
      // Only such orders and open ones need their fills read.
      const fills =
        final && order.status !== "FILLED" ? [] : await this.#repos.fills.byOrder(intent.clientOrderId);
      const allFilled = fills.reduce((sum, f) => sum.add(f.quantity), Decimal.ZERO).gte(intent.quantity);
      if (final && (order.status !== "FILLED" || allFilled)) {
        this.intents.markDone(intent.clientOrderId, order.status, order.updatedAt);
        continue;
      }
      if (order?.venueOrderId !== undefined || order?.reason !== undefined) {
        this.#orders.set(intent.clientOrderId, { venueOrderId: order.venueOrderId, reason: order.reason });
      }
      known.push({
        ...intent,
        lastStatus: order?.status ?? intent.lastStatus,
        venueOrderId: order?.venueOrderId ?? intent.venueOrderId,
        fills: fills.map((f) => ({ tradeId: f.tradeId, quantity: f.quantity, price: f.price })),
      });
    }
    return known;
  }

  async counts(): Promise<StoreCounts> {
    const count = async (table: string) =>
      Number((await this.#driver.query(`SELECT COUNT(*) AS n FROM ${table}`))[0]?.["n"] ?? 0);
    return {
      orders: await count("orders"),
      fills: await count("fills"),
      signals: await count("signals"),
      strategy_state: await count("strategy_state"),
    };
  }

  stats(): StoreStats {
    const s = this.#writer.stats();
    return {
      pendingWrites: s.queueDepth,
      writesTotal: s.writesTotal,
      batchesTotal: s.batchesTotal,
      errorsTotal: s.errorsTotal + s.rejectedTotal,
      lastBatchSize: s.lastBatchSize,
      lastFlushAt: s.lastFlushAt,
      transientErrorsTotal: s.transientErrorsTotal,
      deadLetteredTotal: s.deadLettered,
    };
  }

  degradedReason(): string | undefined {
    const s = this.#writer.stats();
    if (s.retrying) return `database unreachable, retrying: ${s.lastError?.message ?? "unknown error"}`;
    const driver = this.#driver;
    return this.#degradedReason?.() ?? (driver instanceof DualWriteDriver ? driver.degradation() : undefined);
  }

  /** The primary's dialect: with dual-write it changes at a switch of primary. */
  get dbType(): DbType {
    return this.#driver.dialect;
  }

  databases(): StoreDatabases {
    const driver = this.#driver;
    const sides = driver instanceof DualWriteDriver ? [driver.primary, driver.secondary] : [driver];
    const postgres = sides.find((d): d is PostgresDriver => d instanceof PostgresDriver);
    return {
      primary: this.dbType,
      dualWrite: driver instanceof DualWriteDriver ? driver.stats() : undefined,
      postgresPool: postgres?.stats(),
    };
  }

  /**
   * With dual-write: swaps primary and secondary while DES runs (see DualWriteDriver.switchPrimary).
   * The batch writer's flushes wait while it runs and then go to the new primary; ids DES assigns
   * (fill seq, signal ids) continue from memory, and the new primary's serial sequences are synced.
   */
  async switchPrimary(options?: SwitchPrimaryOptions): Promise<SwitchResult> {
    const driver = this.#driver;
    if (!(driver instanceof DualWriteDriver)) throw noSecondaryToSwitchTo(this.dbType);
    return driver.switchPrimary(options);
  }

  deadLetters(): readonly DeadLetter[] {
    return this.#writer.deadLetters();
  }

  /** See BatchWriter.requeueDeadLetters (all or none; DES_ERR_STORE_FAILED when the queue has no room). */
  requeueDeadLetters(): number {
    return this.#writer.requeueDeadLetters();
  }

  /** The batch writer's full counters (dead letters, transient errors, flush latency). */
  writerStats(): BatchWriterStats {
    return this.#writer.stats();
  }

  /**
   * Writes what is buffered (for at most the batch writer's close deadline), marks the intents whose
   * final events were committed done, closes the journal (and the driver when it owns it). Rows not written by the
   * deadline are named in the error thrown (their intents stay open: start-up asks the venue).
   */
  async close(): Promise<void> {
    const covered = this.#writer.acceptedTotal;
    try {
      const report = await this.#writer.close();
      if (report.unwritten.length === 0) this.#markDone(covered);
      else {
        throw new DesError(
          ErrorCode.StoreFailed,
          `store closed with rows not written: ${report.unwritten.map((u) => `${u.table} ${u.rows}`).join(", ")}`,
          { unwritten: report.unwritten.length },
        );
      }
    } finally {
      this.#journalDb.close();
      if (this.#ownsDriver) await this.#driver.close();
    }
  }

  /** Queues one record's rows, all or none; a refusal names the tables and leaves nothing queued. */
  #enqueueAll(writes: readonly TableWrite[]): void {
    try {
      this.#writer.enqueueAll(writes);
    } catch (e) {
      const tables = [...new Set(writes.map((w) => w.table.name))].join(", ");
      throw new DesError(
        ErrorCode.StoreFailed,
        `store write of ${tables} refused: ${toError(e).message}`,
        { tables },
        { cause: e },
      );
    }
  }

  /**
   * Marks done the pending intents whose rows are among the first `covered` accepted (now committed),
   * except those of an order with a row the database refused: the store does not hold all of that
   * order, so its intent stays open and start-up asks the venue about it.
   */
  #markDone(covered: number): void {
    let i = 0;
    for (; i < this.#pendingDone.length; i++) {
      const p = this.#pendingDone[i] as PendingDone;
      if (p.afterRows > covered) break;
      if (this.#refusedOrders.delete(p.clientOrderId)) continue;
      this.intents.markDoneIfFinal(p.clientOrderId, p.status, p.ts);
    }
    if (i > 0) this.#pendingDone = this.#pendingDone.slice(i);
  }

  /** Remembers the order of a dead-lettered row (a bounded memory: the oldest are forgotten first). */
  #noteRefused(letter: DeadLetter): void {
    const id = letter.row["client_order_id"];
    if (typeof id !== "string") return;
    this.#refusedOrders.add(id);
    if (this.#refusedOrders.size > MAX_REFUSED_ORDERS_REMEMBERED) {
      const oldest = this.#refusedOrders.values().next().value;
      if (oldest !== undefined) this.#refusedOrders.delete(oldest);
    }
  }

  /** An account's fills with a seq above `afterSeq`, in seq order, read REPLAY_PAGE at a time. */
  async *#fillsAfterSeq(accountId: AccountId, afterSeq: number): AsyncGenerator<OrderFilled> {
    let after = afterSeq;
    for (;;) {
      const page = await this.#fillPage(accountId, after);
      yield* page.fills;
      if (page.fills.length < REPLAY_PAGE) return;
      after = page.lastSeq;
    }
  }

  /** One page of an account's fills after `afterSeq`, with the venue order id and status of their orders. */
  async #fillPage(
    accountId: AccountId,
    afterSeq: number,
  ): Promise<{ fills: OrderFilled[]; lastSeq: number }> {
    const rows = await this.#driver.query(
      `SELECT f.*, ${FILLED_EVENT_ORDER_COLUMNS}
       FROM fills f LEFT JOIN orders o ON o.client_order_id = f.client_order_id
       WHERE f.account_id = ? AND f.seq > ? ORDER BY f.seq LIMIT ?`,
      [accountId, afterSeq, REPLAY_PAGE],
    );
    const last = rows.at(-1)?.["seq"];
    return {
      fills: rows.map(filledEventOf),
      lastSeq: last === undefined || last === null ? afterSeq : Number(last),
    };
  }
}

/** The order_intents columns, as the migrations create them in every database. */
const INTENT_COLUMNS = TABLES.orderIntents.columns.map((c) => c.name);

/** Imports the open intents of a local SQLite file, when it has DES's order_intents table. */
async function importOpenIntentsFromFile(path: string, journal: DatabaseSync): Promise<number> {
  const file = SqliteDriver.open(path, { backgroundCheckpoint: false });
  try {
    const table = await file.query(
      "SELECT 1 AS x FROM sqlite_master WHERE type = 'table' AND name = 'order_intents'",
    );
    return table.length === 0 ? 0 : await importOpenIntents(file, journal);
  } finally {
    await file.close();
  }
}

/**
 * Copies into the local journal the intents the records database holds open and the journal does not
 * know (a journal that moved to a file of its own, or an empty one next to a copied database): the
 * orders they stand for are then reconciled with the venue at start, not forgotten. Known intents are
 * left as the journal has them.
 */
async function importOpenIntents(driver: SqlDriver, journal: DatabaseSync): Promise<number> {
  const open = await driver.query(
    `SELECT ${INTENT_COLUMNS.join(", ")} FROM order_intents WHERE done_at IS NULL`,
  );
  if (open.length === 0) return 0;
  const insert = journal.prepare(
    `INSERT INTO order_intents (${INTENT_COLUMNS.join(", ")}) VALUES (${INTENT_COLUMNS.map(() => "?").join(", ")})
     ON CONFLICT (client_order_id) DO NOTHING`,
  );
  let imported = 0;
  for (const row of open) {
    const values = INTENT_COLUMNS.map((c) => {
      const v = row[c] ?? null;
      return typeof v === "bigint" ? Number(v) : v;
    });
    imported += Number(insert.run(...values).changes);
  }
  return imported;
}
