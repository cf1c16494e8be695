import { readFileSync } from "node:fs";
import { DesError, ErrorCode } from "../core/index.ts";

/**
 * Reads the strategy instances file: a JSON array (or `{ "strategies": [...] }`) of instance configs.
 * Each entry is validated later by the StrategyEngine against its definition's schema.
 */
export function readStrategiesFile(path: string): unknown[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new DesError(
      ErrorCode.InvalidConfig,
      `strategies file ${path} cannot be read: ${(e as Error).message}`,
      {
        key: "DES_STRATEGIES_FILE",
        value: path,
      },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new DesError(
      ErrorCode.InvalidConfig,
      `strategies file ${path} is not valid JSON: ${(e as Error).message}`,
      {
        key: "DES_STRATEGIES_FILE",
        value: path,
      },
    );
  }
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
