import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ErrorCode, isDesError, strategyId } from "../../core/index.ts";
import { parseStrategyInstanceConfig } from "../../strategy/index.ts";
import { isProtective } from "../pre-trade-risk.ts";
import { BTCUSDT, bar, protectionHarness, S1, trade } from "./test-support/protection-harness.ts";

const NATIVE = ["STOP_LOSS", "TAKE_PROFIT"] as const;

describe("emulated protections trigger one reduce-only MARKET exit", () => {
  test("long stop-loss: nothing above the level, one SELL of the whole position at it", () => {
    const h = protectionHarness();
    h.manager.protect(S1, BTCUSDT, { stopLoss: { percent: "2" } });
    h.position("1.5", "100");
    assert.equal(h.manager.protection(S1, BTCUSDT)?.stopLoss?.toString(), "98");
    h.bus.publish("market.trade", trade("98.01", 1));
    assert.equal(h.submits.length, 0);
    h.bus.publish("market.trade", trade("98", 2));
    assert.equal(h.submits.length, 1);
    const exit = h.submits[0]!;
    assert.deepEqual(
      [exit.side, exit.type, exit.quantity.toString(), exit.reduceOnly, exit.strategyId],
      ["SELL", "MARKET", "1.5", true, S1],
    );
    assert.ok(isProtective(exit.type, exit.reduceOnly), "the exit takes the priority lane");
    assert.match(exit.clientOrderId, /^prot-[a-z0-9]+-[a-z0-9]+$/);
    assert.equal(exit.causedByReceivedAt, trade("98", 2).receivedAt);
    assert.deepEqual(h.actions(), ["armed", "triggered:stopLoss"]);
    assert.equal(h.events[1]?.level?.toString(), "98");
    assert.equal(h.manager.stats().stopLossTriggers, 1);
  });

  test("short stop-loss: one BUY when the price rises to the level", () => {
    const h = protectionHarness();
    h.manager.protect(S1, BTCUSDT, { stopLoss: { percent: "2" } });
    h.position("-2", "100");
    h.bus.publish("market.trade", trade("101.99", 1));
    assert.equal(h.submits.length, 0);
    h.bus.publish("market.trade", trade("102.5", 2));
    assert.deepEqual(
      h.submits.map((s) => [s.side, s.type, s.quantity.toString(), s.reduceOnly]),
      [["BUY", "MARKET", "2", true]],
    );
  });

  test("take-profit: a long sells at or above the target, a short buys at or below it", () => {
    const long = protectionHarness();
    long.manager.protect(S1, BTCUSDT, { takeProfit: { percent: "5" } });
    long.position("1", "100");
    long.bus.publish("market.trade", trade("104.99", 1));
    long.bus.publish("market.trade", trade("105", 2));
    assert.deepEqual(
      long.submits.map((s) => s.side),
      ["SELL"],
    );
    assert.deepEqual(long.actions(), ["armed", "triggered:takeProfit"]);

    const short = protectionHarness();
    short.manager.protect(S1, BTCUSDT, { takeProfit: { price: "90" } });
    short.position("-1", "100");
    short.bus.publish("market.trade", trade("90.01", 1));
    short.bus.publish("market.trade", trade("89", 2));
    assert.deepEqual(
      short.submits.map((s) => s.side),
      ["BUY"],
    );
    assert.equal(short.manager.stats().takeProfitTriggers, 1);
  });

  test("trailing stop follows the highest price since entry and triggers percent below it", () => {
    const h = protectionHarness();
    h.manager.protect(S1, BTCUSDT, { trailingStop: { percent: "1" } });
    h.position("1", "100");
    for (const [i, p] of ["101", "103", "104", "103.5", "103"].entries()) {
      h.bus.publish("market.trade", trade(p, i + 1));
    }
    const view = h.manager.protection(S1, BTCUSDT);
    assert.equal(view?.watermark.toString(), "104");
    assert.equal(view?.trailingStop?.toString(), "102.96");
    assert.equal(h.submits.length, 0, "103 is above 104 - 1 %");
    h.bus.publish("market.trade", trade("102.96", 10));
    assert.equal(h.submits.length, 1);
    assert.equal(h.events.at(-1)?.trigger, "trailingStop");
    assert.equal(h.events.at(-1)?.level?.toString(), "102.96");
  });

  test("a short's trailing stop follows the lowest price", () => {
    const h = protectionHarness();
    h.manager.protect(S1, BTCUSDT, { trailingStop: { percent: "2" } });
    h.position("-1", "100");
    h.bus.publish("market.trade", trade("95", 1));
    h.bus.publish("market.trade", trade("96.8", 2));
    assert.equal(h.submits.length, 0, "96.8 < 95 x 1.02 = 96.9");
    h.bus.publish("market.trade", trade("96.9", 3));
    assert.deepEqual(
      h.submits.map((s) => s.side),
      ["BUY"],
    );
  });

  test("never triggers twice for the same position; the fill disarms it", () => {
    const h = protectionHarness();
    h.manager.protect(S1, BTCUSDT, { stopLoss: { percent: "1" }, trailingStop: { percent: "0.5" } });
    h.position("1", "100");
    for (let i = 1; i <= 5; i++) h.bus.publish("market.trade", trade(String(98 - i), i));
    assert.equal(h.submits.length, 1, "one exit while it is in flight");
    h.filled(h.submits[0]!, "97");
    h.position("0", "0");
    h.bus.publish("market.trade", trade("90", 10));
    assert.equal(h.submits.length, 1);
    // Both were crossed: the trailing stop (99.5) is reached before the stop-loss (99).
    assert.deepEqual(h.actions(), ["armed", "triggered:trailingStop", "disarmed"]);
    assert.deepEqual(h.manager.stats().armed, 0);
    assert.equal(h.manager.stats().exitsFilled, 1);
  });

  test("a rejected exit re-arms; after maxExitAttempts failures in a row it gives up and reports it", () => {
    const h = protectionHarness({ maxExitAttempts: 2 });
    h.manager.protect(S1, BTCUSDT, { stopLoss: { percent: "1" } });
    h.position("1", "100");
    h.bus.publish("market.trade", trade("98", 1));
    h.orderEvent("OrderRejected", h.submits[0]!.clientOrderId);
    assert.deepEqual(h.actions(), ["armed", "triggered:stopLoss", "rearmed"]);
    h.bus.publish("market.trade", trade("97.9", 2));
    assert.equal(h.submits.length, 2);
    assert.notEqual(h.submits[1]!.clientOrderId, h.submits[0]!.clientOrderId);
    h.orderEvent("OrderDenied", h.submits[1]!.clientOrderId);
    assert.equal(h.actions().at(-1), "gave-up");
    h.bus.publish("market.trade", trade("97", 3));
    assert.equal(h.submits.length, 2, "nothing more after giving up");
    assert.ok(isDesError(h.problems[0], ErrorCode.OrderRejected));
    assert.match(h.problems[0]!.message, /2 exit orders failed in a row/);
    // A new position arms it again.
    h.position("2", "100");
    h.bus.publish("market.trade", trade("98", 4));
    assert.equal(h.submits.length, 3);
    assert.equal(h.submits[2]!.quantity.toString(), "2");
    const s = h.manager.stats();
    assert.deepEqual([s.exitOrders, s.exitFailures, s.rearmed, s.gaveUp], [3, 2, 1, 1]);
  });

  test("a closed bar checks its low and high; a bar that opened before the position gives only its close", () => {
    const h = protectionHarness();
    h.manager.protect(S1, BTCUSDT, { stopLoss: { percent: "2" } });
    h.bus.publish("market.bar", bar(0, "99", "100", "100"));
    h.position("1", "100");
    h.bus.publish("market.bar", bar(0, "90", "101", "100"));
    assert.equal(h.submits.length, 0, "a bar from before the position counts only by its close");
    h.bus.publish("market.bar", bar(1, "97.5", "100.5", "99"));
    assert.equal(h.submits.length, 1, "the next bar's low went through the stop");
    assert.equal(h.events.at(-1)?.observed?.toString(), "97.5");
  });

  test("within one bar the stop wins over the take-profit (the worst case)", () => {
    const h = protectionHarness();
    h.manager.protect(S1, BTCUSDT, { stopLoss: { percent: "2" }, takeProfit: { percent: "2" } });
    h.position("1", "100");
    h.bus.publish("market.bar", bar(1, "97", "103", "100"));
    assert.equal(h.events.at(-1)?.trigger, "stopLoss");
  });

  test("a position too small to sell is not protected; quantities are rounded down to the step", () => {
    const h = protectionHarness();
    h.manager.protect(S1, BTCUSDT, { stopLoss: { percent: "1" } });
    h.position("0.0009", "100");
    h.bus.publish("market.trade", trade("50", 1));
    assert.equal(h.submits.length, 0);
    assert.match(h.events[0]?.detail ?? "", /below the smallest order quantity/);
    h.position("1.23456", "100");
    h.bus.publish("market.trade", trade("50", 2));
    assert.equal(h.submits[0]?.quantity.toString(), "1.234");
  });

  test("protect() arms a position that is already open; unprotect() stops it", () => {
    const h = protectionHarness();
    h.position("1", "100");
    h.manager.protect(S1, BTCUSDT, { stopLoss: { price: "95" } });
    assert.equal(h.manager.stats().armed, 1);
    assert.equal(h.manager.unprotect(S1, BTCUSDT), true);
    assert.equal(h.manager.unprotect(S1, BTCUSDT), false);
    h.bus.publish("market.trade", trade("90", 1));
    assert.equal(h.submits.length, 0);
    assert.deepEqual(h.actions(), ["armed", "disarmed"]);
    // Another strategy's position is not this protection's business.
    h.manager.protect(strategyId("other"), BTCUSDT, { stopLoss: { price: "95" } });
    h.bus.publish("market.trade", trade("90", 2));
    assert.equal(h.submits.length, 0);
  });

  test("a strategies-file entry's protection is accepted as it is parsed", () => {
    const h = protectionHarness();
    const c = parseStrategyInstanceConfig({
      id: "s1",
      strategy: "ma_cross",
      instrument: "BTCUSDT",
      interval: "1m",
      protection: { stopLoss: { percent: "1.5" }, trailingStop: { percent: "3" } },
    });
    assert.ok(c.protection !== undefined);
    h.manager.protect(c.id, c.instrument, c.protection);
    h.position("1", "200");
    assert.equal(h.manager.protection(S1, BTCUSDT)?.stopLoss?.toString(), "197");
    assert.equal(h.manager.protection(S1, BTCUSDT)?.trailingStop?.toString(), "194");
  });

  test("a bad config is DES_ERR_INVALID_CONFIG naming the key", () => {
    const h = protectionHarness();
    const cases: Array<[unknown, RegExp]> = [
      [{ stopLoss: { percent: "0" } }, /stopLoss\.percent = "0" .*\(0, 100\)/],
      [{ stopLoss: { percent: "2", price: "9" } }, /stopLoss = .*exactly one of percent or price/],
      [{ takeProfit: { price: "-1" } }, /takeProfit\.price = "-1"/],
      [{ trailingStop: { percent: 1 } }, /trailingStop\.percent = 1 .*decimal string/],
      [{ stopLoss: { percent: "2" }, mode: "venue" }, /mode = "venue"/],
      [{ stopLos: { percent: "2" } }, /stopLos = .*no such key/],
      [{ mode: "native" }, /at least one of stopLoss, takeProfit, trailingStop/],
    ];
    for (const [raw, pattern] of cases) {
      assert.throws(
        () => h.manager.protect(S1, BTCUSDT, raw as never),
        (e: unknown) => isDesError(e, ErrorCode.InvalidConfig) && pattern.test(e.message),
        JSON.stringify(raw),
      );
    }
  });
});

describe("native protections rest at the venue", () => {
  test("a STOP_LOSS is placed when the position opens, canceled and replaced when it changes, canceled when it closes", () => {
    const h = protectionHarness({ nativeOrderTypes: NATIVE });
    h.manager.protect(S1, BTCUSDT, { stopLoss: { percent: "2" }, mode: "native" });
    h.position("1", "100");
    assert.deepEqual(
      h.submits.map((s) => [s.type, s.side, s.quantity.toString(), s.stopPrice?.toString(), s.reduceOnly]),
      [["STOP_LOSS", "SELL", "1", "98", true]],
    );
    const first = h.submits[0]!;
    h.bus.publish("market.trade", trade("97", 1));
    assert.equal(h.submits.length, 1, "the venue's stop handles it: no emulated exit");

    h.position("2", "101");
    assert.deepEqual(
      h.cancels.map((c) => c.clientOrderId),
      [first.clientOrderId],
    );
    assert.equal(
      h.submits.length,
      1,
      "the replacement waits for the cancel (the old order locks the base asset)",
    );
    h.orderEvent("OrderCanceled", first.clientOrderId);
    assert.equal(h.submits.length, 2);
    const second = h.submits[1]!;
    assert.deepEqual(
      [second.type, second.quantity.toString(), second.stopPrice?.toString()],
      ["STOP_LOSS", "2", "98.98"],
    );

    h.position("0", "0");
    assert.deepEqual(
      h.cancels.map((c) => c.clientOrderId),
      [first.clientOrderId, second.clientOrderId],
    );
    assert.deepEqual(h.actions(), [
      "armed",
      "native-placed:stopLoss",
      "native-canceled:stopLoss",
      "native-placed:stopLoss",
      "disarmed",
    ]);
    assert.equal(h.manager.stats().nativePlaced, 2);
  });

  test("a filled native stop is a trigger; the position change that follows disarms", () => {
    const h = protectionHarness({ nativeOrderTypes: NATIVE });
    h.manager.protect(S1, BTCUSDT, { stopLoss: { percent: "2" }, mode: "native" });
    h.position("1", "100");
    h.filled(h.submits[0]!, "97.9");
    h.position("0", "0");
    assert.deepEqual(h.actions(), ["armed", "native-placed:stopLoss", "triggered:stopLoss", "disarmed"]);
    assert.equal(h.cancels.length, 0);
    assert.equal(h.manager.stats().nativeTriggers, 1);
  });

  test("a take-profit alone is native; with a stop-loss it is emulated and cancels the native stop before exiting", () => {
    const alone = protectionHarness({ nativeOrderTypes: NATIVE });
    alone.manager.protect(S1, BTCUSDT, { takeProfit: { percent: "10" }, mode: "native" });
    alone.position("1", "100");
    assert.deepEqual(
      alone.submits.map((s) => [s.type, s.stopPrice?.toString()]),
      [["TAKE_PROFIT", "110"]],
    );

    const h = protectionHarness({ nativeOrderTypes: NATIVE });
    h.manager.protect(S1, BTCUSDT, {
      stopLoss: { percent: "2" },
      takeProfit: { percent: "10" },
      mode: "native",
    });
    h.position("1", "100");
    assert.deepEqual(
      h.submits.map((s) => s.type),
      ["STOP_LOSS"],
    );
    const stop = h.submits[0]!;
    h.bus.publish("market.trade", trade("110", 1));
    assert.deepEqual(
      h.cancels.map((c) => c.clientOrderId),
      [stop.clientOrderId],
    );
    assert.equal(h.submits.length, 1, "the exit waits until the stop no longer locks the position");
    assert.equal(h.manager.protection(S1, BTCUSDT)?.exitOrder, "waiting-for-cancel");
    h.orderEvent("OrderCanceled", stop.clientOrderId);
    assert.deepEqual(
      h.submits.map((s) => [s.type, s.side, s.quantity.toString()]),
      [
        ["STOP_LOSS", "SELL", "1"],
        ["MARKET", "SELL", "1"],
      ],
    );
    h.bus.publish("market.trade", trade("111", 2));
    assert.equal(h.submits.length, 2);
  });

  test("a type the venue cannot place natively is emulated", () => {
    const h = protectionHarness({ nativeOrderTypes: ["TAKE_PROFIT"] });
    h.manager.protect(S1, BTCUSDT, { stopLoss: { percent: "2" }, mode: "native" });
    h.position("1", "100");
    assert.equal(h.submits.length, 0);
    h.bus.publish("market.trade", trade("98", 1));
    assert.deepEqual(
      h.submits.map((s) => s.type),
      ["MARKET"],
    );
  });

  test("a native order the venue rejects, or someone else cancels, falls back to emulation", () => {
    const h = protectionHarness({ nativeOrderTypes: NATIVE });
    h.manager.protect(S1, BTCUSDT, { stopLoss: { percent: "2" }, mode: "native" });
    h.position("1", "100");
    h.orderEvent("OrderRejected", h.submits[0]!.clientOrderId);
    assert.equal(h.actions().at(-1), "native-failed:stopLoss");
    assert.deepEqual(h.manager.protection(S1, BTCUSDT)?.emulatedFallback, ["stopLoss"]);
    h.bus.publish("market.trade", trade("98", 1));
    assert.deepEqual(
      h.submits.map((s) => s.type),
      ["STOP_LOSS", "MARKET"],
    );

    const g = protectionHarness({ nativeOrderTypes: NATIVE });
    g.manager.protect(S1, BTCUSDT, { stopLoss: { percent: "2" }, mode: "native" });
    g.position("1", "100");
    g.orderEvent("OrderCanceled", g.submits[0]!.clientOrderId);
    assert.match(g.events.at(-1)?.detail ?? "", /canceled outside protection/);
    g.bus.publish("market.trade", trade("97", 1));
    assert.deepEqual(
      g.submits.map((s) => s.type),
      ["STOP_LOSS", "MARKET"],
    );
  });

  test("a cancel the venue never confirms is asked again, then no longer waited for", () => {
    const h = protectionHarness({ nativeOrderTypes: NATIVE, cancelRetryMs: 1000, maxCancelAttempts: 2 });
    h.manager.protect(S1, BTCUSDT, {
      stopLoss: { percent: "2" },
      takeProfit: { percent: "5" },
      mode: "native",
    });
    h.position("1", "100");
    const stop = h.submits[0]!;
    h.bus.publish("market.trade", trade("106", 1));
    assert.equal(h.cancels.length, 1);
    h.clock.advance(1000);
    h.bus.publish("market.trade", trade("106", 2));
    assert.equal(h.cancels.length, 2);
    assert.equal(h.cancels[1]!.clientOrderId, stop.clientOrderId);
    h.clock.advance(1000);
    h.bus.publish("market.trade", trade("106", 3));
    assert.equal(h.submits.at(-1)?.type, "MARKET", "the exit goes out after the last attempt");
    assert.match(h.problems[0]?.message ?? "", /not canceled after 2 attempts/);
  });
});
