import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Topic } from "../src/bus/index.ts";
import { DesError, ErrorCode } from "../src/core/index.ts";
import { FakeStrategyContext } from "../src/strategy/builtin/fake-strategy-context.ts";
import { BTCUSDT, fixtureBars } from "../src/strategy/builtin/fixture-bars.ts";
import { builtinStrategies, builtinStrategyModules, maCross } from "../src/strategy/builtin/index.ts";
import { parseStrategyParams, StrategyRegistry } from "../src/strategy/index.ts";
import { engineHarness, waitFor } from "../src/strategy/test-support/engine-harness.ts";

/** The smallest valid parameters of each built-in. */
const MINIMAL: Record<string, Record<string, unknown>> = {
  ma_cross: { size: "0.01" },
  rsi: { size: "0.01" },
  bollinger: { size: "0.01" },
  grid: { lower: "4850", upper: "5350", sizePerLevel: "0.002" },
  dca: { interval: 6, amount: "100", takeProfit: 0.01 },
};

describe("built-in strategies", () => {
  test("the five built-ins are listed once each, in documentation order", () => {
    assert.deepEqual(
      builtinStrategies.map((d) => d.name),
      ["ma_cross", "rsi", "bollinger", "grid", "dca"],
    );
    assert.deepEqual(Object.keys(builtinStrategyModules).sort(), Object.keys(MINIMAL).sort());
  });

  test("each definition is importable by module URL + export name (worker mode) and is the same object", async () => {
    for (const def of builtinStrategies) {
      const ref = builtinStrategyModules[def.name]!;
      const mod = (await import(ref.url)) as Record<string, unknown>;
      assert.equal(mod[ref.exportName], def, `${def.name}: ${ref.url} # ${ref.exportName}`);
    }
  });

  test("they register in the engine's registry with their worker modules", () => {
    const registry = new StrategyRegistry();
    for (const def of builtinStrategies) registry.register(def, builtinStrategyModules[def.name]);
    assert.deepEqual(registry.names(), ["bollinger", "dca", "grid", "ma_cross", "rsi"]);
  });

  test("bad params through the engine's parser name the key and the value", () => {
    const grid = builtinStrategies.find((d) => d.name === "grid")!;
    assert.throws(
      () => parseStrategyParams(grid.params, { lower: "5000", upper: "4000", sizePerLevel: "1" }, "g1"),
      (e) =>
        e instanceof DesError &&
        e.code === ErrorCode.InvalidStrategyParams &&
        /parameter upper = "4000" is invalid: upper \(4000\) must be greater than lower \(5000\)/.test(
          e.message,
        ),
    );
  });

  test("each runs on the fixture, asks for closed bars of its interval, and its state survives JSON", () => {
    const bars = fixtureBars();
    for (const def of builtinStrategies) {
      const params = def.params.parse(MINIMAL[def.name]);
      const subs = def.subscriptions(params, "30m");
      assert.deepEqual(subs.bars, ["30m"]);
      assert.ok((subs.warmupBars ?? 0) >= 0);
      const ctx = new FakeStrategyContext([BTCUSDT]);
      const strategy = def.create(params);
      ctx.run(strategy, bars);
      assert.ok(ctx.signals.length + ctx.orders.length > 0, `${def.name} should act on 500 real bars`);
      assert.ok(ctx.stateChanges > 0, `${def.name} marks its state changed`);
      assert.ok(
        ctx.signals.every((s) => s.action === "HOLD" || s.quantity?.isPositive()),
        `${def.name}: BUY/SELL carry a positive quantity`,
      );
      const json = JSON.stringify(strategy.getState?.());
      const copy = def.create(def.params.parse(MINIMAL[def.name]));
      copy.setState?.(JSON.parse(json));
      assert.equal(JSON.stringify(copy.getState?.()), json, `${def.name}: setState(getState()) is lossless`);
      assert.throws(() => copy.setState?.("garbage"), DesError, `${def.name}: bad state is a DesError`);
    }
  });
});

describe("built-in strategies in the StrategyEngine", () => {
  async function runInEngine(mode: "inline" | "worker"): Promise<string[]> {
    const h = engineHarness((registry) => {
      for (const def of builtinStrategies) registry.register(def, builtinStrategyModules[def.name]);
    });
    const id = h.engine.add({
      id: `ma-${mode}`,
      strategy: "ma_cross",
      instrument: "BTCUSDT",
      interval: "30m",
      params: { fast: 10, slow: 30, size: "0.01" },
      mode,
    });
    try {
      await h.engine.start(id);
      const bars = fixtureBars();
      for (const bar of bars) {
        h.clock.set(bar.closeTime);
        h.bus.publish(Topic.Bar, bar);
      }
      await waitFor(() => h.engine.instanceStats(id).eventsProcessed >= bars.length, `${mode} bars handled`);
      assert.deepEqual(h.errors, []);
      return h.signals.map((s) => `${s.action} ${s.reason}`);
    } finally {
      await h.engine.close();
    }
  }

  test("ma_cross gives the same signals inline and in a worker thread as under the fake context", async () => {
    const inline = await runInEngine("inline");
    const worker = await runInEngine("worker");
    assert.ok(inline.length > 5);
    assert.deepEqual(worker, inline);
    // The engine's default position is always flat: every upward cross is a BUY, never a SELL.
    const ctx = new FakeStrategyContext([BTCUSDT]);
    ctx.run(maCross.create(maCross.params.parse({ fast: 10, slow: 30, size: "0.01" })), fixtureBars());
    const fakeBuys = ctx.signals.filter((s) => s.action === "BUY").map((s) => `BUY ${s.reason}`);
    assert.ok(inline.every((s) => s.startsWith("BUY ")));
    assert.deepEqual(
      inline.filter((s) => fakeBuys.includes(s)),
      fakeBuys,
    );
  });
});
