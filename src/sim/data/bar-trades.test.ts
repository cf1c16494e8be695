import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { Decimal } from "../../core/index.ts";
import { synthesizeBarTrades } from "./bar-trades.ts";
import { seededRandom } from "./seeded-random.ts";

const TICK = Decimal.from("0.01");
const STEP = Decimal.from("0.001");

/** Random bars on the tick grid: O and C inside [L, H]; volume with up to 8 decimals. */
const bars = fc
  .record({
    low: fc.integer({ min: 1, max: 1_000_000 }),
    range: fc.integer({ min: 0, max: 5000 }),
    o: fc.double({ min: 0, max: 1, noNaN: true }),
    c: fc.double({ min: 0, max: 1, noNaN: true }),
    volumeUnits: fc.bigInt({ min: 1n, max: 10n ** 14n }),
    minutes: fc.constantFrom(1, 3, 5, 30, 60),
    seed: fc.integer(),
  })
  .map(({ low, range, o, c, volumeUnits, minutes, seed }) => {
    const at = (f: number): Decimal => Decimal.fromUnits(TICK.units * BigInt(low + Math.round(f * range)));
    return {
      bar: {
        openTimeMs: Date.UTC(2026, 0, 5),
        intervalMs: minutes * 60_000,
        open: at(o),
        high: at(1),
        low: at(0),
        close: at(c),
        volume: Decimal.fromUnits(volumeUnits * 10n ** 10n),
      },
      seed,
    };
  });

test("synthetic trades reproduce the bar: O first, C last, H and L hit, volumes sum exactly", () => {
  fc.assert(
    fc.property(bars, ({ bar, seed }) => {
      const trades = synthesizeBarTrades(bar, TICK, STEP, seededRandom(seed));
      assert.ok(trades.length >= 1);
      let volume = Decimal.ZERO;
      let high = trades[0]!.price;
      let low = trades[0]!.price;
      for (const [i, t] of trades.entries()) {
        volume = volume.add(t.qty);
        assert.ok(t.qty.isPositive(), "every trade has a quantity");
        assert.ok(t.price.isMultipleOf(TICK), "prices on the tick grid");
        assert.ok(t.price.gte(bar.low) && t.price.lte(bar.high), "prices inside [L, H]");
        assert.ok(t.timeMs >= bar.openTimeMs && t.timeMs < bar.openTimeMs + bar.intervalMs, "inside the bar");
        if (i > 0) assert.ok(t.timeMs > trades[i - 1]!.timeMs, "strictly increasing times");
        if (t.price.gt(high)) high = t.price;
        if (t.price.lt(low)) low = t.price;
      }
      assert.ok(volume.eq(bar.volume), "volumes sum to the bar volume");
      if (bar.volume.gte(Decimal.fromUnits(STEP.units * 4n))) {
        assert.ok(trades[0]!.price.eq(bar.open), "first trade at the open");
        assert.ok(trades[trades.length - 1]!.price.eq(bar.close), "last trade at the close");
        assert.ok(high.eq(bar.high) && low.eq(bar.low), "high and low are hit");
      }
    }),
    { numRuns: 300 },
  );
});

test("a bar without volume has no trade; up-moves are buyer-initiated, down-moves seller-initiated", () => {
  const rng = seededRandom(1);
  const bar = {
    openTimeMs: 0,
    intervalMs: 60_000,
    open: Decimal.from("10"),
    high: Decimal.from("12"),
    low: Decimal.from("9"),
    close: Decimal.from("11"),
    volume: Decimal.ZERO,
  };
  assert.deepEqual(synthesizeBarTrades(bar, TICK, STEP, rng), []);
  const trades = synthesizeBarTrades(
    { ...bar, volume: Decimal.from("100") },
    TICK,
    STEP,
    rng,
    Decimal.from("10"),
  );
  for (let i = 1; i < trades.length; i++) {
    const c = trades[i]!.price.cmp(trades[i - 1]!.price);
    if (c > 0) assert.equal(trades[i]!.buyerIsMaker, false);
    if (c < 0) assert.equal(trades[i]!.buyerIsMaker, true);
  }
});
