import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TokenBucketRateLimiter } from "./venue-rate-limiter.ts";
import { SlidingWindowRateLimiter } from "./venue-rate-limiter-window.ts";

describe("TokenBucketRateLimiter", () => {
  it("allows the burst, then one send per 1/rate, never more than capacity + rate x t", () => {
    const limiter = new TokenBucketRateLimiter({ capacity: 3, ratePerSecond: 10 });
    let t = 1_000_000;
    let sent = 0;
    for (let i = 0; i < 3; i++) assert.equal(limiter.tryAcquire(t), 0);
    sent += 3;
    const wait = limiter.tryAcquire(t);
    assert.equal(wait, 100_000);
    // Step time 1 ms at a time for 5 s, sending whenever allowed.
    for (let step = 1; step <= 5000; step++) {
      t += 1000;
      while (limiter.tryAcquire(t) === 0) sent++;
      assert.ok(sent <= 3 + Math.floor((step / 1000) * 10) + 1e-9, `sent ${sent} at ${step} ms`);
    }
    assert.equal(sent, 3 + 50);
  });

  it("waiting the time it names always yields a permit", () => {
    const limiter = new TokenBucketRateLimiter({ capacity: 1, ratePerSecond: 3 });
    let t = 0;
    limiter.tryAcquire(t);
    for (let i = 0; i < 100; i++) {
      const wait = limiter.tryAcquire(t);
      assert.ok(wait > 0);
      t += wait;
      assert.equal(limiter.tryAcquire(t), 0);
    }
  });

  it("refuses a bad configuration", () => {
    assert.throws(() => new TokenBucketRateLimiter({ capacity: 0, ratePerSecond: 1 }), /capacity/);
    assert.throws(() => new TokenBucketRateLimiter({ capacity: 1, ratePerSecond: 0 }), /ratePerSecond/);
  });
});

describe("SlidingWindowRateLimiter", () => {
  it("never lets more than limit sends into any window", () => {
    const limiter = new SlidingWindowRateLimiter({ limit: 5, windowMs: 1000 });
    const times: number[] = [];
    let t = 0;
    for (let step = 0; step < 10_000; step++) {
      t += 7_000 + (step % 5) * 50_000; // uneven steps
      while (limiter.tryAcquire(t) === 0) times.push(t);
    }
    for (let i = 5; i < times.length; i++)
      assert.ok(times[i]! - times[i - 5]! >= 1_000_000, `window broken at ${i}`);
    assert.ok(times.length > 100);
  });

  it("names the wait until the oldest send leaves the window", () => {
    const limiter = new SlidingWindowRateLimiter({ limit: 2, windowMs: 10 });
    assert.equal(limiter.tryAcquire(0), 0);
    assert.equal(limiter.tryAcquire(4_000), 0);
    assert.equal(limiter.tryAcquire(5_000), 5_000);
    assert.equal(limiter.tryAcquire(10_000), 0);
    assert.equal(limiter.tryAcquire(10_000), 4_000);
  });
});
