import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { Backoff } from "./backoff.ts";
import { SlidingWindowLimit } from "./sliding-window-limit.ts";

describe("SlidingWindowLimit", () => {
  test("allows `limit` events, then makes the next wait for the oldest to leave the window", () => {
    const limit = new SlidingWindowLimit(4, 1000);
    for (const t of [0, 10, 20, 30]) {
      assert.equal(limit.delayMs(t), 0);
      limit.record(t);
    }
    assert.equal(limit.delayMs(30), 970);
    assert.equal(limit.delayMs(1000), 0);
    limit.record(1000);
    assert.equal(limit.delayMs(1000), 10);
  });

  test("whoever waits as told never has more than `limit` events in any window (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.integer({ min: 0, max: 700 }), { maxLength: 60 }),
        (n, gaps) => {
          const limit = new SlidingWindowLimit(n, 1000);
          const times: number[] = [];
          let now = 0;
          for (const gap of gaps) {
            now += gap;
            now += limit.delayMs(now);
            limit.record(now);
            times.push(now);
          }
          for (let i = 0; i + n < times.length; i++) assert.ok(times[i + n]! - times[i]! >= 1000);
        },
      ),
    );
  });

  test("refuses nonsense", () => {
    assert.throws(() => new SlidingWindowLimit(0, 1000), RangeError);
    assert.throws(() => new SlidingWindowLimit(1, 0), RangeError);
  });
});

describe("Backoff", () => {
  test("grows by the multiplier up to the cap; jitter takes off a random share; reset starts over", () => {
    const none = new Backoff({ initialMs: 100, maxMs: 1000, multiplier: 2, jitter: 0.5 }, () => 0);
    assert.deepEqual(
      Array.from({ length: 6 }, () => none.next()),
      [100, 200, 400, 800, 1000, 1000],
    );
    none.reset();
    assert.equal(none.next(), 100);
    const full = new Backoff({ initialMs: 100, maxMs: 1000, jitter: 0.5 }, () => 1);
    assert.deepEqual([full.next(), full.next()], [50, 100]);
    assert.equal(full.delayFor(10), 500);
  });

  test("defaults: 100 ms doubling to 800 ms, jitter 0.5", () => {
    const b = new Backoff();
    assert.deepEqual([b.initialMs, b.maxMs, b.multiplier, b.jitter], [100, 800, 2, 0.5]);
    for (let i = 0; i < 20; i++) {
      const d = b.next();
      assert.ok(d >= 50 && d <= 1000, String(d));
    }
  });

  test("refuses nonsense", () => {
    assert.throws(() => new Backoff({ initialMs: 10, maxMs: 5 }), RangeError);
    assert.throws(() => new Backoff({ jitter: 2 }), RangeError);
    assert.throws(() => new Backoff({ multiplier: 0.5 }), RangeError);
  });
});
