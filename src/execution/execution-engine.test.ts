import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MessageBus, Topic } from "../bus/index.ts";
import {
  accountId,
  asMicros,
  clientOrderId,
  type Decimal,
  type DesError,
  dec,
  ErrorCode,
  instrumentId,
  MICROS_PER_MINUTE,
  strategyId,
  TestClock,
  tradeId,
  venueOrderId,
} from "../core/index.ts";
import type {
  CancelResult,
  SubmitResult,
  VenueBalance,
  VenueEvent,
  VenueEventListener,
  VenueFill,
  VenueOpenOrder,
  VenueOrderLookupStatus,
  VenueOrderRequest,
  VenuePort,
} from "../model/index.ts";
import {
  type Bar,
  type BarInterval,
  type Instrument,
  type MarketEvent,
  type OrderEvent,
  type OrderSide,
  type OrderType,
  type PositionChanged,
  parseInstrument,
  type SubmitOrder,
  type TradeTick,
} from "../model/index.ts";
import { Portfolio } from "../portfolio/index.ts";
import { RiskEngine, type RiskEvent } from "../risk/index.ts";
import { PaperVenue } from "../venues/paper/index.ts";
import { ExecutionEngine, type ExecutionEngineConfig, type VenueMarketDataConfig } from "./index.ts";

const BTCUSDT = instrumentId("BTCUSDT");
const S1 = strategyId("s1");
const T0 = Date.UTC(2024, 0, 1) * 1000;

function btcusdt(): Instrument {
  return parseInstrument({
    symbol: "BTCUSDT",
    status: "TRADING",
    baseAsset: "BTC",
    quoteAsset: "USDT",
    filters: [
      { filterType: "PRICE_FILTER", minPrice: "0.01", maxPrice: "1000000.00", tickSize: "0.01" },
      { filterType: "LOT_SIZE", minQty: "0.00001", maxQty: "9000.00000", stepSize: "0.00001" },
      { filterType: "NOTIONAL", minNotional: "5.00" },
    ],
  });
}

/** A venue whose answers the test scripts; it records what execution sent it. */
class ScriptedVenue implements VenuePort {
  readonly accountId = accountId("scripted");
  readonly requests: VenueOrderRequest[] = [];
  readonly marketEvents: MarketEvent[] = [];
  #listeners: VenueEventListener[] = [];
  onSubmit: (req: VenueOrderRequest) => Promise<SubmitResult> = () =>
    Promise.resolve({ kind: "accepted", venueOrderId: venueOrderId("v1"), fills: [], ts: asMicros(T0) });
  onCancel: () => Promise<CancelResult> = () => Promise.resolve({ kind: "canceled", ts: asMicros(T0) });

  submit(req: VenueOrderRequest): Promise<SubmitResult> {
    this.requests.push(req);
    return this.onSubmit(req);
  }
  cancel(): Promise<CancelResult> {
    return this.onCancel();
  }
  openOrders(): Promise<readonly VenueOpenOrder[]> {
    return Promise.resolve([]);
  }
  onQuery: () => Promise<VenueOrderLookupStatus> = () => Promise.resolve("absent");
  queries = 0;
  queryOrder(): Promise<VenueOrderLookupStatus> {
    this.queries++;
    return this.onQuery();
  }
  balances(): Promise<readonly VenueBalance[]> {
    return Promise.resolve([]);
  }
  onEvent(listener: VenueEventListener): () => void {
    this.#listeners.push(listener);
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }
  onMarketEvent(event: MarketEvent): void {
    this.marketEvents.push(event);
  }
  emit(event: VenueEvent): void {
    for (const l of this.#listeners) l(event);
  }
}

function venueFill(id: string, qty: string, price: string, order = "o1"): VenueFill {
  return {
    clientOrderId: clientOrderId(order),
    venueOrderId: venueOrderId("v1"),
    instrumentId: BTCUSDT,
    tradeId: tradeId(id),
    side: "BUY",
    quantity: dec(qty),
    price: dec(price),
    commission: dec("0"),
    commissionAsset: "USDT",
    liquidity: "TAKER",
    ts: asMicros(T0),
  };
}

function submitCmd(
  id: string,
  opts: { side?: OrderSide; type?: OrderType; quantity?: string; price?: string; reduceOnly?: boolean } = {},
): SubmitOrder {
  return {
    kind: "SubmitOrder",
    clientOrderId: clientOrderId(id),
    strategyId: S1,
    instrumentId: BTCUSDT,
    side: opts.side ?? "BUY",
    type: opts.type ?? "MARKET",
    quantity: dec(opts.quantity ?? "1"),
    price: opts.price === undefined ? undefined : dec(opts.price),
    reduceOnly: opts.reduceOnly,
    createdAt: asMicros(T0),
  };
}

function trade(price: string, at = T0): TradeTick {
  return {
    kind: "trade",
    instrumentId: BTCUSDT,
    tradeId: tradeId(at),
    price: dec(price),
    quantity: dec("1"),
    aggressor: "SELL",
    eventTime: asMicros(at),
    receivedAt: asMicros(at),
  };
}

function bar(
  interval: BarInterval,
  minute: number,
  ohlc: [string, string, string, string],
  closed = true,
): Bar {
  const length = interval === "5m" ? 5 : 1;
  const openTime = T0 + minute * MICROS_PER_MINUTE;
  return {
    kind: "bar",
    instrumentId: BTCUSDT,
    interval,
    openTime: asMicros(openTime),
    closeTime: asMicros(openTime + length * MICROS_PER_MINUTE - 1000),
    open: dec(ohlc[0]),
    high: dec(ohlc[1]),
    low: dec(ohlc[2]),
    close: dec(ohlc[3]),
    volume: dec("1"),
    quoteVolume: dec("1"),
    tradeCount: 1,
    closed,
    receivedAt: asMicros(openTime + length * MICROS_PER_MINUTE),
  };
}

function wire(
  venue: VenuePort,
  marketData?: VenueMarketDataConfig,
  extra: Partial<Pick<ExecutionEngineConfig, "risk" | "executor">> = {},
) {
  const bus = new MessageBus();
  const clock = new TestClock(T0);
  const problems: DesError[] = [];
  const engine = new ExecutionEngine({
    bus,
    clock,
    venue,
    marketData,
    onProblem: (p) => problems.push(p),
    ...extra,
  });
  const portfolio = new Portfolio({
    bus,
    clock,
    instruments: [btcusdt()],
    initialCash: { paper: { USDT: "10000" } },
  });
  engine.start();
  portfolio.start();
  const events: OrderEvent[] = [];
  const changes: PositionChanged[] = [];
  bus.subscribe(Topic.OrderEvent, (e) => events.push(e));
  bus.subscribe(Topic.PositionChanged, (c) => changes.push(c));
  const kinds = () => events.map((e) => (e.kind === "OrderFilled" ? `OrderFilled:${e.orderStatus}` : e.kind));
  return { bus, clock, engine, portfolio, problems, events, changes, kinds };
}

/** Advances the test clock until the executor has settled every order (look-up waits included). */
async function settle(w: { clock: TestClock; engine: ExecutionEngine }, maxSteps = 100): Promise<void> {
  for (let i = 0; i < maxSteps; i++) {
    await new Promise((r) => setImmediate(r));
    if (w.engine.executorIdle) break;
    w.clock.advance(1000);
  }
  await w.engine.idle();
}

function paper() {
  return new PaperVenue({
    clock: new TestClock(T0),
    instruments: [btcusdt()],
    initialBalances: { USDT: "10000" },
  });
}

describe("ExecutionEngine with the paper venue, end to end on a real bus", () => {
  test("SubmitOrder -> OrderSubmitted, OrderAccepted -> next trade -> OrderFilled -> PositionChanged", async () => {
    const venue = paper();
    const w = wire(venue);
    w.bus.publish(Topic.SubmitOrder, submitCmd("o1", { quantity: "0.01" }));
    assert.deepEqual(w.kinds(), ["OrderSubmitted"]);
    await w.engine.idle();
    assert.deepEqual(w.kinds(), ["OrderSubmitted", "OrderAccepted"]);
    w.bus.publish(Topic.Trade, trade("42000.50"));
    assert.deepEqual(w.kinds(), ["OrderSubmitted", "OrderAccepted", "OrderFilled:FILLED"]);
    const filled = w.events[2];
    assert.ok(filled?.kind === "OrderFilled");
    assert.equal(filled.lastPrice.toString(), "42000.5");
    assert.equal(filled.accountId, "paper");
    assert.equal(w.changes.length, 1);
    assert.equal(w.changes[0]?.quantity.toString(), "0.01");
    assert.equal(w.changes[0]?.averagePrice.toString(), "42000.5");
    assert.equal(w.changes[0]?.realizedPnl.toString(), "-0.420005");
    assert.equal(w.portfolio.position(S1, BTCUSDT).toString(), "0.01");
    // The portfolio's account cash and the venue's balance agree to the last digit.
    assert.equal(
      w.portfolio.account(accountId("paper"))?.cash["USDT"]?.toString(),
      venue.balance("USDT").free.toString(),
    );
    const order = w.engine.order(clientOrderId("o1"));
    assert.equal(order?.status, "FILLED");
    assert.equal(order?.venueOrderId, "1");
    assert.deepEqual(
      [
        w.engine.stats().ordersSubmitted,
        w.engine.stats().ordersAccepted,
        w.engine.stats().ordersFilled,
        w.engine.stats().fills,
      ],
      [1, 1, 1, 1],
    );
    assert.deepEqual(w.problems, []);
  });

  test("with bars only, a market order fills at the next 1m bar's open; 5m bars and open bars are not fed", async () => {
    const venue = paper();
    const w = wire(venue);
    w.bus.publish(Topic.Bar, bar("1m", 0, ["100.00", "101.00", "99.00", "100.50"]));
    w.bus.publish(Topic.SubmitOrder, submitCmd("o1"));
    await w.engine.idle();
    w.bus.publish(Topic.Bar, bar("1m", 1, ["100.60", "100.70", "100.40", "100.45"], false));
    w.bus.publish(Topic.Bar, bar("5m", 0, ["90.00", "101.00", "89.00", "100.50"]));
    assert.equal(w.events.filter((e) => e.kind === "OrderFilled").length, 0);
    w.bus.publish(Topic.Bar, bar("1m", 1, ["100.60", "100.70", "100.40", "100.45"]));
    const filled = w.events.find((e) => e.kind === "OrderFilled");
    assert.ok(filled?.kind === "OrderFilled");
    assert.equal(filled.lastPrice.toString(), "100.6");
  });

  test("a buy the paper account cannot pay becomes OrderRejected with the venue's reason", async () => {
    const w = wire(paper());
    w.bus.publish(Topic.SubmitOrder, submitCmd("o1", { type: "LIMIT", quantity: "1", price: "20000.00" }));
    await w.engine.idle();
    assert.deepEqual(w.kinds(), ["OrderSubmitted", "OrderRejected"]);
    const rejected = w.events[1];
    assert.ok(rejected?.kind === "OrderRejected");
    assert.match(rejected.reason, /insufficient balance/);
    assert.equal(w.engine.stats().ordersRejected, 1);
    assert.equal(w.engine.order(clientOrderId("o1"))?.status, "REJECTED");
  });

  test("CancelOrder cancels a resting limit; stray cancels are reported or ignored, never thrown", async () => {
    const venue = paper();
    const w = wire(venue);
    w.bus.publish(Topic.SubmitOrder, submitCmd("o1", { type: "LIMIT", quantity: "1", price: "90.00" }));
    await w.engine.idle();
    assert.equal(w.engine.openOrders(S1, BTCUSDT).length, 1);
    const cancel = {
      kind: "CancelOrder" as const,
      clientOrderId: clientOrderId("o1"),
      strategyId: S1,
      instrumentId: BTCUSDT,
      createdAt: asMicros(T0),
    };
    w.bus.publish(Topic.CancelOrder, cancel);
    assert.equal(w.engine.order(clientOrderId("o1"))?.status, "PENDING_CANCEL");
    await w.engine.idle();
    assert.deepEqual(w.kinds(), ["OrderSubmitted", "OrderAccepted", "OrderCanceled"]);
    assert.equal(venue.openOrderCount, 0);
    assert.equal(venue.balance("USDT").locked.toString(), "0");
    assert.equal(w.engine.openOrders(S1, BTCUSDT).length, 0);
    w.bus.publish(Topic.CancelOrder, cancel); // already closed: nothing to do
    w.bus.publish(Topic.CancelOrder, { ...cancel, clientOrderId: clientOrderId("nope") });
    w.bus.publish(Topic.CancelOrder, { ...cancel, strategyId: strategyId("other") });
    await w.engine.idle();
    assert.equal(w.engine.stats().cancelsIgnored, 1);
    assert.equal(w.engine.stats().cancelsRejected, 2);
    assert.equal(w.problems.length, 2);
    assert.equal(w.kinds().length, 3);
  });
});

describe("ExecutionEngine order tracking", () => {
  test("a fill in the submit response and again on the venue stream is applied once", async () => {
    const venue = new ScriptedVenue();
    const f = venueFill("T1", "1", "100");
    venue.onSubmit = () =>
      Promise.resolve({ kind: "accepted", venueOrderId: venueOrderId("v1"), fills: [f], ts: asMicros(T0) });
    const w = wire(venue);
    w.bus.publish(Topic.SubmitOrder, submitCmd("o1"));
    await w.engine.idle();
    venue.emit({ kind: "fill", fill: { ...f } });
    assert.deepEqual(w.kinds(), ["OrderSubmitted", "OrderAccepted", "OrderFilled:FILLED"]);
    assert.equal(w.engine.stats().duplicateFills, 1);
    assert.equal(w.engine.stats().fills, 1);
    assert.equal(w.portfolio.position(S1, BTCUSDT).toString(), "1");
  });

  test("partial fills accumulate into the order: PARTIALLY_FILLED then FILLED", async () => {
    const venue = new ScriptedVenue();
    const w = wire(venue);
    w.bus.publish(Topic.SubmitOrder, submitCmd("o1"));
    await w.engine.idle();
    venue.emit({ kind: "fill", fill: venueFill("T1", "0.4", "100") });
    venue.emit({ kind: "fill", fill: venueFill("T2", "0.6", "110") });
    assert.deepEqual(w.kinds(), [
      "OrderSubmitted",
      "OrderAccepted",
      "OrderFilled:PARTIALLY_FILLED",
      "OrderFilled:FILLED",
    ]);
    const order = w.engine.order(clientOrderId("o1"));
    assert.equal(order?.filledQty.toString(), "1");
    assert.equal(order?.filledQuote.toString(), "106"); // 40 + 66
    assert.equal(w.engine.stats().ordersFilled, 1);
    assert.equal(w.engine.stats().fills, 2);
    assert.equal(w.portfolio.position(S1, BTCUSDT).toString(), "1");
    assert.equal(w.portfolio.positionView(S1, BTCUSDT).averagePrice.toString(), "106");
  });

  test("an unknown outcome is looked up: found leaves it SUBMITTED for the venue's report, never resent; absent after the settle time rejects it", async () => {
    const venue = new ScriptedVenue();
    venue.onSubmit = () =>
      Promise.resolve({ kind: "unknown", reason: "unknown outcome: timeout", ts: asMicros(T0) });
    venue.onQuery = () => Promise.resolve("open");
    const w = wire(venue, undefined, { executor: { maxSends: 1, settleMs: 2000 } });
    w.bus.publish(Topic.SubmitOrder, submitCmd("o1"));
    await w.engine.idle();
    assert.equal(w.engine.order(clientOrderId("o1"))?.status, "SUBMITTED");
    assert.equal(w.engine.stats().unknownOutcomes, 1);
    assert.equal(w.engine.stats().ordersFoundByLookup, 1);
    assert.equal(venue.queries, 1);
    assert.equal(venue.requests.length, 1, "found: never resent");
    assert.deepEqual(
      w.problems.map((p) => p.code),
      ["DES_ERR_VENUE_UNKNOWN_OUTCOME"],
    );
    // Reconciliation found it: accepted, then its fill.
    venue.emit({
      kind: "accepted",
      clientOrderId: clientOrderId("o1"),
      venueOrderId: venueOrderId("v1"),
      instrumentId: BTCUSDT,
      ts: asMicros(T0),
    });
    venue.emit({ kind: "fill", fill: venueFill("T1", "1", "100") });
    assert.deepEqual(w.kinds(), ["OrderSubmitted", "OrderAccepted", "OrderFilled:FILLED"]);
    assert.equal(w.engine.stats().invalidTransitions, 0);
    assert.equal(w.portfolio.position(S1, BTCUSDT).toString(), "1");

    // Another order the venue proves it never had (absent after the settle time, no send left): rejected.
    venue.onSubmit = () =>
      Promise.resolve({ kind: "unknown", reason: "unknown outcome: 503", ts: asMicros(T0) });
    venue.onQuery = () => Promise.resolve("absent");
    w.bus.publish(Topic.SubmitOrder, submitCmd("o2"));
    await settle(w);
    assert.equal(w.engine.order(clientOrderId("o2"))?.status, "REJECTED");
    assert.equal(venue.requests.length, 2, "o2 sent once");
    assert.equal(w.engine.stats().invalidTransitions, 0);
  });

  test("a fill reported before the submit response still yields Submitted, Accepted, Filled in order", async () => {
    const venue = new ScriptedVenue();
    venue.onSubmit = () => {
      venue.emit({ kind: "fill", fill: venueFill("T1", "1", "100") });
      return Promise.resolve({
        kind: "accepted",
        venueOrderId: venueOrderId("v1"),
        fills: [],
        ts: asMicros(T0),
      });
    };
    const w = wire(venue);
    w.bus.publish(Topic.SubmitOrder, submitCmd("o1"));
    await w.engine.idle();
    assert.deepEqual(w.kinds(), ["OrderSubmitted", "OrderAccepted", "OrderFilled:FILLED"]);
    assert.deepEqual(w.problems, []);
  });

  test("a transition the table forbids (a fill after cancel, an overfill) is reported, and the fill still booked", async () => {
    const venue = new ScriptedVenue();
    const w = wire(venue);
    w.bus.publish(Topic.SubmitOrder, submitCmd("o1"));
    await w.engine.idle();
    venue.emit({
      kind: "canceled",
      clientOrderId: clientOrderId("o1"),
      venueOrderId: venueOrderId("v1"),
      instrumentId: BTCUSDT,
      ts: asMicros(T0),
    });
    venue.emit({ kind: "fill", fill: venueFill("T1", "0.5", "100") });
    assert.equal(w.engine.stats().invalidTransitions, 1);
    assert.equal(w.problems[0]?.code, ErrorCode.InvalidOrderTransition);
    assert.match(w.problems[0]?.message ?? "", /CANCELED -> PARTIALLY_FILLED is not allowed/);
    assert.equal(w.engine.order(clientOrderId("o1"))?.status, "CANCELED", "the status stays");
    assert.deepEqual(w.kinds(), ["OrderSubmitted", "OrderAccepted", "OrderCanceled", "OrderFilled:CANCELED"]);
    assert.equal(
      w.portfolio.position(S1, BTCUSDT).toString(),
      "0.5",
      "the venue says it traded: positions follow",
    );

    w.bus.publish(Topic.SubmitOrder, submitCmd("o2", { quantity: "1" }));
    await w.engine.idle();
    venue.emit({ kind: "fill", fill: venueFill("T2", "1", "100", "o2") });
    venue.emit({ kind: "fill", fill: venueFill("T3", "0.1", "100", "o2") });
    assert.equal(w.engine.stats().invalidTransitions, 2);
    assert.match(w.problems[1]?.message ?? "", /overfills/);
    assert.equal(w.engine.recentProblems().length, 2);
  });

  test("invalid commands are denied before the venue; duplicate ids and unknown orders are reported", async () => {
    const venue = new ScriptedVenue();
    const w = wire(venue);
    w.bus.publish(Topic.SubmitOrder, submitCmd("d1", { quantity: "0" }));
    w.bus.publish(Topic.SubmitOrder, submitCmd("d2", { type: "LIMIT" }));
    w.bus.publish(Topic.SubmitOrder, submitCmd("d3", { type: "MARKET", price: "100" }));
    assert.deepEqual(w.kinds(), ["OrderDenied", "OrderDenied", "OrderDenied"]);
    assert.equal(venue.requests.length, 0);
    assert.equal(w.engine.stats().ordersDenied, 3);
    const denied = w.events[1];
    assert.ok(denied?.kind === "OrderDenied");
    assert.match(denied.reason, /LIMIT order needs a price/);

    w.bus.publish(Topic.SubmitOrder, submitCmd("o1"));
    w.bus.publish(Topic.SubmitOrder, submitCmd("o1"));
    await w.engine.idle();
    assert.equal(venue.requests.length, 1);
    assert.equal(w.engine.stats().duplicateSubmits, 1);
    venue.emit({ kind: "fill", fill: venueFill("T9", "1", "100", "ghost") });
    assert.equal(w.engine.stats().unknownOrderEvents, 1);
    assert.deepEqual(
      w.problems.map((p) => p.code),
      [ErrorCode.InvalidId, ErrorCode.InvalidOrderTransition],
    );
    assert.equal(w.portfolio.position(S1, BTCUSDT).toString(), "0");
  });

  test("a venue that throws or rejects its promise: looked up, absent after the settle time, REJECTED, reported", async () => {
    const venue = new ScriptedVenue();
    const w = wire(venue, undefined, { executor: { maxSends: 1, settleMs: 2000 } });
    venue.onSubmit = () => {
      throw new Error("socket closed");
    };
    w.bus.publish(Topic.SubmitOrder, submitCmd("o1"));
    venue.onSubmit = () => Promise.reject(new Error("timeout"));
    w.bus.publish(Topic.SubmitOrder, submitCmd("o2"));
    await settle(w);
    assert.deepEqual(w.kinds(), ["OrderSubmitted", "OrderSubmitted", "OrderRejected", "OrderRejected"]);
    assert.equal(w.engine.stats().venueFailures, 2);
    const reasons = w.events.flatMap((e) => (e.kind === "OrderRejected" ? [e.reason] : []));
    assert.deepEqual(reasons, [
      "o1 absent at the venue after 1 send(s)",
      "o2 absent at the venue after 1 send(s)",
    ]);
    assert.deepEqual(
      w.problems.map((p) => p.message),
      ["submit of o1 to venue failed: socket closed", "submit of o2 to venue failed: timeout"],
    );
  });

  test("a cancel the venue refuses returns the order to its open status", async () => {
    const venue = new ScriptedVenue();
    venue.onCancel = () =>
      Promise.resolve({ kind: "rejected", reason: "Unknown order sent.", ts: asMicros(T0) });
    const w = wire(venue);
    w.bus.publish(Topic.SubmitOrder, submitCmd("o1", { type: "LIMIT", price: "100" }));
    await w.engine.idle();
    venue.emit({ kind: "fill", fill: venueFill("T1", "0.25", "100") });
    w.bus.publish(Topic.CancelOrder, {
      kind: "CancelOrder",
      clientOrderId: clientOrderId("o1"),
      strategyId: S1,
      instrumentId: BTCUSDT,
      createdAt: asMicros(T0),
    });
    await w.engine.idle();
    assert.equal(w.engine.order(clientOrderId("o1"))?.status, "PARTIALLY_FILLED");
    assert.equal(w.engine.stats().cancelsRejected, 1);
  });

  test("an expiry from the venue closes the order with OrderExpired", async () => {
    const venue = new ScriptedVenue();
    const w = wire(venue);
    w.bus.publish(Topic.SubmitOrder, submitCmd("o1"));
    await w.engine.idle();
    const expired: VenueEvent = {
      kind: "expired",
      clientOrderId: clientOrderId("o1"),
      venueOrderId: venueOrderId("v1"),
      instrumentId: BTCUSDT,
      reason: "no funds",
      ts: asMicros(T0),
    };
    venue.emit(expired);
    venue.emit(expired);
    assert.deepEqual(w.kinds(), ["OrderSubmitted", "OrderAccepted", "OrderExpired"]);
    assert.equal(w.engine.stats().ordersExpired, 1);
  });
});

describe("ExecutionEngine market data routing", () => {
  function publishAll(bus: MessageBus): void {
    bus.publish(Topic.Trade, trade("100.00"));
    bus.publish(Topic.Bar, bar("1m", 0, ["100.00", "100.00", "100.00", "100.00"]));
    bus.publish(Topic.Bar, bar("1m", 1, ["100.00", "100.00", "100.00", "100.00"], false));
    bus.publish(Topic.Bar, bar("5m", 0, ["100.00", "100.00", "100.00", "100.00"]));
  }
  const routed = (venue: ScriptedVenue) =>
    venue.marketEvents.map((e) => (e.kind === "bar" ? `bar:${e.interval}` : e.kind));

  test("by default trades and closed 1m bars reach the venue, other intervals and open bars do not", () => {
    const venue = new ScriptedVenue();
    const w = wire(venue);
    publishAll(w.bus);
    assert.deepEqual(routed(venue), ["trade", "bar:1m"]);
    assert.equal(w.engine.stats().marketEventsRouted, 2);
  });

  test("the base interval and trades are configurable", () => {
    const venue = new ScriptedVenue();
    const w = wire(venue, { trades: false, barInterval: "5m" });
    publishAll(w.bus);
    assert.deepEqual(routed(venue), ["bar:5m"]);
    w.engine.stop();
    publishAll(w.bus);
    assert.deepEqual(routed(venue), ["bar:5m"], "nothing after stop()");
  });

  test("a bad bar interval fails at construction", () => {
    assert.throws(
      () =>
        new ExecutionEngine({
          bus: new MessageBus(),
          clock: new TestClock(),
          venue: new ScriptedVenue(),
          marketData: { barInterval: "7m" as BarInterval },
        }),
      /invalid bar interval "7m"/,
    );
  });
});

test("a long grid run keeps venue balances and portfolio cash equal", async () => {
  const venue = new PaperVenue({
    clock: new TestClock(T0),
    instruments: [btcusdt()],
    initialBalances: { USDT: "10000", BTC: "0" },
  });
  const w = wire(venue);
  w.bus.publish(Topic.Trade, trade("100.00"));
  const levels = ["99.00", "98.00", "97.00", "96.00", "95.00"];
  for (const [i, p] of levels.entries())
    w.bus.publish(Topic.SubmitOrder, submitCmd(`b${i}`, { type: "LIMIT", quantity: "1", price: p }));
  await w.engine.idle();
  const prices = ["99.50", "98.50", "97.90", "96.10", "94.90", "95.50"];
  for (const [i, p] of prices.entries()) w.bus.publish(Topic.Trade, trade(p, T0 + (i + 1) * 1000));
  w.bus.publish(
    Topic.SubmitOrder,
    submitCmd("sell", { side: "SELL", type: "LIMIT", quantity: "5", price: "100.00" }),
  );
  await w.engine.idle();
  w.bus.publish(Topic.Trade, trade("100.10", T0 + 10_000));
  const fills = w.events.filter((e) => e.kind === "OrderFilled");
  assert.equal(fills.length, 6);
  assert.equal(w.portfolio.position(S1, BTCUSDT).toString(), "0");
  const usdt = w.portfolio.account(accountId("paper"))?.cash["USDT"] as Decimal;
  assert.equal(usdt.toString(), venue.balance("USDT").free.toString());
  // Bought 99+98+97+96+95 = 485, sold 5 x 100 = 500, fees 0.485 + 0.5.
  assert.equal(w.portfolio.positionView(S1, BTCUSDT).realizedPnl.toString(), "14.015");
});

/** A risk engine over a portfolio view of one instrument; marks and positions come from the Portfolio. */
function withRisk(config: unknown) {
  const clock = new TestClock(T0);
  const riskEvents: RiskEvent[] = [];
  const risk = new RiskEngine({ clock, config, onEvent: (e) => riskEvents.push(e) });
  let portfolio: Portfolio | undefined;
  const view = {
    position: (s: typeof S1, i: typeof BTCUSDT) => portfolio!.position(s, i),
    exposure: (): Decimal => dec("0"),
    markPrice: () => dec("100"),
    instrument: () => btcusdt(),
  };
  return {
    risk,
    riskEvents,
    extra: { risk: { engine: risk, view } },
    attach: (p: Portfolio) => {
      portfolio = p;
    },
  };
}

/** A venue whose submits wait until the test answers them. */
function deferredVenue() {
  const venue = new ScriptedVenue();
  const pending: (() => void)[] = [];
  let n = 0;
  venue.onSubmit = () =>
    new Promise((resolve) => {
      const id = venueOrderId(`v${++n}`);
      pending.push(() => resolve({ kind: "accepted", venueOrderId: id, fills: [], ts: asMicros(T0) }));
    });
  return { venue, pending };
}

describe("ExecutionEngine order path: risk, queue, executor", () => {
  test("a risk denial becomes OrderDenied with the risk reason and detail; nothing reaches the venue", async () => {
    const venue = new ScriptedVenue();
    const r = withRisk({ global: { maxOrderNotional: "500" } });
    const w = wire(venue, undefined, r.extra);
    r.attach(w.portfolio);
    w.bus.publish(Topic.SubmitOrder, submitCmd("o1", { type: "LIMIT", price: "100", quantity: "6" }));
    await w.engine.idle();
    assert.deepEqual(w.kinds(), ["OrderDenied"]);
    const denied = w.events[0];
    assert.ok(denied?.kind === "OrderDenied");
    assert.match(denied.reason, /^MAX_NOTIONAL: /);
    assert.equal(w.engine.order(clientOrderId("o1"))?.status, "DENIED");
    assert.equal(venue.requests.length, 0);
    assert.equal(w.engine.stats().riskDenials, 1);
    assert.equal(w.engine.stats().ordersDenied, 1);
    assert.equal(r.riskEvents[0]?.kind, "OrderDenied");

    w.bus.publish(Topic.SubmitOrder, submitCmd("o2", { type: "LIMIT", price: "100", quantity: "4" }));
    await w.engine.idle();
    assert.equal(venue.requests.length, 1, "within the limit: sent");
  });

  test("open orders' unfilled notional counts as exposure until they fill or close", async () => {
    const venue = new ScriptedVenue();
    const r = withRisk({ global: { maxExposure: "250" } });
    const w = wire(venue, undefined, r.extra);
    r.attach(w.portfolio);
    const limit = (id: string) => submitCmd(id, { type: "LIMIT", price: "100", quantity: "1" });
    w.bus.publish(Topic.SubmitOrder, limit("o1"));
    w.bus.publish(Topic.SubmitOrder, limit("o2"));
    w.bus.publish(Topic.SubmitOrder, limit("o3"));
    await w.engine.idle();
    const o3 = w.events.find((e) => e.kind === "OrderDenied");
    assert.ok(o3?.kind === "OrderDenied" && o3.clientOrderId === "o3");
    assert.match(o3.reason, /^EXPOSURE_LIMIT: /);
    venue.emit({
      kind: "canceled",
      clientOrderId: clientOrderId("o1"),
      venueOrderId: venueOrderId("v1"),
      instrumentId: BTCUSDT,
      ts: asMicros(T0),
    });
    w.bus.publish(Topic.SubmitOrder, limit("o4"));
    await w.engine.idle();
    assert.equal(
      w.engine.order(clientOrderId("o4"))?.status,
      "ACCEPTED",
      "the canceled order freed its room",
    );
  });

  test("a clipped quantity is what the order carries and what the venue receives", async () => {
    const venue = new ScriptedVenue();
    const r = withRisk({ global: { maxPosition: "2", positionLimitMode: "clip" } });
    const w = wire(venue, undefined, r.extra);
    r.attach(w.portfolio);
    w.bus.publish(Topic.SubmitOrder, submitCmd("o1", { type: "LIMIT", price: "100", quantity: "5" }));
    await w.engine.idle();
    assert.equal(venue.requests[0]?.quantity.toString(), "2");
    assert.equal(w.engine.order(clientOrderId("o1"))?.quantity.toString(), "2");
    assert.equal(w.engine.stats().riskAdjusted, 1);
  });

  test("each fill reaches the risk engine with its realized PnL delta", async () => {
    const venue = new ScriptedVenue();
    const r = withRisk({});
    const w = wire(venue, undefined, r.extra);
    r.attach(w.portfolio);
    w.bus.publish(Topic.SubmitOrder, submitCmd("o1", { quantity: "1" }));
    await w.engine.idle();
    venue.emit({ kind: "fill", fill: venueFill("T1", "1", "100") });
    w.bus.publish(Topic.SubmitOrder, submitCmd("o2", { side: "SELL", quantity: "1" }));
    await w.engine.idle();
    venue.emit({ kind: "fill", fill: { ...venueFill("T2", "1", "90", "o2"), side: "SELL" } });
    const day = r.risk.dailyCounters(S1);
    assert.equal(day.trades, 2);
    assert.equal(day.realizedPnl.toString(), "-10");
  });

  test("with tiny queue capacities the order beyond them is denied with QUEUE_FULL", async () => {
    const { venue, pending } = deferredVenue();
    const w = wire(venue, undefined, {
      executor: {
        maxInFlight: 1,
        mainCapacity: 1,
        overflowCapacity: 1,
        drainBatchSize: 1,
        priorityCapacity: 1,
      },
    });
    for (const id of ["o1", "o2", "o3", "o4"]) w.bus.publish(Topic.SubmitOrder, submitCmd(id));
    assert.equal(venue.requests.length, 1);
    assert.equal(w.engine.order(clientOrderId("o2"))?.status, "INITIALIZED", "queued, not yet sent");
    assert.equal(w.engine.order(clientOrderId("o4"))?.status, "DENIED");
    const denied = w.events.find((e) => e.kind === "OrderDenied");
    assert.ok(denied?.kind === "OrderDenied");
    assert.equal(denied.reason, "QUEUE_FULL");
    assert.equal(w.engine.stats().queueDenials, 1);
    while (!w.engine.executorIdle) {
      pending.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
    await w.engine.idle();
    assert.deepEqual(
      ["o1", "o2", "o3"].map((id) => w.engine.order(clientOrderId(id))?.status),
      ["ACCEPTED", "ACCEPTED", "ACCEPTED"],
    );
    assert.equal(w.engine.stats().ordersSubmitted, 3);
  });

  test("an order canceled while it waits in the queue is CANCELED and never reaches the venue", async () => {
    const { venue, pending } = deferredVenue();
    const w = wire(venue, undefined, { executor: { maxInFlight: 1 } });
    for (const id of ["o1", "o2", "o3"]) w.bus.publish(Topic.SubmitOrder, submitCmd(id));
    assert.equal(w.engine.order(clientOrderId("o2"))?.status, "INITIALIZED");
    w.bus.publish(Topic.CancelOrder, {
      kind: "CancelOrder",
      clientOrderId: clientOrderId("o2"),
      strategyId: S1,
      instrumentId: BTCUSDT,
      createdAt: asMicros(T0),
    });
    assert.equal(w.engine.order(clientOrderId("o2"))?.status, "CANCELED");
    while (!w.engine.executorIdle) {
      pending.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
    await w.engine.idle();
    assert.deepEqual(
      venue.requests.map((r) => r.clientOrderId),
      ["o1", "o3"],
      "the canceled order was never sent",
    );
    assert.equal(w.engine.order(clientOrderId("o2"))?.status, "CANCELED");
    assert.equal(w.engine.stats().invalidTransitions, 0);
    assert.equal(w.events.filter((e) => e.kind === "OrderCanceled").length, 1);
    assert.deepEqual(w.problems, []);
  });

  test("the executor never has more than maxInFlight orders at the venue; protective orders go first", async () => {
    const { venue, pending } = deferredVenue();
    const w = wire(venue, undefined, { executor: { maxInFlight: 2 } });
    for (let i = 1; i <= 5; i++) w.bus.publish(Topic.SubmitOrder, submitCmd(`o${i}`));
    w.bus.publish(Topic.SubmitOrder, submitCmd("p1", { side: "SELL", reduceOnly: true }));
    assert.equal(venue.requests.length, 2);
    pending.shift()?.();
    await new Promise((r) => setImmediate(r));
    assert.equal(venue.requests.length, 3);
    assert.equal(venue.requests[2]?.clientOrderId, "p1", "the reduce-only order jumps the queue");
    while (!w.engine.executorIdle) {
      assert.ok(w.engine.executorStats().inFlight <= 2);
      pending.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
    await w.engine.idle();
    assert.equal(venue.requests.length, 6);
    assert.equal(w.engine.executorStats().maxInFlightSeen, 2);
    assert.equal(w.engine.stats().ordersAccepted, 6);
  });
});
