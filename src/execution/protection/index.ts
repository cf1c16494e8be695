export type { NativeOrder, NativeTrigger, ProtectionView } from "./protected-position.ts";
export {
  type PlanLevel,
  type ProtectionConfig,
  type ProtectionLevelInput,
  type ProtectionMode,
  type ProtectionPlan,
  parseProtectionConfig,
} from "./protection-config.ts";
export type { PositionSide, PriceTrigger } from "./protection-levels.ts";
export { ProtectionManager } from "./protection-manager.ts";
export type { ProtectionManagerConfig, ProtectionStats } from "./protection-manager-types.ts";
