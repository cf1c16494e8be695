import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { dec } from "../core/index.ts";
import { checkFilters } from "../model/index.ts";
import { limitPriceFor, quantityDown, quantityFromQuote } from "./sizing.ts";
import { SlidingWindowCounter } from "./sliding-window-counter.ts";
import { btcInstrument } from "./test-support/risk-harness.ts";

const inst = btcInstrument();

describe("sizing helpers", () => {
  it("rounds a limit price to the tick on the safe side", () => {
    assert.equal(limitPriceFor(inst, dec("50000.019"), "BUY").toString(), "50000.01");
    assert.equal(limitPriceFor(inst, dec("50000.011"), "SELL").toString(), "50000.02");
    assert.equal(limitPriceFor(inst, dec("50000.01"), "SELL").toString(), "50000.01");
  });

  it("rounds quantities down to the step and converts a quote amount", () => {
    assert.equal(quantityDown(inst, dec("0.123456789")).toString(), "0.12345");
    const q = quantityFromQuote(inst, dec("100"), dec("30000"));
    assert.equal(q.toString(), "0.00333"); // 0.003333... down to step
    assert.ok(q.mul(dec("30000")).lte(dec("100")));
    assert.equal(checkFilters(inst, q, dec("30000")), undefined);
    assert.equal(quantityFromQuote(inst, dec("100"), dec("0")).toString(), "0");
    assert.equal(quantityFromQuote(inst, dec("-1"), dec("10")).toString(), "0");
  });
});

describe("SlidingWindowCounter", () => {
  it("allows `limit` events per window and frees a slot when the oldest leaves", () => {
    const c = new SlidingWindowCounter(3, 1_000_000);
    for (const t of [0, 100, 200]) {
      assert.equal(c.wouldExceed(t), false);
      c.record(t);
    }
    assert.equal(c.wouldExceed(999_999), true);
    assert.equal(c.wouldExceed(1_000_000), false); // the event at 0 is out of (0, 1_000_000]
    assert.equal(c.count(1_000_000), 2);
    c.record(1_000_000);
    assert.equal(c.wouldExceed(1_000_050), true);
    assert.deepEqual(c.timestamps(), [100, 200, 1_000_000]);
  });

  it("keeps the most recent history when resized, and a zero limit denies everything", () => {
    const c = new SlidingWindowCounter(3, 1_000_000);
    for (const t of [1, 2, 3]) c.record(t);
    const smaller = c.resized(2);
    assert.deepEqual(smaller.timestamps(), [2, 3]);
    assert.equal(smaller.wouldExceed(4), true);
    const bigger = c.resized(5);
    assert.equal(bigger.wouldExceed(4), false);
    const zero = new SlidingWindowCounter(0, 1_000_000);
    assert.equal(zero.wouldExceed(0), true);
    zero.record(0);
    assert.deepEqual(zero.timestamps(), []);
  });
});
