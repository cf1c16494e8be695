import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { Decimal } from "../../../core/index.ts";
import { parseMarketDecimal } from "./parse-market-decimal.ts";

describe("parseMarketDecimal", () => {
  test("reads Binance's decimal strings exactly", () => {
    const cases: Array<[string, string]> = [
      ["0.35280000", "0.3528"],
      ["58.00000000", "58"],
      ["0.00000638", "0.00000638"],
      ["100", "100"],
      ["0", "0"],
      ["0.00000000", "0"],
      ["60123.45000000", "60123.45"],
      ["123456789012345.678", "123456789012345.678"],
      ["0.000000000000000001", "0.000000000000000001"],
      ["1.000000000000000000000", "1"],
      ["99999999999999999999.99999999", "99999999999999999999.99999999"],
      [".5", "0.5"],
      ["5.", "5"],
    ];
    for (const [text, expected] of cases) assert.equal(parseMarketDecimal(text)?.toString(), expected, text);
  });

  test("refuses what is not an unsigned decimal string", () => {
    for (const bad of [
      "",
      ".",
      "-1",
      "+1",
      "1e5",
      " 1",
      "1 ",
      "1.2.3",
      "0x10",
      "NaN",
      "1,5",
      "0.0000000000000000001",
      "9".repeat(65),
    ]) {
      assert.equal(parseMarketDecimal(bad), undefined, JSON.stringify(bad));
    }
    for (const bad of [1, null, undefined, true, {}, ["1"], 1n])
      assert.equal(parseMarketDecimal(bad), undefined);
  });

  test("equals Decimal.from on every unsigned decimal string (property)", () => {
    const digits = (min: number, max: number) =>
      fc.array(fc.constantFrom(..."0123456789"), { minLength: min, maxLength: max }).map((a) => a.join(""));
    fc.assert(
      fc.property(digits(1, 25), fc.option(digits(0, 18)), (intPart, frac) => {
        const text = frac === null ? intPart : `${intPart}.${frac}`;
        const ours = parseMarketDecimal(text);
        assert.ok(ours !== undefined, text);
        assert.equal(ours.units, Decimal.from(text).units, text);
      }),
      { numRuns: 20_000 },
    );
  });
});
