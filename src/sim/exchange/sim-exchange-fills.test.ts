import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { balanceOf, body, makeHarness } from "./sim-exchange.fixture.ts";
import type { SimParams } from "./sim-exchange-api.ts";

const BUY: SimParams = { symbol: "BTCUSDT", side: "BUY", type: "LIMIT", timeInForce: "GTC" };

/** The keys of an executionReport, in the order of reference section 6.2 (without the conditional ones). */
const REPORT_KEYS = [
  "e",
  "E",
  "s",
  "c",
  "S",
  "o",
  "f",
  "q",
  "p",
  "P",
  "F",
  "g",
  "C",
  "x",
  "X",
  "r",
  "i",
  "l",
  "z",
  "L",
  "n",
  "N",
  "T",
  "t",
  "I",
  "w",
  "m",
  "M",
  "O",
  "Z",
  "Y",
  "Q",
];

describe("resting orders fill from public trades", () => {
  it("partial fills from successive trades, each once, at the limit price, with cumulative z/Z", () => {
    const h = makeHarness({ tradeParticipation: "0.5" });
    body(h.ex.newOrder("A", { ...BUY, quantity: "0.1", price: "20000" }));
    const t = h.clock.now;
    h.ex.onMarketTrade("BTCUSDT", "20000.01", "1", t + 1, false); // above a buy limit: no fill
    h.ex.onMarketTrade("BTCUSDT", "20000", "0.06", t + 2, true); // half of 0.06
    h.ex.onMarketTrade("BTCUSDT", "19999", "0.1", t + 3, true); // half of 0.1
    h.ex.onMarketTrade("BTCUSDT", "19990", "1", t + 4, true); // the remaining 0.02
    h.ex.onMarketTrade("BTCUSDT", "19980", "1", t + 5, true); // nothing left to fill
    const trades = h.reports().filter((r) => r["x"] === "TRADE");
    assert.deepEqual(
      trades.map((r) => [
        r["l"],
        r["z"],
        r["Z"],
        r["L"],
        r["Y"],
        r["X"],
        r["n"],
        r["N"],
        r["t"],
        r["m"],
        r["w"],
        r["T"],
      ]),
      [
        [
          "0.03000000",
          "0.03000000",
          "600.00000000",
          "20000.00000000",
          "600.00000000",
          "PARTIALLY_FILLED",
          "0.00003000",
          "BTC",
          1,
          true,
          true,
          t + 2,
        ],
        [
          "0.05000000",
          "0.08000000",
          "1600.00000000",
          "20000.00000000",
          "1000.00000000",
          "PARTIALLY_FILLED",
          "0.00005000",
          "BTC",
          2,
          true,
          true,
          t + 3,
        ],
        [
          "0.02000000",
          "0.10000000",
          "2000.00000000",
          "20000.00000000",
          "400.00000000",
          "FILLED",
          "0.00002000",
          "BTC",
          3,
          true,
          false,
          t + 4,
        ],
      ],
    );
    assert.deepEqual(h.sequence(), ["NEW", "POS", "TRADE", "POS", "TRADE", "POS", "TRADE", "POS"]);
    const rows = body(h.ex.myTrades("A", { symbol: "BTCUSDT" }));
    assert.deepEqual(
      rows.map((r) => [r["id"], r["qty"], r["isMaker"], r["isBuyer"]]),
      [
        [1, "0.03000000", true, true],
        [2, "0.05000000", true, true],
        [3, "0.02000000", true, true],
      ],
    );
    assert.equal(h.ex.lastPrice("BTCUSDT"), "19980.00000000");
  });

  it("fills resting orders across accounts in price-time priority within the trade's quantity", () => {
    const h = makeHarness();
    h.ex.addAccount("B", { USDT: "100000" });
    const first = body(h.ex.newOrder("A", { ...BUY, quantity: "0.02", price: "20000" }));
    const second = body(h.ex.newOrder("B", { ...BUY, quantity: "0.02", price: "20000" }));
    const better = body(h.ex.newOrder("A", { ...BUY, quantity: "0.02", price: "20001" }));
    h.ex.onMarketTrade("BTCUSDT", "19999", "0.05", h.clock.now, true);
    const fills = h.events
      .map((e) => e.payload)
      .filter((p) => p["x"] === "TRADE")
      .map((p) => [p["i"], p["l"], p["L"]]);
    assert.deepEqual(fills, [
      [better["orderId"], "0.02000000", "20001.00000000"],
      [first["orderId"], "0.02000000", "20000.00000000"],
      [second["orderId"], "0.01000000", "20000.00000000"],
    ]);
  });

  it("a resting sell fills when a trade prints at or above it and pays commission in the quote asset", () => {
    const h = makeHarness();
    body(
      h.ex.newOrder("A", {
        symbol: "BTCUSDT",
        side: "SELL",
        type: "LIMIT",
        timeInForce: "GTC",
        quantity: "0.05",
        price: "21000",
      }),
    );
    assert.deepEqual(balanceOf(h.ex, "A", "BTC"), { free: "9.95000000", locked: "0.05000000" });
    h.ex.onMarketTrade("BTCUSDT", "20999.99", "1", h.clock.now, false);
    assert.equal(h.reports().length, 1);
    h.ex.onMarketTrade("BTCUSDT", "21000", "1", h.clock.now, false);
    const fill = h.reports()[1] ?? {};
    assert.equal(fill["n"], "1.05000000");
    assert.equal(fill["N"], "USDT");
    // 0.05 x 21000 = 1050 received, minus 0.1% maker commission.
    assert.deepEqual(balanceOf(h.ex, "A", "USDT"), { free: "101048.95000000", locked: "0.00000000" });
    assert.deepEqual(balanceOf(h.ex, "A", "BTC"), { free: "9.95000000", locked: "0.00000000" });
  });
});

describe("balances", () => {
  it("a buy locks price x qty of quote, fills consume it, cancel releases the rest", () => {
    const h = makeHarness();
    const placed = body(h.ex.newOrder("A", { ...BUY, quantity: "0.1", price: "20000" }));
    assert.deepEqual(balanceOf(h.ex, "A", "USDT"), { free: "98000.00000000", locked: "2000.00000000" });
    h.ex.onMarketTrade("BTCUSDT", "20000", "0.04", h.clock.now, true);
    assert.deepEqual(balanceOf(h.ex, "A", "USDT"), { free: "98000.00000000", locked: "1200.00000000" });
    assert.deepEqual(balanceOf(h.ex, "A", "BTC"), { free: "10.03996000", locked: "0.00000000" });
    body(h.ex.cancelOrder("A", { symbol: "BTCUSDT", orderId: String(placed["orderId"]) }));
    assert.deepEqual(balanceOf(h.ex, "A", "USDT"), { free: "99200.00000000", locked: "0.00000000" });
  });

  it("a crossing buy pays the level price and gets back the difference to its limit; per-account rates apply", () => {
    const h = makeHarness();
    h.ex.setCommissionRates("A", "0.0002", "0.0004");
    h.ex.applyBookLevels("BTCUSDT", [], [["20001", "1"]]);
    const r = body(h.ex.newOrder("A", { ...BUY, quantity: "0.01", price: "20010" }));
    assert.equal(r["status"], "FILLED");
    assert.deepEqual(balanceOf(h.ex, "A", "USDT"), { free: "99799.99000000", locked: "0.00000000" });
    // Taker rate 0.04% of 0.01 BTC, in BTC (the asset the buyer receives).
    assert.deepEqual(balanceOf(h.ex, "A", "BTC"), { free: "10.00999600", locked: "0.00000000" });
    const acc = body(h.ex.account("A", {}));
    assert.equal(acc["makerCommission"], 2);
    assert.equal(acc["takerCommission"], 4);
    assert.deepEqual(acc["commissionRates"], {
      maker: "0.00020000",
      taker: "0.00040000",
      buyer: "0.00000000",
      seller: "0.00000000",
    });
  });
});

describe("user data events", () => {
  it("a resting limit that partially fills then is canceled: NEW, POS, TRADE, POS, CANCELED, POS", () => {
    const h = makeHarness();
    const placed = body(
      h.ex.newOrder("A", { ...BUY, quantity: "0.1", price: "20000", newClientOrderId: "my-order-1" }),
    );
    h.clock.now += 5;
    h.ex.onMarketTrade("BTCUSDT", "20000", "0.04", h.clock.now, true);
    h.clock.now += 5;
    const canceled = body(
      h.ex.cancelOrder("A", {
        symbol: "BTCUSDT",
        origClientOrderId: "my-order-1",
        newClientOrderId: "cancel-1",
      }),
    );
    assert.deepEqual(h.sequence(), ["NEW", "POS", "TRADE", "POS", "CANCELED", "POS"]);
    const [newR, tradeR, cancelR] = h.reports();
    for (const r of [newR, tradeR, cancelR]) {
      assert.deepEqual(
        Object.keys(r ?? {}).filter((k) => REPORT_KEYS.includes(k)),
        REPORT_KEYS,
      );
      assert.equal(r?.["V"], "NONE");
      assert.equal(r?.["g"], -1);
      assert.equal(r?.["O"], placed["transactTime"]);
    }
    assert.equal(newR?.["x"], "NEW");
    assert.equal(newR?.["w"], true);
    assert.equal(newR?.["W"], placed["transactTime"]);
    assert.equal(newR?.["N"], null);
    assert.equal(newR?.["n"], "0");
    assert.equal(newR?.["t"], -1);
    assert.equal(newR?.["C"], "");
    assert.equal(newR?.["c"], "my-order-1");
    assert.equal(tradeR?.["X"], "PARTIALLY_FILLED");
    assert.equal(cancelR?.["x"], "CANCELED");
    assert.equal(cancelR?.["X"], "CANCELED");
    assert.equal(cancelR?.["c"], "cancel-1");
    assert.equal(cancelR?.["C"], "my-order-1");
    assert.equal(cancelR?.["z"], "0.04000000");
    assert.equal(cancelR?.["w"], false);
    const ids = h.reports().map((r) => r["I"] as number);
    assert.ok(ids.every((id, i) => i === 0 || id > (ids[i - 1] ?? 0)));
    const positions = h.events.map((e) => e.payload).filter((p) => p["e"] === "outboundAccountPosition");
    assert.deepEqual(positions[0]?.["B"], [{ a: "USDT", f: "98000.00000000", l: "2000.00000000" }]);
    assert.deepEqual(positions[2]?.["B"], [{ a: "USDT", f: "99200.00000000", l: "0.00000000" }]);
    assert.deepEqual(canceled, {
      symbol: "BTCUSDT",
      origClientOrderId: "my-order-1",
      orderId: placed["orderId"],
      orderListId: -1,
      clientOrderId: "cancel-1",
      transactTime: h.clock.now,
      price: "20000.00000000",
      origQty: "0.10000000",
      executedQty: "0.04000000",
      origQuoteOrderQty: "0.00000000",
      cummulativeQuoteQty: "800.00000000",
      status: "CANCELED",
      timeInForce: "GTC",
      type: "LIMIT",
      side: "BUY",
      selfTradePreventionMode: "NONE",
    });
    const q = body(h.ex.queryOrder("A", { symbol: "BTCUSDT", origClientOrderId: "my-order-1" }));
    assert.equal(q["status"], "CANCELED");
    assert.equal(q["clientOrderId"], "my-order-1");
    assert.equal(q["updateTime"], h.clock.now);
  });

  it("a throwing listener is counted and the exchange keeps going", () => {
    const h = makeHarness();
    h.ex.onUserEvent(() => {
      throw new Error("subscriber bug");
    });
    assert.equal(h.ex.newOrder("A", { ...BUY, quantity: "0.1", price: "20000" }).ok, true);
    assert.equal(h.ex.stats().listenerErrors, 2);
    assert.deepEqual(h.sequence(), ["NEW", "POS"]);
  });
});

describe("cancel, query, open orders, account, myTrades", () => {
  it("cancel and query errors use Binance's codes and messages", () => {
    const h = makeHarness();
    assert.deepEqual(h.ex.cancelOrder("A", { symbol: "BTCUSDT" }), {
      ok: false,
      status: 400,
      code: -1102,
      msg: "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!",
    });
    const unknown = { ok: false, status: 400, code: -2011, msg: "Unknown order sent." };
    assert.deepEqual(h.ex.cancelOrder("A", { symbol: "BTCUSDT", orderId: "42" }), unknown);
    assert.deepEqual(h.ex.cancelOpenOrders("A", { symbol: "BTCUSDT" }), unknown);
    assert.deepEqual(h.ex.queryOrder("A", { symbol: "BTCUSDT", orderId: "42" }), {
      ok: false,
      status: 400,
      code: -2013,
      msg: "Order does not exist.",
    });
    const o = body(h.ex.newOrder("A", { ...BUY, quantity: "0.1", price: "20000", newClientOrderId: "x1" }));
    const id = String(o["orderId"]);
    assert.deepEqual(
      h.ex.cancelOrder("A", { symbol: "BTCUSDT", orderId: id, origClientOrderId: "other" }),
      unknown,
    );
    assert.deepEqual(h.ex.cancelOrder("A", { symbol: "LTCUSDT", orderId: id }), unknown);
    assert.deepEqual(
      h.ex.cancelOrder("A", { symbol: "BTCUSDT", orderId: id, cancelRestrictions: "ONLY_PARTIALLY_FILLED" }),
      {
        ok: false,
        status: 400,
        code: -2011,
        msg: "Order was not canceled due to cancel restrictions.",
      },
    );
    assert.equal(h.ex.cancelOrder("A", { symbol: "BTCUSDT", orderId: id, origClientOrderId: "x1" }).ok, true);
    assert.deepEqual(h.ex.cancelOrder("A", { symbol: "BTCUSDT", orderId: id }), unknown);
    // The client id is free again once the order is closed.
    assert.equal(
      h.ex.newOrder("A", { ...BUY, quantity: "0.1", price: "20000", newClientOrderId: "x1" }).ok,
      true,
    );
  });

  it("cancelOpenOrders cancels every open order of the symbol and returns the cancel objects", () => {
    const h = makeHarness();
    body(h.ex.newOrder("A", { ...BUY, quantity: "0.01", price: "20000" }));
    body(h.ex.newOrder("A", { ...BUY, quantity: "0.01", price: "19000" }));
    body(h.ex.newOrder("A", { ...BUY, symbol: "LTCUSDT", quantity: "1", price: "50" }));
    const r = body(h.ex.cancelOpenOrders("A", { symbol: "BTCUSDT" }));
    assert.deepEqual(
      r.map((c) => [c["status"], c["price"]]),
      [
        ["CANCELED", "20000.00000000"],
        ["CANCELED", "19000.00000000"],
      ],
    );
    assert.deepEqual(
      body(h.ex.openOrders("A", {})).map((o) => o["symbol"]),
      ["LTCUSDT"],
    );
    assert.deepEqual(body(h.ex.openOrders("A", { symbol: "BTCUSDT" })), []);
    assert.deepEqual(balanceOf(h.ex, "A", "USDT"), { free: "99950.00000000", locked: "50.00000000" });
  });

  it("keeps only the configured number of closed orders queryable", () => {
    const h = makeHarness({ maxClosedOrdersPerAccount: 3 });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const o = body(h.ex.newOrder("A", { ...BUY, quantity: "0.01", price: "20000" }));
      ids.push(String(o["orderId"]));
      body(h.ex.cancelOrder("A", { symbol: "BTCUSDT", orderId: String(o["orderId"]) }));
    }
    assert.deepEqual(
      ids.map((orderId) => h.ex.queryOrder("A", { symbol: "BTCUSDT", orderId }).ok),
      [false, false, true, true, true],
    );
  });

  it("open order view has the 4.10 fields", () => {
    const h = makeHarness();
    body(h.ex.newOrder("A", { ...BUY, quantity: "0.01", price: "20000", newClientOrderId: "v1" }));
    const [o] = body(h.ex.openOrders("A", { symbol: "BTCUSDT" }));
    assert.deepEqual(o, {
      symbol: "BTCUSDT",
      orderId: 1,
      orderListId: -1,
      clientOrderId: "v1",
      price: "20000.00000000",
      origQty: "0.01000000",
      executedQty: "0.00000000",
      cummulativeQuoteQty: "0.00000000",
      status: "NEW",
      timeInForce: "GTC",
      type: "LIMIT",
      side: "BUY",
      stopPrice: "0.00000000",
      icebergQty: "0.00000000",
      time: h.clock.now,
      updateTime: h.clock.now,
      isWorking: true,
      origQuoteOrderQty: "0.00000000",
      workingTime: h.clock.now,
      selfTradePreventionMode: "NONE",
    });
    assert.deepEqual(h.ex.openOrders("A", { symbol: "XX" }), {
      ok: false,
      status: 400,
      code: -1121,
      msg: "Invalid symbol.",
    });
  });

  it("account has the 4.11 shape and honours omitZeroBalances", () => {
    const h = makeHarness({}, { USDT: "100", ETH: "0" });
    const acc = body(h.ex.account("A", {}));
    assert.deepEqual(Object.keys(acc), [
      "makerCommission",
      "takerCommission",
      "buyerCommission",
      "sellerCommission",
      "commissionRates",
      "canTrade",
      "canWithdraw",
      "canDeposit",
      "brokered",
      "requireSelfTradePrevention",
      "preventSor",
      "updateTime",
      "accountType",
      "balances",
      "permissions",
      "uid",
    ]);
    assert.equal(acc["makerCommission"], 10);
    assert.equal(typeof acc["uid"], "number");
    assert.deepEqual(
      (acc["balances"] as Array<{ asset: string }>).map((b) => b.asset),
      ["USDT", "ETH", "BTC", "BUSD", "LTC"],
    );
    const nonZero = body(h.ex.account("A", { omitZeroBalances: "true" }));
    assert.deepEqual(nonZero["balances"], [{ asset: "USDT", free: "100.00000000", locked: "0.00000000" }]);
    assert.deepEqual(h.ex.account("nobody", {}), {
      ok: false,
      status: 401,
      code: -2015,
      msg: "Invalid API-key, IP, or permissions for action.",
    });
  });

  it("myTrades: row shape, orderId, fromId, time window, limit, and invalid combinations", () => {
    const h = makeHarness();
    const t0 = h.clock.now;
    const a = body(h.ex.newOrder("A", { ...BUY, quantity: "0.03", price: "20000" }));
    const b = body(h.ex.newOrder("A", { ...BUY, quantity: "0.03", price: "19000" }));
    h.ex.onMarketTrade("BTCUSDT", "20000", "0.01", t0 + 1000, true); // a: id 1
    h.ex.onMarketTrade("BTCUSDT", "19000", "0.02", t0 + 2000, true); // a: id 2 (0.02 left of a)
    h.ex.onMarketTrade("BTCUSDT", "19000", "0.02", t0 + 3000, true); // b: id 3
    const all = body(h.ex.myTrades("A", { symbol: "BTCUSDT" }));
    assert.deepEqual(all[0], {
      symbol: "BTCUSDT",
      id: 1,
      orderId: a["orderId"],
      orderListId: -1,
      price: "20000.00000000",
      qty: "0.01000000",
      quoteQty: "200.00000000",
      commission: "0.00001000",
      commissionAsset: "BTC",
      time: t0 + 1000,
      isBuyer: true,
      isMaker: true,
      isBestMatch: true,
    });
    const ids = (p: SimParams) => body(h.ex.myTrades("A", { symbol: "BTCUSDT", ...p })).map((r) => r["id"]);
    assert.deepEqual(ids({}), [1, 2, 3]);
    assert.deepEqual(ids({ orderId: String(b["orderId"]) }), [3]);
    assert.deepEqual(ids({ fromId: "2" }), [2, 3]);
    assert.deepEqual(ids({ limit: "2" }), [2, 3]);
    assert.deepEqual(ids({ fromId: "1", limit: "2" }), [1, 2]);
    assert.deepEqual(ids({ startTime: String(t0 + 1500) }), [2, 3]);
    assert.deepEqual(ids({ endTime: String(t0 + 2500) }), [1, 2]);
    assert.deepEqual(h.ex.myTrades("A", { symbol: "BTCUSDT", fromId: "1", startTime: String(t0) }), {
      ok: false,
      status: 400,
      code: -1128,
      msg: "Combination of optional parameters invalid.",
    });
    assert.deepEqual(h.ex.myTrades("A", {}), {
      ok: false,
      status: 400,
      code: -1102,
      msg: "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.",
    });
    assert.deepEqual(h.ex.myTrades("A", { symbol: "BTCUSDT", limit: "ten" }), {
      ok: false,
      status: 400,
      code: -1100,
      msg: "Illegal characters found in parameter 'limit'; legal range is '^[0-9]{1,20}$'.",
    });
  });
});
