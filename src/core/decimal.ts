import { DesError, ErrorCode } from "./errors.ts";
import { divRound, Rounding } from "./rounding.ts";

/** Number of fractional digits every Decimal carries (enough for 18-decimal crypto assets). */
export const DECIMAL_SCALE = 18;
const ONE_UNITS = 10n ** BigInt(DECIMAL_SCALE);
const DECIMAL_PATTERN = /^([+-])?(\d+)(?:\.(\d*))?$|^([+-])?\.(\d+)$/;
const MAX_ABS_UNITS = 10n ** 60n; // 10^42 in value: far past any balance, keeps bigint work bounded
// A constant: a negation written in the check would allocate a bigint for every Decimal built.
const MIN_UNITS = -MAX_ABS_UNITS;

/**
 * An exact, immutable decimal value: a bigint count of 10^-18 units.
 * Arithmetic that can lose digits (mul, div, rounding to a step) takes a named Rounding.
 * Built from decimal strings (as Binance sends them), never from float arithmetic.
 */
export class Decimal {
  static readonly ZERO = new Decimal(0n);
  static readonly ONE = new Decimal(ONE_UNITS);

  /** The value times 10^18, exactly. */
  readonly units: bigint;
  #number: number | undefined;

  private constructor(units: bigint) {
    if (units > MAX_ABS_UNITS || units < MIN_UNITS) {
      throw new DesError(ErrorCode.DecimalOverflow, `decimal out of range: ${units} units`, {
        units: units.toString(),
      });
    }
    this.units = units;
  }

  /** Parses a decimal string such as "0.00100000" or "-12.5"; more than 18 decimals is an error. */
  static from(value: string | Decimal | bigint): Decimal {
    if (value instanceof Decimal) return value;
    if (typeof value === "bigint") return new Decimal(value * ONE_UNITS);
    if (typeof value !== "string") {
      throw new DesError(ErrorCode.InvalidDecimal, `expected a decimal string, got ${typeof value}`, {
        value: String(value),
      });
    }
    const m = DECIMAL_PATTERN.exec(value.trim());
    if (m === null) {
      throw new DesError(ErrorCode.InvalidDecimal, `not a decimal: ${JSON.stringify(value)}`, { value });
    }
    const sign = m[1] ?? m[4];
    const intPart = m[2] ?? "0";
    const fracRaw = (m[2] !== undefined ? m[3] : m[5]) ?? "";
    const frac = fracRaw.replace(/0+$/, "");
    if (frac.length > DECIMAL_SCALE) {
      throw new DesError(
        ErrorCode.InvalidDecimal,
        `decimal has more than ${DECIMAL_SCALE} fractional digits: ${value}`,
        { value },
      );
    }
    const units = BigInt(intPart) * ONE_UNITS + BigInt(frac.padEnd(DECIMAL_SCALE, "0") || "0");
    return new Decimal(sign === "-" ? -units : units);
  }

  /** Builds a Decimal from a float, rounding to the given number of decimals (lossy by nature). */
  static fromNumber(value: number, decimals: number, rounding: Rounding = Rounding.HalfEven): Decimal {
    if (!Number.isFinite(value)) {
      throw new DesError(ErrorCode.InvalidDecimal, `not a finite number: ${value}`, { value: String(value) });
    }
    if (!Number.isInteger(decimals) || decimals < 0 || decimals > DECIMAL_SCALE) {
      throw new DesError(ErrorCode.InvalidDecimal, `decimals must be an integer in 0..${DECIMAL_SCALE}`, {
        decimals,
      });
    }
    if (Math.abs(value) >= 1e21) return Decimal.from(BigInt(value));
    // toFixed(20) is the float's decimal expansion to 20 places (no exponent below 1e21); rounding
    // that scaled integer once avoids double rounding.
    const scaled = BigInt(value.toFixed(20).replace(".", ""));
    const factor = 10n ** BigInt(20 - decimals);
    return new Decimal(divRound(scaled, factor, rounding) * 10n ** BigInt(DECIMAL_SCALE - decimals));
  }

  /** Builds a Decimal directly from a count of 10^-18 units. */
  static fromUnits(units: bigint): Decimal {
    return new Decimal(units);
  }

  add(other: Decimal): Decimal {
    return new Decimal(this.units + other.units);
  }

  sub(other: Decimal): Decimal {
    return new Decimal(this.units - other.units);
  }

  /** Returns this * other, rounded to 18 decimals. */
  mul(other: Decimal, rounding: Rounding = Rounding.HalfEven): Decimal {
    return new Decimal(divRound(this.units * other.units, ONE_UNITS, rounding));
  }

  /** Returns this / other, rounded to 18 decimals. */
  div(other: Decimal, rounding: Rounding = Rounding.HalfEven): Decimal {
    if (other.units === 0n) throw new DesError(ErrorCode.DivisionByZero, `division of ${this} by zero`);
    return new Decimal(divRound(this.units * ONE_UNITS, other.units, rounding));
  }

  neg(): Decimal {
    return new Decimal(-this.units);
  }

  abs(): Decimal {
    return this.units < 0n ? new Decimal(-this.units) : this;
  }

  /** Rounds to the given number of fractional digits. */
  round(decimals: number, rounding: Rounding): Decimal {
    const factor = 10n ** BigInt(DECIMAL_SCALE - decimals);
    return new Decimal(divRound(this.units, factor, rounding) * factor);
  }

  /** Rounds to a multiple of the increment (a tick size or step size). */
  roundToIncrement(increment: Decimal, rounding: Rounding): Decimal {
    if (increment.units <= 0n) {
      throw new DesError(ErrorCode.InvalidDecimal, `increment must be positive, got ${increment}`);
    }
    return new Decimal(divRound(this.units, increment.units, rounding) * increment.units);
  }

  /** Returns true when this is an exact multiple of the increment. */
  isMultipleOf(increment: Decimal): boolean {
    return increment.units !== 0n && this.units % increment.units === 0n;
  }

  cmp(other: Decimal): -1 | 0 | 1 {
    return this.units < other.units ? -1 : this.units > other.units ? 1 : 0;
  }

  eq(other: Decimal): boolean {
    return this.units === other.units;
  }

  lt(other: Decimal): boolean {
    return this.units < other.units;
  }

  lte(other: Decimal): boolean {
    return this.units <= other.units;
  }

  gt(other: Decimal): boolean {
    return this.units > other.units;
  }

  gte(other: Decimal): boolean {
    return this.units >= other.units;
  }

  isZero(): boolean {
    return this.units === 0n;
  }

  isNegative(): boolean {
    return this.units < 0n;
  }

  isPositive(): boolean {
    return this.units > 0n;
  }

  sign(): -1 | 0 | 1 {
    return this.units < 0n ? -1 : this.units > 0n ? 1 : 0;
  }

  static min(a: Decimal, b: Decimal): Decimal {
    return a.units <= b.units ? a : b;
  }

  static max(a: Decimal, b: Decimal): Decimal {
    return a.units >= b.units ? a : b;
  }

  /** Returns the nearest float: lossy, for indicators and charts only. Cached after the first call. */
  toNumber(): number {
    if (this.#number === undefined) this.#number = Number(this.toString());
    return this.#number;
  }

  /** Returns the shortest exact decimal string ("0.001", "-12.5", "3"). */
  toString(): string {
    const negative = this.units < 0n;
    const abs = negative ? -this.units : this.units;
    const intPart = abs / ONE_UNITS;
    const frac = (abs % ONE_UNITS).toString().padStart(DECIMAL_SCALE, "0").replace(/0+$/, "");
    return (negative ? "-" : "") + intPart.toString() + (frac.length > 0 ? `.${frac}` : "");
  }

  /** Returns the value with exactly the given number of decimals (rounded with the given mode). */
  toFixed(decimals: number, rounding: Rounding = Rounding.HalfEven): string {
    const s = this.round(decimals, rounding).toString();
    if (decimals === 0) return s;
    const dot = s.indexOf(".");
    if (dot < 0) return `${s}.${"0".repeat(decimals)}`;
    return s + "0".repeat(decimals - (s.length - dot - 1));
  }

  toJSON(): string {
    return this.toString();
  }
}

/** Shorthand for Decimal.from. */
export function dec(value: string | Decimal | bigint): Decimal {
  return Decimal.from(value);
}
