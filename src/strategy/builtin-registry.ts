import { builtinStrategies, builtinStrategyModules } from "./builtin/index.ts";
import { StrategyRegistry } from "./strategy-registry.ts";

/** Returns a registry holding every built-in definition, each with its worker module (worker mode). */
export function builtinRegistry(): StrategyRegistry {
  const registry = new StrategyRegistry();
  for (const definition of builtinStrategies) {
    registry.register(definition, builtinStrategyModules[definition.name]);
  }
  return registry;
}
