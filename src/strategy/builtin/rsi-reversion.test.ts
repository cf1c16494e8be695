import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { z } from "zod";
import { clientOrderId } from "../../core/index.ts";
import { FakeStrategyContext } from "./fake-strategy-context.ts";
import { BTCUSDT, fixtureBars } from "./fixture-bars.ts";
import { rsiReversion } from "./rsi-reversion.ts";
import { splitRun } from "./split-run.ts";

const bars = fixtureBars();
const closes = bars.map((b) => Number(b.close.toString()));

/** Wilder's RSI written out plainly: simple means of the first `n` changes, then Wilder smoothing. */
function naiveRsi(n: number): number[] {
  const out: number[] = closes.map(() => Number.NaN);
  let gain = 0;
  let loss = 0;
  for (let i = 1; i < closes.length; i++) {
    const change = closes[i]! - closes[i - 1]!;
    const g = Math.max(change, 0);
    const l = Math.max(-change, 0);
    if (i <= n) {
      gain += g / n;
      loss += l / n;
      if (i < n) continue;
    } else {
      gain = (gain * (n - 1) + g) / n;
      loss = (loss * (n - 1) + l) / n;
    }
    out[i] = gain + loss === 0 ? 50 : (100 * gain) / (gain + loss);
  }
  return out;
}

interface Expected {
  bar: number;
  action: string;
  quantity: string;
}

function expectedSignals(n: number, oversold: number, overbought: number, size: string): Expected[] {
  const rsi = naiveRsi(n);
  const out: Expected[] = [];
  let long = false;
  for (let i = n + 1; i < closes.length; i++) {
    const prev = rsi[i - 1]!;
    const now = rsi[i]!;
    for (const level of [oversold, overbought]) {
      assert.ok(Math.abs(now - level) > 1e-6, `near tie with ${level} at bar ${i}`);
    }
    if (!long && prev < oversold && now >= oversold) {
      out.push({ bar: i, action: "BUY", quantity: size });
      long = true;
    } else if (long && now > overbought) {
      out.push({ bar: i, action: "SELL", quantity: size });
      long = false;
    }
  }
  return out;
}

function run(raw: Record<string, unknown>): FakeStrategyContext {
  const ctx = new FakeStrategyContext([BTCUSDT]);
  ctx.run(rsiReversion.create(rsiReversion.params.parse(raw)), bars);
  return ctx;
}

function summary(ctx: FakeStrategyContext): Expected[] {
  return ctx.signals.map((s) => ({ bar: s.bar, action: s.action, quantity: String(s.quantity) }));
}

describe("rsi on BTCUSDT 30m (python-binance fixture)", () => {
  test("buys when RSI(14) crosses up through 30 while flat and sells above 70 while long", () => {
    const ctx = run({ period: 14, oversold: 30, overbought: 70, size: "0.2" });
    const expected = expectedSignals(14, 30, 70, "0.2");
    assert.ok(expected.length >= 3, `fixture should hold a round trip, got ${expected.length}`);
    assert.deepEqual(summary(ctx), expected);
  });

  test("other levels and period", () => {
    const ctx = run({ period: 7, oversold: 25, overbought: 65, size: "1" });
    const expected = expectedSignals(7, 25, 65, "1");
    assert.ok(expected.length >= 4);
    assert.deepEqual(summary(ctx), expected);
  });

  test("while an order is open nothing new is signalled", () => {
    const ctx = new FakeStrategyContext([BTCUSDT]);
    // A resting order of this strategy blocks the next signal.
    const id = clientOrderId("other-1");
    ctx.open.set(id, {
      clientOrderId: id,
      bar: 0,
      instrumentId: BTCUSDT.id,
      side: "BUY",
      type: "LIMIT",
      quantity: BTCUSDT.minQty,
      price: BTCUSDT.minPrice,
    });
    ctx.run(rsiReversion.create(rsiReversion.params.parse({ size: "1" })), bars);
    assert.deepEqual(ctx.signals, []);
  });

  test("state round trip == one uninterrupted run, including restarts right before a signal", () => {
    const raw = { period: 14, size: "0.2" };
    const whole = run(raw);
    for (const split of [0, 14, 15, 16, 260, 499, ...whole.signals.map((s) => s.bar)]) {
      const ctx = new FakeStrategyContext([BTCUSDT]);
      splitRun(rsiReversion, raw, bars, split, ctx);
      assert.deepEqual(ctx.signals, whole.signals, `split at ${split}`);
    }
  });

  test("hot update of the levels keeps the RSI; of the period restarts it", () => {
    const ctx = new FakeStrategyContext([BTCUSDT]);
    const strategy = rsiReversion.create(rsiReversion.params.parse({ size: "1" }));
    ctx.run(strategy, bars.slice(0, 200));
    strategy.updateParams?.(rsiReversion.params.parse({ size: "1", oversold: 25, overbought: 65 }));
    ctx.run(strategy, bars.slice(200), 200);
    const expectedLate = expectedSignals(14, 25, 65, "1").filter((s) => s.bar > 200);
    const late = summary(ctx).filter((s) => s.bar > 200);
    // The position carried over from bar 200 may differ; compare from the first common flat BUY.
    const firstBuy = (list: Expected[]) => list.findIndex((s) => s.action === "BUY");
    assert.ok(late.length > 0);
    assert.deepEqual(
      late.slice(firstBuy(late)).slice(0, 4),
      expectedLate.slice(firstBuy(expectedLate)).slice(0, 4),
    );

    const ctx2 = new FakeStrategyContext([BTCUSDT]);
    const s2 = rsiReversion.create(rsiReversion.params.parse({ size: "1" }));
    ctx2.run(s2, bars.slice(0, 200));
    const before = ctx2.signals.length;
    s2.updateParams?.(rsiReversion.params.parse({ size: "1", period: 20 }));
    ctx2.run(s2, bars.slice(200, 221), 200);
    assert.equal(ctx2.signals.length, before, "RSI(20) needs 21 bars before its first value");
  });
});

describe("rsi params", () => {
  test("defaults are 14 / 30 / 70", () => {
    const p = rsiReversion.params.parse({ size: "1" });
    assert.deepEqual([p.period, p.oversold, p.overbought], [14, 30, 70]);
  });

  test("oversold >= overbought names oversold; bounds name their keys", () => {
    const r = rsiReversion.params.safeParse({ oversold: 70, overbought: 30, size: "1" });
    assert.equal(r.success, false);
    assert.match(
      z.prettifyError(r.error!),
      /oversold \(70\) must be less than overbought \(30\)[\s\S]*at oversold/,
    );
    const r2 = rsiReversion.params.safeParse({ period: 1, overbought: 100, size: "-1" });
    const keys = r2.error!.issues.map((i) => i.path.join("."));
    for (const k of ["period", "overbought", "size"]) assert.ok(keys.includes(k), `${k} in ${keys}`);
  });
});
