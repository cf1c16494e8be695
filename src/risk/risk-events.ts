import type { ClientOrderId, InstrumentId, StrategyId, UnixMicros } from "../core/index.ts";

/** Why the risk engine (or the order queue) refused an order: a stable code for metrics and UIs. */
export const DenialReason = {
  MinNotional: "MIN_NOTIONAL",
  MaxNotional: "MAX_NOTIONAL",
  PositionLimit: "POSITION_LIMIT",
  ExposureLimit: "EXPOSURE_LIMIT",
  DailyTrades: "DAILY_TRADES",
  DailyLoss: "DAILY_LOSS",
  Filter: "FILTER",
  UnknownInstrument: "UNKNOWN_INSTRUMENT",
  NoPrice: "NO_PRICE",
  OrderRate: "ORDER_RATE",
  ReduceOnly: "REDUCE_ONLY",
  TradingHalted: "TRADING_HALTED",
  TradingReducing: "TRADING_REDUCING",
  /** Reserved for the order queue (nothing in src/risk emits it). */
  QueueFull: "QUEUE_FULL",
} as const;
export type DenialReason = (typeof DenialReason)[keyof typeof DenialReason];

/** An order refused before it reached the venue; the integrator maps it to the model's OrderDenied. */
export interface RiskOrderDenied {
  readonly kind: "OrderDenied";
  readonly strategyId: StrategyId;
  readonly clientOrderId: ClientOrderId;
  readonly instrumentId: InstrumentId;
  readonly reason: DenialReason;
  /** Human-readable: which limit, which values. */
  readonly detail: string;
  readonly ts: UnixMicros;
}

/** Soft-limit levels of the daily loss: WARN at the warn ratio, SCALE at the scale ratio, BREACH at 100 %. */
export type SoftLimitLevel = "WARN" | "SCALE" | "BREACH";

/** A daily-loss level was reached for a strategy or for the whole account (emitted once per level and day). */
export interface RiskLimitWarning {
  readonly kind: "RiskLimitWarning";
  readonly scope: "strategy" | "account";
  /** Set when scope is "strategy". */
  readonly strategyId: StrategyId | undefined;
  readonly limit: "DAILY_LOSS";
  readonly level: SoftLimitLevel;
  /** Loss / limit, as a decimal string (e.g. "0.85"). */
  readonly ratio: string;
  readonly detail: string;
  readonly ts: UnixMicros;
}

/** Trading states of the kill switch, from least to most restrictive. */
export const TradingState = {
  Active: "ACTIVE",
  Reducing: "REDUCING",
  Halted: "HALTED",
} as const;
export type TradingState = (typeof TradingState)[keyof typeof TradingState];

/** The kill switch changed, globally or for one strategy. */
export interface TradingStateChanged {
  readonly kind: "TradingStateChanged";
  readonly scope: "global" | "strategy";
  readonly strategyId: StrategyId | undefined;
  readonly from: TradingState;
  readonly to: TradingState;
  readonly reason: string;
  readonly ts: UnixMicros;
}

/** The daily counters were reset at a day boundary. */
export interface RiskDayReset {
  readonly kind: "RiskDayReset";
  /** Start of the new risk day. */
  readonly dayStart: UnixMicros;
  readonly ts: UnixMicros;
}

/** Any event the risk engine hands to its onEvent callback. */
export type RiskEvent = RiskOrderDenied | RiskLimitWarning | TradingStateChanged | RiskDayReset;
