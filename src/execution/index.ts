export {
  ExecutionEngine,
  type ExecutionEngineConfig,
  type ExecutionStats,
  type VenueMarketDataConfig,
} from "./execution-engine.ts";
export { OrderTracker, type TrackedOrder } from "./order-tracker.ts";
