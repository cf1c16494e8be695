export {
  ExecutionEngine,
  type ExecutionEngineConfig,
  type ExecutionExecutorConfig,
  type ExecutionStats,
  type VenueMarketDataConfig,
} from "./execution-engine.ts";
export { OrderTracker, type TrackedOrder } from "./order-tracker.ts";
export type {
  ExecutionRisk,
  PortfolioRiskView,
  PreTradeContext,
  PreTradeDecision,
  PreTradeFill,
  PreTradeIntent,
  PreTradeRisk,
} from "./pre-trade-risk.ts";
