import { DECIMAL_SCALE, type Decimal } from "../../core/index.ts";

const ZEROS = new Map<number, string>();

function zero(decimals: number): string {
  let z = ZEROS.get(decimals);
  if (z === undefined) {
    z = decimals === 0 ? "0" : `0.${"0".repeat(decimals)}`;
    ZEROS.set(decimals, z);
  }
  return z;
}

/**
 * Returns the decimal as Binance prints it: exactly `decimals` fractional digits ("1.50000000").
 * A value with more significant digits than that keeps them all, so a wire string never misstates
 * an amount (the simulator's balances are exact; rounding here would hide a difference).
 * One bigint-to-string conversion and string slicing: this runs several times per event.
 */
export function formatDecimal(value: Decimal, decimals: number): string {
  const units = value.units;
  if (units === 0n) return zero(decimals);
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString();
  const intPart = digits.length > DECIMAL_SCALE ? digits.slice(0, digits.length - DECIMAL_SCALE) : "0";
  const frac =
    digits.length > DECIMAL_SCALE ? digits.slice(-DECIMAL_SCALE) : digits.padStart(DECIMAL_SCALE, "0");
  let keep = DECIMAL_SCALE;
  while (keep > decimals && frac.charCodeAt(keep - 1) === 48) keep--;
  const sign = negative ? "-" : "";
  return keep === 0 ? `${sign}${intPart}` : `${sign}${intPart}.${frac.slice(0, keep)}`;
}
