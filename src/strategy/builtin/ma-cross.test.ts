import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { z } from "zod";
import { Decimal } from "../../core/index.ts";
import { FakeStrategyContext } from "./fake-strategy-context.ts";
import { BTCUSDT, barsFromCloses, fixtureBars } from "./fixture-bars.ts";
import { maCross } from "./ma-cross.ts";
import { splitRun } from "./split-run.ts";

const bars = fixtureBars();
const closes = bars.map((b) => Number(b.close.toString()));

/** SMA by a full sum over the window, recomputed at every bar (no running sum). */
function naiveSma(n: number): number[] {
  return closes.map((_, i) => {
    if (i < n - 1) return Number.NaN;
    let sum = 0;
    for (let j = i - n + 1; j <= i; j++) sum += closes[j]!;
    return sum / n;
  });
}

/** EMA seeded with the SMA of the first n closes, then ema += (close - ema) * 2 / (n + 1). */
function naiveEma(n: number): number[] {
  const out: number[] = [];
  let ema = Number.NaN;
  closes.forEach((c, i) => {
    if (i === n - 1) ema = closes.slice(0, n).reduce((a, b) => a + b, 0) / n;
    else if (i >= n) ema = ema + ((c - ema) * 2) / (n + 1);
    out.push(i >= n - 1 ? ema : Number.NaN);
  });
  return out;
}

interface Expected {
  bar: number;
  action: string;
  quantity: string;
}

/** Lists the crossings of fast over slow and the signals a flat-starting long-only trader makes on them. */
function expectedSignals(fast: number[], slow: number[], size: string): Expected[] {
  const out: Expected[] = [];
  let long = false;
  for (let i = 1; i < closes.length; i++) {
    if (Number.isNaN(slow[i - 1]!) || Number.isNaN(fast[i - 1]!)) continue;
    // Real prices leave no near-tie, so float rounding cannot decide a cross.
    assert.ok(Math.abs(fast[i]! - slow[i]!) > 1e-6, `near tie at bar ${i}`);
    const before = fast[i - 1]! - slow[i - 1]!;
    const now = fast[i]! - slow[i]!;
    if (before <= 0 && now > 0 && !long) {
      out.push({ bar: i, action: "BUY", quantity: size });
      long = true;
    } else if (before >= 0 && now < 0 && long) {
      out.push({ bar: i, action: "SELL", quantity: size });
      long = false;
    }
  }
  return out;
}

function run(raw: Record<string, unknown>): FakeStrategyContext {
  const ctx = new FakeStrategyContext([BTCUSDT]);
  ctx.run(maCross.create(maCross.params.parse(raw)), bars);
  return ctx;
}

function summary(ctx: FakeStrategyContext): Expected[] {
  return ctx.signals.map((s) => ({ bar: s.bar, action: s.action, quantity: String(s.quantity) }));
}

describe("ma_cross on BTCUSDT 30m (python-binance fixture)", () => {
  test("signals exactly on the SMA(10)/SMA(30) crossings computed by full-window sums", () => {
    const ctx = run({ fast: 10, slow: 30, size: "0.5" });
    const expected = expectedSignals(naiveSma(10), naiveSma(30), "0.5");
    assert.ok(expected.length >= 6, `fixture should hold several crossings, got ${expected.length}`);
    assert.deepEqual(summary(ctx), expected);
    assert.ok(
      ctx.signals.every((s) => s.action !== "HOLD"),
      "no HOLD on bars without a cross",
    );
  });

  test("signals exactly on the EMA(12)/EMA(26) crossings", () => {
    const ctx = run({ fast: 12, slow: 26, maType: "ema", size: "0.25" });
    const expected = expectedSignals(naiveEma(12), naiveEma(26), "0.25");
    assert.ok(expected.length >= 4);
    assert.deepEqual(summary(ctx), expected);
  });

  test("no signal on the first bar where both averages are ready, even with fast above slow", () => {
    // Rising prices: fast > slow from the first ready bar (2) on; there is no previous relation, so no cross.
    const rising = barsFromCloses(["100", "101", "102", "103", "104", "105"]);
    const ctx = new FakeStrategyContext([BTCUSDT]);
    ctx.run(maCross.create(maCross.params.parse({ fast: 2, slow: 3, size: "1" })), rising);
    assert.deepEqual(ctx.signals, []);
    // Falling then rising: the cross on bar 5 is signalled.
    const vee = barsFromCloses(["105", "104", "103", "102", "101", "110"]);
    const ctx2 = new FakeStrategyContext([BTCUSDT]);
    ctx2.run(maCross.create(maCross.params.parse({ fast: 2, slow: 3, size: "1" })), vee);
    assert.deepEqual(summary(ctx2), [{ bar: 5, action: "BUY", quantity: "1" }]);
  });

  test("a BUY covers an existing short; a SELL sells exactly the long position", () => {
    const ctx = new FakeStrategyContext([BTCUSDT]);
    ctx.positions.set(BTCUSDT.id, Decimal.from("-0.3"));
    ctx.run(maCross.create(maCross.params.parse({ fast: 10, slow: 30, size: "0.5" })), bars);
    const first = ctx.signals[0]!;
    assert.equal(first.action, "BUY");
    assert.equal(String(first.quantity), "0.8");
    const firstSell = ctx.signals.find((s) => s.action === "SELL")!;
    assert.equal(String(firstSell.quantity), "0.5");
  });

  test("size is rounded down to the step size", () => {
    const ctx = run({ fast: 10, slow: 30, size: "0.1234567" });
    assert.equal(String(ctx.signals[0]!.quantity), "0.123456");
  });

  test("warm-up bars feed the averages but raise no signal", () => {
    const ctx = new FakeStrategyContext([BTCUSDT]);
    const strategy = maCross.create(maCross.params.parse({ fast: 10, slow: 30, size: "0.5" }));
    ctx.isWarmingUp = true;
    ctx.run(strategy, bars.slice(0, 200));
    assert.equal(ctx.signals.length, 0);
    ctx.isWarmingUp = false;
    ctx.run(strategy, bars.slice(200), 200);
    const expected = expectedSignals(naiveSma(10), naiveSma(30), "0.5").filter((s) => s.bar >= 200);
    // The expected list assumed trading from bar 30; from bar 200 a SELL may come first while flat.
    const firstBuy = expected.findIndex((s) => s.action === "BUY");
    assert.deepEqual(summary(ctx), expected.slice(firstBuy));
  });

  test("state round trip: half, JSON, new instance, other half == one uninterrupted run", () => {
    for (const raw of [
      { fast: 10, slow: 30, size: "0.5" },
      { fast: 12, slow: 26, maType: "ema", size: "0.5" },
    ]) {
      const whole = run(raw);
      // Restarting right before a signal bar needs the saved relation; other splits cover the rest.
      const splits = [0, 1, 29, 30, 31, 250, 377, 499, ...whole.signals.map((s) => s.bar)];
      for (const split of splits) {
        const ctx = new FakeStrategyContext([BTCUSDT]);
        splitRun(maCross, raw, bars, split, ctx);
        assert.deepEqual(ctx.signals, whole.signals, `split at ${split} (${raw.maType ?? "sma"})`);
      }
    }
  });

  test("hot update of the periods re-creates the averages: they warm up again before any signal", () => {
    const ctx = new FakeStrategyContext([BTCUSDT]);
    const strategy = maCross.create(maCross.params.parse({ fast: 10, slow: 30, size: "0.5" }));
    ctx.run(strategy, bars.slice(0, 100));
    const before = ctx.signals.length;
    strategy.updateParams?.(maCross.params.parse({ fast: 5, slow: 20, size: "0.5" }));
    ctx.run(strategy, bars.slice(100, 120), 100);
    assert.equal(ctx.signals.length, before, "20 bars re-warm SMA(20) and give the first relation only");
  });

  test("hot update of size keeps the averages", () => {
    const ctx = new FakeStrategyContext([BTCUSDT]);
    const strategy = maCross.create(maCross.params.parse({ fast: 10, slow: 30, size: "0.5" }));
    ctx.run(strategy, bars.slice(0, 250));
    strategy.updateParams?.(maCross.params.parse({ fast: 10, slow: 30, size: "0.7" }));
    ctx.run(strategy, bars.slice(250), 250);
    const expected = expectedSignals(naiveSma(10), naiveSma(30), "0.5");
    assert.deepEqual(
      ctx.signals.map((s) => [s.bar, s.action]),
      expected.map((s) => [s.bar, s.action]),
    );
    const lateBuy = ctx.signals.find((s) => s.bar >= 250 && s.action === "BUY")!;
    assert.equal(String(lateBuy.quantity), "0.7");
  });

  test("a corrupt state is refused with a readable error", () => {
    const strategy = maCross.create(maCross.params.parse({ size: "1" }));
    assert.throws(() => strategy.setState?.({ version: 2 }), /invalid ma_cross state/);
  });
});

describe("ma_cross params", () => {
  test("defaults fill in and size becomes a Decimal", () => {
    const p = maCross.params.parse({ size: "0.001" });
    assert.equal(p.fast, 10);
    assert.equal(p.slow, 30);
    assert.equal(p.maType, "sma");
    assert.ok(p.size instanceof Decimal);
    assert.equal(p.size.toString(), "0.001");
    // Parsed params parse again to the same values (hot update may re-validate them).
    assert.equal(maCross.params.parse(p).size.toString(), "0.001");
  });

  test("fast >= slow names fast", () => {
    const r = maCross.params.safeParse({ fast: 30, slow: 30, size: "1" });
    assert.equal(r.success, false);
    const issue = r.error!.issues.find((i) => i.path[0] === "fast")!;
    assert.match(issue.message, /fast \(30\) must be less than slow \(30\)/);
  });

  test("bad size, period and type name their keys", () => {
    const r = maCross.params.safeParse({ fast: 0, slow: 2000, maType: "wma", size: 0.5 });
    assert.equal(r.success, false);
    const keys = r.error!.issues.map((i) => i.path.join("."));
    for (const k of ["fast", "slow", "maType", "size"]) assert.ok(keys.includes(k), `${k} in ${keys}`);
    assert.match(z.prettifyError(r.error!), /the number 0\.5 \(write it as a string\)[\s\S]*at size/);
  });

  test("missing size and misspelt keys are reported", () => {
    const r = maCross.params.safeParse({ fsat: 5 });
    assert.equal(r.success, false);
    const text = z.prettifyError(r.error!);
    assert.match(text, /required[\s\S]*at size/);
    assert.match(text, /fsat/);
  });
});
