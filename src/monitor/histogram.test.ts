import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { isDesError } from "../core/index.ts";
import { MetricsRegistry } from "./metrics-registry.ts";

/** Returns the nearest-rank percentile of sorted values: the smallest value with at least q of the data at or below it. */
function exactPercentile(sorted: readonly number[], permille: number): number {
  const rank = Math.max(1, Math.ceil((sorted.length * permille) / 1000));
  return sorted[rank - 1]!;
}

function newHistogram(digits: 1 | 2 | 3 | 4 = 3, highest?: number) {
  const registry = new MetricsRegistry();
  return registry.histogram("des_test_us", "Test.", {
    significantDigits: digits,
    ...(highest === undefined ? {} : { highestTrackableValue: highest }),
  });
}

describe("Histogram", () => {
  test("records count, sum, min, max and mean exactly", () => {
    const h = newHistogram();
    for (const v of [5, 1, 1000, 250_000, 42]) h.record(v);
    const s = h.snapshotOne();
    assert.equal(s.count, 5);
    assert.equal(s.sum, 251_048);
    assert.equal(s.min, 1);
    assert.equal(s.max, 250_000);
    assert.equal(s.mean, 251_048 / 5);
  });

  test("an empty histogram reports zeros, not garbage", () => {
    const s = newHistogram().snapshotOne();
    assert.deepEqual(
      [s.count, s.sum, s.min, s.max, s.mean, s.p50, s.p90, s.p99, s.p999],
      [0, 0, 0, 0, 0, 0, 0, 0, 0],
    );
  });

  test("small values (below 2048) are exact at 3 significant digits", () => {
    const h = newHistogram();
    for (let v = 1; v <= 1000; v++) h.record(v);
    const s = h.snapshotOne();
    assert.deepEqual([s.p50, s.p90, s.p99, s.p999], [500, 900, 990, 999]);
  });

  test("percentiles match an exact sort within the histogram's precision", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 50_000_000 })), {
          minLength: 1,
          maxLength: 600,
        }),
        fc.constantFrom<1 | 2 | 3 | 4>(1, 2, 3, 4),
        (values, digits) => {
          const h = newHistogram(digits);
          for (const v of values) h.record(v);
          const sorted = [...values].sort((a, b) => a - b);
          const s = h.snapshotOne();
          const tolerance = 10 ** -digits;
          for (const [permille, got] of [
            [500, s.p50],
            [900, s.p90],
            [990, s.p99],
            [999, s.p999],
          ] as const) {
            const exact = exactPercentile(sorted, permille);
            assert.ok(got >= exact, `p${permille / 10}: ${got} < exact ${exact}`);
            assert.ok(got - exact <= exact * tolerance, `p${permille / 10}: ${got} too far above ${exact}`);
            assert.ok(got >= s.min && got <= s.max, `p${permille / 10}: ${got} outside [min, max]`);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  test("the block-skipping read agrees with hdr-histogram-js's own percentile scan", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5_000_000 }), { minLength: 1, maxLength: 400 }),
        (values) => {
          const h = newHistogram(3);
          for (const v of values) h.record(v);
          const s = h.snapshotOne();
          const child = h.children()[0]!;
          assert.deepEqual(
            [s.p50, s.p90, s.p99, s.p999],
            [child.percentile(50), child.percentile(90), child.percentile(99), child.percentile(99.9)],
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  test("percentiles are refreshed after more records (the cache follows the count)", () => {
    const h = newHistogram();
    for (let i = 0; i < 100; i++) h.record(10);
    assert.equal(h.snapshotOne().p99, 10);
    for (let i = 0; i < 100; i++) h.record(1000);
    assert.equal(h.snapshotOne().p99, 1000);
    assert.equal(h.snapshotOne().p50, 10);
  });

  test("values grow the counts array on demand and earlier counts survive the growth", () => {
    const h = newHistogram();
    for (let i = 0; i < 10; i++) h.record(3);
    h.record(40_000_000);
    const s = h.snapshotOne();
    assert.equal(s.count, 11);
    assert.equal(s.p50, 3);
    assert.ok(s.p999 >= 40_000_000 && s.p999 <= 40_000_000 * 1.001);
    assert.equal(s.max, 40_000_000);
  });

  test("fractional values are rounded to integers", () => {
    const h = newHistogram();
    h.record(1.4);
    h.record(1.6);
    const s = h.snapshotOne();
    assert.equal(s.sum, 3);
    assert.equal(s.min, 1);
    assert.equal(s.max, 2);
  });

  test("values above the highest trackable value are clamped and counted", () => {
    const h = newHistogram(3, 1_000_000);
    h.record(5_000_000);
    h.record(10);
    const s = h.snapshotOne();
    assert.equal(s.count, 2);
    assert.equal(s.max, 1_000_000);
    assert.equal(s.clamped, 1);
    assert.equal(s.sum, 1_000_010);
  });

  test("negative and NaN values are not recorded and are counted as rejected, without throwing", () => {
    const h = newHistogram();
    h.record(-1);
    h.record(Number.NaN);
    h.record(7);
    const s = h.snapshotOne();
    assert.equal(s.count, 1);
    assert.equal(s.rejected, 2);
    assert.equal(s.min, 7);
  });

  test("reset forgets every value", () => {
    const h = newHistogram();
    for (let i = 0; i < 50; i++) h.record(i * 1000);
    h.children()[0]!.reset();
    const s = h.snapshotOne();
    assert.equal(s.count, 0);
    assert.equal(s.p99, 0);
    h.record(9);
    assert.equal(h.snapshotOne().p999, 9);
  });

  test("labelled children are independent", () => {
    const registry = new MetricsRegistry();
    const h = registry.histogram("des_strategy_latency_us", "Latency.", { labelNames: ["strategy"] });
    const a = h.labels({ strategy: "a" });
    const b = h.labels({ strategy: "b" });
    a.record(10);
    b.record(20);
    b.record(30);
    assert.equal(a.snapshot().count, 1);
    assert.equal(b.snapshot().count, 2);
    assert.equal(h.labels({ strategy: "a" }), a);
  });

  test("bad options are rejected with a clear error", () => {
    const registry = new MetricsRegistry();
    assert.throws(
      () => registry.histogram("des_a_us", "A.", { highestTrackableValue: 1 }),
      (e: unknown) => isDesError(e) && /highestTrackableValue of histogram des_a_us/.test(e.message),
    );
    assert.throws(
      () => registry.histogram("des_b_us", "B.", { significantDigits: 7 as 3 }),
      (e: unknown) => isDesError(e) && /significantDigits/.test(e.message),
    );
    assert.throws(
      () => registry.histogram("des_c_us", "C.", { labelNames: ["quantile"] }),
      (e: unknown) => isDesError(e) && /reserved/.test(e.message),
    );
  });

  test("percentile() rejects a percentile outside (0, 100]", () => {
    const child = newHistogram().children()[0]!;
    assert.throws(
      () => child.percentile(0),
      (e: unknown) => isDesError(e),
    );
    assert.throws(
      () => child.percentile(101),
      (e: unknown) => isDesError(e),
    );
  });
});
