export { BoundedQueue } from "./bounded-queue.ts";
export { builtinRegistry } from "./builtin-registry.ts";
export { MemoryStrategyStateStore } from "./memory-strategy-state-store.ts";
export type {
  HandlerResult,
  OpenOrderView,
  OrderRequest,
  SignalRequest,
  Strategy,
  StrategyContext,
  StrategyDefinition,
  StrategySubscriptions,
} from "./strategy.ts";
export {
  defaultMaxConcurrency,
  type StartFailure,
  StrategyEngine,
  type StrategyEngineOptions,
  type StrategyEngineStats,
  type StrategyInstanceStats,
} from "./strategy-engine.ts";
export {
  parseStrategyInstanceConfig,
  type StrategyInstanceConfig,
  type StrategyMode,
  strategyInstanceConfigSchema,
} from "./strategy-instance-config.ts";
export { type ParamIssue, parseStrategyParams } from "./strategy-params.ts";
export type {
  InstrumentReader,
  OpenOrdersReader,
  PositionReader,
  StrategyStateStore,
  WarmupSource,
} from "./strategy-ports.ts";
export { StrategyRegistry, type StrategyRegistryEntry, type WorkerModuleRef } from "./strategy-registry.ts";
