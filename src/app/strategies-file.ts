import { DesError, ErrorCode } from "../core/index.ts";
import { readJsonConfigFile } from "./read-json-config-file.ts";

/**
 * Reads the strategy instances file: a JSON array (or `{ "strategies": [...] }`) of instance configs.
 * Each entry is validated later by the StrategyEngine against its definition's schema.
 */
export function readStrategiesFile(path: string): unknown[] {
  const parsed = readJsonConfigFile(path, "strategies file", "DES_STRATEGIES_FILE");
  const list = Array.isArray(parsed) ? parsed : (parsed as { strategies?: unknown } | null)?.strategies;
  if (!Array.isArray(list)) {
    throw new DesError(
      ErrorCode.InvalidConfig,
      `strategies file ${path} must hold a JSON array of strategy instances (or {"strategies": [...]})`,
      {
        key: "DES_STRATEGIES_FILE",
        value: path,
      },
    );
  }
  return list;
}
