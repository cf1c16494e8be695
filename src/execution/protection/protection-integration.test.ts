import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MessageBus, Topic } from "../../bus/index.ts";
import {
  asMicros,
  type ClientOrderId,
  clientOrderId,
  type DesError,
  dec,
  TestClock,
} from "../../core/index.ts";
import type { OrderEvent, OrderType, ProtectionEvent, SubmitOrder } from "../../model/index.ts";
import { Portfolio } from "../../portfolio/index.ts";
import { PaperVenue } from "../../venues/paper/index.ts";
import { ExecutionEngine } from "../execution-engine.ts";
import { isProtective } from "../pre-trade-risk.ts";
import { ProtectionManager } from "./protection-manager.ts";
import { BTCUSDT, btcusdt, S1, T0, trade } from "./test-support/protection-harness.ts";

/** Execution (in front of a paper venue), portfolio and protection on one bus, as the app wires them. */
function stack(opts: { maxInFlight?: number; nativeOrderTypes?: readonly OrderType[] } = {}) {
  const bus = new MessageBus();
  const clock = new TestClock(T0);
  const instrument = btcusdt();
  const problems: DesError[] = [];
  const venue = new PaperVenue({ clock, instruments: [instrument], initialBalances: { USDT: "10000" } });
  const execution = new ExecutionEngine({
    bus,
    clock,
    venue,
    onProblem: (p) => problems.push(p),
    executor: { maxInFlight: opts.maxInFlight ?? 8 },
  });
  const portfolio = new Portfolio({
    bus,
    clock,
    instruments: [instrument],
    initialCash: { paper: { USDT: "10000" } },
  });
  const protection = new ProtectionManager({
    bus,
    clock,
    instrument: (id) => (id === instrument.id ? instrument : undefined),
    nativeOrderTypes: opts.nativeOrderTypes,
    onProblem: (p) => problems.push(p),
  });
  execution.start();
  portfolio.start();
  protection.start();
  const submits: SubmitOrder[] = [];
  const orderEvents: OrderEvent[] = [];
  const protectionEvents: ProtectionEvent[] = [];
  bus.subscribe(Topic.SubmitOrder, (s) => submits.push(s), "test");
  bus.subscribe(Topic.OrderEvent, (e) => orderEvents.push(e), "test");
  bus.subscribe(Topic.Protection, (e) => protectionEvents.push(e), "test");
  let seq = 0;
  return {
    bus,
    venue,
    execution,
    portfolio,
    protection,
    problems,
    submits,
    protectionEvents,
    /** Publishes the next trade at a price. */
    trade: (price: string) => bus.publish(Topic.Trade, trade(price, ++seq)),
    /** Publishes a SubmitOrder of S1. */
    order: (id: string, side: "BUY" | "SELL", type: OrderType, quantity: string, price?: string) =>
      bus.publish(Topic.SubmitOrder, {
        kind: "SubmitOrder",
        clientOrderId: clientOrderId(id),
        strategyId: S1,
        instrumentId: BTCUSDT,
        side,
        type,
        quantity: dec(quantity),
        price: price === undefined ? undefined : dec(price),
        createdAt: asMicros(T0),
      }),
    /** Returns the client order ids in the order execution sent them to the venue. */
    sent: (): ClientOrderId[] =>
      orderEvents.filter((e) => e.kind === "OrderSubmitted").map((e) => e.clientOrderId),
    /** Resolves once every order is sent and every venue answer is applied. */
    idle: async () => {
      while (!execution.executorIdle) await new Promise((r) => setImmediate(r));
      await execution.idle();
    },
  };
}

describe("protection on the real order path (execution + paper venue + portfolio)", () => {
  test("the position opens, the price falls, the stop's exit jumps the queue and flattens the position", async () => {
    const s = stack({ maxInFlight: 1 });
    s.protection.protect(S1, BTCUSDT, { stopLoss: { percent: "1" } });
    s.trade("100");
    s.order("buy", "BUY", "MARKET", "1");
    await s.idle();
    s.trade("100");
    assert.equal(s.portfolio.position(S1, BTCUSDT).toString(), "1");
    assert.equal(s.protection.stats().armed, 1);

    // Three resting buys: the first is in flight (the bound is 1), the others wait in the main lane...
    for (const id of ["l1", "l2", "l3"]) s.order(id, "BUY", "LIMIT", "0.1", "50");
    // ...when the price falls through the stop (99): the exit goes to the priority lane.
    s.trade("98.9");
    const exit = s.submits.find((o) => o.clientOrderId.startsWith("prot-"));
    assert.ok(exit !== undefined);
    assert.ok(isProtective(exit.type, exit.reduceOnly));
    await s.idle();
    assert.deepEqual(
      s.sent(),
      ["buy", "l1", exit.clientOrderId, "l2", "l3"],
      "the exit is sent before l2 and l3",
    );

    s.trade("98.8");
    assert.equal(s.execution.order(exit.clientOrderId)?.status, "FILLED");
    assert.equal(s.portfolio.position(S1, BTCUSDT).toString(), "0");
    assert.equal(s.venue.balance("BTC").free.toString(), "0");
    s.trade("90");
    await s.idle();
    assert.equal(s.submits.filter((o) => o.clientOrderId.startsWith("prot-")).length, 1, "one exit only");
    assert.deepEqual(
      s.protectionEvents.map((e) => e.action),
      ["armed", "triggered", "disarmed"],
    );
    const stats = s.protection.stats();
    assert.deepEqual(
      [stats.stopLossTriggers, stats.exitOrders, stats.exitsFilled, stats.armed],
      [1, 1, 1, 0],
    );
    assert.deepEqual(s.problems, []);
  });

  test("native: the paper venue holds the STOP_LOSS, it is replaced when the position grows and fires at the venue", async () => {
    const s = stack({ nativeOrderTypes: ["STOP_LOSS", "TAKE_PROFIT"] });
    s.protection.protect(S1, BTCUSDT, { stopLoss: { percent: "2" }, mode: "native" });
    s.trade("100");
    s.order("b1", "BUY", "MARKET", "1");
    await s.idle();
    s.trade("100");
    await s.idle();
    const first = s.protection.protection(S1, BTCUSDT)?.nativeOrders[0];
    assert.deepEqual(
      [first?.type, first?.quantity.toString(), first?.stopPrice.toString()],
      ["STOP_LOSS", "1", "98"],
    );
    assert.equal(s.venue.balance("BTC").locked.toString(), "1", "the resting stop locks the position");

    s.order("b2", "BUY", "MARKET", "1");
    await s.idle();
    s.trade("102");
    await s.idle();
    const second = s.protection.protection(S1, BTCUSDT)?.nativeOrders[0];
    assert.deepEqual(
      [second?.quantity.toString(), second?.stopPrice.toString()],
      ["2", "98.98"],
      "replaced for 2 at 2 % under the new average 101",
    );
    assert.equal(s.execution.order(first!.clientOrderId)?.status, "CANCELED");
    assert.equal(s.venue.balance("BTC").locked.toString(), "2");

    s.trade("98.5");
    await s.idle();
    assert.equal(s.execution.order(second!.clientOrderId)?.status, "FILLED");
    assert.equal(s.portfolio.position(S1, BTCUSDT).toString(), "0");
    assert.equal(
      s.submits.filter((o) => o.type === "MARKET" && o.clientOrderId.startsWith("prot-")).length,
      0,
      "no emulated exit",
    );
    const stats = s.protection.stats();
    assert.deepEqual(
      [stats.nativePlaced, stats.nativeCanceled, stats.nativeTriggers, stats.armed],
      [2, 1, 1, 0],
    );
    assert.deepEqual(s.problems, []);
  });
});
