import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { clientOrderId, DesError, dec, TestClock } from "../../../core/index.ts";
import type { SubmitResult, VenueOrderExpired, VenueOrderRejected } from "../../../model/index.ts";
import { BTCUSDT, matchingHarness, testInstrument } from "./matching.fixture.ts";
import { PaperMatchingEngine } from "./paper-matching-engine.ts";
import { MatchingReason } from "./reject-reasons.ts";

function accepted(r: SubmitResult): void {
  assert.equal(r.kind, "accepted", r.kind === "rejected" ? r.reason : "");
}

function rejected(r: SubmitResult, reason: string | RegExp): void {
  assert.equal(r.kind, "rejected");
  const text = r.kind === "rejected" ? r.reason : "";
  if (typeof reason === "string") assert.equal(text, reason);
  else assert.match(text, reason);
}

const id = (s: string) => clientOrderId(s);

describe("PaperMatchingEngine: market orders", () => {
  test("a market buy fills at the NEXT trade's price as a taker, fee in quote, balances exact", () => {
    const h = matchingHarness();
    h.trade("100.00");
    accepted(h.submit({ id: "m1", qty: "2" }));
    // Reserved at the last price: 2 x 100 x 1.001 = 200.2
    assert.equal(h.locked("USDT"), "200.2");
    assert.equal(h.fills().length, 0, "never at a price seen before the order");
    h.trade("101.00", "5");
    const [f] = h.fills();
    assert.ok(f);
    assert.equal(f.price.toString(), "101");
    assert.equal(f.quantity.toString(), "2");
    assert.equal(f.liquidity, "TAKER");
    assert.equal(f.commission.toString(), "0.202");
    assert.equal(f.commissionAsset, "USDT");
    assert.equal(f.cumulativeQty?.toString(), "2");
    assert.equal(h.free("USDT"), "9797.798");
    assert.equal(h.locked("USDT"), "0");
    assert.equal(h.free("BTC"), "12");
    assert.equal(h.engine.query(id("m1"))?.status, "FILLED");
    assert.equal(h.engine.openOrders().length, 0);
  });

  test("a market sell locks the base, credits quote net of the fee", () => {
    const h = matchingHarness();
    accepted(h.submit({ id: "s1", side: "SELL", qty: "3" }));
    assert.equal(h.locked("BTC"), "3");
    h.trade("50.00");
    assert.equal(h.free("BTC"), "7");
    assert.equal(h.locked("BTC"), "0");
    assert.equal(h.free("USDT"), "10149.85"); // 150 - 0.15 fee
  });

  test("a market buy the account cannot pay at the fill price expires with Binance's reason", () => {
    const h = matchingHarness({ initialBalances: { USDT: "100" } });
    accepted(h.submit({ id: "m1", qty: "1" })); // no price known: nothing reserved yet
    h.trade("150.00");
    const expired = h.events.find((e): e is VenueOrderExpired => e.kind === "expired");
    assert.equal(expired?.reason, MatchingReason.InsufficientBalance);
    assert.equal(h.fills().length, 0);
    assert.equal(h.free("USDT"), "100");
  });

  test("with bars only, a market order fills at the next bar's open", () => {
    const h = matchingHarness();
    h.bar("100", "110", "90", "105", 0);
    accepted(h.submit({ id: "m1" }));
    h.bar("106", "120", "101", "119", 1);
    assert.equal(h.fills()[0]?.price.toString(), "106");
  });
});

describe("PaperMatchingEngine: limit orders and time in force", () => {
  test("a GTC buy below the market rests, locks price x qty + max fee, fills as maker at its price", () => {
    const h = matchingHarness({ makerFeeRate: "0.0005", takerFeeRate: "0.001" });
    h.trade("105.00");
    accepted(h.submit({ id: "l1", type: "LIMIT", qty: "1", price: "100.00" }));
    assert.equal(h.locked("USDT"), "100.1");
    assert.equal(h.engine.query(id("l1"))?.status, "NEW");
    h.trade("100.01");
    assert.equal(h.fills().length, 0);
    h.trade("99.50"); // prints through: the resting order was hit at its price
    const [f] = h.fills();
    assert.equal(f?.price.toString(), "100");
    assert.equal(f?.liquidity, "MAKER");
    assert.equal(f?.commission.toString(), "0.05");
    assert.equal(h.locked("USDT"), "0");
    assert.equal(h.free("USDT"), "9899.95");
  });

  test("a resting limit fills when a trade prints exactly at its price", () => {
    const h = matchingHarness();
    h.trade("105.00");
    accepted(h.submit({ id: "l1", type: "LIMIT", price: "100.00" }));
    h.trade("100.00");
    assert.equal(h.fills().length, 1);
  });

  test("a marketable GTC limit takes at the next trade's better price", () => {
    const h = matchingHarness();
    h.trade("100.00");
    accepted(h.submit({ id: "l1", type: "LIMIT", price: "105.00" }));
    h.trade("101.00");
    const [f] = h.fills();
    assert.equal(f?.price.toString(), "101");
    assert.equal(f?.liquidity, "TAKER");
  });

  test("a marketable GTC limit the next trade does not reach rests and fills later as a maker", () => {
    const h = matchingHarness();
    h.trade("100.00");
    accepted(h.submit({ id: "l1", type: "LIMIT", price: "100.00" }));
    h.trade("100.50");
    assert.equal(h.fills().length, 0);
    assert.equal(h.engine.query(id("l1"))?.status, "NEW");
    h.trade("99.00");
    assert.equal(h.fills()[0]?.liquidity, "MAKER");
    assert.equal(h.fills()[0]?.price.toString(), "100");
  });

  test("IOC fills what the trade offers (participation) and expires the rest", () => {
    const h = matchingHarness({ participation: "0.5" });
    h.trade("100.00");
    accepted(h.submit({ id: "i1", type: "LIMIT", timeInForce: "IOC", qty: "2", price: "100.00" }));
    h.trade("100.00", "1");
    assert.deepEqual(
      h.fills().map((f) => f.quantity.toString()),
      ["0.5"],
    );
    const expired = h.events.find((e): e is VenueOrderExpired => e.kind === "expired");
    assert.equal(expired?.reason, MatchingReason.IocExpired);
    assert.equal(h.engine.query(id("i1"))?.status, "EXPIRED");
    assert.equal(h.engine.query(id("i1"))?.filledQty.toString(), "0.5");
    assert.equal(h.locked("USDT"), "0", "the unfilled part's reservation is released");
  });

  test("a non-marketable IOC expires at the next event without a fill, even if that event reaches it", () => {
    const h = matchingHarness();
    h.trade("105.00");
    accepted(h.submit({ id: "i1", type: "LIMIT", timeInForce: "IOC", price: "100.00" }));
    h.trade("99.00");
    assert.equal(h.fills().length, 0);
    assert.equal(h.engine.query(id("i1"))?.status, "EXPIRED");
  });

  test("FOK is all or nothing", () => {
    const h = matchingHarness({ participation: "1" });
    h.trade("100.00");
    accepted(h.submit({ id: "f1", type: "LIMIT", timeInForce: "FOK", qty: "2", price: "101.00" }));
    h.trade("100.00", "1.5");
    assert.equal(h.fills().length, 0);
    const expired = h.events.find((e): e is VenueOrderExpired => e.kind === "expired");
    assert.equal(expired?.reason, MatchingReason.FokExpired);
    assert.equal(h.locked("USDT"), "0");
    accepted(h.submit({ id: "f2", type: "LIMIT", timeInForce: "FOK", qty: "2", price: "101.00" }));
    h.trade("100.50", "2");
    assert.deepEqual(
      h.fills().map((f) => `${f.clientOrderId} ${f.quantity} @ ${f.price}`),
      ["f2 2 @ 100.5"],
    );
  });

  test("an unknown time in force is rejected; market orders ignore one", () => {
    const h = matchingHarness();
    rejected(
      h.submit({ id: "x", type: "LIMIT", price: "100", timeInForce: "GTD" as never }),
      MatchingReason.InvalidTimeInForce,
    );
    accepted(h.submit({ id: "m", timeInForce: "GTC" }));
  });
});

describe("PaperMatchingEngine: LIMIT_MAKER", () => {
  test("a post-only order that would cross is rejected with Binance's message", () => {
    const h = matchingHarness();
    h.quote("99.00", "1", "100.00", "1");
    rejected(h.submit({ id: "p1", type: "LIMIT_MAKER", price: "100.00" }), MatchingReason.WouldMatchAndTake);
    assert.equal(h.locked("USDT"), "0");
    assert.equal(h.engine.query(id("p1"))?.status, "REJECTED");
  });

  test("a post-only order that does not cross rests and fills as a maker", () => {
    const h = matchingHarness();
    h.quote("99.00", "1", "100.00", "1");
    accepted(h.submit({ id: "p1", type: "LIMIT_MAKER", price: "99.50" }));
    h.quote("99.00", "1", "99.40", "5");
    const [f] = h.fills();
    assert.equal(f?.price.toString(), "99.5");
    assert.equal(f?.liquidity, "MAKER");
  });

  test("with trades only, the last price decides whether it crosses", () => {
    const h = matchingHarness();
    h.trade("100.00");
    rejected(
      h.submit({ id: "p1", type: "LIMIT_MAKER", side: "SELL", price: "99.00" }),
      MatchingReason.WouldMatchAndTake,
    );
    accepted(h.submit({ id: "p2", type: "LIMIT_MAKER", side: "SELL", price: "101.00" }));
  });
});

describe("PaperMatchingEngine: stop orders", () => {
  const cases = [
    { type: "STOP_LOSS", side: "SELL", stop: "95.00", quiet: "96.00", fire: "94.00" },
    { type: "STOP_LOSS", side: "BUY", stop: "105.00", quiet: "104.00", fire: "106.00" },
    { type: "TAKE_PROFIT", side: "SELL", stop: "105.00", quiet: "104.00", fire: "106.00" },
    { type: "TAKE_PROFIT", side: "BUY", stop: "95.00", quiet: "96.00", fire: "94.00" },
  ] as const;
  for (const c of cases) {
    test(`${c.type} ${c.side} waits, then fires at ${c.fire} and fills at the trigger trade's price`, () => {
      const h = matchingHarness();
      h.trade("100.00");
      accepted(h.submit({ id: "s1", type: c.type, side: c.side, stop: c.stop }));
      assert.equal(h.engine.query(id("s1"))?.status, "NEW");
      h.trade(c.quiet);
      assert.equal(h.fills().length, 0);
      h.trade(c.fire);
      const [f] = h.fills();
      assert.equal(f?.price.toString(), String(Number(c.fire)));
      assert.equal(f?.liquidity, "TAKER");
      assert.equal(h.engine.query(id("s1"))?.status, "FILLED");
    });

    test(`${c.type} ${c.side} that would fire at once is rejected`, () => {
      const h = matchingHarness();
      h.trade(c.fire);
      rejected(
        h.submit({ id: "s1", type: c.type, side: c.side, stop: c.stop }),
        MatchingReason.WouldTriggerImmediately,
      );
      assert.equal(h.locked("USDT"), "0");
      assert.equal(h.locked("BTC"), "0");
    });
  }

  test("a stop exactly at the last price would trigger at once", () => {
    const h = matchingHarness();
    h.trade("95.00");
    rejected(h.submit({ id: "s1", type: "STOP_LOSS", side: "SELL", stop: "95.00" }), /trigger immediately/);
  });

  test("STOP_LOSS_LIMIT: fills within its limit on the trigger; past the limit it rests (GTC)", () => {
    const h = matchingHarness();
    h.trade("100.00");
    accepted(
      h.submit({ id: "a", type: "STOP_LOSS_LIMIT", side: "SELL", stop: "95.00", price: "94.00", qty: "1" }),
    );
    accepted(
      h.submit({ id: "b", type: "STOP_LOSS_LIMIT", side: "SELL", stop: "95.00", price: "94.50", qty: "1" }),
    );
    h.trade("94.20"); // fires both; a (limit 94) fills at 94.20, b (limit 94.50) rests
    assert.deepEqual(
      h.fills().map((f) => `${f.clientOrderId}@${f.price}`),
      ["a@94.2"],
    );
    assert.equal(h.engine.query(id("b"))?.status, "NEW");
    h.trade("94.60");
    assert.deepEqual(
      h.fills().map((f) => `${f.clientOrderId}@${f.price}:${f.liquidity}`),
      ["a@94.2:TAKER", "b@94.5:MAKER"],
    );
  });

  test("TAKE_PROFIT_LIMIT IOC past its limit on the trigger expires", () => {
    const h = matchingHarness();
    h.trade("100.00");
    accepted(
      h.submit({
        id: "t",
        type: "TAKE_PROFIT_LIMIT",
        side: "SELL",
        stop: "105.00",
        price: "107.00",
        timeInForce: "IOC",
      }),
    );
    h.trade("106.00");
    assert.equal(h.engine.query(id("t"))?.status, "EXPIRED");
    assert.equal(h.locked("BTC"), "0");
  });

  test("a stop on bars fires at its stop price, or at the open when the bar gapped through", () => {
    const h = matchingHarness();
    h.bar("100", "101", "99", "100", 0);
    accepted(h.submit({ id: "a", type: "STOP_LOSS", side: "SELL", stop: "97.00" }));
    h.bar("99", "99.5", "96", "96.5", 1);
    assert.equal(h.fills()[0]?.price.toString(), "97");
    accepted(h.submit({ id: "b", type: "STOP_LOSS", side: "SELL", stop: "95.00" }));
    h.bar("93", "94", "92", "93", 2);
    assert.equal(h.fills()[1]?.price.toString(), "93");
  });

  test("a stop market buy locks at its stop price", () => {
    const h = matchingHarness({ takerFeeRate: "0", makerFeeRate: "0" });
    h.trade("100.00");
    accepted(h.submit({ id: "s", type: "STOP_LOSS", side: "BUY", stop: "110.00", qty: "2" }));
    assert.equal(h.locked("USDT"), "220");
  });

  test("stops missing a stop price, or plain orders with one, are rejected", () => {
    const h = matchingHarness();
    rejected(h.submit({ id: "a", type: "STOP_LOSS", side: "SELL" }), MatchingReason.MissingStopPrice);
    rejected(
      h.submit({ id: "b", type: "LIMIT", price: "1", stop: "2" }),
      MatchingReason.UnsupportedCombination,
    );
    rejected(h.submit({ id: "c", type: "STOP_LOSS_LIMIT", stop: "2" }), MatchingReason.MissingPrice);
  });
});

describe("PaperMatchingEngine: partial fills and participation", () => {
  test("a resting limit fills over successive trades with its share of each", () => {
    const h = matchingHarness({ participation: "0.25" });
    h.trade("105.00");
    accepted(h.submit({ id: "l", type: "LIMIT", qty: "1", price: "100.00" }));
    h.trade("100.00", "2"); // 0.5
    h.trade("99.00", "1"); // 0.25
    h.trade("101.00", "10"); // does not reach
    h.trade("100.00", "4"); // 1.0 offered, 0.25 left
    assert.deepEqual(
      h.fills().map((f) => `${f.quantity}/${f.cumulativeQty}`),
      ["0.5/0.5", "0.25/0.75", "0.25/1"],
    );
    assert.equal(h.engine.query(id("l"))?.status, "FILLED");
    assert.equal(h.locked("USDT"), "0");
  });

  test("orders share one event's liquidity in price-time priority", () => {
    const h = matchingHarness({ participation: "1" });
    h.trade("105.00");
    accepted(h.submit({ id: "a", type: "LIMIT", qty: "1", price: "100.00" }));
    accepted(h.submit({ id: "b", type: "LIMIT", qty: "1", price: "101.00" }));
    accepted(h.submit({ id: "c", type: "LIMIT", qty: "1", price: "101.00" }));
    h.trade("99.00", "1.5");
    assert.deepEqual(
      h.fills().map((f) => `${f.clientOrderId}:${f.quantity}`),
      ["b:1", "c:0.5"],
    );
    assert.equal(h.engine.query(id("c"))?.status, "PARTIALLY_FILLED");
    // The partly filled order keeps what the rest of it needs: 0.5 x 101 x 1.001
    assert.equal(h.engine.query(id("c"))?.locked.toString(), "50.5505");
  });

  test("a share rounds down to the step size", () => {
    const h = matchingHarness({ participation: "0.3333" });
    accepted(h.submit({ id: "m", qty: "1" }));
    h.trade("100.00", "1");
    assert.equal(h.fills()[0]?.quantity.toString(), "0.333");
  });

  test("a market order keeps taking over successive trades until filled", () => {
    const h = matchingHarness({ participation: "0.5" });
    accepted(h.submit({ id: "m", qty: "1" }));
    h.trade("100.00", "1");
    h.trade("102.00", "1");
    assert.deepEqual(
      h.fills().map((f) => `${f.quantity}@${f.price}`),
      ["0.5@100", "0.5@102"],
    );
  });
});

describe("PaperMatchingEngine: book tickers", () => {
  test("a market buy takes the ask up to its size, the rest at the next quotes", () => {
    const h = matchingHarness();
    accepted(h.submit({ id: "m", qty: "3" }));
    h.quote("99.00", "10", "100.00", "2");
    h.quote("99.00", "10", "100.50", "5");
    assert.deepEqual(
      h.fills().map((f) => `${f.quantity}@${f.price}`),
      ["2@100", "1@100.5"],
    );
  });

  test("a market sell takes the bid", () => {
    const h = matchingHarness();
    accepted(h.submit({ id: "m", side: "SELL", qty: "1" }));
    h.quote("99.00", "10", "100.00", "2");
    assert.equal(h.fills()[0]?.price.toString(), "99");
  });

  test("a resting sell fills when the bid crosses it, at its price, up to the bid size", () => {
    const h = matchingHarness();
    h.quote("99.00", "10", "100.00", "2");
    accepted(h.submit({ id: "l", side: "SELL", type: "LIMIT", qty: "2", price: "101.00" }));
    h.quote("100.00", "5", "100.50", "5");
    assert.equal(h.fills().length, 0);
    h.quote("101.50", "1.5", "102.00", "5");
    assert.deepEqual(
      h.fills().map((f) => `${f.quantity}@${f.price}:${f.liquidity}`),
      ["1.5@101:MAKER"],
    );
  });

  test("crossed or non-positive quotes are ignored and counted", () => {
    const h = matchingHarness();
    accepted(h.submit({ id: "m" }));
    h.quote("101.00", "1", "100.00", "1");
    h.quote("0", "1", "100.00", "1");
    assert.equal(h.fills().length, 0);
    assert.equal(h.engine.stats().marketEventsIgnored, 2);
  });
});

describe("PaperMatchingEngine: bars", () => {
  test("a resting limit fills at its price when the range reaches it, at the open when it gaps through", () => {
    const h = matchingHarness();
    h.bar("105", "106", "104", "105", 0);
    accepted(h.submit({ id: "a", type: "LIMIT", price: "100.00" }));
    accepted(h.submit({ id: "b", type: "LIMIT", price: "98.00" }));
    h.bar("104", "104", "99", "101", 1);
    assert.deepEqual(
      h.fills().map((f) => `${f.clientOrderId}@${f.price}:${f.liquidity}`),
      ["a@100:MAKER"],
    );
    h.bar("97", "99", "96", "98", 2);
    assert.deepEqual(
      h.fills().map((f) => `${f.clientOrderId}@${f.price}`),
      ["a@100", "b@97"],
    );
  });

  test("a bar limits fills to its volume share with participation", () => {
    const h = matchingHarness({ participation: "0.1" });
    h.bar("105", "106", "104", "105", 0);
    accepted(h.submit({ id: "a", type: "LIMIT", qty: "5", price: "100.00" }));
    h.bar("101", "101", "99", "100", 1, "20");
    assert.equal(h.fills()[0]?.quantity.toString(), "2");
  });

  test("open bars and inconsistent bars are ignored", () => {
    const h = matchingHarness();
    accepted(h.submit({ id: "m" }));
    h.bar("100", "99", "90", "95", 0); // high below open
    assert.equal(h.fills().length, 0);
    assert.equal(h.engine.stats().marketEventsIgnored, 1);
  });
});

describe("PaperMatchingEngine: latency", () => {
  test("an order is active only latencyMicros after submit on the market clock", () => {
    const h = matchingHarness({ latencyMicros: 5_000 });
    const t = h.clock.now();
    accepted(h.submit({ id: "m" }));
    assert.equal(h.engine.query(id("m"))?.status, "PENDING");
    h.trade("100.00", "1", t + 4_999);
    assert.equal(h.fills().length, 0);
    h.trade("101.00", "1", t + 5_000);
    assert.equal(h.fills()[0]?.price.toString(), "101");
  });

  test("a resting order placed with latency only sees the market after it arrives", () => {
    const h = matchingHarness({ latencyMicros: 1_000 });
    const t = h.clock.now();
    h.trade("105.00", "1", t);
    accepted(h.submit({ id: "l", type: "LIMIT", price: "100.00" }));
    h.trade("99.00", "1", t + 500); // before it arrived
    assert.equal(h.fills().length, 0);
    // On arrival the last price (99) makes it marketable: it takes at the next trade that reaches it.
    h.trade("99.50", "1", t + 1_000);
    assert.deepEqual(
      h.fills().map((f) => `${f.price}:${f.liquidity}`),
      ["99.5:TAKER"],
    );
  });

  test("market checks happen on arrival: a crossing post-only order is rejected by event", () => {
    const h = matchingHarness({ latencyMicros: 1_000 });
    const t = h.clock.now();
    h.trade("105.00", "1", t);
    accepted(h.submit({ id: "p", type: "LIMIT_MAKER", price: "100.00" }));
    assert.equal(h.locked("USDT"), "100.1");
    h.trade("99.00", "1", t + 500);
    h.trade("99.00", "1", t + 1_000);
    const rej = h.events.find((e): e is VenueOrderRejected => e.kind === "rejected");
    assert.equal(rej?.reason, MatchingReason.WouldMatchAndTake);
    assert.equal(h.locked("USDT"), "0");
    assert.equal(h.engine.query(id("p"))?.status, "REJECTED");
  });

  test("an order canceled while pending never becomes active", () => {
    const h = matchingHarness({ latencyMicros: 1_000 });
    accepted(h.submit({ id: "m" }));
    assert.equal(h.engine.cancel(id("m")).kind, "canceled");
    h.trade("100.00", "1", h.clock.now() + 2_000);
    assert.equal(h.fills().length, 0);
    assert.equal(h.engine.query(id("m"))?.status, "CANCELED");
  });
});

describe("PaperMatchingEngine: slippage", () => {
  test("bps moves takers against them on the tick grid; makers never slip", () => {
    const h = matchingHarness({ slippage: { kind: "bps", bps: "10" } });
    accepted(h.submit({ id: "b" }));
    accepted(h.submit({ id: "s", side: "SELL" }));
    h.trade("100.05");
    // buy: 100.05 x 1.001 = 100.15005 -> 100.16; sell: 100.05 x 0.999 = 99.94995 -> 99.94
    assert.deepEqual(
      h.fills().map((f) => `${f.side}@${f.price}`),
      ["BUY@100.16", "SELL@99.94"],
    );
    accepted(h.submit({ id: "l", type: "LIMIT", price: "99.00" }));
    h.trade("98.00");
    assert.equal(h.fills()[2]?.price.toString(), "99");
  });

  test("ticks slippage, capped at the taker's limit", () => {
    const h = matchingHarness({ slippage: { kind: "ticks", ticks: 3 } });
    h.trade("100.00");
    accepted(h.submit({ id: "a" }));
    accepted(h.submit({ id: "b", type: "LIMIT", price: "100.02" }));
    h.trade("100.00");
    assert.deepEqual(
      h.fills().map((f) => `${f.clientOrderId}@${f.price}`),
      ["a@100.03", "b@100.02"],
    );
  });
});

describe("PaperMatchingEngine: fees", () => {
  test("fees in the received asset: a buy pays in base, a sell in quote (Binance)", () => {
    const h = matchingHarness({ feeAsset: "received", takerFeeRate: "0.001" });
    h.trade("100.00");
    accepted(h.submit({ id: "b", type: "LIMIT", price: "100.00", qty: "2" }));
    assert.equal(h.locked("USDT"), "200", "no fee reserve when the fee comes out of the base");
    accepted(h.submit({ id: "s", side: "SELL", qty: "1" }));
    h.trade("100.00");
    const [b, s] = h.fills();
    assert.equal(b?.commissionAsset, "BTC");
    assert.equal(b?.commission.toString(), "0.002");
    assert.equal(s?.commissionAsset, "USDT");
    assert.equal(s?.commission.toString(), "0.1");
    assert.equal(h.free("BTC"), "10.998"); // 10 + 2 - 0.002 - 1
    assert.equal(h.free("USDT"), "9899.9"); // 10000 - 200 + 100 - 0.1
  });

  test("maker and taker rates apply by liquidity", () => {
    const h = matchingHarness({ makerFeeRate: "0.0002", takerFeeRate: "0.0007" });
    h.trade("105.00");
    accepted(h.submit({ id: "m", type: "LIMIT", price: "100.00" }));
    accepted(h.submit({ id: "t" }));
    h.trade("100.00");
    const byId = new Map(h.fills().map((f) => [f.clientOrderId as string, f.commission.toString()]));
    assert.equal(byId.get("m"), "0.02");
    assert.equal(byId.get("t"), "0.07");
  });
});

describe("PaperMatchingEngine: balances, cancel, query", () => {
  test("insufficient free balance rejects, for buys in quote and sells in base", () => {
    const h = matchingHarness({ initialBalances: { USDT: "100", BTC: "1" } });
    rejected(
      h.submit({ id: "b", type: "LIMIT", price: "100.00", qty: "1" }),
      MatchingReason.InsufficientBalance,
    );
    rejected(
      h.submit({ id: "s", side: "SELL", type: "LIMIT", price: "1.00", qty: "2" }),
      /insufficient balance/,
    );
    assert.equal(h.free("USDT"), "100");
    assert.equal(h.engine.stats().ordersRejected, 2);
  });

  test("cancel releases the lock; a second cancel is Unknown order sent.", () => {
    const h = matchingHarness();
    accepted(h.submit({ id: "l", type: "LIMIT", price: "50.00", qty: "2" }));
    assert.equal(h.locked("USDT"), "100.1");
    assert.equal(h.engine.cancel(id("l")).kind, "canceled");
    assert.equal(h.locked("USDT"), "0");
    assert.equal(h.free("USDT"), "10000");
    const again = h.engine.cancel(id("l"));
    assert.equal(again.kind === "rejected" ? again.reason : "", MatchingReason.UnknownOrder);
    assert.equal(h.engine.query(id("l"))?.status, "CANCELED");
  });

  test("cancelAll cancels open orders of one instrument or all, returning them in arrival order", () => {
    const h = matchingHarness();
    h.trade("100.00");
    accepted(h.submit({ id: "a", type: "LIMIT", price: "50.00" }));
    accepted(h.submit({ id: "b", side: "SELL", type: "LIMIT", price: "150.00" }));
    accepted(h.submit({ id: "c", side: "SELL", type: "STOP_LOSS", stop: "90.00" }));
    assert.deepEqual(
      h.engine.openOrders().map((o) => o.clientOrderId),
      ["a", "b", "c"],
    );
    assert.deepEqual(
      h.engine.cancelAll(BTCUSDT).map((c) => c.clientOrderId),
      ["a", "b", "c"],
    );
    assert.equal(h.engine.openOrders().length, 0);
    assert.equal(h.locked("USDT"), "0");
    assert.equal(h.locked("BTC"), "0");
    h.trade("80.00");
    assert.equal(h.fills().length, 0, "the canceled stop does not fire");
  });

  test("duplicates of open orders and unknown symbols are rejected; a closed id can be reused", () => {
    const h = matchingHarness();
    accepted(h.submit({ id: "a", type: "LIMIT", price: "50.00" }));
    rejected(h.submit({ id: "a", type: "LIMIT", price: "50.00" }), MatchingReason.Duplicate);
    rejected(h.submit({ id: "z", instrumentId: "ETHUSDT" as never }), MatchingReason.InvalidSymbol);
    h.engine.cancel(id("a"));
    accepted(h.submit({ id: "a", type: "LIMIT", price: "51.00" }));
    assert.equal(h.engine.query(id("a"))?.price?.toString(), "51");
  });

  test("filters apply", () => {
    const h = matchingHarness();
    rejected(
      h.submit({ id: "a", type: "LIMIT", price: "50.001" }),
      /Filter failure: price 50.001 is not a multiple/,
    );
    rejected(h.submit({ id: "b", type: "LIMIT", price: "50.00", qty: "0.0005" }), /Filter failure: quantity/);
  });

  test("query forgets the oldest closed orders beyond the retention bound", () => {
    const h = matchingHarness({ closedOrdersRetained: 2 });
    for (const n of ["a", "b", "c"]) {
      accepted(h.submit({ id: n, type: "LIMIT", price: "50.00" }));
      h.engine.cancel(id(n));
    }
    assert.equal(h.engine.query(id("a")), undefined);
    assert.equal(h.engine.query(id("c"))?.status, "CANCELED");
  });

  test("a listener may cancel from inside a fill; a throwing listener does not stop the others", () => {
    const h = matchingHarness({ participation: "0.5" });
    h.trade("105.00");
    accepted(h.submit({ id: "l", type: "LIMIT", price: "100.00", qty: "2" }));
    let seen = 0;
    h.engine.onEvent((e) => {
      if (e.kind === "fill") h.engine.cancel(e.fill.clientOrderId);
    });
    h.engine.onEvent(() => {
      seen++;
      throw new Error("listener bug");
    });
    assert.throws(() => h.trade("99.00", "1"), /listener bug/);
    assert.equal(seen, 1);
    assert.equal(h.engine.query(id("l"))?.status, "CANCELED");
    assert.equal(h.locked("USDT"), "0");
    assert.equal(h.engine.stats().listenerFailures, 1);
  });

  test("bad settings are InvalidConfig errors naming the key", () => {
    const clock = new TestClock();
    const make = (extra: object) => () =>
      new PaperMatchingEngine({ clock, instruments: [testInstrument()], ...extra });
    assert.throws(
      make({ makerFeeRate: "1" }),
      (e: unknown) => e instanceof DesError && /makerFeeRate/.test(e.message),
    );
    assert.throws(make({ participation: "0" }), /participation/);
    assert.throws(make({ latencyMicros: -1 }), /latencyMicros/);
    assert.throws(make({ slippage: { kind: "bps", bps: "x" } }), /slippage.bps/);
    assert.throws(make({ initialBalances: { USDT: "-1" } }), /initialBalances.USDT/);
    assert.equal(dec("1").toString(), "1");
  });
});
