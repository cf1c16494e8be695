/**
 * Field checks shared by the market-frame parsers. Each returns a boolean so the parsers can stay
 * allocation-free on valid input and build an error reason only when a check fails.
 */

/** A JSON value that looks like an object: what every stream payload must be. */
export type WireObject = Record<string, unknown>;

/** Returns true for a plain JSON object (not null, not an array). */
export function isWireObject(value: unknown): value is WireObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Returns true for a non-negative safe integer (ids, counts). */
export function isWireId(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/** The latest epoch time in ms whose microseconds (x 1000 + 999) are still a safe integer (year 2255). */
const MAX_TIME_MS = Math.floor(Number.MAX_SAFE_INTEGER / 1000) - 1;

/** Returns true for a positive integer epoch time in milliseconds that converts to safe-integer microseconds. */
export function isWireTimeMs(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value > 0 && value <= MAX_TIME_MS;
}
