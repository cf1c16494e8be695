/**
 * The JSON bodies the operator routes answer with. Plain data only: decimals are strings (exact, as
 * DES's Decimal prints them), times are ISO 8601 UTC strings, ids are strings.
 */

/** Any JSON value. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | readonly JsonValue[]
  | { readonly [k: string]: JsonValue };

/** A JSON object. */
export type JsonObject = { readonly [k: string]: JsonValue };

/** The kill switch's states, from least to most restrictive. */
export type TradingStateName = "ACTIVE" | "REDUCING" | "HALTED";

/** One risk day's counters: fills and net realized PnL (quote, signed decimal string). */
export interface DailyCountersView {
  readonly trades: number;
  readonly realizedPnl: string;
}

/** The body of GET /api/risk. */
export interface RiskView {
  readonly tradingState: {
    readonly global: TradingStateName;
    /** Strategies with their own state (absent = ACTIVE). */
    readonly strategies: Readonly<Record<string, TradingStateName>>;
    /** For every running strategy: the stricter of the global state and its own (what its orders get). */
    readonly effective: Readonly<Record<string, TradingStateName>>;
  };
  readonly daily: {
    /** Start of the current risk day. */
    readonly dayStart: string;
    readonly account: DailyCountersView;
    readonly strategies: Readonly<Record<string, DailyCountersView>>;
  };
  /** The configuration in force, in the form PUT /api/risk/config accepts. */
  readonly config: JsonObject;
  /** Orders denied since start, per reason (MAX_NOTIONAL, TRADING_HALTED, ...). */
  readonly denials: Readonly<Record<string, number>>;
}

/** The body of POST /api/risk/trading-state. */
export interface TradingStateRequest {
  readonly state: TradingStateName;
  readonly reason: string;
  /** Absent: the global switch. */
  readonly strategyId?: string | undefined;
}

/** What POST /api/risk/trading-state did. */
export interface TradingStateChange {
  readonly scope: "global" | "strategy";
  readonly strategyId?: string;
  readonly from: TradingStateName;
  readonly to: TradingStateName;
  readonly reason: string;
  /** False when the switch was already in that state (nothing happened). */
  readonly changed: boolean;
}

/** What PUT /api/risk/config did: the configuration now in force. */
export interface RiskConfigReplaced {
  readonly config: JsonObject;
}

/** A strategy's lifecycle status (CREATED, STARTING, RUNNING, PAUSED, STOPPING, STOPPED, FAILED). */
export type StrategyStatusName = string;

/** Counters of one strategy instance. */
export interface StrategyStatsView {
  readonly eventsProcessed: number;
  readonly errors: number;
  readonly droppedEvents: number;
  readonly skippedEvents: number;
  readonly signals: number;
  readonly signalsWithoutOrder: number;
  readonly orders: number;
  readonly warmupIgnored: number;
  readonly lateActions: number;
  readonly inFlight: number;
  readonly mailboxDepth: number;
  readonly stateSaveErrors: number;
  readonly lastError: string | null;
}

/** One strategy instance, as GET /api/strategies lists it. */
export interface StrategyView {
  readonly id: string;
  /** The strategy definition ("ma_cross"). */
  readonly type: string;
  readonly instrument: string;
  readonly interval: string;
  readonly mode: string;
  readonly enabled: boolean;
  readonly status: StrategyStatusName;
  /** The parameters in force. */
  readonly params: JsonValue;
  /** The kill switch as its orders see it; null when risk is not configured. */
  readonly tradingState: TradingStateName | null;
  readonly openOrders: number;
  readonly stats: StrategyStatsView;
}

/** What a lifecycle command (pause, resume, stop, params) did. */
export interface StrategyCommandResult {
  readonly strategyId: string;
  readonly previousStatus: StrategyStatusName;
  readonly strategy: StrategyView;
}

/** What POST /api/strategies/:id/panic did. */
export interface PanicResult extends StrategyCommandResult {
  /** Client order ids of the open orders a cancel was sent for. */
  readonly cancelsRequested: readonly string[];
  /** The reduce-only market orders sent to flatten its positions. */
  readonly flattenOrders: readonly {
    readonly clientOrderId: string;
    readonly instrumentId: string;
    readonly side: string;
    readonly quantity: string;
  }[];
}

/** One order DES tracks. */
export interface OrderView {
  readonly clientOrderId: string;
  readonly strategyId: string;
  readonly instrumentId: string;
  readonly side: string;
  readonly type: string;
  readonly timeInForce: string;
  readonly status: string;
  readonly quantity: string;
  readonly price: string | null;
  readonly stopPrice: string | null;
  readonly filledQty: string;
  readonly averageFillPrice: string | null;
  readonly venueOrderId: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** Which open orders a query or cancel-all covers (absent fields match everything). */
export interface OrderFilter {
  readonly strategyId?: string | undefined;
  readonly instrumentId?: string | undefined;
}

/** What a cancel request did: the CancelOrder command is on the bus, the venue answers later. */
export interface CancelResult {
  readonly clientOrderId: string;
  /** False when a cancel was already pending (no second command was sent). */
  readonly requested: boolean;
  /** The order's status right after the command (CANCELED at once when it never left the queue). */
  readonly status: string;
}

/** What POST /api/orders/cancel-all did. */
export interface CancelAllResult {
  readonly filter: OrderFilter;
  /** Cancels sent. */
  readonly requested: number;
  readonly orders: readonly CancelResult[];
}

/** One position of a book. */
export interface PositionJson {
  readonly instrumentId: string;
  readonly side: "LONG" | "SHORT" | "FLAT";
  /** Signed: positive long, negative short. */
  readonly quantity: string;
  readonly averagePrice: string;
  readonly costBasis: string;
  readonly realizedPnl: string;
  readonly unrealizedPnl: string;
  readonly markPrice: string | null;
  readonly commissions: Readonly<Record<string, string>>;
  readonly fillCount: number;
  readonly updatedAt: string | null;
}

/** One book: an account (what the venue holds) or a strategy (its virtual book). */
export interface BookJson {
  readonly owner: string;
  readonly positions: readonly PositionJson[];
  /** Cash per asset: the starting amount plus every fill's cash flow and commissions. */
  readonly balances: Readonly<Record<string, string>>;
  /** Per quote asset. */
  readonly equity: Readonly<Record<string, string>>;
  readonly realizedPnl: Readonly<Record<string, string>>;
  readonly unrealizedPnl: Readonly<Record<string, string>>;
  /** Per asset the commissions were charged in. */
  readonly fees: Readonly<Record<string, string>>;
  /** Per quote asset: sum of |quantity| x mark. */
  readonly exposure: Readonly<Record<string, string>>;
}

/** The body of GET /api/portfolio. */
export interface PortfolioView {
  readonly ts: string;
  readonly accounts: readonly BookJson[];
  readonly strategies: readonly BookJson[];
}

/** One asset's balance as the venue reports it. */
export interface VenueBalanceView {
  readonly asset: string;
  readonly free: string;
  readonly locked: string;
}

/** A database DES can write: the embedded SQLite file or PostgreSQL. */
export type DatabaseName = "sqlite" | "postgres";

/** A dual-write's counters (the current secondary's mirror) and its history of switches. */
export interface DualWriteView {
  /** Writes applied on the secondary. */
  readonly mirroredWrites: number;
  /** Failed attempts on the secondary (retried; a few during a restart of it are expected). */
  readonly secondaryFailures: number;
  readonly retriedWrites: number;
  /** Writes waiting for the secondary: a switch waits until this is 0. */
  readonly pendingRetries: number;
  readonly pendingRows: number;
  /** True once the secondary needs a fresh copy (its retry queue overflowed); a switch is refused. */
  readonly diverged: boolean;
  readonly divergedReason: string | null;
  readonly unmirroredWrites: number;
  readonly lastError: string | null;
  /** Switches of primary since DES started. */
  readonly switches: number;
  /** Writes the primary lacks after a forced switch. */
  readonly primaryMissingWrites: number;
}

/** The PostgreSQL pool's counters. */
export interface PostgresPoolView {
  /** Connections open (idle and checked out). */
  readonly totalConnections: number;
  readonly idleConnections: number;
  /** Callers waiting for a connection. */
  readonly waitingClients: number;
  /** Connections that failed outside a query (a server restart, a killed backend): counted, never fatal. */
  readonly connectionErrors: number;
  /** Batches of event rows that met a stored key (or a key twice) and were written again through a staging table. */
  readonly ignoreFallbacks: number;
}

/** The body of GET /api/db. */
export interface DatabaseView {
  /** The database of record now. */
  readonly primary: DatabaseName;
  /** The dual-write secondary, or null without dual-write (DB_SECONDARY not set). */
  readonly secondary: DatabaseName | null;
  readonly dualWrite: DualWriteView | null;
  /** Why the store is degraded (secondary behind or diverged, database unreachable), or null. */
  readonly degraded: string | null;
  /** The PostgreSQL pool, when PostgreSQL holds the records (primary or dual-write side), else null. */
  readonly postgresPool: PostgresPoolView | null;
}

/** The body of POST /api/db/switch-primary. */
export interface SwitchPrimaryRequest {
  /** Switch even with writes pending on the secondary or a diverged one: only when the primary is lost. */
  readonly force?: boolean | undefined;
  /** How long to retry the secondary's pending writes before refusing (default 5000 ms). */
  readonly drainTimeoutMs?: number | undefined;
}

/** The answer of POST /api/db/switch-primary. */
export interface SwitchPrimaryResult {
  /** The primary before the switch. */
  readonly from: DatabaseName;
  readonly primary: DatabaseName;
  readonly secondary: DatabaseName;
  /** Writes the new primary lacks (0 unless forced). */
  readonly unappliedWrites: number;
  /** PostgreSQL serial sequences moved past the largest id (a PostgreSQL new primary). */
  readonly sequences: readonly {
    readonly table: string;
    readonly sequence: string;
    readonly nextId: string;
  }[];
}

/** A row the database refused for good, as GET /api/db/dead-letters shows it. */
export interface DeadLetterView {
  readonly table: string;
  readonly mode: string;
  /** Column -> value (integers beyond 2^53 as text). */
  readonly row: Readonly<Record<string, string | number | null>>;
  readonly error: {
    readonly message: string;
    /** The database's code (a SQLSTATE such as 23505, or SQLite's), or null. */
    readonly code: string | null;
    readonly at: string;
  };
}

/** The body of GET /api/db/dead-letters. */
export interface DeadLettersView {
  /** Rows refused since DES started (each refusal counts, a requeued row refused again too). */
  readonly deadLetteredTotal: number;
  /** The rows held now, oldest first. */
  readonly deadLetters: readonly DeadLetterView[];
}

/** The answer of POST /api/db/dead-letters/requeue. */
export interface RequeueResult {
  /** Rows queued for writing again (taken off the list; one refused again comes back). */
  readonly requeued: number;
}
