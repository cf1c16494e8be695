import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { bollingerReversion } from "./bollinger-reversion.ts";
import { FakeStrategyContext } from "./fake-strategy-context.ts";
import { BTCUSDT, fixtureBars } from "./fixture-bars.ts";
import { splitRun } from "./split-run.ts";

const bars = fixtureBars();
const closes = bars.map((b) => Number(b.close.toString()));

/** Middle, upper and lower bands from a full pass over each window (population deviation). */
function naiveBands(n: number, k: number): { middle: number; upper: number; lower: number }[] {
  return closes.map((_, i) => {
    if (i < n - 1) return { middle: Number.NaN, upper: Number.NaN, lower: Number.NaN };
    const window = closes.slice(i - n + 1, i + 1);
    const mean = window.reduce((a, b) => a + b, 0) / n;
    const variance = window.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
    const sd = Math.sqrt(variance);
    return { middle: mean, upper: mean + k * sd, lower: mean - k * sd };
  });
}

interface Expected {
  bar: number;
  action: string;
  quantity: string;
}

function expectedSignals(n: number, k: number, exit: "upper" | "middle", size: string): Expected[] {
  const bands = naiveBands(n, k);
  const out: Expected[] = [];
  let long = false;
  for (let i = n - 1; i < closes.length; i++) {
    const c = closes[i]!;
    const b = bands[i]!;
    for (const level of [b.lower, b.middle, b.upper]) {
      assert.ok(Math.abs(c - level) > 1e-6, `near tie at bar ${i}`);
    }
    if (!long && c < b.lower) {
      out.push({ bar: i, action: "BUY", quantity: size });
      long = true;
    } else if (long && (exit === "upper" ? c > b.upper : c >= b.middle)) {
      out.push({ bar: i, action: "SELL", quantity: size });
      long = false;
    }
  }
  return out;
}

function run(raw: Record<string, unknown>): FakeStrategyContext {
  const ctx = new FakeStrategyContext([BTCUSDT]);
  ctx.run(bollingerReversion.create(bollingerReversion.params.parse(raw)), bars);
  return ctx;
}

function summary(ctx: FakeStrategyContext): Expected[] {
  return ctx.signals.map((s) => ({ bar: s.bar, action: s.action, quantity: String(s.quantity) }));
}

describe("bollinger on BTCUSDT 30m (python-binance fixture)", () => {
  test("exit upper: buy below the lower band while flat, sell above the upper band", () => {
    const ctx = run({ period: 20, k: 2, size: "0.3" });
    const expected = expectedSignals(20, 2, "upper", "0.3");
    assert.ok(expected.length >= 4, `got ${expected.length}`);
    assert.deepEqual(summary(ctx), expected);
  });

  test("exit middle: sell when the close is back at the middle band", () => {
    const ctx = run({ period: 20, k: 2, exit: "middle", size: "0.3" });
    const expected = expectedSignals(20, 2, "middle", "0.3");
    assert.ok(expected.length >= 8, `got ${expected.length}`);
    assert.deepEqual(summary(ctx), expected);
    assert.notDeepEqual(expected, expectedSignals(20, 2, "upper", "0.3"));
  });

  test("a narrower band (k = 1.5, period 10)", () => {
    const ctx = run({ period: 10, k: 1.5, size: "1" });
    assert.deepEqual(summary(ctx), expectedSignals(10, 1.5, "upper", "1"));
  });

  test("state round trip == one uninterrupted run", () => {
    for (const exit of ["upper", "middle"] as const) {
      const raw = { period: 20, k: 2, exit, size: "0.3" };
      const whole = run(raw);
      for (const split of [0, 19, 20, 21, 333, 499, ...whole.signals.map((s) => s.bar)]) {
        const ctx = new FakeStrategyContext([BTCUSDT]);
        splitRun(bollingerReversion, raw, bars, split, ctx);
        assert.deepEqual(ctx.signals, whole.signals, `split at ${split}, exit ${exit}`);
      }
    }
  });

  test("hot update of k keeps the window (no re-warm); of the period re-warms", () => {
    const ctx = new FakeStrategyContext([BTCUSDT]);
    const strategy = bollingerReversion.create(bollingerReversion.params.parse({ size: "1" }));
    ctx.run(strategy, bars.slice(0, 100));
    strategy.updateParams?.(bollingerReversion.params.parse({ size: "1", k: 1.5 }));
    ctx.run(strategy, bars.slice(100), 100);
    const late = summary(ctx).filter((s) => s.bar >= 100);
    const expected = expectedSignals(20, 1.5, "upper", "1").filter((s) => s.bar >= 100);
    const firstBuy = (list: Expected[]) => list.findIndex((s) => s.action === "BUY");
    assert.deepEqual(late.slice(firstBuy(late)), expected.slice(firstBuy(expected)));

    const ctx2 = new FakeStrategyContext([BTCUSDT]);
    const s2 = bollingerReversion.create(bollingerReversion.params.parse({ size: "1", exit: "middle" }));
    ctx2.run(s2, bars.slice(0, 100));
    const before = ctx2.signals.length;
    s2.updateParams?.(bollingerReversion.params.parse({ size: "1", exit: "middle", period: 50 }));
    ctx2.run(s2, bars.slice(100, 149), 100);
    assert.equal(ctx2.signals.length, before, "50 bars are needed before the new bands exist");
  });
});

describe("bollinger params", () => {
  test("defaults and bounds", () => {
    const p = bollingerReversion.params.parse({ size: "1" });
    assert.deepEqual([p.period, p.k, p.exit], [20, 2, "upper"]);
    const r = bollingerReversion.params.safeParse({ period: 1, k: 0, exit: "lower", size: "x" });
    const keys = r.error!.issues.map((i) => i.path.join("."));
    for (const key of ["period", "k", "exit", "size"]) assert.ok(keys.includes(key), `${key} in ${keys}`);
  });
});
