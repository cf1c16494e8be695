import { type AccountId, DesError, ErrorCode, type StrategyId, type TradeId } from "../core/index.ts";
import type { OrderEvent, OrderFilled, Signal } from "../model/index.ts";
import type { DeadLetter } from "./batch/dead-letter-list.ts";
import type { DualWriteStats, SwitchPrimaryOptions, SwitchResult } from "./migration/dual-write-driver.ts";
import type { PostgresPoolStats } from "./sql/postgres-driver.ts";
import type { JournaledOrder, SqliteOrderJournal } from "./sqlite-order-journal.ts";

/** A value or a promise of it: the embedded store answers synchronously, a database over the network does not. */
export type Awaitable<T> = T | Promise<T>;

/** Which database holds DES's records (DB_TYPE). */
export type DbType = "sqlite" | "postgres";

/** A strategy instance as stored: the configuration it was created from (JSON), its current parameters (JSON) and its last status. */
export interface StoredStrategyInstance {
  readonly strategyId: string;
  readonly kind: string;
  readonly instrumentId: string;
  readonly configJson: string;
  readonly paramsJson: string;
  readonly status: string;
  readonly updatedAt: number;
}

/** Counters of the store's write buffer (exported as des_store_* metrics). */
export interface StoreStats {
  readonly pendingWrites: number;
  readonly writesTotal: number;
  readonly batchesTotal: number;
  readonly errorsTotal: number;
  readonly lastBatchSize: number;
  /** When the last flush that wrote records committed (ms since the epoch; 0: none yet). */
  readonly lastFlushAt: number;
  /** Of errorsTotal, the transient ones (retried after a back-off: the database was unreachable or locked). */
  readonly transientErrorsTotal: number;
  /** Records the database refused for good (kept in the dead-letter list and logged, never dropped silently). */
  readonly deadLetteredTotal: number;
}

/** Which databases hold DES's records now: the primary, and with dual-write the secondary's counters. */
export interface StoreDatabases {
  /** The database of record (DB_TYPE at start; the other one after a switch of primary). */
  readonly primary: DbType;
  /** The dual-write's roles and counters (DB_SECONDARY), or undefined without dual-write. */
  readonly dualWrite: DualWriteStats | undefined;
  /**
   * The PostgreSQL pool's counters when PostgreSQL holds the records (DB_TYPE=postgres, or either side
   * of a dual-write), else undefined.
   */
  readonly postgresPool: PostgresPoolStats | undefined;
}

/** Rows per table, for the API and tests. */
export type StoreCounts = Record<"orders" | "fills" | "signals" | "strategy_state", number>;

/**
 * What the app keeps in its database, whichever it is (DB_TYPE): strategy state and instances, order
 * events with their fills, signals, and the fills a restart rebuilds the books from. Implemented by
 * SqlDesStore on any SqlDriver, through the batch writer: the embedded SQLite default
 * (openEmbeddedStore), PostgreSQL, or a dual-write of both. Callers await every Awaitable result.
 *
 * The order intent journal is always a local SQLite file (`intents`): it is written synchronously
 * before each order goes to a venue whose orders outlive DES, and an intent is marked done only
 * once the order's final event and fills are committed in the store.
 */
export interface DesStore {
  readonly dbType: DbType;
  /** The order intent journal (local, synchronous). */
  readonly intents: SqliteOrderJournal;
  /** The saved state of a strategy (or an app record: risk state, books snapshot, baseline), or undefined. */
  load(id: StrategyId): Promise<unknown>;
  /** Saves a strategy's state (a JSON-serialisable value), replacing the previous one; committed when it settles. */
  save(id: StrategyId, state: unknown, atUs?: number): Promise<void>;
  /** Saves (replaces) a strategy instance's configuration, parameters and status; committed when it settles. */
  saveStrategyInstance(row: StoredStrategyInstance): Awaitable<void>;
  /** Every stored strategy instance, by id. */
  strategyInstances(): Awaitable<StoredStrategyInstance[]>;
  /** Buffers an order event (status, fills) for the next flush; throws DES_ERR_STORE_FAILED when the buffer is full. */
  recordOrderEvent(event: OrderEvent): void;
  /** Buffers a signal for the next flush; throws DES_ERR_STORE_FAILED when the buffer is full. */
  recordSignal(signal: Signal): void;
  /** Writes every buffered record; settles once they are committed (then intents they end are marked done). */
  flush(): Awaitable<void>;
  /** Tells `observer` the size and duration (µs) of every committed write of buffered records. */
  observeFlushes(observer: (records: number, micros: number) => void): void;
  /** Every stored fill of an account in the order the books applied them (a restart's full replay), streamed. */
  eachAccountFill(accountId: AccountId): Iterable<OrderFilled> | AsyncIterable<OrderFilled>;
  /** The stored fills of an account applied after the fill `tradeId`, in order; undefined when that fill is not stored. */
  accountFillsAfter(accountId: AccountId, tradeId: TradeId): Awaitable<OrderFilled[] | undefined>;
  /** The journal's intents not done, with the status and fills the store holds for each. */
  openIntents(): Awaitable<JournaledOrder[]>;
  counts(): Awaitable<StoreCounts>;
  stats(): StoreStats;
  /** Why the store is degraded beyond its counters (a dual-write secondary behind or diverged), or undefined. */
  degradedReason(): string | undefined;
  /** The primary database and, with dual-write, the secondary's counters. */
  databases(): StoreDatabases;
  /**
   * Dual-write only: makes the secondary the primary while DES runs (DualWriteDriver.switchPrimary:
   * writes wait, the secondary catches up first); calling it again rolls back. Throws
   * DES_ERR_PRIMARY_SWITCH_REFUSED, nothing changed, without dual-write or while the secondary is
   * behind (after drainTimeoutMs) or diverged, unless forced.
   */
  switchPrimary(options?: SwitchPrimaryOptions): Promise<SwitchResult>;
  /** Rows the database refused for good (oldest first), kept for the operator; empty for a store that retries whole batches. */
  deadLetters(): readonly DeadLetter[];
  /** Writes the dead letters again (after the cause was fixed); returns how many were queued. */
  requeueDeadLetters(): number;
  /** Writes what is buffered and closes. */
  close(): Awaitable<void>;
}

/** The refusal of a switch of primary by a store that writes one database only. */
export function noSecondaryToSwitchTo(primary: DbType): DesError {
  return new DesError(
    ErrorCode.PrimarySwitchRefused,
    `dual-write is not on (DB_SECONDARY is not set): DES writes ${primary} only, there is no secondary to switch to`,
    { primary },
  );
}
