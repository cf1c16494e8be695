import { DesError, ErrorCode } from "../core/index.ts";

/** Throws unless the value is a finite number; called before any state changes. */
export function checkInput(indicator: string, value: number): void {
  if (!Number.isFinite(value)) throw nonFinite(indicator, value);
}

/**
 * Throws unless high, low and close are finite and low <= close <= high; called before any state
 * changes. An inverted bar would make a true range or a %K meaningless instead of failing loudly.
 */
export function checkBarInput(indicator: string, high: number, low: number, close: number): void {
  // NaN fails every comparison, so a NaN close is caught by the ordering test.
  if (Number.isFinite(high) && Number.isFinite(low) && low <= close && close <= high) return;
  throw badBar(indicator, high, low, close);
}

// The throwing paths live in separate functions so the checks above stay small enough to inline.
function nonFinite(indicator: string, value: number): DesError {
  return new DesError(
    ErrorCode.InvalidMarketData,
    `${indicator} input must be a finite number, got ${String(value)}`,
    { indicator, value: String(value) },
  );
}

function badBar(indicator: string, high: number, low: number, close: number): DesError {
  const finite = Number.isFinite(high) && Number.isFinite(low) && Number.isFinite(close);
  const reason = finite ? "low <= close <= high does not hold" : "high, low and close must be finite numbers";
  return new DesError(
    ErrorCode.InvalidMarketData,
    `${indicator} bar is invalid (${reason}): high=${high} low=${low} close=${close}`,
    { indicator, high: String(high), low: String(low), close: String(close) },
  );
}
