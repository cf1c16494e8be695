import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { z } from "zod";
import { clientOrderId } from "../../core/index.ts";
import { dca } from "./dca.ts";
import { FakeStrategyContext } from "./fake-strategy-context.ts";
import { BTCUSDT, fixtureBars } from "./fixture-bars.ts";
import { splitRun } from "./split-run.ts";

const bars = fixtureBars();

/** Parses a decimal string into an integer count of 10^-8 (the fixture's precision). */
function units8(s: string): bigint {
  const [i, f = ""] = s.split(".");
  return BigInt(i!) * 10n ** 8n + BigInt(f.padEnd(8, "0").slice(0, 8));
}

const closes = bars.map((b) => units8(b.close.toString()));

interface Rules {
  interval: number;
  amount: string;
  /** Tenths of a percent, e.g. 10n for 1 %. */
  dipPermille?: bigint;
  tpPermille?: bigint;
  reference?: string;
}

interface Expected {
  bar: number;
  action: string;
  quantity: string;
}

/**
 * The DCA rules replayed in exact integer arithmetic, with every order filled at the bar's close:
 * quantities in millionths of a BTC (the step size), prices in 10^-8.
 */
function expectedSignals(r: Rules): Expected[] {
  const amount = units8(r.amount);
  const out: Expected[] = [];
  let barsSince: number | null = null;
  let held = 0n; // millionths
  let cost = 0n; // millionths x 10^-8
  let lastBuy: bigint | null = null;
  const fmt = (micro: bigint) => {
    const s = micro.toString().padStart(7, "0");
    return `${s.slice(0, -6)}.${s.slice(-6)}`.replace(/\.?0+$/, "");
  };
  closes.forEach((close, i) => {
    if (barsSince !== null) barsSince++;
    if (r.tpPermille !== undefined && held > 0n && close * held * 1000n >= cost * (1000n + r.tpPermille)) {
      out.push({ bar: i, action: "SELL", quantity: fmt(held) });
      held = 0n;
      cost = 0n;
      lastBuy = null;
      return;
    }
    if (barsSince !== null && barsSince < r.interval) return;
    const ref = lastBuy ?? (r.reference === undefined ? null : units8(r.reference));
    if (r.dipPermille !== undefined && ref !== null && close * 1000n > ref * (1000n - r.dipPermille)) return;
    const qty = (amount * 1_000_000n) / close;
    barsSince = 0;
    lastBuy = close;
    held += qty;
    cost += qty * close;
    out.push({ bar: i, action: "BUY", quantity: fmt(qty) });
  });
  return out;
}

function run(raw: Record<string, unknown>): FakeStrategyContext {
  const ctx = new FakeStrategyContext([BTCUSDT]);
  ctx.run(dca.create(dca.params.parse(raw)), bars);
  return ctx;
}

function summary(ctx: FakeStrategyContext): Expected[] {
  return ctx.signals.map((s) => ({ bar: s.bar, action: s.action, quantity: String(s.quantity) }));
}

describe("dca on BTCUSDT 30m (python-binance fixture)", () => {
  test("buys the quote amount every 4 bars, converted at the close and rounded down to the step", () => {
    const ctx = run({ interval: 4, amount: "100" });
    const expected = expectedSignals({ interval: 4, amount: "100" });
    assert.equal(expected.length, 125);
    assert.deepEqual(summary(ctx), expected);
    // 100 / 5000.36 = 0.019998560... -> 0.019998
    assert.equal(summary(ctx)[0]!.quantity, "0.019998");
  });

  test("a duration interval counts bar time: 2h on 30m bars is every 4 bars, 1h every 2", () => {
    assert.deepEqual(
      summary(run({ interval: "2h", amount: "100" })),
      expectedSignals({ interval: 4, amount: "100" }),
    );
    assert.deepEqual(
      summary(run({ interval: "1h", amount: "100" })),
      expectedSignals({ interval: 2, amount: "100" }),
    );
  });

  test("dip rule: a due buy waits until the close is 0.5 % below the last buy", () => {
    const ctx = run({ interval: 4, amount: "100", dipThreshold: 0.005 });
    const expected = expectedSignals({ interval: 4, amount: "100", dipPermille: 5n });
    assert.ok(expected.length >= 2 && expected.length < 20, `got ${expected.length}`);
    assert.ok(expected[1]!.bar > 4, "the second buy waited past its interval for the dip");
    assert.deepEqual(summary(ctx), expected);
  });

  test("dip rule with a reference price before the first buy", () => {
    const rules = { interval: 4, amount: "100", dipPermille: 2n, reference: "5010" };
    const ctx = run({ interval: 4, amount: "100", dipThreshold: 0.002, referencePrice: "5010" });
    const expected = expectedSignals(rules);
    assert.ok(expected[0]!.bar > 0, "the first buy waits for 0.2 % under 5010");
    assert.deepEqual(summary(ctx), expected);
  });

  test("take profit sells the whole position at 2 % over the average cost, then DCA starts again", () => {
    const ctx = run({ interval: 4, amount: "100", takeProfit: 0.02 });
    const expected = expectedSignals({ interval: 4, amount: "100", tpPermille: 20n });
    const sells = expected.filter((s) => s.action === "SELL");
    assert.ok(sells.length >= 1, "the fixture rises enough for a take-profit");
    assert.deepEqual(summary(ctx), expected);
    assert.ok(expected.some((s) => s.action === "BUY" && s.bar > sells[0]!.bar));
  });

  test("dip + take profit + reference: same as the exact replay", () => {
    const ctx = run({
      interval: 2,
      amount: "250",
      dipThreshold: 0.005,
      takeProfit: 0.01,
      referencePrice: "5050",
    });
    const expected = expectedSignals({
      interval: 2,
      amount: "250",
      dipPermille: 5n,
      tpPermille: 10n,
      reference: "5050",
    });
    assert.ok(expected.filter((s) => s.action === "SELL").length >= 2, "several cycles");
    assert.deepEqual(summary(ctx), expected);
  });

  test("the average cost comes from fills", () => {
    const ctx = new FakeStrategyContext([BTCUSDT]);
    const strategy = dca.create(dca.params.parse({ interval: 1, amount: "100" }));
    ctx.run(strategy, bars.slice(0, 3));
    const state = strategy.getState?.() as { instruments: Record<string, { heldQty: string; cost: string }> };
    const book = state.instruments["BTCUSDT"]!;
    const fills = ctx.fills;
    assert.equal(fills.length, 3);
    const held = fills.reduce((a, f) => a + Number(f.lastQty.toString()), 0);
    const cost = fills.reduce((a, f) => a + Number(f.lastQty.toString()) * Number(f.lastPrice.toString()), 0);
    assert.equal(book.heldQty, ctx.position(BTCUSDT.id).toString());
    assert.ok(Math.abs(Number(book.heldQty) - held) < 1e-12);
    assert.ok(Math.abs(Number(book.cost) - cost) < 1e-9);
  });

  test("an amount under the minimum notional records a HOLD once per interval, never a BUY", () => {
    const ctx = run({ interval: 10, amount: "5" });
    assert.equal(ctx.signals.length, 50);
    assert.ok(ctx.signals.every((s) => s.action === "HOLD" && s.quantity === undefined));
    assert.match(ctx.signals[0]!.reason, /below the instrument's minimum/);
  });

  test("while an order is open nothing is sent", () => {
    const ctx = new FakeStrategyContext([BTCUSDT]);
    const id = clientOrderId("resting-1");
    ctx.open.set(id, {
      clientOrderId: id,
      bar: 0,
      instrumentId: BTCUSDT.id,
      side: "SELL",
      type: "LIMIT",
      quantity: BTCUSDT.minQty,
      price: BTCUSDT.maxPrice,
    });
    ctx.run(dca.create(dca.params.parse({ interval: 1, amount: "100" })), bars.slice(0, 20));
    assert.deepEqual(ctx.signals, []);
  });

  test("state round trip == one uninterrupted run", () => {
    const raw = { interval: 3, amount: "150", dipThreshold: 0.003, takeProfit: 0.015 };
    const whole = run(raw);
    assert.ok(whole.signals.some((s) => s.action === "SELL"));
    for (const split of [0, 1, 2, 3, 200, 499, ...whole.signals.map((s) => s.bar)]) {
      const ctx = new FakeStrategyContext([BTCUSDT]);
      splitRun(dca, raw, bars, split, ctx);
      assert.deepEqual(ctx.signals, whole.signals, `split at ${split}`);
    }
    // The schedule survives too, counted in bars or in bar time.
    for (const interval of [3, "90m"]) {
      for (const split of [1, 2, 5, 250]) {
        const ctx = new FakeStrategyContext([BTCUSDT]);
        splitRun(dca, { interval, amount: "100" }, bars, split, ctx);
        assert.deepEqual(
          summary(ctx),
          expectedSignals({ interval: 3, amount: "100" }),
          `${interval} split ${split}`,
        );
      }
    }
  });

  test("a corrupt state is refused with a readable error", () => {
    const strategy = dca.create(dca.params.parse({ amount: "1" }));
    assert.throws(
      () => strategy.setState?.({ version: 1, instruments: { BTCUSDT: { heldQty: 1 } } }),
      /invalid dca state/,
    );
  });
});

describe("dca params", () => {
  test("defaults: one buy a day, no dip rule, no take-profit", () => {
    const p = dca.params.parse({ amount: "25" });
    assert.equal(p.interval, "1d");
    assert.equal(p.dipThreshold, undefined);
    assert.equal(p.takeProfit, undefined);
  });

  test("bad values name their keys", () => {
    const r = dca.params.safeParse({
      interval: "1x",
      amount: "0",
      dipThreshold: 1,
      takeProfit: 0,
      referencePrice: "-1",
    });
    assert.equal(r.success, false);
    const keys = r.error!.issues.map((i) => i.path.join("."));
    for (const k of ["interval", "amount", "dipThreshold", "takeProfit", "referencePrice"]) {
      assert.ok(keys.includes(k), `${k} in ${keys}`);
    }
    assert.match(z.prettifyError(r.error!), /duration such as "4h"/);
    assert.equal(dca.params.safeParse({ interval: 0, amount: "1" }).success, false);
  });
});
