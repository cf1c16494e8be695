export type {
  EngineOrderStatus,
  EngineOrderView,
  FeeAssetMode,
  PaperMatchingStats,
} from "./matching/index.ts";
export { MatchingReason, PaperMatchingEngine } from "./matching/index.ts";
export { PaperVenue, type PaperVenueConfig, type PaperVenueStats } from "./paper-venue.ts";
