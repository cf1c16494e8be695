export {
  ExecutionEngine,
  type ExecutionEngineConfig,
  type ExecutionExecutorConfig,
  type ExecutionStats,
  type VenueMarketDataConfig,
} from "./execution-engine.ts";
export type {
  OrderJournal,
  RecoveryOptions,
  RecoveryReport,
  RestoredOrder,
  UnknownVenueOrderPolicy,
} from "./order-recovery-types.ts";
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
export {
  type ProtectionConfig,
  ProtectionManager,
  type ProtectionManagerConfig,
  type ProtectionMode,
  type ProtectionStats,
  type ProtectionView,
  parseProtectionConfig,
} from "./protection/index.ts";
