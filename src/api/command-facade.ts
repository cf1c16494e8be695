import type {
  CancelAllResult,
  CancelResult,
  DatabaseView,
  DeadLettersView,
  OrderFilter,
  OrderView,
  PanicResult,
  PortfolioView,
  RequeueResult,
  RiskConfigReplaced,
  RiskView,
  StrategyCommandResult,
  StrategyView,
  SwitchPrimaryRequest,
  SwitchPrimaryResult,
  TradingStateChange,
  TradingStateRequest,
  VenueBalanceView,
} from "./command-views.ts";

/** A value now or later: the routes await either. */
export type Awaitable<T> = T | Promise<T>;

/**
 * The kill switch and the risk limits. Errors are DesErrors: DES_ERR_INVALID_CONFIG (400, the old
 * config stays), DES_ERR_UNKNOWN_STRATEGY (404).
 */
export interface RiskCommands {
  view(): RiskView;
  /** Sets the kill switch globally, or for one (known) strategy. */
  setTradingState(request: TradingStateRequest): TradingStateChange;
  /** Replaces the whole risk configuration; the engine validates it first. */
  replaceConfig(config: unknown): RiskConfigReplaced;
}

/** The strategy instances. An unknown id throws DES_ERR_UNKNOWN_STRATEGY (404). */
export interface StrategyCommands {
  list(): readonly StrategyView[];
  get(id: string): StrategyView;
  /** Throws DES_ERR_STRATEGY_NOT_RUNNING (409) unless RUNNING. */
  pause(id: string, reason: string): Awaitable<StrategyCommandResult>;
  /** Throws DES_ERR_STRATEGY_NOT_RUNNING (409) unless PAUSED. */
  resume(id: string): Awaitable<StrategyCommandResult>;
  stop(id: string, reason: string): Awaitable<StrategyCommandResult>;
  /** Cancels its open orders, flattens its positions with reduce-only market orders, stops it. */
  panic(id: string): Awaitable<PanicResult>;
  /** Validates and applies new parameters (DES_ERR_INVALID_STRATEGY_PARAMS, 400, keeps the old ones). */
  updateParams(id: string, params: Readonly<Record<string, unknown>>): Awaitable<StrategyCommandResult>;
}

/**
 * The orders execution tracks. An unknown client order id throws DES_ERR_UNKNOWN_ORDER (404); a
 * cancel of a closed order throws DES_ERR_INVALID_ORDER_TRANSITION (409).
 */
export interface OrderCommands {
  open(filter: OrderFilter): readonly OrderView[];
  get(clientOrderId: string): OrderView;
  cancel(clientOrderId: string): CancelResult;
  cancelAll(filter: OrderFilter): CancelAllResult;
}

/** Positions, PnL and balances. */
export interface PortfolioQueries {
  view(): PortfolioView;
  /** Asks the venue (a request to Binance when trading there). */
  venueBalances(): Awaitable<readonly VenueBalanceView[]>;
}

/**
 * The databases DES writes: which is the primary, the dual-write's counters, and the switch of
 * primary while DES runs. A refused switch throws DES_ERR_PRIMARY_SWITCH_REFUSED (409, nothing changed).
 */
export interface DatabaseCommands {
  view(): DatabaseView;
  switchPrimary(request: SwitchPrimaryRequest): Promise<SwitchPrimaryResult>;
  /** Rows the database refused for good, kept for the operator. */
  deadLetters(): DeadLettersView;
  /** Writes them again, all or none (after the operator fixed the cause). */
  requeueDeadLetters(): RequeueResult;
}

/** Who sent a command and how they were let in; never the token. */
export interface CommandActor {
  readonly ip: string;
  readonly auth: "bearer" | "loopback";
  /** The X-DES-Operator header, when sent (a name for the audit log, not a credential). */
  readonly operator?: string;
}

/** One line of the command audit log. */
export interface CommandAuditEntry {
  /** "risk.trading-state", "strategy.pause", "order.cancel-all", ... */
  readonly command: string;
  /** The strategy or order it acted on, when one. */
  readonly target?: string;
  readonly actor: CommandActor;
  /** The validated request body (never a header). */
  readonly input?: unknown;
  readonly outcome: "ok" | "rejected" | "failed";
  readonly statusCode: number;
  /** The error code and message when not ok. */
  readonly error?: { readonly code: string; readonly message: string };
}

/** What the operator routes ask of the running system (ApiFacade.commands). */
export interface ApiCommands {
  /** Undefined when risk is not configured: the risk routes then answer 404 saying so. */
  readonly risk: RiskCommands | undefined;
  readonly strategies: StrategyCommands;
  readonly orders: OrderCommands;
  readonly portfolio: PortfolioQueries;
  /** Undefined when the process has no store to show (test harnesses): the database routes answer 404. */
  readonly database: DatabaseCommands | undefined;
  /** Records one command and its outcome (the app writes it to its log). */
  audit(entry: CommandAuditEntry): void;
}
