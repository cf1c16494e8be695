import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { Decimal, dec } from "./decimal.ts";
import { isDesError } from "./errors.ts";
import { Rounding } from "./rounding.ts";

/** Decimal strings with up to 12 integer and 18 fractional digits, as an arbitrary. */
const decimalString = fc
  .tuple(
    fc.boolean(),
    fc.bigInt({ min: 0n, max: 10n ** 12n }),
    fc.bigInt({ min: 0n, max: 10n ** 18n - 1n }),
    fc.integer({ min: 0, max: 18 }),
  )
  .map(([neg, i, f, digits]) => {
    const frac = f.toString().padStart(18, "0").slice(0, digits);
    return `${neg && (i > 0n || /[1-9]/.test(frac)) ? "-" : ""}${i}${digits > 0 ? `.${frac}` : ""}`;
  });

/** Exact rational check: value * 10^18 as bigint from the string. */
function unitsOf(s: string): bigint {
  const neg = s.startsWith("-");
  const [i, f = ""] = s.replace("-", "").split(".");
  const u = BigInt(i!) * 10n ** 18n + BigInt(f.padEnd(18, "0"));
  return neg ? -u : u;
}

describe("Decimal", () => {
  test("parses Binance strings exactly and prints the shortest form", () => {
    assert.equal(dec("0.00100000").toString(), "0.001");
    assert.equal(dec("-12.50").toString(), "-12.5");
    assert.equal(dec("42").toString(), "42");
    assert.equal(dec(".5").toString(), "0.5");
    assert.equal(dec("0.000000000000000001").units, 1n);
  });

  test("rejects what is not a decimal, naming the value", () => {
    for (const bad of ["", "1e5", "abc", "1.2.3", "0x10", "1.0000000000000000001", " - 1"]) {
      assert.throws(
        () => dec(bad),
        (e: unknown) =>
          isDesError(e, "DES_ERR_INVALID_DECIMAL") && e.message.includes(JSON.stringify(bad).slice(1, -1)),
      );
    }
  });

  test("0.1 + 0.2 is exactly 0.3", () => {
    assert.equal(dec("0.1").add(dec("0.2")).toString(), "0.3");
  });

  test("round trip: from(toString(x)) == x", () => {
    fc.assert(fc.property(decimalString, (s) => dec(dec(s).toString()).eq(dec(s))));
  });

  test("add and sub are exact and inverse", () => {
    fc.assert(
      fc.property(decimalString, decimalString, (a, b) => {
        const x = dec(a);
        const y = dec(b);
        assert.equal(x.add(y).units, unitsOf(a) + unitsOf(b));
        assert.ok(x.add(y).sub(y).eq(x));
        assert.ok(x.add(y).eq(y.add(x)));
      }),
    );
  });

  test("mul is exact when the product fits 18 decimals, and commutative", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 9n), max: 10n ** 9n }),
        fc.bigInt({ min: -(10n ** 9n), max: 10n ** 9n }),
        (a, b) => {
          // a/1e9 * b/1e9 = ab/1e18: always representable
          const x = Decimal.fromUnits(a * 10n ** 9n);
          const y = Decimal.fromUnits(b * 10n ** 9n);
          assert.equal(x.mul(y).units, a * b);
          assert.ok(x.mul(y).eq(y.mul(x)));
        },
      ),
    );
  });

  test("div then mul returns the value within one unit of rounding", () => {
    fc.assert(
      fc.property(decimalString, decimalString, (a, b) => {
        const y = dec(b);
        fc.pre(!y.isZero() && y.abs().gte(dec("0.000001")));
        const x = dec(a);
        const back = x.div(y).mul(y);
        const err = back.sub(x).abs();
        // |error| <= 0.5 unit * |y| + 0.5 unit, in units
        assert.ok(err.units <= y.abs().units / 10n ** 18n + 1n, `${a}/${b}: ${err}`);
      }),
    );
  });

  test("named rounding modes", () => {
    const cases: Array<[string, Rounding, string]> = [
      ["2.5", Rounding.HalfEven, "2"],
      ["3.5", Rounding.HalfEven, "4"],
      ["2.5", Rounding.HalfUp, "3"],
      ["-2.5", Rounding.HalfUp, "-3"],
      ["2.9", Rounding.Down, "2"],
      ["-2.9", Rounding.Down, "-2"],
      ["2.1", Rounding.Up, "3"],
      ["-2.1", Rounding.Up, "-3"],
      ["-2.1", Rounding.Floor, "-3"],
      ["-2.9", Rounding.Ceil, "-2"],
      ["2.0", Rounding.Up, "2"],
    ];
    for (const [v, mode, want] of cases) assert.equal(dec(v).round(0, mode).toString(), want, `${v} ${mode}`);
  });

  test("roundToIncrement rounds to tick and step sizes", () => {
    assert.equal(dec("0.123456").roundToIncrement(dec("0.001"), Rounding.Down).toString(), "0.123");
    assert.equal(dec("27123.456").roundToIncrement(dec("0.01"), Rounding.HalfEven).toString(), "27123.46");
    assert.equal(dec("5").roundToIncrement(dec("0.25"), Rounding.Down).toString(), "5");
    fc.assert(
      fc.property(decimalString, fc.constantFrom("0.01", "0.00001", "0.5", "10"), (s, step) => {
        const r = dec(s).roundToIncrement(dec(step), Rounding.Down);
        assert.ok(r.isMultipleOf(dec(step)));
        assert.ok(r.abs().lte(dec(s).abs()), "Down never increases magnitude");
        assert.ok(dec(s).sub(r).abs().lt(dec(step)));
      }),
    );
  });

  test("toFixed pads and rounds", () => {
    assert.equal(dec("1.5").toFixed(8), "1.50000000");
    assert.equal(dec("1.23456789").toFixed(2), "1.23");
    assert.equal(dec("3").toFixed(0), "3");
  });

  test("toNumber is the nearest float of the string", () => {
    fc.assert(fc.property(decimalString, (s) => dec(s).toNumber() === Number(s)));
  });

  test("division by zero is a coded error", () => {
    assert.throws(
      () => dec("1").div(Decimal.ZERO),
      (e: unknown) => isDesError(e, "DES_ERR_DIVISION_BY_ZERO"),
    );
  });

  test("fromNumber rounds a float to the requested decimals", () => {
    assert.equal(Decimal.fromNumber(0.1 + 0.2, 8).toString(), "0.3");
    assert.equal(Decimal.fromNumber(-1.005, 2, Rounding.HalfUp).toString(), "-1");
    assert.throws(
      () => Decimal.fromNumber(Number.NaN, 2),
      (e: unknown) => isDesError(e, "DES_ERR_INVALID_DECIMAL"),
    );
  });
});
