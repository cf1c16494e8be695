import assert from "node:assert/strict";
import { test } from "node:test";
import { isKlineInterval, KLINE_INTERVALS, klineOpenTime, nextKlineOpenTime } from "./kline-interval.ts";

test("every Binance interval is known, case-sensitive", () => {
  assert.equal(KLINE_INTERVALS.length, 16);
  assert.ok(isKlineInterval("1M"));
  assert.ok(isKlineInterval("1s"));
  assert.ok(!isKlineInterval("1H"));
  assert.ok(!isKlineInterval("2m"));
});

test("open times align to UTC buckets; weeks open on Monday, months on the 1st", () => {
  const t = Date.UTC(2026, 0, 7, 13, 47, 12, 345); // a Wednesday
  assert.equal(klineOpenTime("1s", t), Date.UTC(2026, 0, 7, 13, 47, 12));
  assert.equal(klineOpenTime("1m", t), Date.UTC(2026, 0, 7, 13, 47));
  assert.equal(klineOpenTime("15m", t), Date.UTC(2026, 0, 7, 13, 45));
  assert.equal(klineOpenTime("4h", t), Date.UTC(2026, 0, 7, 12));
  assert.equal(klineOpenTime("1d", t), Date.UTC(2026, 0, 7));
  assert.equal(klineOpenTime("1w", t), Date.UTC(2026, 0, 5));
  assert.equal(klineOpenTime("1M", t), Date.UTC(2026, 0, 1));
  assert.equal(nextKlineOpenTime("1M", Date.UTC(2026, 0, 1)), Date.UTC(2026, 1, 1));
  assert.equal(nextKlineOpenTime("1w", Date.UTC(2026, 0, 5)), Date.UTC(2026, 0, 12));
  // Binance's 3d klines count from the epoch (a documented kline opened at 1499990400000).
  assert.equal(klineOpenTime("3d", 1499990400000 + 1000), 1499990400000);
});
