import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SimRateLimiter } from "./sim-rate-limiter.ts";

describe("SimRateLimiter", () => {
  it("counts weight in fixed minutes and blocks with 429 until the minute ends", () => {
    let now = 60_000 * 1000 + 15_500;
    const limiter = new SimRateLimiter({ weightPerMinute: 10 }, () => now);
    assert.ok(limiter.admit(6).ok);
    assert.ok(limiter.admit(4).ok);
    assert.equal(limiter.usedWeight(), 10);
    const over = limiter.admit(1);
    assert.ok(!over.ok);
    assert.equal(over.failure.status, 429);
    assert.equal(over.failure.code, -1003);
    assert.equal(
      over.failure.msg,
      "Too much request weight used; current limit is 10 request weight per 1 MINUTE. " +
        "Please use WebSocket Streams for live updates to avoid polling the API.",
    );
    assert.equal(over.retryAfterS, 45);
    now += 44_500; // the next minute starts: counters reset, block lifted
    assert.ok(limiter.admit(1).ok);
    assert.equal(limiter.usedWeight(), 1);
  });

  it("bans with 418 a client that keeps sending during the block", () => {
    let now = 1_000_000;
    const limiter = new SimRateLimiter(
      { weightPerMinute: 1, banAfterIgnored429: 2, banDurationS: 120 },
      () => now,
    );
    assert.ok(limiter.admit(1).ok);
    assert.equal(limiter.admit(1).ok, false); // 429: the limit is hit
    for (let i = 0; i < 2; i++) {
      const d = limiter.admit(1);
      assert.ok(!d.ok);
      assert.equal(d.failure.status, 429);
    }
    const banned = limiter.admit(1);
    assert.ok(!banned.ok);
    assert.equal(banned.failure.status, 418);
    assert.equal(banned.retryAfterS, 120);
    assert.equal(
      banned.failure.msg,
      `Way too much request weight used; IP banned until ${now + 120_000}. Please use WebSocket Streams for live updates to avoid bans.`,
    );
    now += 119_000;
    assert.equal(limiter.admit(1).ok, false);
    now += 1_000 + 60_000;
    assert.ok(limiter.admit(1).ok);
  });

  it("limits orders per account per 10 s window with -1015", () => {
    let now = 10_000 * 500;
    const limiter = new SimRateLimiter({ ordersPer10s: 2 }, () => now);
    assert.ok(limiter.admitOrder("a").ok);
    assert.ok(limiter.admitOrder("a").ok);
    assert.ok(limiter.admitOrder("b").ok);
    const over = limiter.admitOrder("a");
    assert.ok(!over.ok);
    assert.deepEqual(over.failure, {
      ok: false,
      status: 429,
      code: -1015,
      msg: "Too many new orders; current limit is 2 orders per 10 SECOND.",
    });
    assert.deepEqual(limiter.orderCounts("a"), { tenSeconds: 2, day: 2 });
    now += 10_000;
    assert.ok(limiter.admitOrder("a").ok);
    assert.deepEqual(limiter.orderCounts("a"), { tenSeconds: 1, day: 3 });
  });

  it("forces 429s and bans on demand, and reset() lifts them", () => {
    const now = 5_000;
    const limiter = new SimRateLimiter({}, () => now);
    limiter.force429(7, 2);
    for (let i = 0; i < 2; i++) {
      const d = limiter.admit(1);
      assert.ok(!d.ok);
      assert.equal(d.retryAfterS, 7);
    }
    assert.ok(limiter.admit(1).ok);
    limiter.ban(30);
    const d = limiter.admit(1);
    assert.ok(!d.ok);
    assert.equal(d.failure.status, 418);
    limiter.reset();
    assert.ok(limiter.admit(1).ok);
  });
});
