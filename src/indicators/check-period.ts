import { DesError, ErrorCode } from "../core/index.ts";

/**
 * The largest period any indicator accepts (TA-Lib's own limit). Windows are preallocated, so an
 * unbounded period would let a bad parameter allocate unbounded memory.
 */
export const MAX_PERIOD = 100_000;

/** Returns the value as a period, or throws when it is not an integer in 1..MAX_PERIOD. */
export function checkPeriod(indicator: string, name: string, value: number): number {
  if (Number.isInteger(value) && value >= 1 && value <= MAX_PERIOD) return value;
  throw new DesError(
    ErrorCode.InvalidStrategyParams,
    `${indicator} ${name} must be an integer from 1 to ${MAX_PERIOD}, got ${String(value)}`,
    { indicator, param: name, value },
  );
}
