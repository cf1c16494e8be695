import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { Atr, BollingerBands, Ema, Rsi, Sma, StdDev, Stochastic, Wma } from "./index.ts";

// The `technicalindicators` npm package's test vectors (see test/fixtures/indicator-vectors/SOURCES.md),
// used where its conventions match TA-Lib's:
// - SMA, WMA, SD (population), BollingerBands (population SD), EMA (SMA seed), RSI and ATR (Wilder,
//   first ATR = mean of the true ranges of bars 2..period+1) match and are all checked.
// - Its Stochastic is the unsmoothed one: k = fast %K, d = SMA(signalPeriod) of k, which is TA-Lib
//   STOCH with slowKPeriod 1, so it is checked as Stochastic(period, 1, signalPeriod). It reports k
//   before d exists; ours reports both only once d exists (TA-Lib's alignment), so the rows with a
//   null d are only used to check that we are not ready yet.
// - MACD is not checked (and not copied): that library seeds the fast EMA with the SMA of the first
//   `fast` inputs, TA-Lib with the `fast` inputs just before the slow EMA starts.
// Outputs are right-aligned with the inputs; `reversedInput` vectors are newest-first.

interface Vector {
  fn: string;
  input: Record<string, unknown> & { reversedInput?: boolean };
  expected: unknown[];
}

const vectors = JSON.parse(
  readFileSync(
    new URL("../../test/fixtures/indicator-vectors/technicalindicators_vectors.json", import.meta.url),
    "utf8",
  ),
) as { tests: Record<string, Vector[]> };

const FULL = 1e-9;

function numbers(input: Vector["input"], name: string): number[] {
  const v = input[name];
  assert.ok(Array.isArray(v), `input ${name}`);
  const values = v as number[];
  return input.reversedInput === true ? [...values].reverse() : values;
}

function param(input: Vector["input"], name: string): number {
  const v = input[name];
  assert.equal(typeof v, "number", `input ${name}`);
  return v as number;
}

function expectedRows<T>(v: Vector): T[] {
  const rows = v.expected as T[];
  return v.input.reversedInput === true ? [...rows].reverse() : rows;
}

/** Tolerance: an absolute bound, or FULL for values given to full float precision (relative 1e-9). */
function assertClose(actual: number, expected: number, tolerance: number, what: string): void {
  const bound = tolerance === FULL ? FULL * Math.max(1, Math.abs(expected)) : tolerance;
  assert.ok(Math.abs(actual - expected) <= bound, `${what}: got ${actual}, expected ${expected} ± ${bound}`);
}

/** Feeds the values and returns the outputs right-aligned with `count` expected rows. */
function tail<T>(values: number[], count: number, step: (v: number) => T): T[] {
  const out = values.map(step);
  return out.slice(values.length - count);
}

function checkSingle(
  v: Vector,
  make: () => { update(v: number): void; value: number; isReady: boolean },
  tolerance: number,
): void {
  const values = numbers(v.input, "values");
  const expected = expectedRows<number>(v);
  const ind = make();
  const ready: boolean[] = [];
  const got = tail(values, expected.length, (x) => {
    ind.update(x);
    ready.push(ind.isReady);
    return ind.value;
  });
  assert.equal(ready.indexOf(true), values.length - expected.length, "first ready input");
  for (const [i, e] of expected.entries()) assertClose(got[i]!, e, tolerance, `${v.fn}[${i}]`);
}

const t = vectors.tests;
const entries = (file: string): Vector[] => {
  const list = t[file];
  assert.ok(list !== undefined && list.length > 0, `fixture has ${file}`);
  return list;
};

describe("technicalindicators vectors", () => {
  test("SMA", () => {
    const [plain, small, rounded] = entries("moving_averages/SMA.js");
    checkSingle(plain!, () => new Sma(param(plain!.input, "period")), FULL);
    checkSingle(small!, () => new Sma(param(small!.input, "period")), FULL);
    // This upstream test rounds its output to 3 decimals through a format option the harvest did
    // not record (its result_transform is null). Rounding ours again would flip on values such as
    // 0.0025 that sit on the boundary, so allow half a unit of the third decimal instead.
    checkSingle(rounded!, () => new Sma(param(rounded!.input, "period")), 0.0005 + 1e-12);
  });

  test("EMA", () => {
    for (const v of entries("moving_averages/EMA.js"))
      checkSingle(v, () => new Ema(param(v.input, "period")), FULL);
  });

  test("WMA", () => {
    for (const v of entries("moving_averages/WMA.js"))
      checkSingle(v, () => new Wma(param(v.input, "period")), FULL);
  });

  test("SD (population)", () => {
    for (const v of entries("Utils/SD.js")) checkSingle(v, () => new StdDev(param(v.input, "period")), FULL);
  });

  test("RSI (expected values are rounded to 2 decimals upstream)", () => {
    for (const v of entries("oscillators/RSI.js")) {
      checkSingle(v, () => new Rsi(param(v.input, "period")), 0.005 + 1e-12);
    }
  });

  test("BollingerBands", () => {
    for (const v of entries("volatility/BollingerBands.js")) {
      const values = numbers(v.input, "values");
      const rows = expectedRows<{ upper: number; middle: number; lower: number }>(v);
      const bands = new BollingerBands(param(v.input, "period"), param(v.input, "stdDev"));
      const got = tail(values, rows.length, (x) => {
        bands.update(x);
        return { upper: bands.upper, middle: bands.middle, lower: bands.lower, ready: bands.isReady };
      });
      rows.forEach((e, i) => {
        assert.ok(got[i]!.ready);
        assertClose(got[i]!.upper, e.upper, FULL, `upper[${i}]`);
        assertClose(got[i]!.middle, e.middle, FULL, `middle[${i}]`);
        assertClose(got[i]!.lower, e.lower, FULL, `lower[${i}]`);
      });
    }
  });

  test("ATR", () => {
    for (const v of entries("directionalmovement/ATR.js")) {
      const [high, low, close] = [
        numbers(v.input, "high"),
        numbers(v.input, "low"),
        numbers(v.input, "close"),
      ];
      const expected = expectedRows<number>(v);
      const atr = new Atr(param(v.input, "period"));
      const got = high.map((h, i) => {
        atr.update(h, low[i]!, close[i]!);
        return atr.value;
      });
      const offset = high.length - expected.length;
      assert.ok(Number.isNaN(got[offset - 1]!) && !Number.isNaN(got[offset]!), "first output aligned");
      for (const [i, e] of expected.entries()) assertClose(got[offset + i]!, e, FULL, `atr[${i}]`);
    }
  });

  test("Stochastic, as Stochastic(period, 1, signalPeriod)", () => {
    for (const v of entries("momentum/Stochastic.js")) {
      const [high, low, close] = [
        numbers(v.input, "high"),
        numbers(v.input, "low"),
        numbers(v.input, "close"),
      ];
      const rows = expectedRows<{ k: number; d: number | null }>(v);
      const stoch = new Stochastic(param(v.input, "period"), 1, param(v.input, "signalPeriod"));
      const got = high.map((h, i) => {
        stoch.update(h, low[i]!, close[i]!);
        return { k: stoch.k, d: stoch.d, ready: stoch.isReady };
      });
      const offset = high.length - rows.length;
      let compared = 0;
      rows.forEach((e, i) => {
        const g = got[offset + i]!;
        if (e.d === null) {
          assert.ok(!g.ready && Number.isNaN(g.k) && Number.isNaN(g.d), `not ready at row ${i}`);
          return;
        }
        assert.ok(g.ready, `ready at row ${i}`);
        assertClose(g.k, e.k, FULL, `k[${i}]`);
        assertClose(g.d, e.d, FULL, `d[${i}]`);
        compared++;
      });
      assert.ok(compared >= rows.length - 2);
    }
  });
});
