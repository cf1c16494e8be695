import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { z } from "zod";
import { MessageBus, Topic } from "../bus/index.ts";
import { asMicros, dec, instrumentId, strategyId, TestClock, tradeId } from "../core/index.ts";
import { ExecutionEngine } from "../execution/index.ts";
import {
  type Bar,
  type ProtectionEvent,
  parseInstrument,
  type StrategyStatusChanged,
  type TradeTick,
} from "../model/index.ts";
import { Portfolio } from "../portfolio/index.ts";
import { type StrategyDefinition, StrategyEngine, StrategyRegistry } from "../strategy/index.ts";
import { settle } from "../strategy/test-support/engine-harness.ts";
import { PaperVenue } from "../venues/paper/index.ts";
import { installProfitTargetWatcher } from "./profit-target-watcher.ts";

const BTCUSDT = instrumentId("BTCUSDT");
const S1 = strategyId("s1");
const T0 = Date.UTC(2024, 0, 1) * 1000;
const MINUTE = 60_000_000;

/** Buys 1 on its first bar, then does nothing. */
const buyOnce: StrategyDefinition<Record<string, never>> = {
  name: "buy_once",
  description: "buys 1 on the first bar",
  params: z.object({}).strict() as unknown as z.ZodType<Record<string, never>>,
  subscriptions: (_p, interval) => ({ bars: [interval] }),
  create: () => {
    let bought = false;
    return {
      onBar(bar, ctx) {
        if (bought) return;
        bought = true;
        ctx.signal({
          instrumentId: bar.instrumentId,
          action: "BUY",
          quantity: dec("1"),
          reason: "first bar",
        });
      },
    };
  },
};

function bar(index: number, close: string): Bar {
  const openTime = T0 + index * MINUTE;
  const px = dec(close);
  return {
    kind: "bar",
    instrumentId: BTCUSDT,
    interval: "1m",
    openTime: asMicros(openTime),
    closeTime: asMicros(openTime + MINUTE - 1),
    open: px,
    high: px,
    low: px,
    close: px,
    volume: dec("10"),
    quoteVolume: px,
    tradeCount: 1,
    closed: true,
    receivedAt: asMicros(openTime + MINUTE),
  };
}

/** The app's parts over a paper venue (0.1 % taker fee), with one buy_once strategy configured by `extra`. */
async function app(extra: Record<string, unknown>) {
  const bus = new MessageBus();
  const clock = new TestClock(T0);
  const instrument = parseInstrument({
    symbol: "BTCUSDT",
    status: "TRADING",
    baseAsset: "BTC",
    quoteAsset: "USDT",
    filters: [
      { filterType: "PRICE_FILTER", minPrice: "0.01", maxPrice: "1000000", tickSize: "0.01" },
      { filterType: "LOT_SIZE", minQty: "0.001", maxQty: "9000", stepSize: "0.001" },
    ],
  });
  const venue = new PaperVenue({ clock, instruments: [instrument], initialBalances: { USDT: "10000" } });
  const execution = new ExecutionEngine({ bus, clock, venue });
  const portfolio = new Portfolio({
    bus,
    clock,
    instruments: [instrument],
    initialCash: { paper: { USDT: "10000" } },
  });
  const registry = new StrategyRegistry();
  registry.register(buyOnce);
  const strategies = new StrategyEngine({
    bus,
    clock,
    registry,
    positions: portfolio,
    stateSaveIntervalMs: 0,
  });
  strategies.add({ id: "s1", strategy: "buy_once", instrument: "BTCUSDT", interval: "1m", ...extra });
  execution.start();
  portfolio.start();
  const logged: string[] = [];
  const log = {
    warn: (_d: object, m: string) => logged.push(m),
    error: (_d: object, m: string) => logged.push(m),
  };
  const watcher = installProfitTargetWatcher({
    bus,
    clock,
    portfolio,
    strategies,
    marketSource: { instruments: new Map([[BTCUSDT, instrument]]) },
    log,
  });
  await strategies.start(S1);
  const statuses: StrategyStatusChanged[] = [];
  const events: ProtectionEvent[] = [];
  bus.subscribe(Topic.StrategyStatus, (s) => statuses.push(s), "test");
  bus.subscribe(Topic.Protection, (e) => events.push(e), "test");
  let seq = 0;
  const trade = (price: string): TradeTick => ({
    kind: "trade",
    instrumentId: BTCUSDT,
    tradeId: tradeId(++seq),
    price: dec(price),
    quantity: dec("5"),
    aggressor: "BUY",
    eventTime: asMicros(T0 + 2 * MINUTE + seq),
    receivedAt: asMicros(T0 + 2 * MINUTE + seq),
  });
  return {
    bus,
    strategies,
    portfolio,
    watcher,
    statuses,
    events,
    logged,
    /** Opens the strategy's long 1 at 100 (fee 0.1 USDT). */
    open: async () => {
      bus.publish(Topic.Bar, bar(0, "100"));
      await execution.idle();
      bus.publish(Topic.Trade, trade("100"));
      await execution.idle();
      assert.equal(portfolio.position(S1, BTCUSDT).toString(), "1");
    },
    price: async (p: string) => {
      bus.publish(Topic.Trade, trade(p));
      await execution.idle();
      await settle(); // lets a stop or panic in progress finish
    },
  };
}

describe("profit target and max loss stop a strategy exactly once", () => {
  test("the profit target stops the strategy once its PnL net of fees reaches it", async () => {
    const a = await app({ profitTarget: { amount: "5" } });
    await a.open();
    assert.equal(a.watcher.pnl(S1)?.toString(), "-0.1", "the entry fee is in the PnL");
    a.bus.publish(Topic.Trade, {
      kind: "trade",
      instrumentId: BTCUSDT,
      tradeId: tradeId("x1"),
      price: dec("105.09"),
      quantity: dec("1"),
      aggressor: "BUY",
      eventTime: asMicros(T0 + 3 * MINUTE),
      receivedAt: asMicros(T0 + 3 * MINUTE),
    });
    assert.equal(a.strategies.status(S1), "RUNNING", "4.99 is below the target");
    await a.price("105.10");
    assert.equal(a.strategies.status(S1), "STOPPED");
    await a.price("120");
    await a.price("130");
    assert.deepEqual(
      a.statuses.map((s) => [s.to, s.reason]),
      [["STOPPED", "profit target reached"]],
    );
    assert.deepEqual(
      a.events.map((e) => [e.action, e.trigger, e.observed?.toString()]),
      [["triggered", "profitTarget", "5"]],
    );
    assert.equal(a.watcher.stats().profitTargetsReached, 1);
    assert.match(a.logged[0] ?? "", /profit target reached: PnL 5 USDT \(limit 5\); stopping/);
    assert.equal(a.portfolio.position(S1, BTCUSDT).toString(), "1", "a plain stop keeps the position");
  });

  test("maxLoss with flatten panics: the position is sold and the strategy stopped, once", async () => {
    const a = await app({ maxLoss: { amount: "3", flatten: true } });
    await a.open();
    await a.price("97.5");
    assert.equal(a.strategies.status(S1), "RUNNING", "-2.6 is above -3");
    await a.price("96.9");
    assert.equal(a.strategies.status(S1), "STOPPED");
    await a.price("96"); // fills the flattening market order
    assert.equal(a.portfolio.position(S1, BTCUSDT).toString(), "0");
    await a.price("90");
    assert.deepEqual(
      a.statuses.map((s) => [s.to, s.reason]),
      [["STOPPED", "panic"]],
    );
    assert.deepEqual(
      a.events.map((e) => [e.trigger, e.level?.toString(), e.observed?.toString()]),
      [["maxLoss", "-3", "-3.2"]],
    );
    assert.equal(a.watcher.stats().maxLossesReached, 1);
  });

  test("a strategy without limits is not watched", async () => {
    const a = await app({});
    await a.open();
    await a.price("1000");
    assert.equal(a.watcher.stats().watched, 0);
    assert.equal(a.strategies.status(S1), "RUNNING");
  });
});
