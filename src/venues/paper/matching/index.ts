export type { EngineOrderStatus, EngineOrderView } from "./engine-order.ts";
export type { FeeAssetMode, PaperMatchingConfig } from "./matching-config.ts";
export { PaperMatchingEngine, type PaperMatchingStats } from "./paper-matching-engine.ts";
export { MatchingReason } from "./reject-reasons.ts";
export { type SlippageModel, slipPrice } from "./slippage.ts";
