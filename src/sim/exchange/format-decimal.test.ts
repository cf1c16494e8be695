import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { Decimal, dec } from "../../core/index.ts";
import { formatDecimal } from "./format-decimal.ts";

describe("formatDecimal", () => {
  it("pads to the precision like Binance and never drops significant digits", () => {
    assert.equal(formatDecimal(dec("1.5"), 8), "1.50000000");
    assert.equal(formatDecimal(dec("0"), 8), "0.00000000");
    assert.equal(formatDecimal(dec("20000"), 2), "20000.00");
    assert.equal(formatDecimal(dec("3"), 0), "3");
    assert.equal(formatDecimal(dec("0.123456789"), 8), "0.123456789");
    assert.equal(formatDecimal(dec("-0.00000001"), 8), "-0.00000001");
    assert.equal(formatDecimal(dec("123456789012345678901234"), 8), "123456789012345678901234.00000000");
  });

  it("round-trips through Decimal.from for any value and precision", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }),
        fc.integer({ min: 0, max: 18 }),
        (units, d) => {
          const v = Decimal.fromUnits(units);
          const s = formatDecimal(v, d);
          assert.equal(Decimal.from(s).units, units);
          const dot = s.indexOf(".");
          assert.ok((dot < 0 ? 0 : s.length - dot - 1) >= d);
        },
      ),
    );
  });
});
