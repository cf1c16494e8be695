import { DECIMAL_SCALE, Decimal } from "../../../core/index.ts";

/** 10^0 .. 10^18 as bigints, to scale a parsed integer to Decimal units. */
const POW10: readonly bigint[] = Array.from({ length: DECIMAL_SCALE + 1 }, (_, i) => 10n ** BigInt(i));
/** Up to 15 significant digits fit a double exactly (2^53 is about 9.007e15). */
const MAX_FAST_DIGITS = 15;
/** Longer strings are not decimals Binance sends; refusing them bounds the work per field. */
const MAX_LENGTH = 64;
const DOT = 46;
const ZERO = 48;

/**
 * Parses the unsigned decimal text in `text[start, end)` ("0.35280000", "100") into an exact
 * Decimal, or returns undefined when it is not one. The hot path of every market frame: digits are
 * accumulated in a double while that is exact (up to 15 significant digits) and scaled with a single
 * bigint multiplication, several times faster than Decimal.from; longer values go through
 * Decimal.from for the same result. Signs, exponents and whitespace are refused: Binance never sends
 * them. Reading a range lets the frame scanner parse a price without cutting it out first.
 */
export function parseMarketDecimalRange(text: string, start: number, end: number): Decimal | undefined {
  const n = end - start;
  if (n <= 0 || n > MAX_LENGTH) return undefined;
  let acc = 0;
  let significant = 0;
  let digits = 0;
  let dot = -1;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === DOT) {
      if (dot >= 0) return undefined;
      dot = i;
      continue;
    }
    const d = c - ZERO;
    if (d < 0 || d > 9) return undefined;
    digits++;
    if (significant > 0 || d > 0) {
      significant++;
      if (significant <= MAX_FAST_DIGITS) acc = acc * 10 + d;
    }
  }
  if (digits === 0) return undefined;
  const fracLen = dot < 0 ? 0 : end - dot - 1;
  if (significant <= MAX_FAST_DIGITS && fracLen <= DECIMAL_SCALE) {
    return acc === 0 ? Decimal.ZERO : Decimal.fromUnits(BigInt(acc) * POW10[DECIMAL_SCALE - fracLen]!);
  }
  try {
    return Decimal.from(text.slice(start, end));
  } catch {
    return undefined;
  }
}

/** Parses an unsigned decimal string into an exact Decimal, or returns undefined when the value is not one. */
export function parseMarketDecimal(value: unknown): Decimal | undefined {
  return typeof value === "string" ? parseMarketDecimalRange(value, 0, value.length) : undefined;
}
