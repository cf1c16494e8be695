import assert from "node:assert/strict";
import { test } from "node:test";
import { headerNumber, RateLimitTracker } from "./rate-limit-tracker.ts";

const MINUTE = 60_000;
const T0 = 28_333_333 * MINUTE; // a minute boundary

test("weight: waits for the minute to roll over when used + weight would pass limit - margin", () => {
  const t = new RateLimitTracker();
  t.observe({ "x-mbx-used-weight-1m": "5680" }, T0 + 1000);
  assert.equal(t.check(20, 0, T0 + 2000), undefined); // 5700 = 6000 - 300: still allowed
  const d = t.check(21, 0, T0 + 2000);
  assert.ok(d !== undefined);
  assert.equal(d.waitMs, MINUTE - 2000 + 100);
  assert.match(d.reason, /5680 \+ 21 would pass 5700 of 6000/);
  // The next minute starts from zero.
  assert.equal(t.check(21, 0, T0 + MINUTE + 1), undefined);
});

test("requests in flight count until they end", () => {
  const t = new RateLimitTracker({ limits: { weightPerMinute: 100 }, safetyMargin: 0 });
  t.begin(60, 0);
  assert.ok(t.check(41, 0, T0) !== undefined);
  t.end(60, 0);
  assert.equal(t.check(41, 0, T0), undefined);
});

test("orders: waits for the 10 s window; headers are matched case-insensitively", () => {
  const t = new RateLimitTracker();
  t.observe({ "X-MBX-ORDER-COUNT-10S": "47", "X-MBX-ORDER-COUNT-1D": "1000" }, T0 + 3000);
  assert.equal(t.check(1, 0, T0 + 3000), undefined); // not an order
  const d = t.check(1, 1, T0 + 3000);
  assert.equal(d?.waitMs, 7000 + 100);
  assert.equal(t.snapshot(0).orderCount10s, 47);
  assert.equal(t.snapshot(0).orderCount1d, 1000);
});

test("a late answer from the same window never lowers the count", () => {
  const t = new RateLimitTracker({ limits: { weightPerMinute: 1000 }, safetyMargin: 0 });
  t.observe({ "x-mbx-used-weight-1m": "990" }, T0 + 10);
  t.observe({ "x-mbx-used-weight-1m": "900" }, T0 + 20);
  assert.ok(t.check(20, 0, T0 + 30) !== undefined);
});

test("exchangeInfo rate limits replace the defaults", () => {
  const t = new RateLimitTracker();
  t.applyExchangeLimits([
    { rateLimitType: "REQUEST_WEIGHT", interval: "MINUTE", intervalNum: 1, limit: 1200 },
    { rateLimitType: "ORDERS", interval: "SECOND", intervalNum: 10, limit: 100 },
    { rateLimitType: "ORDERS", interval: "DAY", intervalNum: 1, limit: 200000 },
    { rateLimitType: "RAW_REQUESTS", interval: "MINUTE", intervalNum: 5, limit: 61000 },
  ]);
  assert.deepEqual(t.limits, { weightPerMinute: 1200, ordersPer10s: 100, ordersPerDay: 200000 });
});

test("block: a 429/418 blocks until the given time, then clears", () => {
  const t = new RateLimitTracker();
  t.block(T0 + 30_000, false);
  assert.deepEqual(t.blockedAt(T0), { untilMs: T0 + 30_000, banned: false });
  t.block(T0 + 120_000, true);
  assert.deepEqual(t.blockedAt(T0 + 30_001), { untilMs: T0 + 120_000, banned: true });
  assert.equal(t.snapshot(T0).banned, true);
  assert.equal(t.blockedAt(T0 + 120_000), undefined);
  assert.deepEqual(t.snapshot(T0 + 120_000), {
    usedWeight1m: 0,
    orderCount10s: 0,
    orderCount1d: 0,
    blockedUntilMs: 0,
    banned: false,
  });
});

test("headerNumber ignores junk", () => {
  assert.equal(headerNumber({ "retry-after": "30" }, "retry-after"), 30);
  assert.equal(headerNumber({ "Retry-After": "7" }, "retry-after"), 7);
  assert.equal(headerNumber({ "retry-after": "Wed, 21 Oct 2015 07:28:00 GMT" }, "retry-after"), undefined);
  assert.equal(headerNumber({}, "retry-after"), undefined);
});
