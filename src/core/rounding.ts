/**
 * Named rounding modes. Quantities you must not overspend round `Down` (toward zero);
 * prices that must stay inside a limit round toward the safe side with `Floor` / `Ceil`.
 */
export const Rounding = {
  /** Toward zero (truncate). */
  Down: "DOWN",
  /** Away from zero. */
  Up: "UP",
  /** Toward negative infinity. */
  Floor: "FLOOR",
  /** Toward positive infinity. */
  Ceil: "CEIL",
  /** To nearest; ties away from zero. */
  HalfUp: "HALF_UP",
  /** To nearest; ties to the even neighbour (banker's rounding). */
  HalfEven: "HALF_EVEN",
} as const;

export type Rounding = (typeof Rounding)[keyof typeof Rounding];

/** Divides two bigints and rounds the quotient with the given mode. */
export function divRound(numerator: bigint, denominator: bigint, rounding: Rounding): bigint {
  if (denominator === 0n) throw new RangeError("division by zero");
  let n = numerator;
  let d = denominator;
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const q = n / d; // truncates toward zero
  const r = n % d; // the sign of n, as n - q * d, in one bigint operation instead of two
  if (r === 0n) return q;
  const negative = n < 0n;
  const awayFromZero = negative ? q - 1n : q + 1n;
  switch (rounding) {
    case Rounding.Down:
      return q;
    case Rounding.Up:
      return awayFromZero;
    case Rounding.Floor:
      return negative ? q - 1n : q;
    case Rounding.Ceil:
      return negative ? q : q + 1n;
    case Rounding.HalfUp:
    case Rounding.HalfEven: {
      const twice = (r < 0n ? -r : r) * 2n;
      if (twice > d) return awayFromZero;
      if (twice < d) return q;
      if (rounding === Rounding.HalfUp) return awayFromZero;
      return q % 2n === 0n ? q : awayFromZero;
    }
  }
}
