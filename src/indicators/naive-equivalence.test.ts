import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { Atr, BollingerBands, Ema, Macd, Rsi, Sma, StdDev, Stochastic, Wma } from "./index.ts";

// Each streaming (O(1) per update) indicator must give, after every update, what a naive
// recomputation over the whole window gives. Values are prices with cents, with flat runs so that
// zero variance and high == low windows occur; long series cross the periodic re-summing.

interface Bar {
  high: number;
  low: number;
  close: number;
}

// Shrinking a failing series of thousands of values can take many minutes: stop shrinking after
// a while and report the smallest counterexample found so far (a failure stays a failure).
fc.configureGlobal({ numRuns: 30, interruptAfterTimeLimit: 10_000 });

const cents = (min: number, max: number) => fc.integer({ min, max }).map((c) => c / 100);
const runLength = fc.oneof(
  { weight: 6, arbitrary: fc.constant(1) },
  { weight: 1, arbitrary: fc.integer({ min: 2, max: 40 }) },
);

/** Independent prices from 0.01 to 100,000: windows jump across five orders of magnitude. */
function jumpyPrices(maxLength: number): fc.Arbitrary<number[]> {
  return fc
    .array(fc.tuple(cents(1, 10_000_000), runLength), { maxLength, size: "max" })
    .map((runs) => runs.flatMap(([p, n]) => new Array<number>(n).fill(p)));
}

/** A random walk in cents with steps up to 2%, like a market's closes. */
function prices(maxLength: number): fc.Arbitrary<number[]> {
  const step = fc.integer({ min: -200, max: 200 });
  return fc
    .tuple(cents(100, 10_000_000), fc.array(fc.tuple(step, runLength), { maxLength, size: "max" }))
    .map(([start, runs]) => {
      const out: number[] = [];
      let p = start;
      for (const [bp, n] of runs) {
        p = Math.max(0.01, Math.round(p * (10_000 + bp)) / 10_000);
        p = Math.round(p * 100) / 100;
        for (let i = 0; i < n; i++) out.push(p);
      }
      return out;
    });
}

function bars(maxLength: number): fc.Arbitrary<Bar[]> {
  const spread = fc.oneof(fc.constant(0), cents(0, 50_000));
  return fc
    .array(fc.tuple(cents(1, 10_000_000), spread, spread, runLength), { maxLength, size: "max" })
    .map((runs) =>
      runs.flatMap(([close, up, down, n]) =>
        new Array<Bar>(n).fill({ high: close + up, low: close - down, close }),
      ),
    );
}

const period = fc.integer({ min: 1, max: 30 });

/** Asserts a == b within a tolerance relative to the scale of the data (both NaN also matches). */
function assertNear(actual: number, expected: number, scale: number, relTol: number, what: string): void {
  if (Number.isNaN(expected)) {
    assert.ok(Number.isNaN(actual), `${what}: got ${actual}, expected NaN`);
    return;
  }
  const bound = relTol * Math.max(1, scale);
  assert.ok(Math.abs(actual - expected) <= bound, `${what}: got ${actual}, expected ${expected} ± ${bound}`);
}

const maxAbs = (xs: readonly number[]): number => xs.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

function naiveSma(xs: readonly number[], t: number, n: number): number {
  return t + 1 < n ? Number.NaN : mean(xs.slice(t + 1 - n, t + 1));
}

function naiveWma(xs: readonly number[], t: number, n: number): number {
  if (t + 1 < n) return Number.NaN;
  let s = 0;
  for (let i = 0; i < n; i++) s += (i + 1) * xs[t + 1 - n + i]!;
  return s / ((n * (n + 1)) / 2);
}

function naiveStdDev(xs: readonly number[], t: number, n: number): number {
  if (t + 1 < n) return Number.NaN;
  const w = xs.slice(t + 1 - n, t + 1);
  const m = mean(w);
  return Math.sqrt(w.reduce((s, x) => s + (x - m) * (x - m), 0) / n);
}

/** Returns the EMA series seeded, as TA-Lib does, with the SMA of the `n` inputs ending at `seedAt`. */
function batchEma(xs: readonly number[], n: number, seedAt: number): number[] {
  const out = new Array<number>(xs.length).fill(Number.NaN);
  if (seedAt >= xs.length || seedAt + 1 < n) return out;
  let e = mean(xs.slice(seedAt + 1 - n, seedAt + 1));
  out[seedAt] = e;
  for (let i = seedAt + 1; i < xs.length; i++) {
    e = (xs[i]! - e) * (2 / (n + 1)) + e;
    out[i] = e;
  }
  return out;
}

function feed<T>(values: readonly T[], step: (v: T, i: number) => void): void {
  values.forEach(step);
}

describe("streaming indicators equal a naive recomputation", () => {
  test("Sma, Wma and StdDev on long series (crossing the periodic re-sum)", () => {
    fc.assert(
      fc.property(fc.oneof(prices(3000), jumpyPrices(3000)), period, (xs, n) => {
        const [sma, wma, sd] = [new Sma(n), new Wma(n), new StdDev(n)];
        const scale = maxAbs(xs);
        feed(xs, (x, t) => {
          sma.update(x);
          wma.update(x);
          sd.update(x);
          assertNear(sma.value, naiveSma(xs, t, n), scale, 1e-9, `sma(${n})[${t}]`);
          assertNear(wma.value, naiveWma(xs, t, n), scale, 1e-9, `wma(${n})[${t}]`);
          const expectedSd = naiveStdDev(xs, t, n);
          // A flat window must give exactly 0 (no rounding noise from the sliding update).
          if (expectedSd === 0) assert.equal(sd.value, 0, `stddev(${n})[${t}] of a flat window`);
          // Worst case, documented in StdDev: after values far larger than the window's left it,
          // the error is about sqrt(epsilon) of their size (the random walks stay far below).
          assertNear(sd.value, expectedSd, scale, 1e-6, `stddev(${n})[${t}]`);
          assertNear(sd.mean, naiveSma(xs, t, n), scale, 1e-9, `stddev mean(${n})[${t}]`);
        });
      }),
      { numRuns: 40 },
    );
  });

  test("StdDev on market-like random walks is accurate to 1e-9 of the price level", () => {
    fc.assert(
      fc.property(prices(3000), period, (xs, n) => {
        const sd = new StdDev(n);
        const scale = maxAbs(xs);
        feed(xs, (x, t) => {
          sd.update(x);
          assertNear(sd.value, naiveStdDev(xs, t, n), scale, 1e-9, `stddev(${n})[${t}]`);
        });
      }),
      { numRuns: 40 },
    );
  });

  test("BollingerBands", () => {
    fc.assert(
      fc.property(
        prices(400),
        period,
        fc.integer({ min: 1, max: 40 }).map((k) => k / 10),
        (xs, n, k) => {
          const bands = new BollingerBands(n, k);
          const scale = maxAbs(xs);
          feed(xs, (x, t) => {
            bands.update(x);
            const m = naiveSma(xs, t, n);
            const sd = naiveStdDev(xs, t, n);
            assert.equal(bands.isReady, t + 1 >= n);
            assertNear(bands.middle, m, scale, 1e-9, `middle[${t}]`);
            assertNear(bands.upper, m + k * sd, scale, 1e-9, `upper[${t}]`);
            assertNear(bands.lower, m - k * sd, scale, 1e-9, `lower[${t}]`);
          });
        },
      ),
    );
  });

  test("Stochastic (highest high / lowest low by monotonic deque)", () => {
    fc.assert(
      fc.property(
        bars(300),
        period,
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 5 }),
        (bs, fk, sk, sd) => {
          const stoch = new Stochastic(fk, sk, sd);
          const fastK: number[] = [];
          const slowK: number[] = [];
          const readyAt = fk + sk + sd - 3;
          feed(bs, (b, t) => {
            stoch.update(b.high, b.low, b.close);
            if (t + 1 >= fk) {
              const w = bs.slice(t + 1 - fk, t + 1);
              const hh = Math.max(...w.map((x) => x.high));
              const ll = Math.min(...w.map((x) => x.low));
              fastK.push(hh === ll ? 50 : (100 * (b.close - ll)) / (hh - ll));
            }
            if (fastK.length >= sk) slowK.push(mean(fastK.slice(-sk)));
            const ready = t >= readyAt;
            assert.equal(stoch.isReady, ready, `ready at ${t}`);
            assertNear(stoch.k, ready ? slowK.at(-1)! : Number.NaN, 100, 1e-9, `k[${t}]`);
            assertNear(stoch.d, ready ? mean(slowK.slice(-sd)) : Number.NaN, 100, 1e-9, `d[${t}]`);
            assert.ok(!ready || (stoch.k >= 0 && stoch.k <= 100 && stoch.d >= 0 && stoch.d <= 100));
          });
        },
      ),
    );
  });

  test("Ema and Macd equal a batch computation with TA-Lib's seeding and alignment", () => {
    fc.assert(
      fc.property(
        prices(300),
        period,
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 20 }),
        (xs, n, a, b) => {
          const [fast, slow] = a === b ? [a, a + 1] : [Math.min(a, b), Math.max(a, b)];
          const signalPeriod = n;
          const ema = new Ema(n);
          const macd = new Macd(fast, slow, signalPeriod);
          const scale = maxAbs(xs);
          const expectedEma = batchEma(xs, n, n - 1);
          const fastSeries = batchEma(xs, fast, slow - 1);
          const slowSeries = batchEma(xs, slow, slow - 1);
          const macdSeries = xs.map((_, i) => fastSeries[i]! - slowSeries[i]!);
          const signalSeries = batchEma(macdSeries, signalPeriod, slow + signalPeriod - 2);
          feed(xs, (x, t) => {
            ema.update(x);
            macd.update(x);
            assertNear(ema.value, expectedEma[t]!, scale, 1e-9, `ema[${t}]`);
            const ready = t >= slow + signalPeriod - 2;
            assert.equal(macd.isReady, ready);
            assertNear(macd.macd, ready ? macdSeries[t]! : Number.NaN, scale, 1e-9, `macd[${t}]`);
            assertNear(macd.signal, signalSeries[t]!, scale, 1e-9, `signal[${t}]`);
            assertNear(macd.histogram, macdSeries[t]! - signalSeries[t]!, scale, 1e-9, `hist[${t}]`);
          });
        },
      ),
    );
  });

  test("Rsi and Atr equal a batch Wilder computation", () => {
    fc.assert(
      fc.property(bars(300), period, (bs, n) => {
        const rsi = new Rsi(n);
        const atr = new Atr(n);
        const closes = bs.map((b) => b.close);
        const scale = maxAbs(bs.flatMap((b) => [b.high, b.low]));
        let avgGain = 0;
        let avgLoss = 0;
        let avgTr = 0;
        feed(bs, (b, t) => {
          rsi.update(b.close);
          atr.update(b.high, b.low, b.close);
          if (t >= 1) {
            const change = b.close - closes[t - 1]!;
            const prev = closes[t - 1]!;
            const tr = Math.max(b.high - b.low, Math.abs(b.high - prev), Math.abs(b.low - prev));
            if (t <= n) {
              avgGain += Math.max(change, 0) / n;
              avgLoss += Math.max(-change, 0) / n;
              avgTr += tr / n;
            } else {
              avgGain = (avgGain * (n - 1) + Math.max(change, 0)) / n;
              avgLoss = (avgLoss * (n - 1) + Math.max(-change, 0)) / n;
              avgTr = (avgTr * (n - 1) + tr) / n;
            }
          }
          const ready = t >= n;
          const expectedRsi = avgGain + avgLoss === 0 ? 50 : (100 * avgGain) / (avgGain + avgLoss);
          assert.equal(rsi.isReady, ready);
          assert.equal(atr.isReady, ready);
          assertNear(rsi.value, ready ? expectedRsi : Number.NaN, 100, 1e-6, `rsi[${t}]`);
          assertNear(atr.value, ready ? avgTr : Number.NaN, scale, 1e-9, `atr[${t}]`);
        });
      }),
    );
  });
});
