import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { z } from "zod";
import { Topic } from "../bus/index.ts";
import {
  type ClientOrderId,
  Decimal,
  DesError,
  ErrorCode,
  type InstrumentId,
  isDesError,
  type StrategyId,
  type UnixMicros,
} from "../core/index.ts";
import type { Bar, OrderFilled, TradeTick } from "../model/index.ts";
import { MemoryStrategyStateStore } from "./memory-strategy-state-store.ts";
import type { Strategy, StrategyContext, StrategyDefinition, StrategySubscriptions } from "./strategy.ts";
import type { StrategyStateStore } from "./strategy-ports.ts";
import { engineHarness, settle, waitFor } from "./test-support/engine-harness.ts";
import { crossDefinition, pricePath, testBar } from "./test-support/test-strategies.ts";

const BTC = "BTCUSDT" as InstrumentId;
const id = (s: string) => s as StrategyId;
const anyParams = z.record(z.string(), z.unknown());

/** Builds a definition from a factory; parameters are free-form unless a schema is given. */
function definition<P = Record<string, unknown>>(
  name: string,
  create: (p: P) => Strategy<P>,
  opts: { schema?: z.ZodType<P>; subs?: Partial<StrategySubscriptions> } = {},
): StrategyDefinition<P> {
  return {
    name,
    description: name,
    params: opts.schema ?? (anyParams as unknown as z.ZodType<P>),
    subscriptions: (_p, interval) => ({ bars: [interval], ...opts.subs }),
    create,
  };
}

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void } {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A seeded PRNG (xorshift32), so "random" delays are the same every run. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x1_0000_0000;
  };
}

function bars(n: number, opts: { from?: number; instrumentId?: string } = {}): Bar[] {
  const from = opts.from ?? 0;
  return pricePath(n + from)
    .slice(from)
    .map((close, i) => testBar({ index: from + i, close, instrumentId: opts.instrumentId }));
}

describe("StrategyEngine: configuration", () => {
  test("an unknown definition is DES_ERR_UNKNOWN_STRATEGY naming the known ones", () => {
    const h = engineHarness((r) => r.register(crossDefinition));
    assert.throws(
      () => h.engine.add({ id: "a", strategy: "nope", instrument: "BTCUSDT", interval: "1m" }),
      (e: unknown) =>
        isDesError(e, ErrorCode.UnknownStrategy) && /nope/.test(e.message) && /test_cross/.test(e.message),
    );
  });

  test("a bad parameter is DES_ERR_INVALID_STRATEGY_PARAMS naming the instance, key, value and expectation", () => {
    const h = engineHarness((r) => r.register(crossDefinition));
    const err = (() => {
      try {
        h.engine.add({
          id: "ma-1",
          strategy: "test_cross",
          instrument: "BTCUSDT",
          interval: "1m",
          params: { fast: "five", slow: 10, quantity: "1" },
        });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    assert.ok(isDesError(err, ErrorCode.InvalidStrategyParams));
    assert.match(err.message, /"ma-1"/);
    assert.match(err.message, /fast/);
    assert.match(err.message, /"five"/);
    assert.match(err.message, /expected number/);
    assert.equal(err.details.key, "fast");
    assert.equal(err.details.value, '"five"');
    assert.deepEqual(h.engine.ids(), []);
  });

  test("a bad config entry is DES_ERR_INVALID_CONFIG naming the key", () => {
    const h = engineHarness((r) => r.register(crossDefinition));
    assert.throws(
      () => h.engine.add({ id: "a", strategy: "test_cross", instrument: "BTCUSDT", interval: "7m" }),
      (e: unknown) =>
        isDesError(e, ErrorCode.InvalidConfig) && /interval/.test(e.message) && /"7m"/.test(e.message),
    );
  });

  test("worker mode without a workerModule in the registry is refused", () => {
    const h = engineHarness((r) => r.register(crossDefinition));
    assert.throws(
      () =>
        h.engine.add({
          id: "w",
          strategy: "test_cross",
          instrument: "BTCUSDT",
          interval: "1m",
          mode: "worker",
          params: { fast: 2, slow: 3, quantity: "1" },
        }),
      (e: unknown) => isDesError(e, ErrorCode.InvalidConfig) && /workerModule/.test(e.message),
    );
  });

  test("a duplicate instance id is refused", () => {
    const h = engineHarness((r) => r.register(crossDefinition));
    const cfg = {
      id: "a",
      strategy: "test_cross",
      instrument: "BTCUSDT",
      interval: "1m",
      params: { fast: 2, slow: 3, quantity: "1" },
    };
    h.engine.add(cfg);
    assert.throws(
      () => h.engine.add(cfg),
      (e: unknown) => isDesError(e, ErrorCode.InvalidConfig),
    );
  });
});

describe("StrategyEngine: routing", () => {
  test("only closed bars of the instance's instrument and interval are delivered", async () => {
    const seen: Bar[] = [];
    const h = engineHarness((r) =>
      r.register(definition("rec", () => ({ onBar: (b: Bar) => void seen.push(b) }))),
    );
    h.engine.add({ id: "r", strategy: "rec", instrument: "BTCUSDT", interval: "1m" });
    await h.engine.start(id("r"));
    const wanted = testBar({ index: 3, close: "10" });
    h.bus.publish(Topic.Bar, testBar({ index: 1, close: "10", closed: false }));
    h.bus.publish(Topic.Bar, testBar({ index: 1, close: "10", interval: "5m" }));
    h.bus.publish(Topic.Bar, testBar({ index: 2, close: "10", instrumentId: "ETHUSDT" }));
    h.bus.publish(Topic.Bar, wanted);
    assert.deepEqual(seen, [wanted]);
    assert.equal(h.engine.stats().openBarsIgnored, 1);
  });

  test("trades go to trade subscribers only, fills to the strategy that owns the order", async () => {
    const got: string[] = [];
    const h = engineHarness((r) => {
      r.register(
        definition(
          "t",
          () => ({
            onTrade: (t: TradeTick, ctx: StrategyContext) =>
              void got.push(`${ctx.strategyId}:trade:${t.tradeId}`),
            onOrderFilled: (f: OrderFilled, ctx: StrategyContext) =>
              void got.push(`${ctx.strategyId}:fill:${f.tradeId}`),
          }),
          { subs: { trades: true } },
        ),
      );
      r.register(definition("b", () => ({ onBar: () => {} })));
    });
    h.engine.add({ id: "t1", strategy: "t", instrument: "BTCUSDT", interval: "1m" });
    h.engine.add({ id: "t2", strategy: "t", instrument: "ETHUSDT", interval: "1m" });
    h.engine.add({ id: "b1", strategy: "b", instrument: "BTCUSDT", interval: "1m" });
    await h.engine.startAll();
    const trade: TradeTick = {
      kind: "trade",
      instrumentId: BTC,
      tradeId: "7" as TradeTick["tradeId"],
      price: Decimal.from("1"),
      quantity: Decimal.from("1"),
      aggressor: "BUY",
      eventTime: 1 as UnixMicros,
      receivedAt: 2 as UnixMicros,
    };
    h.bus.publish(Topic.Trade, trade);
    h.bus.publish(Topic.OrderEvent, fill("t2", "c1", "9"));
    h.bus.publish(Topic.OrderEvent, fill("nobody", "c2", "10"));
    assert.deepEqual(got, ["t1:trade:7", "t2:fill:9"]);
  });
});

function fill(strategyId: string, clientOrderId: string, tradeId: string): OrderFilled {
  return {
    kind: "OrderFilled",
    clientOrderId: clientOrderId as ClientOrderId,
    strategyId: strategyId as StrategyId,
    instrumentId: BTC,
    ts: 1 as UnixMicros,
    accountId: "paper" as OrderFilled["accountId"],
    venueOrderId: "1" as OrderFilled["venueOrderId"],
    tradeId: tradeId as OrderFilled["tradeId"],
    side: "BUY",
    lastQty: Decimal.ONE,
    lastPrice: Decimal.ONE,
    commission: Decimal.ZERO,
    commissionAsset: "USDT",
    liquidity: "TAKER",
    orderStatus: "FILLED",
  };
}

describe("StrategyEngine: signals and orders", () => {
  test("HOLD is published but never becomes an order; BUY with a quantity becomes a MARKET SubmitOrder", async () => {
    const h = engineHarness((r) =>
      r.register(
        definition("sig", () => ({
          onBar(bar: Bar, ctx: StrategyContext) {
            ctx.signal({
              instrumentId: bar.instrumentId,
              action: "HOLD",
              reason: "wait",
              quantity: Decimal.ONE,
            });
            ctx.signal({
              instrumentId: bar.instrumentId,
              action: "BUY",
              reason: "go",
              quantity: Decimal.from("0.5"),
            });
            ctx.signal({ instrumentId: bar.instrumentId, action: "SELL", reason: "no qty" });
          },
        })),
      ),
    );
    h.engine.add({ id: "s", strategy: "sig", instrument: "BTCUSDT", interval: "1m" });
    await h.engine.start(id("s"));
    const bar = testBar({ index: 1, close: "100", receivedAt: 123_456 });
    h.bus.publish(Topic.Bar, bar);
    assert.deepEqual(
      h.signals.map((s) => [s.action, s.reason, s.strategyId]),
      [
        ["HOLD", "wait", "s"],
        ["BUY", "go", "s"],
        ["SELL", "no qty", "s"],
      ],
    );
    assert.equal(h.orders.length, 1);
    const o = h.orders[0]!;
    assert.equal(o.side, "BUY");
    assert.equal(o.type, "MARKET");
    assert.equal(o.quantity.toString(), "0.5");
    assert.equal(o.causedByReceivedAt, 123_456);
    assert.match(o.clientOrderId, /^des-[0-9a-z]+-1$/);
    const st = h.engine.instanceStats(id("s"));
    assert.equal(st.signals, 3);
    assert.equal(st.orders, 1);
    assert.equal(st.signalsWithoutOrder, 1);
  });

  test("submitOrder sends the given type and price; cancelOrder names the order's instrument", async () => {
    let placed: ClientOrderId | undefined;
    const h = engineHarness((r) =>
      r.register(
        definition("lim", () => ({
          onBar(bar: Bar, ctx: StrategyContext) {
            if (placed === undefined) {
              placed = ctx.submitOrder({
                instrumentId: "ETHUSDT" as InstrumentId,
                side: "SELL",
                type: "LIMIT",
                quantity: Decimal.ONE,
                price: Decimal.from("2500.5"),
                timeInForce: "GTC",
              });
            } else {
              ctx.cancelOrder(placed);
            }
            void bar;
          },
        })),
      ),
    );
    h.engine.add({ id: "l", strategy: "lim", instrument: "BTCUSDT", interval: "1m" });
    await h.engine.start(id("l"));
    h.bus.publish(Topic.Bar, testBar({ index: 1, close: "1" }));
    h.bus.publish(Topic.Bar, testBar({ index: 2, close: "1" }));
    assert.equal(h.orders.length, 1);
    assert.equal(h.orders[0]!.type, "LIMIT");
    assert.equal(h.orders[0]!.price?.toString(), "2500.5");
    assert.equal(h.orders[0]!.clientOrderId, placed);
    assert.equal(h.cancels.length, 1);
    assert.equal(h.cancels[0]!.clientOrderId, placed);
    assert.equal(h.cancels[0]!.instrumentId, "ETHUSDT");
  });

  test("a malformed order request fails (and pauses) only the strategy that made it", async () => {
    const h = engineHarness((r) =>
      r.register(
        definition("bad", () => ({
          onBar(bar: Bar, ctx: StrategyContext) {
            ctx.submitOrder({
              instrumentId: bar.instrumentId,
              side: "BUY",
              type: "LIMIT",
              quantity: Decimal.ONE,
            });
          },
        })),
      ),
    );
    h.engine.add({ id: "b", strategy: "bad", instrument: "BTCUSDT", interval: "1m" });
    await h.engine.start(id("b"));
    h.bus.publish(Topic.Bar, testBar({ index: 1, close: "1" }));
    assert.equal(h.orders.length, 0);
    assert.equal(h.engine.status(id("b")), "PAUSED");
    assert.match(h.errors[0]!.error, /price for a LIMIT order/);
  });

  test("onLatency and onTickToSignal receive measurements", async () => {
    const latencies: string[] = [];
    const ticks: number[] = [];
    const h = engineHarness(
      (r) =>
        r.register(
          definition("s", () => ({
            onBar: (bar: Bar, ctx: StrategyContext) =>
              ctx.signal({ instrumentId: bar.instrumentId, action: "HOLD", reason: "x" }),
          })),
        ),
      { onLatency: (sid) => void latencies.push(sid), onTickToSignal: (us) => void ticks.push(us) },
    );
    h.engine.add({ id: "s", strategy: "s", instrument: "BTCUSDT", interval: "1m" });
    await h.engine.start(id("s"));
    const receivedAt = Math.floor((performance.timeOrigin + performance.now()) * 1000);
    h.bus.publish(Topic.Bar, testBar({ index: 1, close: "1", receivedAt }));
    assert.deepEqual(latencies, ["s"]);
    assert.equal(ticks.length, 1);
    assert.ok(ticks[0]! >= 0 && Number.isFinite(ticks[0]!));
  });
});

describe("StrategyEngine: ordering and bounded concurrency", () => {
  test("each strategy handles its events in order, one at a time, with async handlers of random delays", async () => {
    const n = 50;
    const barsCount = 100;
    const seen = new Map<string, number[]>();
    const maxOverlap = new Map<string, number>();
    const h = engineHarness(
      (r) =>
        r.register(
          definition(
            "async",
            (p: { seed: number }) => {
              const next = rng(p.seed);
              let inside = 0;
              return {
                async onBar(bar: Bar, ctx: StrategyContext) {
                  inside++;
                  maxOverlap.set(ctx.strategyId, Math.max(maxOverlap.get(ctx.strategyId) ?? 0, inside));
                  const delay = Math.floor(next() * 20);
                  for (let i = 0; i < delay; i++) await Promise.resolve();
                  if (next() < 0.2) await new Promise<void>((res) => setImmediate(res));
                  seen.get(ctx.strategyId)!.push(bar.openTime);
                  inside--;
                },
              };
            },
            { schema: z.object({ seed: z.number() }) as unknown as z.ZodType<{ seed: number }> },
          ),
        ),
      { maxConcurrency: 8 },
    );
    for (let i = 0; i < n; i++) {
      h.engine.add({
        id: `s${i}`,
        strategy: "async",
        instrument: "BTCUSDT",
        interval: "1m",
        params: { seed: i + 1 },
      });
      seen.set(`s${i}`, []);
    }
    await h.engine.startAll();
    const published = bars(barsCount);
    for (let i = 0; i < published.length; i++) {
      h.bus.publish(Topic.Bar, published[i]!);
      if (i % 10 === 0) await settle(1);
    }
    await waitFor(() => [...seen.values()].every((s) => s.length === barsCount), "all bars handled");
    const expected = published.map((b) => b.openTime);
    for (const [sid, times] of seen) {
      assert.deepEqual(times, expected, `${sid} saw its bars in order`);
      assert.equal(maxOverlap.get(sid), 1, `${sid} ran one hook at a time`);
    }
    const stats = h.engine.stats();
    assert.ok(stats.maxPermitsInUse <= 8);
    assert.equal(stats.permitsInUse, 0);
    assert.equal(stats.readyQueueDepth, 0);
  });

  test("10,000 async strategies never exceed the concurrency bound", async () => {
    const n = 10_000;
    const max = 16;
    let inFlight = 0;
    let maxInFlight = 0;
    const counts = new Uint32Array(n);
    const h = engineHarness(
      (r) =>
        r.register(
          definition(
            "slowish",
            (p: { i: number }) => ({
              async onBar() {
                inFlight++;
                if (inFlight > maxInFlight) maxInFlight = inFlight;
                for (let k = 0; k <= p.i % 3; k++) await Promise.resolve();
                counts[p.i]!++;
                inFlight--;
              },
            }),
            { schema: z.object({ i: z.number() }) as unknown as z.ZodType<{ i: number }> },
          ),
        ),
      { maxConcurrency: max },
    );
    for (let i = 0; i < n; i++) {
      h.engine.add({
        id: `s${i}`,
        strategy: "slowish",
        instrument: "BTCUSDT",
        interval: "1m",
        params: { i },
      });
    }
    await h.engine.startAll();
    for (const b of bars(3)) h.bus.publish(Topic.Bar, b);
    assert.ok(h.engine.stats().readyQueueDepth > 0, "strategies wait for permits");
    await waitFor(() => counts.every((c) => c === 3), "every strategy handled 3 bars");
    assert.ok(maxInFlight <= max, `observed ${maxInFlight} in flight, bound ${max}`);
    assert.equal(maxInFlight, max, "the bound was reached, so the test exercised it");
    const stats = h.engine.stats();
    assert.equal(stats.maxPermitsInUse, max);
    assert.equal(stats.permitsInUse, 0);
    assert.equal(stats.readyQueueDepth, 0);
  });

  test("synchronous handlers run inline during publish and release their permit at once", async () => {
    let calls = 0;
    const h = engineHarness((r) => r.register(definition("sync", () => ({ onBar: () => void calls++ }))), {
      maxConcurrency: 1,
    });
    for (let i = 0; i < 100; i++)
      h.engine.add({ id: `s${i}`, strategy: "sync", instrument: "BTCUSDT", interval: "1m" });
    await h.engine.startAll();
    h.bus.publish(Topic.Bar, testBar({ index: 1, close: "1" }));
    assert.equal(calls, 100);
    assert.equal(h.engine.stats().maxPermitsInUse, 1);
  });

  test("a full mailbox pauses the strategy with StrategyBacklogFull and counts the dropped events", async () => {
    const gate = deferred();
    const h = engineHarness((r) => r.register(definition("stuck", () => ({ onBar: () => gate.promise }))), {
      mailboxCapacity: 5,
    });
    h.engine.add({ id: "s", strategy: "stuck", instrument: "BTCUSDT", interval: "1m" });
    await h.engine.start(id("s"));
    for (const b of bars(10)) h.bus.publish(Topic.Bar, b);
    // 1 in flight, 5 waiting, the 7th does not fit: paused, 5 + 1 dropped, the last 3 skipped.
    assert.equal(h.engine.status(id("s")), "PAUSED");
    assert.equal(h.errors.length, 1);
    assert.equal(h.errors[0]!.code, ErrorCode.StrategyBacklogFull);
    assert.equal(h.errors[0]!.droppedEvents, 6);
    const st = h.engine.instanceStats(id("s"));
    assert.equal(st.droppedEvents, 6);
    assert.equal(st.skippedEvents, 3);
    gate.resolve();
    await settle();
    assert.equal(h.engine.stats().permitsInUse, 0);
  });
});

describe("StrategyEngine: failure isolation", () => {
  test("a throwing strategy is paused with a StrategyError; the others keep going", async () => {
    const calls: string[] = [];
    const h = engineHarness((r) =>
      r.register(
        definition("x", (p: Record<string, unknown>) => ({
          onBar(bar: Bar, ctx: StrategyContext) {
            calls.push(ctx.strategyId);
            if (p.boom === true && bar.openTime > 0) throw new Error("kaboom");
          },
        })),
      ),
    );
    h.engine.add({ id: "bad", strategy: "x", instrument: "BTCUSDT", interval: "1m", params: { boom: true } });
    h.engine.add({ id: "good", strategy: "x", instrument: "BTCUSDT", interval: "1m" });
    await h.engine.startAll();
    for (const b of bars(3)) h.bus.publish(Topic.Bar, b);
    assert.deepEqual(calls, ["bad", "good", "good", "good"]);
    assert.equal(h.engine.status(id("bad")), "PAUSED");
    assert.equal(h.engine.status(id("good")), "RUNNING");
    const e = h.errors[0]!;
    assert.equal(e.strategyId, "bad");
    assert.equal(e.code, ErrorCode.StrategyFailed);
    assert.equal(e.error, "kaboom");
    assert.match(e.stack ?? "", /kaboom/);
    assert.deepEqual(
      h.statuses.filter((s) => s.strategyId === "bad").map((s) => `${s.from}->${s.to}`),
      ["CREATED->RUNNING", "RUNNING->PAUSED"],
    );
  });

  test("a hung async hook holding the only permit is timed out on the clock; waiting strategies then run", async () => {
    const never = deferred();
    let lateCtx: StrategyContext | undefined;
    const ran: string[] = [];
    const h = engineHarness(
      (r) => {
        r.register(
          definition("hang", () => ({
            onBar(_b: Bar, ctx: StrategyContext) {
              lateCtx = ctx;
              return never.promise;
            },
          })),
        );
        r.register(
          definition("ok", () => ({
            onBar: (_b: Bar, ctx: StrategyContext) => void ran.push(ctx.strategyId),
          })),
        );
      },
      { maxConcurrency: 1, timeBudgetMs: 500 },
    );
    h.engine.add({ id: "hang", strategy: "hang", instrument: "BTCUSDT", interval: "1m" });
    h.engine.add({ id: "ok", strategy: "ok", instrument: "BTCUSDT", interval: "1m" });
    await h.engine.startAll();
    for (const b of bars(2)) h.bus.publish(Topic.Bar, b);
    assert.deepEqual(ran, [], "ok waits for the permit the hung hook holds");
    h.clock.advance(499);
    assert.equal(h.errors.length, 0);
    h.clock.advance(1);
    assert.equal(h.errors.length, 1);
    assert.equal(h.errors[0]!.code, ErrorCode.StrategyTimeout);
    assert.equal(h.errors[0]!.droppedEvents, 1);
    assert.deepEqual(ran, ["ok", "ok"]);
    assert.equal(h.engine.status(id("hang")), "PAUSED");
    // The abandoned hook finishes later: what it does is ignored and counted.
    lateCtx!.signal({ instrumentId: BTC, action: "BUY", quantity: Decimal.ONE, reason: "late" });
    never.resolve();
    await settle();
    assert.equal(h.signals.length, 0);
    assert.equal(h.engine.instanceStats(id("hang")).lateActions, 1);
    assert.equal(h.engine.stats().permitsInUse, 0);
  });

  test("a synchronous hook that overruns its budget (on the clock) is paused with StrategyTimeout", async () => {
    const h = engineHarness((r) =>
      r.register(
        definition("slow", () => ({
          onBar(_b: Bar, ctx: StrategyContext) {
            (ctx.clock as unknown as { set(us: number): void }).set(ctx.clock.now() + 250_000);
          },
        })),
      ),
    );
    h.engine.add({ id: "s", strategy: "slow", instrument: "BTCUSDT", interval: "1m", timeBudgetMs: 200 });
    await h.engine.start(id("s"));
    h.bus.publish(Topic.Bar, testBar({ index: 1, close: "1" }));
    assert.equal(h.engine.status(id("s")), "PAUSED");
    assert.equal(h.errors[0]!.code, ErrorCode.StrategyTimeout);
    assert.match(h.errors[0]!.error, /250 ms, over its 200 ms budget/);
  });

  test("a rejected promise pauses the strategy with the rejection's message and stack", async () => {
    const h = engineHarness((r) =>
      r.register(
        definition("rej", () => ({
          async onBar() {
            await Promise.resolve();
            throw new DesError(ErrorCode.StrategyFailed, "async failure");
          },
        })),
      ),
    );
    h.engine.add({ id: "r", strategy: "rej", instrument: "BTCUSDT", interval: "1m" });
    await h.engine.start(id("r"));
    for (const b of bars(4)) h.bus.publish(Topic.Bar, b);
    await settle();
    assert.equal(h.engine.status(id("r")), "PAUSED");
    assert.equal(h.errors[0]!.error, "async failure");
    assert.equal(h.errors[0]!.droppedEvents, 3);
    assert.match(h.errors[0]!.stack ?? "", /async failure/);
  });
});

describe("StrategyEngine: lifecycle", () => {
  test("pause drops waiting events and skips new ones; resume delivers again", async () => {
    const seen: number[] = [];
    const h = engineHarness((r) =>
      r.register(definition("rec", () => ({ onBar: (b: Bar) => void seen.push(b.openTime) }))),
    );
    h.engine.add({ id: "r", strategy: "rec", instrument: "BTCUSDT", interval: "1m" });
    await h.engine.start(id("r"));
    const bs = bars(3);
    h.bus.publish(Topic.Bar, bs[0]!);
    h.engine.pause(id("r"));
    h.bus.publish(Topic.Bar, bs[1]!);
    await h.engine.resume(id("r"));
    h.bus.publish(Topic.Bar, bs[2]!);
    assert.deepEqual(seen, [bs[0]!.openTime, bs[2]!.openTime]);
    assert.equal(h.engine.instanceStats(id("r")).skippedEvents, 1);
    assert.deepEqual(
      h.statuses.map((s) => `${s.from}->${s.to}`),
      ["CREATED->RUNNING", "RUNNING->PAUSED", "PAUSED->RUNNING"],
    );
    assert.throws(
      () => h.engine.pause(id("nope")),
      (e: unknown) => isDesError(e, ErrorCode.UnknownStrategy),
    );
    await assert.rejects(h.engine.resume(id("r")), (e: unknown) =>
      isDesError(e, ErrorCode.StrategyNotRunning),
    );
  });

  test("stop waits for the running hook, calls onStop, saves state, and delivers nothing more", async () => {
    const gate = deferred();
    const log: string[] = [];
    const store = new MemoryStrategyStateStore();
    const h = engineHarness(
      (r) =>
        r.register(
          definition("st", () => {
            let n = 0;
            return {
              async onBar() {
                log.push("bar");
                await gate.promise;
                n++;
              },
              onStop: () => void log.push("stop"),
              getState: () => ({ n }),
            };
          }),
        ),
      { stateStore: store },
    );
    h.engine.add({ id: "s", strategy: "st", instrument: "BTCUSDT", interval: "1m" });
    await h.engine.start(id("s"));
    for (const b of bars(3)) h.bus.publish(Topic.Bar, b);
    const stopped = h.engine.stop(id("s"));
    await settle();
    assert.deepEqual(log, ["bar"], "stop waits for the hook in flight");
    gate.resolve();
    await stopped;
    assert.deepEqual(log, ["bar", "stop"]);
    assert.deepEqual(store.peek(id("s")), { n: 1 });
    assert.equal(h.engine.status(id("s")), "STOPPED");
    assert.equal(h.engine.instanceStats(id("s")).droppedEvents, 2);
    h.bus.publish(Topic.Bar, testBar({ index: 9, close: "1" }));
    assert.deepEqual(log, ["bar", "stop"]);
  });

  test("panic cancels open orders, flattens the position with a reduce-only market order, then stops", async () => {
    const position = Decimal.from("-0.75");
    let strategyCtx: StrategyContext | undefined;
    const h = engineHarness(
      (r) =>
        r.register(
          definition("p", () => ({
            onBar: (_b: Bar, ctx: StrategyContext) => {
              strategyCtx = ctx;
            },
            onStop: (ctx: StrategyContext) =>
              ctx.signal({ instrumentId: BTC, action: "BUY", quantity: Decimal.ONE, reason: "ignored" }),
          })),
        ),
      {
        positions: { position: (sid, inst) => (sid === "p" && inst === BTC ? position : Decimal.ZERO) },
        openOrders: {
          openOrders: (sid, inst) =>
            sid === "p" && inst === BTC
              ? [
                  {
                    clientOrderId: "o-1" as ClientOrderId,
                    side: "BUY",
                    type: "LIMIT",
                    quantity: Decimal.ONE,
                    price: Decimal.ONE,
                  },
                  {
                    clientOrderId: "o-2" as ClientOrderId,
                    side: "SELL",
                    type: "LIMIT",
                    quantity: Decimal.ONE,
                    price: Decimal.ONE,
                  },
                ]
              : [],
        },
      },
    );
    h.engine.add({ id: "p", strategy: "p", instrument: "BTCUSDT", interval: "1m" });
    await h.engine.start(id("p"));
    h.bus.publish(Topic.Bar, testBar({ index: 1, close: "1" }));
    await h.engine.panic(id("p"));
    assert.deepEqual(
      h.cancels.map((c) => [c.clientOrderId, c.instrumentId, c.strategyId]),
      [
        ["o-1", "BTCUSDT", "p"],
        ["o-2", "BTCUSDT", "p"],
      ],
    );
    assert.equal(h.orders.length, 1);
    const o = h.orders[0]!;
    assert.deepEqual([o.side, o.type, o.quantity.toString(), o.reduceOnly], ["BUY", "MARKET", "0.75", true]);
    assert.equal(h.engine.status(id("p")), "STOPPED");
    assert.equal(h.signals.length, 0, "what the strategy does after panic is ignored");
    strategyCtx!.signal({ instrumentId: BTC, action: "SELL", quantity: Decimal.ONE, reason: "late" });
    assert.equal(h.signals.length, 0);
  });

  test("panic without an open-orders reader cancels the non-market orders the engine sent", async () => {
    const h = engineHarness((r) =>
      r.register(
        definition("g", () => ({
          onBar(bar: Bar, ctx: StrategyContext) {
            for (const price of ["90", "110"]) {
              ctx.submitOrder({
                instrumentId: bar.instrumentId,
                side: price === "90" ? "BUY" : "SELL",
                type: "LIMIT",
                quantity: Decimal.ONE,
                price: Decimal.from(price),
              });
            }
            ctx.signal({
              instrumentId: bar.instrumentId,
              action: "BUY",
              quantity: Decimal.ONE,
              reason: "mkt",
            });
          },
        })),
      ),
    );
    h.engine.add({ id: "g", strategy: "g", instrument: "BTCUSDT", interval: "1m" });
    await h.engine.start(id("g"));
    h.bus.publish(Topic.Bar, testBar({ index: 1, close: "100" }));
    const limits = h.orders.filter((o) => o.type === "LIMIT").map((o) => o.clientOrderId);
    h.bus.publish(Topic.OrderEvent, { ...fill("g", limits[0]!, "1"), orderStatus: "FILLED" });
    await h.engine.panic(id("g"));
    assert.deepEqual(
      h.cancels.map((c) => c.clientOrderId),
      [limits[1]],
      "only the limit order still open; the market order and the filled limit are not cancelled",
    );
    assert.equal(h.engine.status(id("g")), "STOPPED");
  });

  test("a failing onStop is reported, and the stop still completes", async () => {
    const h = engineHarness((r) =>
      r.register(
        definition("s", () => ({
          onBar: () => {},
          onStop: () => {
            throw new Error("cannot stop cleanly");
          },
        })),
      ),
    );
    h.engine.add({ id: "s", strategy: "s", instrument: "BTCUSDT", interval: "1m" });
    await h.engine.start(id("s"));
    await h.engine.stop(id("s"));
    assert.equal(h.engine.status(id("s")), "STOPPED");
    assert.equal(h.errors.length, 1);
    assert.match(h.errors[0]!.error, /cannot stop cleanly/);
  });

  test("stop ends even when a hung hook's clock never moves: the wall-clock backstop abandons it", async () => {
    const h = engineHarness(
      (r) => r.register(definition("h", () => ({ onBar: () => new Promise<void>(() => {}) }))),
      {
        timeBudgetMs: 20,
      },
    );
    h.engine.add({ id: "h", strategy: "h", instrument: "BTCUSDT", interval: "1m" });
    await h.engine.start(id("h"));
    h.bus.publish(Topic.Bar, testBar({ index: 1, close: "1" }));
    await h.engine.stop(id("h"));
    assert.equal(h.engine.status(id("h")), "STOPPED");
    assert.equal(h.errors[0]?.code, ErrorCode.StrategyTimeout);
    assert.equal(h.engine.stats().permitsInUse, 0);
  });

  test("hot parameter update: valid params reach updateParams, invalid ones are refused and the old kept", async () => {
    const h = engineHarness((r) => r.register(crossDefinition));
    h.engine.add({
      id: "c",
      strategy: "test_cross",
      instrument: "BTCUSDT",
      interval: "1m",
      params: { fast: 2, slow: 4, quantity: "1" },
    });
    await h.engine.start(id("c"));
    for (const b of bars(40)) h.bus.publish(Topic.Bar, b);
    const before = h.orders.length;
    assert.ok(before > 0);
    h.engine.updateParams(id("c"), { fast: 2, slow: 4, quantity: "0.25" });
    assert.equal((h.engine.params(id("c")) as { quantity: string }).quantity, "0.25");
    assert.throws(
      () => h.engine.updateParams(id("c"), { fast: 9, slow: 4, quantity: "1" }),
      (e: unknown) =>
        isDesError(e, ErrorCode.InvalidStrategyParams) &&
        /fast/.test(e.message) &&
        /fast < slow/.test(e.message),
    );
    assert.equal((h.engine.params(id("c")) as { quantity: string }).quantity, "0.25", "old params kept");
    for (const b of bars(80, { from: 40 })) h.bus.publish(Topic.Bar, b);
    const after = h.orders.slice(before);
    assert.ok(after.length > 0);
    assert.ok(after.every((o) => o.quantity.toString() === "0.25"));
  });

  test("a parameter update while an async hook runs is applied after it, before the next event", async () => {
    const log: string[] = [];
    const gate = deferred();
    const h = engineHarness((r) =>
      r.register(
        definition("u", () => ({
          async onBar(b: Bar) {
            log.push(`bar ${b.openTime > 0 ? "start" : ""}`.trim());
            await gate.promise;
            log.push("bar end");
          },
          updateParams: (p: Record<string, unknown>) => void log.push(`params ${p.v}`),
        })),
      ),
    );
    h.engine.add({ id: "u", strategy: "u", instrument: "BTCUSDT", interval: "1m" });
    await h.engine.start(id("u"));
    for (const b of bars(2)) h.bus.publish(Topic.Bar, b);
    h.engine.updateParams(id("u"), { v: 2 });
    assert.deepEqual(log, ["bar start"]);
    gate.resolve();
    await settle();
    assert.deepEqual(log, ["bar start", "bar end", "params 2", "bar start", "bar end"]);
  });

  test("a strategy without updateParams refuses hot updates", async () => {
    const h = engineHarness((r) => r.register(definition("n", () => ({ onBar: () => {} }))));
    h.engine.add({ id: "n", strategy: "n", instrument: "BTCUSDT", interval: "1m" });
    assert.throws(
      () => h.engine.updateParams(id("n"), {}),
      (e: unknown) => isDesError(e, ErrorCode.InvalidStrategyParams),
    );
  });
});

describe("StrategyEngine: warm-up and state", () => {
  test("warm-up bars come first with isWarmingUp true, and their signals and orders are ignored", async () => {
    const log: string[] = [];
    const history = bars(5);
    let asked: unknown[] = [];
    const h = engineHarness(
      (r) =>
        r.register(
          definition(
            "w",
            () => ({
              onStart: (ctx: StrategyContext) => void log.push(`start warming=${ctx.isWarmingUp}`),
              onBar(bar: Bar, ctx: StrategyContext) {
                log.push(`${bar.openTime} warming=${ctx.isWarmingUp}`);
                ctx.signal({
                  instrumentId: bar.instrumentId,
                  action: "BUY",
                  quantity: Decimal.ONE,
                  reason: "x",
                });
                const oid = ctx.submitOrder({
                  instrumentId: bar.instrumentId,
                  side: "BUY",
                  type: "MARKET",
                  quantity: Decimal.ONE,
                });
                if (ctx.isWarmingUp) assert.equal(oid, undefined);
              },
            }),
            { subs: { warmupBars: 5 } },
          ),
        ),
      {
        warmup: {
          historicalBars: (instrument, interval, count, before) => {
            asked = [instrument, interval, count, before];
            return history;
          },
        },
      },
    );
    h.engine.add({ id: "w", strategy: "w", instrument: "BTCUSDT", interval: "1m" });
    await h.engine.start(id("w"));
    assert.deepEqual(asked, ["BTCUSDT", "1m", 5, h.clock.now()]);
    // A live bar that duplicates the last warm-up bar is skipped; the next is live.
    h.bus.publish(Topic.Bar, history[4]!);
    const live = testBar({ index: 5, close: "1" });
    h.bus.publish(Topic.Bar, live);
    assert.deepEqual(log, [
      ...history.map((b) => `${b.openTime} warming=true`),
      "start warming=false",
      `${live.openTime} warming=false`,
    ]);
    assert.equal(h.signals.length, 1);
    assert.equal(h.orders.length, 2);
    const st = h.engine.instanceStats(id("w"));
    assert.equal(st.warmupIgnored, 10);
    assert.equal(st.skippedEvents, 1);
  });

  test("live events arriving during start are buffered and delivered after warm-up", async () => {
    const seen: number[] = [];
    const history = bars(3);
    let releaseLoad!: () => void;
    const store: StrategyStateStore = {
      load: () => new Promise((res) => (releaseLoad = () => res(undefined))),
      save: () => Promise.resolve(),
    };
    const h = engineHarness(
      (r) =>
        r.register(
          definition("w", () => ({ onBar: (b: Bar) => void seen.push(b.openTime) }), {
            subs: { warmupBars: 3 },
          }),
        ),
      { stateStore: store, warmup: { historicalBars: () => history } },
    );
    h.engine.add({ id: "w", strategy: "w", instrument: "BTCUSDT", interval: "1m" });
    const started = h.engine.start(id("w"));
    await settle();
    const live = testBar({ index: 3, close: "1" });
    h.bus.publish(Topic.Bar, live);
    assert.deepEqual(seen, []);
    releaseLoad();
    await started;
    assert.deepEqual(seen, [...history.map((b) => b.openTime), live.openTime]);
  });

  test("state saved by one engine is restored by a new engine with the same store", async () => {
    const store = new MemoryStrategyStateStore();
    const cfg = {
      id: "c",
      strategy: "test_cross",
      instrument: "BTCUSDT",
      interval: "1m",
      params: { fast: 3, slow: 7, quantity: "1" },
    };
    const all = bars(200);
    // Reference: one engine sees all 200 bars.
    const ref = engineHarness((r) => r.register(crossDefinition));
    ref.engine.add(cfg);
    await ref.engine.start(id("c"));
    for (const b of all) ref.bus.publish(Topic.Bar, b);
    // Restart in the middle: engine 1 sees 120 bars and stops; engine 2 starts from the saved state.
    const e1 = engineHarness((r) => r.register(crossDefinition), { stateStore: store });
    e1.engine.add(cfg);
    await e1.engine.start(id("c"));
    for (const b of all.slice(0, 120)) e1.bus.publish(Topic.Bar, b);
    await e1.engine.close();
    assert.equal((store.peek(id("c")) as { bars: number }).bars, 120);
    const e2 = engineHarness((r) => r.register(crossDefinition), { stateStore: store });
    e2.engine.add(cfg);
    await e2.engine.start(id("c"));
    for (const b of all.slice(120)) e2.bus.publish(Topic.Bar, b);
    const reasons = (xs: { reason: string }[]) => xs.map((x) => x.reason);
    assert.deepEqual(reasons([...e1.signals, ...e2.signals]), reasons(ref.signals));
    assert.ok(e2.signals.length > 0);
  });

  test("state saves are batched after markStateChanged, one in flight per strategy, latest state wins", async () => {
    const saves: Array<{ state: unknown; done: () => void }> = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const store: StrategyStateStore = {
      load: () => Promise.resolve(undefined),
      save: (_sid, state) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        return new Promise<void>((res) =>
          saves.push({
            state,
            done: () => {
              inFlight--;
              res();
            },
          }),
        );
      },
    };
    let getStateCalls = 0;
    const h = engineHarness(
      (r) =>
        r.register(
          definition("c", () => {
            let n = 0;
            return {
              onBar: (_b: Bar, ctx: StrategyContext) => {
                n++;
                ctx.markStateChanged();
              },
              getState: () => {
                getStateCalls++;
                return { n };
              },
            };
          }),
        ),
      { stateStore: store, stateSaveDelayMs: 1000 },
    );
    h.engine.add({ id: "c", strategy: "c", instrument: "BTCUSDT", interval: "1m" });
    await h.engine.start(id("c"));
    for (const b of bars(5)) h.bus.publish(Topic.Bar, b);
    assert.equal(getStateCalls, 0, "getState is not called on the event path");
    h.clock.advance(999);
    assert.equal(saves.length, 0);
    h.clock.advance(1);
    assert.deepEqual(
      saves.map((s) => s.state),
      [{ n: 5 }],
    );
    for (const b of bars(3, { from: 5 })) h.bus.publish(Topic.Bar, b);
    h.clock.advance(1000);
    assert.equal(saves.length, 1, "no second save while one is in flight");
    saves[0]!.done();
    await settle();
    h.clock.advance(1000);
    assert.deepEqual(
      saves.map((s) => s.state),
      [{ n: 5 }, { n: 8 }],
    );
    saves[1]!.done();
    await settle();
    h.clock.advance(5000);
    assert.equal(saves.length, 2, "nothing changed: nothing saved");
    assert.equal(maxInFlight, 1);
    assert.equal(getStateCalls, 2);
  });

  test("the periodic save snapshots strategies that handled events since their last snapshot", async () => {
    const store = new MemoryStrategyStateStore();
    const h = engineHarness(
      (r) =>
        r.register(
          definition("p", () => {
            let n = 0;
            return { onBar: () => void n++, getState: () => ({ n }) };
          }),
        ),
      { stateStore: store, stateSaveIntervalMs: 1000 },
    );
    h.engine.add({ id: "p", strategy: "p", instrument: "BTCUSDT", interval: "1m" });
    await h.engine.start(id("p"));
    for (const b of bars(3)) h.bus.publish(Topic.Bar, b);
    assert.equal(store.peek(id("p")), undefined);
    h.clock.advance(1000);
    await settle();
    assert.deepEqual(store.peek(id("p")), { n: 3 });
    h.clock.advance(1000);
    await settle();
    assert.equal(store.saves, 1, "nothing new: no second save");
    await h.engine.close();
  });
});
