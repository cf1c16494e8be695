import { readFileSync } from "node:fs";
import { DesError, ErrorCode } from "../../core/index.ts";

/** Reads a data file as UTF-8; a missing or unreadable file is an InvalidMarketData error naming it. */
export function readDataFile(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (thrown) {
    throw new DesError(
      ErrorCode.InvalidMarketData,
      `cannot read ${path}: ${(thrown as Error).message}`,
      { path },
      { cause: thrown },
    );
  }
}

/** Returns the value when it is a finite number > 0, else throws InvalidConfig naming the option. */
export function positiveOption(value: number, option: string): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new DesError(ErrorCode.InvalidConfig, `${option} must be a positive number, got ${value}`, {
      option,
      value,
    });
  }
  return value;
}
