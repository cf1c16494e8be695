import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MessageBus, Topic } from "../../bus/index.ts";
import {
  clientOrderId,
  DesError,
  dec,
  ErrorCode,
  type InstrumentId,
  instrumentId,
  strategyId,
  TestClock,
} from "../../core/index.ts";
import { ExecutionEngine } from "../../execution/index.ts";
import {
  type Instrument,
  type OrderEvent,
  parseInstrument,
  type SubmitAccepted,
  type VenueEvent,
  type VenueFill,
  type VenueOrderRequest,
} from "../../model/index.ts";
import { BinanceVenue, type BinanceVenueOptions } from "./binance-venue.ts";
import { binanceError, FakeBinanceRest, FakeUserData } from "./user/test-support/fake-binance-rest.ts";
import { executionReportMsg, myTradeMsg, WIRE_T0 } from "./user/test-support/wire-builders.ts";
import { toNewOrderParams } from "./venue-order-params.ts";
import { BoundedSeenSet } from "./venue-seen-set.ts";
import type { NewOrderResponseMsg, OrderFillMsg, QueryOrderMsg } from "./wire/rest-msgs.ts";
import type { ExecutionReportMsg } from "./wire/user-msgs.ts";

const BTCUSDT = instrumentId("BTCUSDT");
const T0 = WIRE_T0;

function instruments(): ReadonlyMap<InstrumentId, Instrument> {
  const btc = parseInstrument({
    symbol: "BTCUSDT",
    status: "TRADING",
    baseAsset: "BTC",
    quoteAsset: "USDT",
    filters: [
      { filterType: "PRICE_FILTER", minPrice: "0.01", maxPrice: "1000000.00", tickSize: "0.01" },
      { filterType: "LOT_SIZE", minQty: "0.00001", maxQty: "9000.00000", stepSize: "0.00001" },
    ],
  });
  return new Map([[btc.id, btc]]);
}

function limitBuy(id = "des-1", qty = "1", price = "100"): VenueOrderRequest {
  return {
    clientOrderId: clientOrderId(id),
    instrumentId: BTCUSDT,
    side: "BUY",
    type: "LIMIT",
    quantity: dec(qty),
    price: dec(price),
  };
}

function fillMsg(
  tradeId: number,
  qty: string,
  price = "100.00000000",
  commission = "0.00100000",
): OrderFillMsg {
  return { price, qty, commission, commissionAsset: "BTC", tradeId };
}

function fullResponse(over: Partial<NewOrderResponseMsg> = {}): NewOrderResponseMsg {
  return {
    symbol: "BTCUSDT",
    orderId: 28,
    orderListId: -1,
    clientOrderId: "des-1",
    transactTime: T0 + 5,
    price: "100.00000000",
    origQty: "1.00000000",
    executedQty: "0.00000000",
    cummulativeQuoteQty: "0.00000000",
    status: "NEW",
    timeInForce: "GTC",
    type: "LIMIT",
    side: "BUY",
    fills: [],
    ...over,
  };
}

function queried(over: Partial<QueryOrderMsg> = {}): QueryOrderMsg {
  return {
    symbol: "BTCUSDT",
    orderId: 28,
    orderListId: -1,
    clientOrderId: "des-1",
    price: "100.00000000",
    origQty: "1.00000000",
    executedQty: "0.00000000",
    cummulativeQuoteQty: "0.00000000",
    status: "NEW",
    timeInForce: "GTC",
    type: "LIMIT",
    side: "BUY",
    time: T0 + 5,
    updateTime: T0 + 5,
    isWorking: true,
    ...over,
  };
}

const report = executionReportMsg;

function trade(id: number, qty: string, over: Partial<ExecutionReportMsg> = {}): ExecutionReportMsg {
  return report({
    x: "TRADE",
    X: "PARTIALLY_FILLED",
    t: id,
    l: qty,
    L: "100.00000000",
    n: "0.001",
    N: "BTC",
    ...over,
  });
}

const myTrade = myTradeMsg;

/** A venue over a fake REST API and user stream, with a fake clock that sleeps advance. */
function harness(options: Partial<BinanceVenueOptions> = {}) {
  const rest = new FakeBinanceRest();
  const userData = new FakeUserData();
  const clock = { ms: T0 };
  const events: VenueEvent[] = [];
  const venue = new BinanceVenue({
    accountId: "binance-test",
    rest,
    userData,
    instruments: instruments(),
    nowMicros: () => clock.ms * 1000,
    sleep: (ms) => {
      clock.ms += ms;
      return Promise.resolve();
    },
    ...options,
  });
  venue.onEvent((e) => events.push(e));
  const fills = () => events.filter((e) => e.kind === "fill").map((e) => (e as { fill: VenueFill }).fill);
  return { rest, userData, clock, events, venue, fills };
}

/** Lets setImmediate callbacks (deferred final events) run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

const unknownOutcome = () => new DesError(ErrorCode.VenueUnknownOutcome, "POST /api/v3/order timed out");

describe("toNewOrderParams", () => {
  test("maps a request to Binance's parameters, timeInForce only where Binance takes it", () => {
    assert.deepEqual(toNewOrderParams(limitBuy("des-9", "0.00100", "25000.10")), {
      symbol: "BTCUSDT",
      side: "BUY",
      type: "LIMIT",
      quantity: "0.001",
      price: "25000.1",
      timeInForce: "GTC",
      newClientOrderId: "des-9",
      newOrderRespType: "FULL",
    });
    const market = toNewOrderParams({ ...limitBuy(), type: "MARKET", price: undefined, timeInForce: "IOC" });
    assert.equal(market.timeInForce, undefined);
    assert.equal(market.price, undefined);
    assert.equal(toNewOrderParams({ ...limitBuy(), type: "LIMIT_MAKER" }).timeInForce, undefined);
    assert.equal(toNewOrderParams({ ...limitBuy(), timeInForce: "IOC" }).timeInForce, "IOC");
    const stop = toNewOrderParams({ ...limitBuy(), type: "STOP_LOSS_LIMIT", stopPrice: dec("99.5") });
    assert.equal(stop.timeInForce, "GTC");
    assert.equal(stop.stopPrice, "99.5");
    const stopMarket = toNewOrderParams({
      ...limitBuy(),
      type: "STOP_LOSS",
      price: undefined,
      stopPrice: dec("99"),
    });
    assert.equal(stopMarket.timeInForce, undefined);
  });
});

describe("BoundedSeenSet", () => {
  test("evicts the oldest key when full", () => {
    const seen = new BoundedSeenSet(2);
    assert.equal(seen.add("a"), true);
    assert.equal(seen.add("a"), false);
    seen.add("b");
    seen.add("c");
    assert.equal(seen.has("a"), false);
    assert.equal(seen.has("b") && seen.has("c"), true);
    assert.equal(seen.evicted, 1);
  });
});

describe("BinanceVenue submit", () => {
  test("accepted with the FULL response's fills: trade ids, taker, commission as charged, running cumulative", async () => {
    const h = harness();
    await h.venue.start();
    h.rest.newOrderImpl = () =>
      Promise.resolve(
        fullResponse({
          status: "PARTIALLY_FILLED",
          executedQty: "0.60000000",
          fills: [fillMsg(56, "0.40000000", "99.00000000", "0.00040000"), fillMsg(57, "0.20000000")],
        }),
      );
    const result = (await h.venue.submit(limitBuy())) as SubmitAccepted;
    assert.equal(result.kind, "accepted");
    assert.equal(result.venueOrderId, "28");
    assert.equal(result.ts, (T0 + 5) * 1000);
    assert.deepEqual(
      result.fills.map((f) => [
        f.tradeId,
        f.quantity.toString(),
        f.price.toString(),
        f.commission.toString(),
      ]),
      [
        ["56", "0.4", "99", "0.0004"],
        ["57", "0.2", "100", "0.001"],
      ],
    );
    assert.deepEqual(
      result.fills.map((f) => [f.liquidity, f.commissionAsset, f.cumulativeQty?.toString(), f.clientOrderId]),
      [
        ["TAKER", "BTC", "0.4", "des-1"],
        ["TAKER", "BTC", "0.6", "des-1"],
      ],
    );
    assert.deepEqual(h.rest.callsOf("newOrder"), [
      {
        symbol: "BTCUSDT",
        side: "BUY",
        type: "LIMIT",
        quantity: "1",
        price: "100",
        timeInForce: "GTC",
        newClientOrderId: "des-1",
        newOrderRespType: "FULL",
      },
    ]);
  });

  test("a Binance rejection resolves rejected with Binance's message and code, never throws", async () => {
    const h = harness();
    await h.venue.start();
    h.rest.newOrderImpl = () =>
      Promise.reject(binanceError(-2010, "Account has insufficient balance for requested action."));
    assert.deepEqual(await h.venue.submit(limitBuy()), {
      kind: "rejected",
      reason: "Account has insufficient balance for requested action.",
      venueCode: -2010,
      ts: T0 * 1000,
    });
    h.rest.newOrderImpl = () => Promise.reject(binanceError(-1013, "Filter failure: LOT_SIZE"));
    const filter = await h.venue.submit(limitBuy("des-2"));
    assert.equal(filter.kind === "rejected" && filter.reason, "Filter failure: LOT_SIZE");
    h.rest.newOrderImpl = () =>
      Promise.reject(new DesError(ErrorCode.VenueRateLimited, "held back until 12:00 (Retry-After)"));
    const limited = await h.venue.submit(limitBuy("des-3"));
    assert.equal(limited.kind, "rejected");
    assert.equal(h.venue.stats().trackedOrders, 0);
  });

  test("an unknown instrument is rejected without a request", async () => {
    const h = harness();
    const result = await h.venue.submit({ ...limitBuy(), instrumentId: instrumentId("ETHUSDT") });
    assert.equal(result.kind, "rejected");
    assert.equal(h.rest.calls.length, 0);
  });
});

describe("BinanceVenue fills exactly once", () => {
  test("a fill in the FULL response is not emitted again when the stream repeats it", async () => {
    const h = harness();
    await h.venue.start();
    h.rest.newOrderImpl = () =>
      Promise.resolve(
        fullResponse({ status: "FILLED", executedQty: "1.00000000", fills: [fillMsg(56, "1.00000000")] }),
      );
    const result = (await h.venue.submit(limitBuy())) as SubmitAccepted;
    assert.equal(result.fills.length, 1);
    h.userData.emit(report({ x: "NEW" }));
    h.userData.emit(trade(56, "1.00000000", { X: "FILLED", z: "1.00000000" }));
    assert.equal(h.fills().length, 0);
    assert.equal(h.venue.stats().duplicateFillsDropped, 1);
    assert.equal(h.venue.stats().fillsEmitted, 1);
  });

  test("a fill the stream delivered before the response is left out of the submit result", async () => {
    const h = harness();
    await h.venue.start();
    let respond: (r: NewOrderResponseMsg) => void = () => {};
    h.rest.newOrderImpl = () => new Promise((resolve) => (respond = resolve));
    const pending = h.venue.submit(limitBuy());
    await Promise.resolve();
    h.userData.emit(report({ x: "NEW" }));
    h.userData.emit(trade(56, "0.30000000", { z: "0.30000000" }));
    respond(
      fullResponse({
        status: "PARTIALLY_FILLED",
        executedQty: "0.70000000",
        fills: [fillMsg(56, "0.30000000"), fillMsg(57, "0.40000000")],
      }),
    );
    const result = (await pending) as SubmitAccepted;
    assert.deepEqual(
      result.fills.map((f) => f.tradeId),
      ["57"],
    );
    assert.deepEqual(
      h.fills().map((f) => f.tradeId),
      ["56"],
    );
    assert.equal(h.venue.stats().duplicateFillsDropped, 1);
  });

  test("partial fills on the stream each come once, with their own quantities and the cumulative", async () => {
    const h = harness();
    await h.venue.start();
    h.rest.newOrderImpl = () => Promise.resolve(fullResponse());
    await h.venue.submit(limitBuy());
    h.userData.emit(trade(70, "0.25000000", { z: "0.25000000", m: true }));
    h.userData.emit(trade(71, "0.35000000", { z: "0.60000000", m: true }));
    h.userData.emit(trade(70, "0.25000000", { z: "0.25000000", m: true }));
    h.userData.emit(trade(72, "0.40000000", { z: "1.00000000", X: "FILLED", m: false }));
    assert.deepEqual(
      h.fills().map((f) => [f.tradeId, f.quantity.toString(), f.cumulativeQty?.toString(), f.liquidity]),
      [
        ["70", "0.25", "0.25", "MAKER"],
        ["71", "0.35", "0.6", "MAKER"],
        ["72", "0.4", "1", "TAKER"],
      ],
    );
    assert.equal(h.venue.stats().trackedOrders, 0);
  });

  test("end to end with execution: stream-first and response-first fills book the position once", async () => {
    const h = harness();
    await h.venue.start();
    const bus = new MessageBus();
    const clock = new TestClock(T0 * 1000);
    const engine = new ExecutionEngine({ bus, clock, venue: h.venue });
    const orderEvents: OrderEvent[] = [];
    bus.subscribe(Topic.OrderEvent, (e: OrderEvent) => orderEvents.push(e));
    engine.start();
    let respond: (r: NewOrderResponseMsg) => void = () => {};
    h.rest.newOrderImpl = () => new Promise((resolve) => (respond = resolve));
    bus.publish(Topic.SubmitOrder, {
      kind: "SubmitOrder",
      clientOrderId: clientOrderId("des-1"),
      strategyId: strategyId("s1"),
      instrumentId: BTCUSDT,
      side: "BUY",
      type: "LIMIT",
      quantity: dec("1"),
      price: dec("100"),
      timeInForce: "GTC",
      createdAt: clock.now(),
    });
    await Promise.resolve();
    h.userData.emit(report({ x: "NEW" }));
    h.userData.emit(trade(56, "0.50000000", { z: "0.50000000" }));
    respond(
      fullResponse({
        status: "FILLED",
        executedQty: "1.00000000",
        fills: [fillMsg(56, "0.50000000"), fillMsg(57, "0.50000000")],
      }),
    );
    await engine.idle();
    h.userData.emit(trade(57, "0.50000000", { z: "1.00000000", X: "FILLED" }));
    const filled = orderEvents.filter((e) => e.kind === "OrderFilled");
    assert.deepEqual(
      filled.map((e) => (e as { tradeId: string }).tradeId),
      ["56", "57"],
    );
    const order = engine.order(clientOrderId("des-1"));
    assert.equal(order?.status, "FILLED");
    assert.equal(order?.filledQty.toString(), "1");
    assert.equal(engine.stats().duplicateFills, 0);
    assert.equal(engine.stats().problems, 0);
  });
});

describe("BinanceVenue stream events", () => {
  test("maps NEW, CANCELED (original id from C), EXPIRED, TRADE_PREVENTION and REJECTED", async () => {
    const h = harness();
    await h.venue.start();
    h.userData.emit(report({ x: "NEW", c: "des-1" }));
    h.userData.emit(report({ x: "CANCELED", X: "CANCELED", c: "cancel-req-7", C: "des-1" }));
    h.userData.emit(report({ x: "CANCELED", X: "CANCELED", c: "des-2", C: "", i: 29 }));
    h.userData.emit(report({ x: "EXPIRED", X: "EXPIRED", c: "des-3", i: 30, eR: "INSUFFICIENT_LIQUIDITY" }));
    h.userData.emit(report({ x: "EXPIRED", X: "EXPIRED", c: "des-4", i: 31 }));
    h.userData.emit(report({ x: "TRADE_PREVENTION", X: "EXPIRED_IN_MATCH", c: "des-5", i: 32 }));
    h.userData.emit(report({ x: "REJECTED", X: "REJECTED", c: "des-6", i: 33, r: "INSUFFICIENT_BALANCES" }));
    h.userData.emit(report({ x: "REPLACED", c: "des-7", i: 34 }));
    assert.deepEqual(
      h.events.map((e) => [
        e.kind,
        "clientOrderId" in e ? e.clientOrderId : "",
        "reason" in e ? e.reason : "",
      ]),
      [
        ["accepted", "des-1", ""],
        ["canceled", "des-1", ""],
        ["canceled", "des-2", ""],
        ["expired", "des-3", "INSUFFICIENT_LIQUIDITY"],
        ["expired", "des-4", "EXPIRED"],
        ["expired", "des-5", "self-trade prevention"],
        ["rejected", "des-6", "INSUFFICIENT_BALANCES"],
      ],
    );
    const accepted = h.events[0];
    assert.equal(accepted?.kind === "accepted" && accepted.venueOrderId, "28");
    assert.equal(accepted?.kind === "accepted" && accepted.ts, (T0 + 9) * 1000);
  });

  test("events of orders DES did not create are emitted too; a repeated final event once", async () => {
    const h = harness();
    await h.venue.start();
    h.userData.emit(trade(5, "0.10000000", { c: "web_abc123", N: null, n: "0" }));
    h.userData.emit(report({ x: "CANCELED", X: "CANCELED", c: "web_x", C: "web_abc123" }));
    h.userData.emit(report({ x: "CANCELED", X: "CANCELED", c: "web_x", C: "web_abc123" }));
    assert.equal(h.events.length, 2);
    const fill = h.fills()[0];
    assert.equal(fill?.clientOrderId, "web_abc123");
    assert.equal(fill?.commissionAsset, "USDT");
    assert.equal(h.venue.stats().duplicateFinalEventsDropped, 1);
  });

  test("balances: outboundAccountPosition sets them, balanceUpdate moves free, both emitted", async () => {
    const h = harness();
    await h.venue.start();
    h.userData.emit({ e: "balanceUpdate", E: T0, a: "BTC", d: "1.00000000", T: T0 });
    assert.equal(h.venue.stats().balanceDeltasSkipped, 1);
    h.userData.emit({
      e: "outboundAccountPosition",
      E: T0 + 1,
      u: T0 + 1,
      B: [
        { a: "BTC", f: "11818.00000000", l: "182.00000000" },
        { a: "USDT", f: "10580.00000000", l: "70.00000000" },
      ],
    });
    h.userData.emit({ e: "balanceUpdate", E: T0 + 2, a: "BTC", d: "-100.50000000", T: T0 + 2 });
    const balanceEvents = h.events.filter((e) => e.kind === "balances");
    assert.equal(balanceEvents.length, 2);
    const [first, second] = balanceEvents;
    assert.deepEqual(
      first?.kind === "balances" &&
        first.balances.map((b) => [b.asset, b.free.toString(), b.locked.toString()]),
      [
        ["BTC", "11818", "182"],
        ["USDT", "10580", "70"],
      ],
    );
    assert.deepEqual(
      second?.kind === "balances" &&
        second.balances.map((b) => [b.asset, b.free.toString(), b.locked.toString()]),
      [["BTC", "11717.5", "182"]],
    );
  });
});

describe("BinanceVenue unknown outcome", () => {
  test("the order exists: accepted from the look-up, nothing resent", async () => {
    const h = harness();
    await h.venue.start();
    h.rest.newOrderImpl = () => Promise.reject(unknownOutcome());
    let queries = 0;
    h.rest.queryOrderImpl = () => {
      queries++;
      // The first look-up comes too early (the order is not visible yet), the second finds it.
      return queries === 1
        ? Promise.reject(binanceError(-2013, "Order does not exist."))
        : Promise.resolve(queried({ status: "PARTIALLY_FILLED", executedQty: "0.40000000" }));
    };
    h.rest.myTradesImpl = () => Promise.resolve([myTrade(81, "0.40000000", { isMaker: false })]);
    const result = await h.venue.submit(limitBuy());
    assert.equal(result.kind, "accepted");
    assert.equal(h.rest.callsOf("newOrder").length, 1);
    assert.deepEqual(h.rest.callsOf("myTrades"), [{ symbol: "BTCUSDT", orderId: 28, limit: 1000 }]);
    const fills = (result as SubmitAccepted).fills;
    assert.deepEqual(
      fills.map((f) => [f.tradeId, f.quantity.toString(), f.liquidity, f.commission.toString()]),
      [["81", "0.4", "TAKER", "0.0005"]],
    );
    const stats = h.venue.stats();
    assert.equal(stats.unknownOutcomes, 1);
    assert.equal(stats.unknownFound, 1);
    assert.equal(stats.resends, 0);
  });

  test("the order is absent past recvWindow + 1 s: resent exactly once with the same client order id", async () => {
    const h = harness({ recvWindowMs: 5000 });
    await h.venue.start();
    let sends = 0;
    const sentAt: number[] = [];
    h.rest.newOrderImpl = () => {
      sends++;
      sentAt.push(h.clock.ms);
      return sends === 1 ? Promise.reject(unknownOutcome()) : Promise.resolve(fullResponse({ orderId: 29 }));
    };
    const queriedAt: number[] = [];
    h.rest.queryOrderImpl = () => {
      queriedAt.push(h.clock.ms);
      return Promise.reject(binanceError(-2013, "Order does not exist."));
    };
    const result = await h.venue.submit(limitBuy());
    assert.equal(result.kind, "accepted");
    assert.equal((result as SubmitAccepted).venueOrderId, "29");
    const orders = h.rest.callsOf("newOrder") as Array<{ newClientOrderId: string }>;
    assert.deepEqual(
      orders.map((o) => o.newClientOrderId),
      ["des-1", "des-1"],
    );
    // -2013 answers before recvWindow + 1 s did not count; the resend came after it.
    assert.ok(queriedAt.some((t) => t < T0 + 6000));
    assert.ok((sentAt[1] ?? 0) >= T0 + 6000);
    assert.equal(h.venue.stats().resends, 1);
  });

  test("the stream saw the order: no resend even when REST keeps saying -2013", async () => {
    const h = harness();
    await h.venue.start();
    h.rest.newOrderImpl = () => {
      h.userData.emit(report({ x: "NEW" }));
      return Promise.reject(unknownOutcome());
    };
    h.rest.queryOrderImpl = () => Promise.reject(binanceError(-2013, "Order does not exist."));
    const result = await h.venue.submit(limitBuy());
    assert.equal(result.kind, "accepted");
    assert.equal(h.rest.callsOf("newOrder").length, 1);
  });

  test("still unknown after the bound: 'unknown' (not final), then reconciliation settles it", async () => {
    const h = harness();
    await h.venue.start();
    h.rest.newOrderImpl = () => Promise.reject(unknownOutcome());
    h.rest.queryOrderImpl = () =>
      Promise.reject(new DesError(ErrorCode.VenueUnavailable, "connect ECONNREFUSED (GET /api/v3/order)"));
    const result = await h.venue.submit(limitBuy());
    assert.equal(result.kind, "unknown");
    assert.match(result.kind === "unknown" ? result.reason : "", /^unknown outcome/);
    assert.equal(h.rest.callsOf("newOrder").length, 1);
    assert.equal(h.venue.stats().pendingUnknown, 1);

    // REST is back; the order turns out to be resting with one fill.
    h.rest.openOrdersImpl = () =>
      Promise.resolve([queried({ status: "PARTIALLY_FILLED", executedQty: "0.10000000" })]);
    h.rest.myTradesImpl = () => Promise.resolve([myTrade(90, "0.10000000")]);
    await h.venue.reconcile();
    assert.deepEqual(
      h.events.map((e) => e.kind),
      ["accepted", "fill"],
    );
    const stats = h.venue.stats();
    assert.equal(stats.pendingUnknown, 0);
    assert.equal(stats.unknownSettled, 1);
    assert.equal(h.rest.callsOf("newOrder").length, 1);
  });

  test("reconciliation rejects an unknown order the venue never had, once past recvWindow", async () => {
    const h = harness();
    await h.venue.start();
    h.rest.newOrderImpl = () => Promise.reject(unknownOutcome());
    h.rest.queryOrderImpl = () => Promise.reject(new DesError(ErrorCode.VenueUnavailable, "down"));
    await h.venue.submit(limitBuy());
    h.rest.queryOrderImpl = () => Promise.reject(binanceError(-2013, "Order does not exist."));
    await h.venue.reconcile();
    assert.equal(h.venue.stats().pendingUnknown, 0);
    // Execution still holds the order as submitted: the venue reports that it never had it.
    assert.deepEqual(
      h.events.map((e) => e.kind),
      ["rejected"],
    );
    assert.match(h.events[0]?.kind === "rejected" ? h.events[0].reason : "", /^never placed/);
  });
});

describe("BinanceVenue cancel, openOrders, balances", () => {
  test("cancel by client order id; -2011 resolves rejected with Binance's words", async () => {
    const h = harness();
    h.rest.cancelOrderImpl = () =>
      Promise.resolve({
        symbol: "BTCUSDT",
        origClientOrderId: "des-1",
        orderId: 28,
        orderListId: -1,
        clientOrderId: "cancel-1",
        transactTime: T0 + 50,
        price: "100",
        origQty: "1",
        executedQty: "0",
        cummulativeQuoteQty: "0",
        status: "CANCELED",
        timeInForce: "GTC",
        type: "LIMIT",
        side: "BUY",
      });
    assert.deepEqual(await h.venue.cancel({ clientOrderId: clientOrderId("des-1"), instrumentId: BTCUSDT }), {
      kind: "canceled",
      ts: (T0 + 50) * 1000,
    });
    assert.deepEqual(h.rest.callsOf("cancelOrder"), [{ symbol: "BTCUSDT", origClientOrderId: "des-1" }]);
    h.rest.cancelOrderImpl = () => Promise.reject(binanceError(-2011, "Unknown order sent."));
    assert.deepEqual(await h.venue.cancel({ clientOrderId: clientOrderId("des-1"), instrumentId: BTCUSDT }), {
      kind: "rejected",
      reason: "Unknown order sent.",
      venueCode: -2011,
      ts: T0 * 1000,
    });
  });

  test("openOrders and balances map REST to the port's types", async () => {
    const h = harness();
    h.rest.openOrdersImpl = () =>
      Promise.resolve([
        queried({ executedQty: "0.25000000" }),
        queried({ type: "MARKET", price: "0.00000000" }),
      ]);
    const open = await h.venue.openOrders();
    assert.deepEqual(
      open.map((o) => [
        o.clientOrderId,
        o.venueOrderId,
        o.type,
        o.quantity.toString(),
        o.price?.toString(),
        o.filledQty.toString(),
      ]),
      [
        ["des-1", "28", "LIMIT", "1", "100", "0.25"],
        ["des-1", "28", "MARKET", "1", undefined, "0"],
      ],
    );
    h.rest.accountImpl = () =>
      Promise.resolve({
        makerCommission: 15,
        takerCommission: 15,
        canTrade: true,
        updateTime: 1,
        accountType: "SPOT",
        balances: [{ asset: "BTC", free: "4723846.89208129", locked: "0.00000000" }],
      });
    const balances = await h.venue.balances();
    assert.deepEqual(
      balances.map((b) => [b.asset, b.free.toString(), b.locked.toString()]),
      [["BTC", "4723846.89208129", "0"]],
    );
  });
});

describe("BinanceVenue reconciliation", () => {
  test("after a reconnect it emits the fills missed while disconnected once, then the final status", async () => {
    const h = harness();
    await h.venue.start();
    h.rest.newOrderImpl = () => Promise.resolve(fullResponse());
    await h.venue.submit(limitBuy());
    h.userData.emit(trade(100, "0.20000000", { z: "0.20000000" }));
    // Disconnected: trade 101 happened and the order was canceled; the stream never said so.
    h.rest.openOrdersImpl = () => Promise.resolve([]);
    h.rest.queryOrderImpl = () => Promise.resolve(queried({ status: "CANCELED", executedQty: "0.50000000" }));
    h.rest.myTradesImpl = (q) =>
      Promise.resolve(
        [myTrade(100, "0.20000000"), myTrade(101, "0.30000000")].filter((t) => t.id >= (q.fromId ?? 0)),
      );
    h.userData.reconnect();
    await h.venue.reconcile();
    assert.deepEqual(h.rest.callsOf("myTrades"), [{ symbol: "BTCUSDT", fromId: 101, limit: 1000 }]);
    assert.deepEqual(
      h.events.map((e) => (e.kind === "fill" ? `fill ${e.fill.tradeId} ${e.fill.cumulativeQty}` : e.kind)),
      ["fill 100 0.2", "fill 101 0.5", "canceled"],
    );
    // A later replay of the stream, or another reconciliation, adds nothing.
    h.userData.emit(trade(101, "0.30000000", { z: "0.50000000" }));
    h.userData.emit(report({ x: "CANCELED", X: "CANCELED", c: "x1", C: "des-1" }));
    await h.venue.reconcile();
    assert.equal(h.events.length, 3);
    assert.equal(h.venue.stats().trackedOrders, 0);
  });

  test("an order without a seen trade is read by order id; open orders stay tracked", async () => {
    const h = harness();
    await h.venue.start();
    h.rest.newOrderImpl = () => Promise.resolve(fullResponse());
    await h.venue.submit(limitBuy());
    h.rest.openOrdersImpl = () =>
      Promise.resolve([queried({ status: "PARTIALLY_FILLED", executedQty: "0.10000000" })]);
    h.rest.myTradesImpl = () => Promise.resolve([myTrade(7, "0.10000000")]);
    await h.venue.reconcile();
    assert.deepEqual(h.rest.callsOf("myTrades"), [{ symbol: "BTCUSDT", orderId: 28, limit: 1000 }]);
    assert.deepEqual(
      h.events.map((e) => e.kind),
      ["fill"],
    );
    assert.equal(h.venue.stats().trackedOrders, 1);
  });

  test("a FULL response with a final non-filled status reports it after the submit result", async () => {
    const h = harness();
    await h.venue.start();
    h.rest.newOrderImpl = () =>
      Promise.resolve(
        fullResponse({
          status: "EXPIRED",
          expiryReason: "UNFILLED_IOC_QUANTITY_EXPIRED",
          executedQty: "0.50000000",
          fills: [fillMsg(60, "0.50000000")],
        }),
      );
    const result = await h.venue.submit({ ...limitBuy(), timeInForce: "IOC" });
    assert.equal(result.kind, "accepted");
    assert.equal(h.events.length, 0);
    await settle();
    assert.deepEqual(
      h.events.map((e) => [e.kind, e.kind === "expired" ? e.reason : ""]),
      [["expired", "UNFILLED_IOC_QUANTITY_EXPIRED"]],
    );
    // The stream's own EXPIRED report is not repeated.
    h.userData.emit(report({ x: "EXPIRED", X: "EXPIRED", eR: "UNFILLED_IOC_QUANTITY_EXPIRED" }));
    assert.equal(h.events.length, 1);
  });

  test("a failing REST call is counted and retried after a pause", async () => {
    const h = harness();
    await h.venue.start();
    h.rest.newOrderImpl = () => Promise.resolve(fullResponse());
    await h.venue.submit(limitBuy());
    let failures = 2;
    h.rest.openOrdersImpl = () =>
      failures-- > 0
        ? Promise.reject(new DesError(ErrorCode.VenueUnavailable, "down"))
        : Promise.resolve([queried({ status: "CANCELED" })]);
    const before = h.clock.ms;
    await h.venue.reconcile();
    const stats = h.venue.stats();
    assert.equal(stats.reconcileFailures, 2);
    assert.equal(stats.reconciliations, 3);
    assert.equal(h.clock.ms - before, 3000);
    assert.equal(stats.trackedOrders, 0);
    assert.deepEqual(
      h.events.map((e) => e.kind),
      ["canceled"],
    );
  });

  test("reconcileOnStart adopts the venue's open orders and reads balances", async () => {
    const h = harness({ reconcileOnStart: true });
    h.rest.accountImpl = () =>
      Promise.resolve({
        makerCommission: 0,
        takerCommission: 0,
        canTrade: true,
        updateTime: 1,
        accountType: "SPOT",
        balances: [{ asset: "USDT", free: "100", locked: "0" }],
      });
    h.rest.openOrdersImpl = () =>
      Promise.resolve([
        queried({ clientOrderId: "des-old", status: "PARTIALLY_FILLED", executedQty: "0.2" }),
      ]);
    const venueTrades = [myTrade(5, "0.20000000")];
    h.rest.myTradesImpl = (q) => Promise.resolve(venueTrades.filter((t) => t.id >= (q.fromId ?? 0)));
    await h.venue.start();
    assert.equal(h.venue.stats().trackedOrders, 1);
    // Trade 5 predates the start (a previous run handled it); trade 6 happened later and is new.
    h.userData.emit(trade(5, "0.20000000", { c: "des-old" }));
    assert.equal(h.events.length, 0);
    venueTrades.push(myTrade(6, "0.30000000"));
    h.rest.openOrdersImpl = () =>
      Promise.resolve([
        queried({ clientOrderId: "des-old", status: "PARTIALLY_FILLED", executedQty: "0.5" }),
      ]);
    await h.venue.reconcile();
    assert.deepEqual(h.rest.callsOf("myTrades").at(-1), { symbol: "BTCUSDT", fromId: 6, limit: 1000 });
    assert.deepEqual(
      h.fills().map((f) => [f.tradeId, f.clientOrderId, f.cumulativeQty?.toString()]),
      [["6", "des-old", "0.5"]],
    );
    await h.venue.stop();
    assert.equal(h.userData.stopped, 1);
  });
});
