import assert from "node:assert/strict";
import { test } from "node:test";
import { BollingerBands, Rsi, StdDev, Stochastic } from "./index.ts";

// Deliberate departures from TA-Lib on degenerate (flat) input, documented in rsi.ts and
// stochastic.ts: neutral 50 rather than TA-Lib's 0, which a strategy would read as oversold.

test("Rsi is 50 on flat prices, 100 when only rising, 0 when only falling", () => {
  const flat = new Rsi(3);
  const up = new Rsi(3);
  const down = new Rsi(3);
  for (let i = 0; i < 6; i++) {
    flat.update(5);
    up.update(5 + i);
    down.update(5 - i);
  }
  assert.deepEqual([flat.value, up.value, down.value], [50, 100, 0]);
});

test("Rsi works on sub-cent prices that TA-Lib would treat as zero", () => {
  const rsi = new Rsi(2);
  for (const v of [1e-9, 2e-9, 1.5e-9, 2.5e-9]) rsi.update(v);
  // Changes +1, -0.5 (seed: gain 0.5, loss 0.25 per bar), then +1: gain (0.5+1)/2, loss 0.25/2.
  assert.ok(Math.abs(rsi.value - (100 * 0.75) / (0.75 + 0.125)) < 1e-6, String(rsi.value));
});

test("Stochastic is 50 when high equals low over the window, and spans 0..100 otherwise", () => {
  const flat = new Stochastic(3, 1, 1);
  for (let i = 0; i < 4; i++) flat.update(10, 10, 10);
  assert.deepEqual([flat.k, flat.d], [50, 50]);
  const s = new Stochastic(2, 1, 1);
  s.update(12, 8, 10);
  s.update(12, 8, 12);
  assert.equal(s.k, 100);
  s.update(12, 8, 8);
  assert.equal(s.k, 0);
  s.update(12, 8, 11);
  assert.equal(s.k, 75);
});

test("StdDev and BollingerBands are exactly flat on a flat window that follows volatility", () => {
  const sd = new StdDev(4);
  const bands = new BollingerBands(4, 2);
  for (const v of [60_000.37, 59_001.11, 61_234.56, 60_100.01, 60_000.1, 60_000.1, 60_000.1, 60_000.1]) {
    sd.update(v);
    bands.update(v);
  }
  assert.equal(sd.value, 0);
  assert.equal(sd.mean, 60_000.1);
  assert.deepEqual([bands.lower, bands.middle, bands.upper], [60_000.1, 60_000.1, 60_000.1]);
});
