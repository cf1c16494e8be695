export {
  type Allowed,
  checkDailyTrades,
  checkExposure,
  checkInstrumentFilters,
  checkOrderNotional,
  checkPositionLimit,
  checkReduceOnly,
  checkTradingState,
  type Denial,
  dailyLossLevel,
  isDenial,
  isReducing,
  type LossLevel,
  type LossThresholds,
  lossFromPnl,
  lossLevelOf,
  lossRatio,
  lossThresholds,
  pnlLossLevel,
  reducingQuantity,
  signedQuantity,
  stricterState,
} from "./risk-checks.ts";
export {
  type AccountLimits,
  parseRiskConfig,
  type RiskConfig,
  type RiskConfigInput,
  riskConfigSchema,
  type SoftLimits,
  type StrategyLimits,
  strategyLimitsFor,
} from "./risk-config.ts";
export {
  type RiskAdjustment,
  type RiskContext,
  type RiskDecision,
  RiskEngine,
  type RiskEngineOptions,
  type RiskFill,
  type RiskOrderIntent,
} from "./risk-engine.ts";
export {
  DenialReason,
  type RiskDayReset,
  type RiskEvent,
  type RiskLimitWarning,
  type RiskOrderDenied,
  type SoftLimitLevel,
  TradingState,
  type TradingStateChanged,
} from "./risk-events.ts";
export {
  parseRiskStateSnapshot,
  type RiskStateSnapshot,
  type RiskStateStore,
} from "./risk-state-snapshot.ts";
export { limitPriceFor, quantityDown, quantityFromQuote } from "./sizing.ts";
export { SlidingWindowCounter } from "./sliding-window-counter.ts";
