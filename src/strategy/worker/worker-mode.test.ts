import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { Topic } from "../../bus/index.ts";
import { Decimal, ErrorCode, type StrategyId } from "../../core/index.ts";
import { MemoryStrategyStateStore } from "../memory-strategy-state-store.ts";
import type { StrategyEngine } from "../strategy-engine.ts";
import type { StrategyRegistry } from "../strategy-registry.ts";
import { engineHarness, settle, waitFor } from "../test-support/engine-harness.ts";
import {
  countDefinition,
  crossDefinition,
  pricePath,
  TEST_STRATEGIES_URL,
  testBar,
} from "../test-support/test-strategies.ts";

const id = (s: string) => s as StrategyId;
const engines: StrategyEngine[] = [];
after(async () => {
  await Promise.all(engines.map((e) => e.close()));
});

function register(r: StrategyRegistry): void {
  r.register(crossDefinition, { url: TEST_STRATEGIES_URL, exportName: "crossDefinition" });
  r.register(countDefinition, { url: TEST_STRATEGIES_URL, exportName: "countDefinition" });
}

describe("worker mode", () => {
  test("a worker strategy produces the same signals and orders as the same strategy inline", async () => {
    const h = engineHarness(register);
    engines.push(h.engine);
    const params = { fast: 3, slow: 8, quantity: "0.01" };
    h.engine.add({ id: "inline", strategy: "test_cross", instrument: "BTCUSDT", interval: "1m", params });
    h.engine.add({
      id: "worker",
      strategy: "test_cross",
      instrument: "BTCUSDT",
      interval: "1m",
      params,
      mode: "worker",
    });
    await h.engine.startAll();
    const closes = pricePath(300, 7);
    closes.forEach((close, i) => {
      h.bus.publish(Topic.Bar, testBar({ index: i, close }));
    });
    await waitFor(
      () => h.engine.instanceStats(id("worker")).eventsProcessed === 300,
      "the worker to handle 300 bars",
    );
    const of = (sid: string) => ({
      signals: h.signals.filter((s) => s.strategyId === sid).map((s) => [s.action, s.reason, s.instrumentId]),
      orders: h.orders
        .filter((o) => o.strategyId === sid)
        .map((o) => [o.side, o.type, o.quantity.toString(), o.causedByReceivedAt]),
    });
    const inline = of("inline");
    assert.ok(inline.signals.length > 5, "the path produces crosses");
    assert.deepEqual(of("worker"), inline);
    for (const o of h.orders.filter((x) => x.strategyId === "worker")) {
      assert.match(o.clientOrderId, /^[a-zA-Z0-9-_]{1,36}$/);
    }
    const ids = new Set(h.orders.map((o) => o.clientOrderId));
    assert.equal(ids.size, h.orders.length, "client order ids are unique across inline and worker");
    assert.equal(h.engine.instanceStats(id("worker")).errors, 0);
  });

  test("an infinite loop is ended by the time budget: worker terminated, strategy paused, the rest runs on; resume restores the last saved state", async () => {
    const store = new MemoryStrategyStateStore();
    const h = engineHarness(register, { stateStore: store, timeBudgetMs: 1000, stateSaveDelayMs: 10 });
    engines.push(h.engine);
    h.engine.add({
      id: "loop",
      strategy: "test_count",
      instrument: "BTCUSDT",
      interval: "1m",
      params: { loopAtClose: "999" },
      mode: "worker",
    });
    h.engine.add({ id: "calm", strategy: "test_count", instrument: "BTCUSDT", interval: "1m" });
    await h.engine.startAll();
    const reasons = (sid: string) => h.signals.filter((s) => s.strategyId === sid).map((s) => s.reason);
    const publish = (closes: string[], from: number) =>
      closes.forEach((close, i) => {
        h.bus.publish(Topic.Bar, testBar({ index: from + i, close }));
      });
    publish(["1", "2"], 0);
    await waitFor(() => reasons("loop").length === 2, "the worker's first two signals");
    // The signals arrive before the hook's replies, and the state saver arms its timer (on the test
    // clock) at the reply: advancing the clock before it would leave the save due 10 ms after the
    // advance, never reached (seen on a loaded machine).
    await waitFor(() => h.engine.stats().permitsInUse === 0, "the worker's replies");
    h.clock.advance(10);
    await waitFor(
      () => (store.peek(id("loop")) as { count: number } | undefined)?.count === 2,
      "the state after bar 2 to be saved",
    );
    publish(["999", "4", "5"], 2);
    await settle();
    assert.deepEqual(store.peek(id("loop")), { count: 2 });
    assert.equal(h.errors.length, 0, `no error before the budget has passed: ${JSON.stringify(h.errors)}`);
    h.clock.advance(1000);
    assert.equal(h.errors.length, 1);
    const err = h.errors[0]!;
    assert.equal(err.strategyId, "loop");
    assert.equal(err.code, ErrorCode.StrategyTimeout);
    assert.equal(err.droppedEvents, 2, "bars 4 and 5 were waiting");
    assert.ok(err.stack !== undefined);
    assert.equal(h.engine.status(id("loop")), "PAUSED");

    // The engine keeps running: the inline strategy handles every bar, old and new.
    h.bus.publish(Topic.Bar, testBar({ index: 5, close: "6" }));
    assert.deepEqual(reasons("calm"), ["bar 1", "bar 2", "bar 3", "bar 4", "bar 5", "bar 6"]);

    // Resume: a fresh worker restored with the last saved state ({count: 2}) counts on from there.
    await h.engine.resume(id("loop"));
    assert.equal(h.engine.status(id("loop")), "RUNNING");
    h.bus.publish(Topic.Bar, testBar({ index: 6, close: "7" }));
    await waitFor(() => reasons("loop").length === 3, "a signal from the fresh worker");
    assert.deepEqual(reasons("loop"), ["bar 1", "bar 2", "bar 3"]);
    // The signal arrives before the hook's reply: wait for the reply, which frees the permit.
    await waitFor(() => h.engine.stats().permitsInUse === 0, "the hook's reply");
  });

  test("a throw inside the worker pauses the strategy with the worker's stack", async () => {
    const h = engineHarness(register);
    engines.push(h.engine);
    h.engine.add({
      id: "t",
      strategy: "test_count",
      instrument: "BTCUSDT",
      interval: "1m",
      params: { throwAtClose: "3" },
      mode: "worker",
    });
    await h.engine.start(id("t"));
    for (const [i, close] of ["1", "3", "5"].entries())
      h.bus.publish(Topic.Bar, testBar({ index: i, close }));
    await waitFor(() => h.errors.length === 1, "the StrategyError");
    const err = h.errors[0]!;
    assert.equal(err.code, ErrorCode.StrategyFailed);
    assert.match(err.error, /refusing close 3/);
    assert.match(err.stack ?? "", /test-strategies\.ts/);
    assert.equal(err.droppedEvents, 1);
    assert.equal(h.engine.status(id("t")), "PAUSED");
  });

  test("a worker module without the named export fails the start with a clear error", async () => {
    const h = engineHarness((r) =>
      r.register(crossDefinition, { url: TEST_STRATEGIES_URL, exportName: "noSuchExport" }),
    );
    engines.push(h.engine);
    h.engine.add({
      id: "w",
      strategy: "test_cross",
      instrument: "BTCUSDT",
      interval: "1m",
      params: { fast: 2, slow: 3, quantity: "1" },
      mode: "worker",
    });
    await assert.rejects(h.engine.start(id("w")), /noSuchExport/);
    assert.equal(h.engine.status(id("w")), "FAILED");
    assert.equal(h.errors.length, 1);
  });

  test("a hot parameter update reaches the worker strategy", async () => {
    const h = engineHarness(register);
    engines.push(h.engine);
    h.engine.add({
      id: "w",
      strategy: "test_cross",
      instrument: "BTCUSDT",
      interval: "1m",
      params: { fast: 2, slow: 5, quantity: "1" },
      mode: "worker",
    });
    await h.engine.start(id("w"));
    h.engine.updateParams(id("w"), { fast: 2, slow: 5, quantity: "0.3" });
    pricePath(200, 3).forEach((close, i) => {
      h.bus.publish(Topic.Bar, testBar({ index: i, close }));
    });
    await waitFor(() => h.engine.instanceStats(id("w")).eventsProcessed === 200, "200 bars");
    assert.ok(h.orders.length > 0);
    assert.ok(h.orders.every((o) => o.quantity.eq(Decimal.from("0.3"))));
  });
});
