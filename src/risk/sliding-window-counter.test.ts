import assert from "node:assert/strict";
import { test } from "node:test";
import { SlidingWindowCounter } from "./sliding-window-counter.ts";

test("a huge limit costs nothing until used: the ring grows with the events", () => {
  const c = new SlidingWindowCounter(100_000_000, 60_000_000);
  for (let i = 0; i < 1000; i++) {
    assert.equal(c.wouldExceed(i), false);
    c.record(i);
  }
  assert.equal(c.count(1000), 1000);
  assert.equal(c.timestamps().length, 1000);
});

test("a small limit still wraps: the window test sees the limit-th most recent event", () => {
  const c = new SlidingWindowCounter(2, 1000);
  c.record(0);
  c.record(10);
  assert.equal(c.wouldExceed(500), true);
  assert.equal(c.wouldExceed(1001), false);
  c.record(1001);
  assert.deepEqual(c.timestamps(), [10, 1001]);
});
