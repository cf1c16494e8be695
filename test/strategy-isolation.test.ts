/**
 * Failure isolation of the strategy engine: strategies that throw, reject, overrun their time budget
 * or never settle, among 100 healthy ones. The healthy ones must produce exactly what they produce
 * when each runs alone; each bad one must be paused and reported once, with its events accounted for.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { z } from "zod";
import { Topic } from "../src/bus/index.ts";
import { ErrorCode, type StrategyId, type TestClock } from "../src/core/index.ts";
import type { Bar } from "../src/model/index.ts";
import type { StrategyContext, StrategyDefinition } from "../src/strategy/index.ts";
import { engineHarness, settle, waitFor } from "../src/strategy/test-support/engine-harness.ts";
import { crossDefinition, pricePath, testBar } from "../src/strategy/test-support/test-strategies.ts";

const BARS = 300;
const BUDGET_MS = 1000;

const badParams = z.object({
  kind: z.enum(["throw", "reject", "slow", "hang"]),
  atBar: z.number().int().positive(),
});
type BadParams = z.infer<typeof badParams>;

/** A strategy that behaves until its `atBar`-th bar, then fails in the way its kind says. */
const badDefinition: StrategyDefinition<BadParams> = {
  name: "test_bad",
  description: "fails on purpose",
  params: badParams as unknown as z.ZodType<BadParams>,
  subscriptions: (_p, interval) => ({ bars: [interval] }),
  create: (p) => {
    let n = 0;
    return {
      onBar(bar: Bar, ctx: StrategyContext): void | Promise<void> {
        n++;
        ctx.signal({ instrumentId: bar.instrumentId, action: "HOLD", reason: `bad ${n}` });
        if (n !== p.atBar) return p.kind === "reject" || p.kind === "hang" ? Promise.resolve() : undefined;
        switch (p.kind) {
          case "throw":
            throw new Error(`thrown at bar ${n}`);
          case "reject":
            return Promise.resolve().then(() => {
              throw new Error(`rejected at bar ${n}`);
            });
          case "slow":
            // Five budgets pass on the clock while the hook runs (set() moves time without firing timers).
            (ctx.clock as TestClock).set(ctx.clock.now() + 5 * BUDGET_MS * 1000);
            return;
          case "hang":
            return new Promise<void>(() => {});
        }
      },
    };
  },
};

interface HealthyConfig {
  id: string;
  params: { fast: number; slow: number; quantity: string; async: boolean };
}

function healthyConfigs(): HealthyConfig[] {
  const out: HealthyConfig[] = [];
  for (let i = 0; i < 100; i++) {
    const fast = 2 + (i % 5);
    out.push({
      id: `healthy-${i}`,
      params: { fast, slow: fast + 2 + ((i * 7) % 19), quantity: `0.0${1 + (i % 9)}`, async: i % 2 === 1 },
    });
  }
  return out;
}

const BAD: ReadonlyArray<{ id: string; params: BadParams; code: string; message: RegExp }> = [
  {
    id: "bad-throw",
    params: { kind: "throw", atBar: 50 },
    code: ErrorCode.StrategyFailed,
    message: /thrown at bar 50/,
  },
  {
    id: "bad-reject",
    params: { kind: "reject", atBar: 30 },
    code: ErrorCode.StrategyFailed,
    message: /rejected at bar 30/,
  },
  {
    id: "bad-slow",
    params: { kind: "slow", atBar: 40 },
    code: ErrorCode.StrategyTimeout,
    message: /over its 1000 ms budget/,
  },
  {
    id: "bad-hang",
    params: { kind: "hang", atBar: 20 },
    code: ErrorCode.StrategyTimeout,
    message: /did not settle/,
  },
];

const allBars = (): Bar[] => pricePath(BARS, 11).map((close, i) => testBar({ index: i, close }));

/** What a strategy produced, without ids and timestamps (which depend on the other strategies). */
function output(h: ReturnType<typeof engineHarness>, sid: string) {
  return {
    signals: h.signals.filter((s) => s.strategyId === sid).map((s) => `${s.action} ${s.reason}`),
    orders: h.orders
      .filter((o) => o.strategyId === sid)
      .map((o) => `${o.side} ${o.type} ${o.quantity} ${o.causedByReceivedAt}`),
  };
}

async function runAlone(cfg: HealthyConfig): Promise<ReturnType<typeof output>> {
  const h = engineHarness((r) => r.register(crossDefinition), { timeBudgetMs: BUDGET_MS });
  h.engine.add({
    id: cfg.id,
    strategy: "test_cross",
    instrument: "BTCUSDT",
    interval: "1m",
    params: cfg.params,
  });
  await h.engine.start(cfg.id as StrategyId);
  for (const b of allBars()) h.bus.publish(Topic.Bar, b);
  await waitFor(
    () => h.engine.instanceStats(cfg.id as StrategyId).eventsProcessed === BARS,
    `${cfg.id} alone`,
  );
  return output(h, cfg.id);
}

describe("strategy failure isolation", () => {
  test("throwing, rejecting, slow and hung strategies are paused and reported; 100 healthy ones are unaffected", async () => {
    const healthy = healthyConfigs();
    const h = engineHarness(
      (r) => {
        r.register(crossDefinition);
        r.register(badDefinition);
      },
      { timeBudgetMs: BUDGET_MS },
    );
    // Bad strategies are spread among the healthy ones, so they share permits and the ready queue.
    healthy.forEach((cfg, i) => {
      h.engine.add({
        id: cfg.id,
        strategy: "test_cross",
        instrument: "BTCUSDT",
        interval: "1m",
        params: cfg.params,
      });
      const bad = BAD[i % 25 === 0 ? i / 25 : -1];
      if (bad !== undefined) {
        h.engine.add({
          id: bad.id,
          strategy: "test_bad",
          instrument: "BTCUSDT",
          interval: "1m",
          params: bad.params,
        });
      }
    });
    assert.equal(h.engine.ids().length, 104);
    await h.engine.startAll();

    const bars = allBars();
    for (let i = 0; i < bars.length; i++) {
      h.bus.publish(Topic.Bar, bars[i]!);
      if (i % 10 === 9) await settle(1); // let async strategies make progress between bursts
    }
    const healthyDone = () =>
      healthy.every((c) => h.engine.instanceStats(c.id as StrategyId).eventsProcessed === BARS);
    await waitFor(healthyDone, "every healthy strategy to handle every bar");
    // Only the hung hook's timer is left; its budget passes on the clock now.
    h.clock.advance(BUDGET_MS);
    await settle();

    // Healthy strategies: exactly what each produces alone, in the same order.
    for (const cfg of healthy) {
      assert.deepEqual(output(h, cfg.id), await runAlone(cfg), `${cfg.id} is unaffected`);
      const st = h.engine.instanceStats(cfg.id as StrategyId);
      assert.equal(st.status, "RUNNING");
      assert.deepEqual([st.errors, st.droppedEvents, st.skippedEvents], [0, 0, 0], cfg.id);
    }
    assert.ok(h.orders.length > 100, "the healthy strategies traded");

    // Bad strategies: paused, one StrategyError each, every bar accounted for.
    assert.equal(h.errors.length, BAD.length);
    for (const bad of BAD) {
      const errs = h.errors.filter((e) => e.strategyId === bad.id);
      assert.equal(errs.length, 1, `${bad.id} reported once`);
      const e = errs[0]!;
      assert.equal(e.code, bad.code, bad.id);
      assert.match(e.error, bad.message);
      assert.ok(e.stack !== undefined && e.stack.length > 0, `${bad.id} carries a stack`);
      const st = h.engine.instanceStats(bad.id as StrategyId);
      assert.equal(st.status, "PAUSED", bad.id);
      assert.equal(st.droppedEvents, e.droppedEvents, `${bad.id}: the event and the counter agree`);
      // Hooks that completed (a slow hook completes: then it is judged), the failed one, dropped, skipped.
      const failedHook = bad.params.kind === "slow" ? 0 : 1;
      assert.equal(
        st.eventsProcessed,
        bad.params.kind === "slow" ? bad.params.atBar : bad.params.atBar - 1,
        bad.id,
      );
      assert.equal(
        st.eventsProcessed + failedHook + st.droppedEvents + st.skippedEvents,
        BARS,
        `${bad.id}: every bar is handled, dropped or skipped`,
      );
      const transitions = h.statuses.filter((s) => s.strategyId === bad.id).map((s) => `${s.from}->${s.to}`);
      assert.deepEqual(transitions, ["CREATED->RUNNING", "RUNNING->PAUSED"]);
    }
    assert.ok(
      h.errors.find((e) => e.strategyId === "bad-hang")!.droppedEvents > 0,
      "the hung strategy's waiting bars were dropped",
    );
    assert.equal(h.statuses.filter((s) => s.to === "PAUSED").length, BAD.length);
    const stats = h.engine.stats();
    assert.equal(stats.permitsInUse, 0);
    assert.equal(stats.readyQueueDepth, 0);
    assert.ok(stats.maxPermitsInUse <= stats.maxConcurrency);
    await h.engine.close();
  });
});
