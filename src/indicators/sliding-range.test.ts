import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { SlidingRange } from "./sliding-range.ts";

// Few distinct values, so ties and long monotonic runs are common; long enough to compact often.
const series = fc.array(fc.tuple(fc.integer({ min: -3, max: 3 }), fc.integer({ min: 0, max: 3 })), {
  maxLength: 300,
  size: "max",
});

test("SlidingRange gives the highest high and lowest low of the last `window` bars", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 12 }), series, (window, rows) => {
      const bars = rows.map(([low, spread]) => ({ high: low + spread, low }));
      const range = new SlidingRange(window);
      assert.ok(Number.isNaN(range.highest) && Number.isNaN(range.lowest));
      bars.forEach((b, i) => {
        range.push(b.high, b.low);
        const w = bars.slice(Math.max(0, i + 1 - window), i + 1);
        assert.equal(range.highest, Math.max(...w.map((x) => x.high)), `highest at ${i}`);
        assert.equal(range.lowest, Math.min(...w.map((x) => x.low)), `lowest at ${i}`);
        assert.equal(range.isFull, i + 1 >= window);
      });
      range.clear();
      assert.ok(Number.isNaN(range.highest) && !range.isFull);
    }),
  );
});

test("SlidingRange snapshots restore to a range that continues identically", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 12 }), series, fc.nat(), (window, rows, cut) => {
      const bars = rows.map(([low, spread]) => ({ high: low + spread, low }));
      const split = cut % (bars.length + 1);
      const a = new SlidingRange(window);
      for (const b of bars.slice(0, split)) a.push(b.high, b.low);
      const snap = JSON.parse(JSON.stringify(a.snapshot()));
      assert.equal(SlidingRange.problem(window, snap), undefined);
      const b = SlidingRange.restore(window, snap);
      for (const bar of bars.slice(split)) {
        a.push(bar.high, bar.low);
        b.push(bar.high, bar.low);
        assert.deepEqual([b.highest, b.lowest, b.isFull], [a.highest, a.lowest, a.isFull]);
      }
    }),
  );
});

test("SlidingRange.problem names what is inconsistent in a snapshot", () => {
  const ok = {
    filled: 3,
    highs: [
      [9, 2],
      [7, 0],
    ] as [number, number][],
    lows: [
      [1, 1],
      [5, 0],
    ] as [number, number][],
  };
  assert.equal(SlidingRange.problem(3, ok), undefined);
  assert.match(SlidingRange.problem(2, ok)!, /above the window/);
  assert.match(
    SlidingRange.problem(3, {
      ...ok,
      highs: [
        [9, 2],
        [7, 1],
      ],
    })!,
    /newest bar/,
  );
  assert.match(
    SlidingRange.problem(3, {
      ...ok,
      highs: [
        [9, 3],
        [7, 0],
      ],
    })!,
    /outside/,
  );
  assert.match(
    SlidingRange.problem(3, {
      ...ok,
      highs: [
        [7, 2],
        [9, 0],
      ],
    })!,
    /not monotonic/,
  );
  assert.match(
    SlidingRange.problem(3, {
      ...ok,
      lows: [
        [5, 1],
        [1, 0],
      ],
    })!,
    /not monotonic/,
  );
  assert.match(
    SlidingRange.problem(3, {
      ...ok,
      highs: [
        [9, 0],
        [7, 0],
      ],
    })!,
    /ages must fall/,
  );
  assert.match(
    SlidingRange.problem(3, {
      ...ok,
      lows: [
        [1, 1],
        [8, 0],
      ],
    })!,
    /newest low is above/,
  );
  assert.match(SlidingRange.problem(3, { filled: 0, highs: [[1, 0]], lows: [] })!, /empty/);
});
