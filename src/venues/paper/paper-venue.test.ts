import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  asMicros,
  type ClientOrderId,
  clientOrderId,
  Decimal,
  dec,
  instrumentId,
  MICROS_PER_MINUTE,
  TestClock,
  tradeId,
} from "../../core/index.ts";
import type {
  SubmitResult,
  VenueEvent,
  VenueFill,
  VenueOrderExpired,
  VenueOrderRequest,
} from "../../model/index.ts";
import { type Bar, type Instrument, parseInstrument, type TradeTick } from "../../model/index.ts";
import { PaperVenue, type PaperVenueConfig } from "./index.ts";

const BTCUSDT = instrumentId("BTCUSDT");
const T0 = Date.UTC(2024, 0, 1) * 1000;

/** BTCUSDT with Binance's real filter values (tick 0.01, step 0.00001, min notional 5). */
function btcusdt(): Instrument {
  return parseInstrument({
    symbol: "BTCUSDT",
    status: "TRADING",
    baseAsset: "BTC",
    quoteAsset: "USDT",
    filters: [
      { filterType: "PRICE_FILTER", minPrice: "0.01", maxPrice: "1000000.00", tickSize: "0.01" },
      { filterType: "LOT_SIZE", minQty: "0.00001", maxQty: "9000.00000", stepSize: "0.00001" },
      { filterType: "NOTIONAL", minNotional: "5.00", maxNotional: "9000000.00" },
    ],
  });
}

interface Harness {
  venue: PaperVenue;
  clock: TestClock;
  events: VenueEvent[];
  fills: () => VenueFill[];
  submit: (req: Partial<VenueOrderRequest> & { id: string }) => Promise<SubmitResult>;
  trade: (price: string, atMinute?: number) => void;
  bar: (o: string, h: string, l: string, c: string, minute: number, closed?: boolean) => void;
}

function harness(config: Partial<PaperVenueConfig> = {}): Harness {
  const clock = new TestClock(T0);
  const venue = new PaperVenue({
    clock,
    instruments: [btcusdt()],
    initialBalances: { USDT: "10000" },
    ...config,
  });
  const events: VenueEvent[] = [];
  venue.onEvent((e) => events.push(e));
  let tradeSeq = 0;
  return {
    venue,
    clock,
    events,
    fills: () => events.flatMap((e) => (e.kind === "fill" ? [e.fill] : [])),
    submit: (req) =>
      venue.submit({
        clientOrderId: clientOrderId(req.id),
        instrumentId: req.instrumentId ?? BTCUSDT,
        side: req.side ?? "BUY",
        type: req.type ?? "MARKET",
        quantity: req.quantity ?? dec("0.01"),
        price: req.price,
        stopPrice: req.stopPrice,
        timeInForce: req.timeInForce,
      }),
    trade: (price, atMinute) => {
      const t = asMicros(atMinute === undefined ? clock.now() : T0 + atMinute * MICROS_PER_MINUTE);
      const tick: TradeTick = {
        kind: "trade",
        instrumentId: BTCUSDT,
        tradeId: tradeId(++tradeSeq),
        price: dec(price),
        quantity: dec("0.5"),
        aggressor: "SELL",
        eventTime: t,
        receivedAt: t,
      };
      venue.onTrade(tick);
    },
    bar: (o, h, l, c, minute, closed = true) => {
      const openTime = T0 + minute * MICROS_PER_MINUTE;
      const b: Bar = {
        kind: "bar",
        instrumentId: BTCUSDT,
        interval: "1m",
        openTime: asMicros(openTime),
        closeTime: asMicros(openTime + MICROS_PER_MINUTE - 1000),
        open: dec(o),
        high: dec(h),
        low: dec(l),
        close: dec(c),
        volume: dec("10"),
        quoteVolume: dec("1000"),
        tradeCount: 10,
        closed,
        receivedAt: asMicros(openTime + MICROS_PER_MINUTE),
      };
      clock.set(b.closeTime);
      venue.onMarketEvent(b);
    },
  };
}

function assertAccepted(result: SubmitResult): void {
  assert.equal(result.kind, "accepted", result.kind === "rejected" ? result.reason : "");
}

function assertRejected(result: SubmitResult, pattern: RegExp): void {
  assert.equal(result.kind, "rejected");
  assert.match(result.kind === "rejected" ? result.reason : "", pattern);
}

describe("PaperVenue market orders", () => {
  test("a market buy placed before any market data waits, then fills at the next trade's price", async () => {
    const h = harness();
    assertAccepted(await h.submit({ id: "m1", quantity: dec("0.01") }));
    assert.equal(h.fills().length, 0, "no fill without a price");
    h.trade("42000.50");
    const [fill] = h.fills();
    assert.ok(fill);
    assert.equal(fill.price.toString(), "42000.5");
    assert.equal(fill.quantity.toString(), "0.01");
    assert.equal(fill.liquidity, "TAKER");
    // 0.01 x 42000.50 = 420.005; fee 0.1 % = 0.420005 USDT, exact.
    assert.equal(fill.commission.toString(), "0.420005");
    assert.equal(fill.commissionAsset, "USDT");
    assert.equal(h.venue.balance("USDT").free.toString(), "9579.574995");
    assert.equal(h.venue.balance("USDT").locked.toString(), "0");
    assert.equal(h.venue.balance("BTC").free.toString(), "0.01");
    assert.equal(h.venue.openOrderCount, 0);
  });

  test("a market order fills at the NEXT trade, not the last one seen before it", async () => {
    const h = harness();
    h.trade("40000.00");
    assertAccepted(await h.submit({ id: "m1" }));
    assert.equal(h.fills().length, 0);
    h.trade("40010.00");
    assert.equal(h.fills()[0]?.price.toString(), "40010");
  });

  test("with bars only, a market order fills at the next bar's open, never at the previous close or 0", async () => {
    const h = harness();
    h.bar("100.00", "110.00", "90.00", "105.00", 0);
    assertAccepted(await h.submit({ id: "m1", quantity: dec("1") }));
    h.bar("106.00", "120.00", "101.00", "119.00", 1);
    const [fill] = h.fills();
    assert.ok(fill);
    assert.equal(fill.price.toString(), "106");
    assert.ok(fill.price.isPositive());
  });

  test("a market order placed before any data fills at the first bar's open", async () => {
    const h = harness();
    assertAccepted(await h.submit({ id: "m1", quantity: dec("1") }));
    h.bar("77.00", "80.00", "70.00", "79.00", 0);
    assert.equal(h.fills()[0]?.price.toString(), "77");
  });

  test("open bars, zero-price trades and inconsistent bars never fill anything", async () => {
    const h = harness();
    assertAccepted(await h.submit({ id: "m1", quantity: dec("1") }));
    h.bar("100.00", "110.00", "90.00", "105.00", 0, false);
    h.trade("0");
    h.bar("100.00", "99.00", "90.00", "95.00", 1); // high below open
    assert.equal(h.fills().length, 0);
    assert.equal(h.venue.stats().marketEventsIgnored, 3);
    h.trade("101.00");
    assert.equal(h.fills()[0]?.price.toString(), "101");
  });

  test("a market buy the account cannot pay at the fill price expires with the reason", async () => {
    const h = harness({ initialBalances: { USDT: "100" } });
    assertAccepted(await h.submit({ id: "m1", quantity: dec("1") }));
    h.trade("150.00");
    assert.equal(h.fills().length, 0);
    const expired = h.events.find((e): e is VenueOrderExpired => e.kind === "expired");
    assert.ok(expired);
    assert.match(expired.reason, /insufficient balance/);
    assert.equal(h.venue.balance("USDT").free.toString(), "100");
    assert.equal(h.venue.openOrderCount, 0);
  });

  test("a market buy larger than the free balance at the last price is rejected up front", async () => {
    const h = harness({ initialBalances: { USDT: "100" } });
    h.trade("99.00");
    assertRejected(await h.submit({ id: "m1", quantity: dec("1.1") }), /insufficient balance/);
    assert.equal(h.venue.stats().ordersRejected, 1);
  });

  test("a market sell needs the base asset, locks it, and credits quote net of the fee", async () => {
    const h = harness({ initialBalances: { USDT: "0", BTC: "2" } });
    assertRejected(await h.submit({ id: "s0", side: "SELL", quantity: dec("3") }), /insufficient balance/);
    assert.equal(h.venue.balance("BTC").free.toString(), "2", "a rejected sell locks nothing");
    assertAccepted(await h.submit({ id: "s1", side: "SELL", quantity: dec("2") }));
    assert.equal(h.venue.balance("BTC").locked.toString(), "2");
    h.trade("100.00");
    assert.equal(h.venue.balance("BTC").free.toString(), "0");
    assert.equal(h.venue.balance("BTC").locked.toString(), "0");
    assert.equal(h.venue.balance("USDT").free.toString(), "199.8");
  });
});

describe("PaperVenue limit orders", () => {
  test("a buy limit rests, locks quote, and fills at its price as a maker when a later trade reaches it", async () => {
    const h = harness({ makerFeeRate: "0.0005", takerFeeRate: "0.001" });
    h.trade("105.00");
    assertAccepted(await h.submit({ id: "l1", type: "LIMIT", quantity: dec("1"), price: dec("100.00") }));
    // Reserved: 100 x (1 + max(maker, taker)) = 100.1
    assert.equal(h.venue.balance("USDT").locked.toString(), "100.1");
    h.trade("101.00");
    h.trade("100.01");
    assert.equal(h.fills().length, 0);
    h.trade("99.90");
    const [fill] = h.fills();
    assert.ok(fill);
    assert.equal(fill.price.toString(), "100", "a resting order fills at its own price");
    assert.equal(fill.liquidity, "MAKER");
    assert.equal(fill.commission.toString(), "0.05");
    assert.equal(h.venue.balance("USDT").free.toString(), "9899.95");
    assert.equal(h.venue.balance("USDT").locked.toString(), "0");
    assert.equal(h.venue.balance("BTC").free.toString(), "1");
  });

  test("a buy limit already marketable on arrival fills at the next trade's better price as a taker", async () => {
    const h = harness({ makerFeeRate: "0.0005", takerFeeRate: "0.001" });
    h.trade("100.00");
    assertAccepted(await h.submit({ id: "l1", type: "LIMIT", quantity: dec("1"), price: dec("105.00") }));
    h.trade("100.20");
    const [fill] = h.fills();
    assert.equal(fill?.price.toString(), "100.2");
    assert.equal(fill?.liquidity, "TAKER");
    assert.equal(fill?.commission.toString(), "0.1002");
  });

  test("a limit the last price does not reach rests at once: its first crossing trade fills it at the limit, as a maker", async () => {
    const h = harness({ initialBalances: { BTC: "1" }, makerFeeRate: "0.0005", takerFeeRate: "0.001" });
    h.trade("95.50");
    assertAccepted(
      await h.submit({ id: "s1", side: "SELL", type: "LIMIT", quantity: dec("1"), price: dec("100.00") }),
    );
    h.trade("100.10");
    assert.equal(h.fills()[0]?.price.toString(), "100");
    assert.equal(h.fills()[0]?.liquidity, "MAKER");
    assert.equal(h.venue.balance("USDT").free.toString(), "99.95");
  });

  test("a sell limit fills when a trade reaches it from below", async () => {
    const h = harness({ initialBalances: { BTC: "1" } });
    h.trade("100.00");
    assertAccepted(
      await h.submit({ id: "s1", side: "SELL", type: "LIMIT", quantity: dec("1"), price: dec("110.00") }),
    );
    assert.equal(h.venue.balance("BTC").locked.toString(), "1");
    h.trade("109.99");
    assert.equal(h.fills().length, 0);
    h.trade("110.50");
    assert.equal(h.fills()[0]?.price.toString(), "110");
    assert.equal(h.venue.balance("USDT").free.toString(), "109.89");
  });

  test("a bar whose range reaches a resting limit fills it at the limit; a bar opening through it fills at the open", async () => {
    const h = harness();
    h.bar("105.00", "106.00", "101.00", "104.00", 0);
    assertAccepted(await h.submit({ id: "a", type: "LIMIT", quantity: dec("1"), price: dec("100.00") }));
    h.bar("104.00", "105.00", "99.00", "103.00", 1);
    assert.equal(h.fills()[0]?.price.toString(), "100");
    assert.equal(h.fills()[0]?.liquidity, "MAKER");
    assertAccepted(await h.submit({ id: "b", type: "LIMIT", quantity: dec("1"), price: dec("100.00") }));
    h.bar("98.00", "99.00", "97.00", "98.50", 2);
    assert.equal(
      h.fills()[1]?.price.toString(),
      "98",
      "price improvement when the bar opens through the limit",
    );
  });

  test("a bar that opened before the order arrived cannot fill it", async () => {
    const h = harness();
    h.bar("105.00", "106.00", "101.00", "104.00", 1);
    assertAccepted(await h.submit({ id: "a", type: "LIMIT", quantity: dec("1"), price: dec("100.00") }));
    // A stale bar (say a 5m bar covering the past) reaches the limit, but describes prices before the order.
    h.bar("104.00", "105.00", "95.00", "103.00", 0);
    assert.equal(h.fills().length, 0);
    h.bar("104.00", "105.00", "99.50", "103.00", 2);
    assert.equal(h.fills().length, 1);
  });

  test("a grid of 5 resting buys fills level by level as the price falls", async () => {
    const h = harness();
    h.trade("100.00");
    const levels = ["99.00", "98.00", "97.00", "96.00", "95.00"];
    for (const [i, p] of levels.entries()) {
      assertAccepted(await h.submit({ id: `g${i}`, type: "LIMIT", quantity: dec("1"), price: dec(p) }));
    }
    assert.equal(h.venue.openOrderCount, 5);
    // 485 x 1.001 reserved for the five levels.
    assert.equal(h.venue.balance("USDT").locked.toString(), "485.485");
    const filledIds = () => h.fills().map((f) => `${f.clientOrderId}@${f.price}`);
    h.trade("99.50");
    assert.deepEqual(filledIds(), []);
    h.trade("98.90");
    assert.deepEqual(filledIds(), ["g0@99"]);
    h.trade("97.50");
    assert.deepEqual(filledIds(), ["g0@99", "g1@98"]);
    h.trade("95.80"); // reaches two levels at once: best price first
    assert.deepEqual(filledIds(), ["g0@99", "g1@98", "g2@97", "g3@96"]);
    h.trade("96.50");
    h.trade("94.00");
    assert.deepEqual(filledIds(), ["g0@99", "g1@98", "g2@97", "g3@96", "g4@95"]);
    assert.equal(h.venue.openOrderCount, 0);
    assert.equal(h.venue.balance("USDT").locked.toString(), "0");
    assert.equal(h.venue.balance("BTC").free.toString(), "5");
    // 10000 - 485 - 0.485 fees
    assert.equal(h.venue.balance("USDT").free.toString(), "9514.515");
    const tradeIds = new Set(h.fills().map((f) => f.tradeId));
    const venueIds = new Set(h.fills().map((f) => f.venueOrderId));
    assert.equal(tradeIds.size, 5, "every fill has its own trade id");
    assert.equal(venueIds.size, 5, "every order has its own venue order id");
  });

  test("a grid on bars: one falling bar fills every level its range reaches", async () => {
    const h = harness();
    h.bar("100.00", "100.50", "99.50", "100.00", 0);
    for (const [i, p] of ["99.00", "98.00", "97.00", "96.00", "95.00"].entries()) {
      assertAccepted(await h.submit({ id: `g${i}`, type: "LIMIT", quantity: dec("1"), price: dec(p) }));
    }
    h.bar("100.00", "100.20", "97.40", "97.60", 1);
    assert.deepEqual(
      h.fills().map((f) => f.price.toString()),
      ["99", "98"],
    );
    h.bar("97.60", "98.00", "94.10", "94.50", 2);
    assert.deepEqual(
      h.fills().map((f) => f.price.toString()),
      ["99", "98", "97", "96", "95"],
    );
  });

  test("cancel removes a resting order, releases its funds, and a later crossing trade does not fill it", async () => {
    const h = harness();
    h.trade("100.00");
    assertAccepted(await h.submit({ id: "c1", type: "LIMIT", quantity: dec("1"), price: dec("90.00") }));
    assert.equal(h.venue.balance("USDT").locked.toString(), "90.09");
    const result = await h.venue.cancel({ clientOrderId: clientOrderId("c1"), instrumentId: BTCUSDT });
    assert.equal(result.kind, "canceled");
    assert.equal(h.venue.balance("USDT").locked.toString(), "0");
    assert.equal(h.venue.balance("USDT").free.toString(), "10000");
    h.trade("80.00");
    assert.equal(h.fills().length, 0);
    const again = await h.venue.cancel({ clientOrderId: clientOrderId("c1"), instrumentId: BTCUSDT });
    assert.equal(again.kind, "rejected");
    assert.deepEqual(await h.venue.openOrders(), []);
  });

  test("openOrders lists resting orders with their venue ids", async () => {
    const h = harness();
    assertAccepted(await h.submit({ id: "o1", type: "LIMIT", quantity: dec("1"), price: dec("90.00") }));
    assertAccepted(await h.submit({ id: "o2", type: "LIMIT", quantity: dec("1"), price: dec("91.00") }));
    const open = await h.venue.openOrders();
    assert.deepEqual(
      open.map((o) => [o.clientOrderId, o.venueOrderId, o.price?.toString()]),
      [
        ["o1", "1", "90"],
        ["o2", "2", "91"],
      ],
    );
  });
});

describe("PaperVenue rejections", () => {
  test("a buy the account cannot pay is rejected with the reason and leaves balances untouched", async () => {
    const h = harness();
    const r = await h.submit({ id: "big", type: "LIMIT", quantity: dec("1"), price: dec("20000.00") });
    // Binance's words; the engine needed 20020 USDT (price x quantity + the fee reserve).
    assertRejected(r, /^Account has insufficient balance for requested action\.$/);
    assert.equal(h.venue.balance("USDT").free.toString(), "10000");
    assert.equal(h.venue.balance("USDT").locked.toString(), "0");
    assert.equal(h.venue.openOrderCount, 0);
  });

  test("orders breaking the instrument filters are rejected with the filter's reason", async () => {
    const h = harness();
    const cases: Array<[Partial<VenueOrderRequest>, RegExp]> = [
      [{ type: "LIMIT", quantity: dec("0.000015"), price: dec("100.00") }, /Filter failure: .*stepSize/],
      [{ type: "LIMIT", quantity: dec("1"), price: dec("100.005") }, /Filter failure: .*tickSize/],
      [{ type: "LIMIT", quantity: dec("0.01"), price: dec("100.00") }, /Filter failure: .*minNotional/],
      [{ type: "LIMIT", quantity: dec("0"), price: dec("100.00") }, /Filter failure: .*positive/],
      [{ type: "MARKET", quantity: dec("0.000001") }, /Filter failure: .*minQty/],
    ];
    for (const [i, [req, pattern]] of cases.entries()) {
      assertRejected(await h.submit({ id: `f${i}`, ...req }), pattern);
    }
    assert.equal(h.venue.stats().ordersRejected, cases.length);
    assert.equal(h.venue.balance("USDT").locked.toString(), "0");
  });

  test("a market order below min notional at the last price is rejected", async () => {
    const h = harness();
    h.trade("100.00");
    assertRejected(await h.submit({ id: "m", quantity: dec("0.01") }), /minNotional/);
  });

  test("malformed requests, unknown symbols and duplicate ids are rejected with Binance's reasons", async () => {
    const h = harness();
    assertRejected(
      await h.submit({ id: "x1", type: "STOP_LOSS", quantity: dec("1") }),
      /^Mandatory parameter 'stopPrice'/,
    );
    assertRejected(
      await h.submit({
        id: "x2",
        type: "LIMIT",
        price: dec("100.00"),
        quantity: dec("1"),
        stopPrice: dec("99"),
      }),
      /^Unsupported order combination$/,
    );
    assertRejected(await h.submit({ id: "x3", instrumentId: instrumentId("ETHUSDT") }), /^Invalid symbol\.$/);
    assertRejected(
      await h.submit({ id: "x4", type: "LIMIT", quantity: dec("1") }),
      /^Mandatory parameter 'price'/,
    );
    assertRejected(await h.submit({ id: "x5", price: dec("100.00") }), /^Unsupported order combination$/);
    assertAccepted(await h.submit({ id: "dup", type: "LIMIT", quantity: dec("1"), price: dec("90.00") }));
    assertRejected(
      await h.submit({ id: "dup", type: "LIMIT", quantity: dec("1"), price: dec("90.00") }),
      /Duplicate/,
    );
  });

  test("bad configuration fails with the key named", () => {
    const clock = new TestClock(T0);
    assert.throws(
      () => new PaperVenue({ clock, instruments: [], initialBalances: { USDT: "ten" } }),
      /initialBalances|USDT/,
    );
    assert.throws(() => new PaperVenue({ clock, instruments: [], makerFeeRate: "1.5" }), /makerFeeRate/);
    assert.throws(() => new PaperVenue({ clock, instruments: [], takerFeeRate: "-0.1" }), /takerFeeRate/);
  });
});

test("trade ids are unique across fills that share a timestamp", async () => {
  const h = harness();
  const ids: ClientOrderId[] = [];
  for (let i = 0; i < 3; i++) {
    const id = `u${i}`;
    ids.push(clientOrderId(id));
    assertAccepted(await h.submit({ id, quantity: dec("1") }));
  }
  h.trade("100.00");
  const fills = h.fills();
  assert.deepEqual(
    fills.map((f) => f.clientOrderId),
    ids,
  );
  assert.equal(new Set(fills.map((f) => f.tradeId)).size, 3);
  assert.ok(fills.every((f) => f.ts === h.clock.now()));
  assert.equal(fills.reduce((sum, f) => sum.add(f.quantity), Decimal.ZERO).toString(), "3");
});

describe("PaperVenue queryOrder", () => {
  test("answers open, filled, canceled, and absent for an order it never had", async () => {
    const h = harness();
    const qty = dec("0.1");
    assertAccepted(
      await h.submit({ id: "rest", type: "LIMIT", price: dec("90"), timeInForce: "GTC", quantity: qty }),
    );
    assertAccepted(
      await h.submit({ id: "cxl", type: "LIMIT", price: dec("80"), timeInForce: "GTC", quantity: qty }),
    );
    assertAccepted(await h.submit({ id: "mkt", quantity: qty }));
    h.trade("100");
    await h.venue.cancel({ clientOrderId: clientOrderId("cxl"), instrumentId: BTCUSDT });
    assert.equal(await h.venue.queryOrder(clientOrderId("rest"), BTCUSDT), "open");
    assert.equal(await h.venue.queryOrder(clientOrderId("mkt"), BTCUSDT), "filled");
    assert.equal(await h.venue.queryOrder(clientOrderId("cxl"), BTCUSDT), "canceled");
    assert.equal(await h.venue.queryOrder(clientOrderId("never"), BTCUSDT), "absent");
  });
});

describe("PaperVenue over the matching engine", () => {
  const id = (s: string) => clientOrderId(s);

  test("queryOrder answers expired, rejected (after the latency), and absent for another instrument", async () => {
    const h = harness({ initialBalances: { USDT: "100" }, latencyMicros: MICROS_PER_MINUTE });
    h.trade("105.00", 0);
    assertAccepted(
      await h.submit({ id: "mk", type: "LIMIT_MAKER", quantity: dec("0.5"), price: dec("100.00") }),
    );
    assertAccepted(await h.submit({ id: "big", quantity: dec("0.4") }));
    assert.equal(await h.venue.queryOrder(id("mk"), BTCUSDT), "open", "waiting out the latency is open");
    h.trade("95.00", 0); // before the orders reach the book
    h.trade("300.00", 1); // both arrive: the maker would take at 95, the market buy cannot pay 0.4 x 300
    assert.equal(await h.venue.queryOrder(id("mk"), BTCUSDT), "rejected");
    assert.equal(await h.venue.queryOrder(id("big"), BTCUSDT), "expired");
    assert.equal(await h.venue.queryOrder(id("big"), instrumentId("ETHUSDT")), "absent");
    assert.deepEqual(
      h.events.map((e) => e.kind),
      ["rejected", "expired"],
    );
    assert.equal(h.venue.balance("USDT").free.toString(), "100");
  });

  test("cancel of an order under another instrument is rejected and leaves the order open", async () => {
    const h = harness();
    assertAccepted(await h.submit({ id: "c1", type: "LIMIT", quantity: dec("1"), price: dec("90.00") }));
    const r = await h.venue.cancel({ clientOrderId: id("c1"), instrumentId: instrumentId("ETHUSDT") });
    assert.deepEqual(r.kind === "rejected" ? r.reason : r.kind, "Unknown order sent.");
    assert.equal(await h.venue.queryOrder(id("c1"), BTCUSDT), "open");
    assert.equal(h.venue.openOrderCount, 1);
  });

  test("stop and IOC orders now pass through to the engine", async () => {
    const h = harness({ initialBalances: { USDT: "10000", BTC: "1" } });
    h.trade("100.00");
    assertAccepted(
      await h.submit({
        id: "sl",
        side: "SELL",
        type: "STOP_LOSS",
        quantity: dec("1"),
        stopPrice: dec("95.00"),
      }),
    );
    assertAccepted(
      await h.submit({
        id: "ioc",
        type: "LIMIT",
        timeInForce: "IOC",
        quantity: dec("1"),
        price: dec("90.00"),
      }),
    );
    h.trade("96.00");
    assert.equal(await h.venue.queryOrder(id("ioc"), BTCUSDT), "expired");
    assert.equal(await h.venue.queryOrder(id("sl"), BTCUSDT), "open");
    h.trade("94.50");
    assert.deepEqual(
      h.fills().map((f) => `${f.clientOrderId}@${f.price}`),
      ["sl@94.5"],
    );
  });

  test("feeAsset, slippage and participation pass through to the engine", async () => {
    const received = harness({ feeAsset: "received" });
    assertAccepted(await received.submit({ id: "b", quantity: dec("1") }));
    received.trade("100.00");
    assert.equal(received.fills()[0]?.commissionAsset, "BTC");
    assert.equal(received.fills()[0]?.commission.toString(), "0.001");
    assert.equal(received.venue.balance("BTC").free.toString(), "0.999");

    const slipped = harness({ slippage: { kind: "ticks", ticks: 2 } });
    assertAccepted(await slipped.submit({ id: "b", quantity: dec("1") }));
    slipped.trade("100.00");
    assert.equal(slipped.fills()[0]?.price.toString(), "100.02");

    // Each trade of the harness is 0.5 BTC: at 50 % participation an order gets 0.25 per trade.
    const partial = harness({ participation: "0.5" });
    assertAccepted(await partial.submit({ id: "b", quantity: dec("0.6") }));
    partial.trade("100.00");
    partial.trade("100.00");
    assert.equal(await partial.venue.queryOrder(id("b"), BTCUSDT), "open");
    partial.trade("100.00");
    assert.deepEqual(
      partial.fills().map((f) => [f.quantity.toString(), f.cumulativeQty?.toString()]),
      [
        ["0.25", "0.25"],
        ["0.25", "0.5"],
        ["0.1", "0.6"],
      ],
    );
    assert.equal(await partial.venue.queryOrder(id("b"), BTCUSDT), "filled");
  });

  test("a bar that opened before the newest trade is dropped and counted", async () => {
    const h = harness();
    h.trade("100.00", 1);
    assertAccepted(await h.submit({ id: "l", type: "LIMIT", quantity: dec("1"), price: dec("99.00") }));
    h.bar("100.00", "100.00", "98.00", "99.50", 1); // its low was before the order
    assert.equal(h.fills().length, 0);
    assert.equal(h.venue.stats().marketEventsIgnored, 1);
    h.bar("99.50", "99.60", "98.90", "99.00", 2);
    assert.equal(h.fills()[0]?.price.toString(), "99");
  });

  test("book tickers fill a market order at the ask, up to the touch size", async () => {
    const h = harness();
    assertAccepted(await h.submit({ id: "m", quantity: dec("1") }));
    const t = asMicros(T0);
    h.venue.onMarketEvent({
      kind: "quote",
      instrumentId: BTCUSDT,
      bid: dec("99.00"),
      bidSize: dec("5"),
      ask: dec("100.00"),
      askSize: dec("0.4"),
      eventTime: t,
      receivedAt: t,
    });
    assert.deepEqual(
      h.fills().map((f) => `${f.quantity}@${f.price}`),
      ["0.4@100"],
    );
  });

  test("closedOrdersRetained bounds what queryOrder remembers: the oldest is forgotten", async () => {
    const h = harness({ closedOrdersRetained: 1 });
    assertAccepted(await h.submit({ id: "a", quantity: dec("1") }));
    assertAccepted(await h.submit({ id: "b", quantity: dec("1") }));
    h.trade("100.00");
    assert.equal(await h.venue.queryOrder(id("a"), BTCUSDT), "absent");
    assert.equal(await h.venue.queryOrder(id("b"), BTCUSDT), "filled");
  });

  test("a throwing listener does not stop the others; its error is rethrown after the event", async () => {
    const h = harness();
    h.venue.onEvent(() => {
      throw new Error("listener broke");
    });
    const seen: string[] = [];
    h.venue.onEvent((e) => seen.push(e.kind));
    assertAccepted(await h.submit({ id: "a", quantity: dec("1") }));
    assertAccepted(await h.submit({ id: "b", quantity: dec("1") }));
    assert.throws(() => h.trade("100.00"), /listener broke/);
    assert.deepEqual(seen, ["fill", "fill"]);
    assert.equal(h.venue.stats().listenerFailures, 2);
    assert.equal(h.venue.openOrderCount, 0);
  });

  test("bad settings of the engine's options fail with the key named", () => {
    const clock = new TestClock(T0);
    const base = { clock, instruments: [] };
    assert.throws(() => new PaperVenue({ ...base, latencyMicros: -1 }), /latencyMicros/);
    assert.throws(() => new PaperVenue({ ...base, participation: "2" }), /participation/);
    assert.throws(() => new PaperVenue({ ...base, feeAsset: "base" as never }), /feeAsset/);
    assert.throws(() => new PaperVenue({ ...base, slippage: { kind: "bps", bps: "-1" } }), /slippage/);
  });
});
