import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { balanceOf, body, btcusdtAllTypes, type Harness, makeHarness } from "./sim-exchange.fixture.ts";
import type { SimParams } from "./sim-exchange-api.ts";

/** A harness on BTCUSDT (all order types) with a thin book: asks 20001/20002/20003, bids 19999/19998. */
function withBook(): Harness {
  const h = makeHarness({ symbols: [btcusdtAllTypes()] });
  h.ex.applyBookLevels(
    "BTCUSDT",
    [
      ["19999", "0.01"],
      ["19998", "0.02"],
    ],
    [
      ["20001", "0.01"],
      ["20002", "0.02"],
      ["20003", "0.05"],
    ],
  );
  return h;
}

const BUY_LIMIT: SimParams = { symbol: "BTCUSDT", side: "BUY", type: "LIMIT", timeInForce: "GTC" };

describe("order types and time in force", () => {
  it("LIMIT GTC that crosses takes each level best-first (own trade id, level price), then rests", () => {
    const h = withBook();
    const r = body(h.ex.newOrder("A", { ...BUY_LIMIT, quantity: "0.05", price: "20002" }));
    assert.deepEqual(r, {
      symbol: "BTCUSDT",
      orderId: 1,
      orderListId: -1,
      clientOrderId: r["clientOrderId"],
      transactTime: h.clock.now,
      price: "20002.00000000",
      origQty: "0.05000000",
      executedQty: "0.03000000",
      origQuoteOrderQty: "0.00000000",
      cummulativeQuoteQty: "600.05000000",
      status: "PARTIALLY_FILLED",
      timeInForce: "GTC",
      type: "LIMIT",
      side: "BUY",
      workingTime: h.clock.now,
      selfTradePreventionMode: "NONE",
      fills: [
        {
          price: "20001.00000000",
          qty: "0.01000000",
          commission: "0.00001000",
          commissionAsset: "BTC",
          tradeId: 1,
        },
        {
          price: "20002.00000000",
          qty: "0.02000000",
          commission: "0.00002000",
          commissionAsset: "BTC",
          tradeId: 2,
        },
      ],
    });
    assert.match(String(r["clientOrderId"]), /^[a-zA-Z0-9-_]{1,36}$/);
    assert.deepEqual(body(h.ex.depth({ symbol: "BTCUSDT" })).asks, [["20003.00000000", "0.05000000"]]);
    // Locked: the rest at the limit (0.02 x 20002); spent: the fills; received: BTC minus commission.
    assert.deepEqual(balanceOf(h.ex, "A", "USDT"), { free: "98999.91000000", locked: "400.04000000" });
    assert.deepEqual(balanceOf(h.ex, "A", "BTC"), { free: "10.02997000", locked: "0.00000000" });
    const open = body(h.ex.openOrders("A", { symbol: "BTCUSDT" }));
    assert.equal(open.length, 1);
    assert.equal(open[0]?.["status"], "PARTIALLY_FILLED");
    assert.deepEqual(h.sequence(), ["NEW", "TRADE", "TRADE", "POS"]);
  });

  it("IOC fills what crosses and expires the rest (UNFILLED_IOC_QUANTITY_EXPIRED), releasing the lock", () => {
    const h = withBook();
    const r = body(
      h.ex.newOrder("A", { ...BUY_LIMIT, timeInForce: "IOC", quantity: "0.05", price: "20002" }),
    );
    assert.equal(r["status"], "EXPIRED");
    assert.equal(r["executedQty"], "0.03000000");
    assert.equal(r["expiryReason"], "UNFILLED_IOC_QUANTITY_EXPIRED");
    assert.deepEqual(h.sequence(), ["NEW", "TRADE", "TRADE", "EXPIRED", "POS"]);
    const expired = h.reports().at(-1) ?? {};
    assert.equal(expired["eR"], "UNFILLED_IOC_QUANTITY_EXPIRED");
    assert.equal(expired["X"], "EXPIRED");
    assert.equal(expired["w"], false);
    assert.deepEqual(balanceOf(h.ex, "A", "USDT"), { free: "99399.95000000", locked: "0.00000000" });
    assert.deepEqual(body(h.ex.openOrders("A", {})), []);
  });

  it("FOK fills completely or expires with nothing filled and the book untouched", () => {
    const h = withBook();
    const kill = body(
      h.ex.newOrder("A", { ...BUY_LIMIT, timeInForce: "FOK", quantity: "0.05", price: "20002" }),
    );
    assert.equal(kill["status"], "EXPIRED");
    assert.equal(kill["executedQty"], "0.00000000");
    assert.equal(kill["expiryReason"], "UNFILLED_FOK_ORDER_EXPIRED");
    assert.deepEqual(kill["fills"], []);
    assert.equal(h.bookUpdates.length, 0);
    assert.deepEqual(balanceOf(h.ex, "A", "USDT"), { free: "100000.00000000", locked: "0.00000000" });
    assert.deepEqual(h.sequence(), ["NEW", "EXPIRED", "POS"]);

    const fill = body(
      h.ex.newOrder("A", { ...BUY_LIMIT, timeInForce: "FOK", quantity: "0.03", price: "20002" }),
    );
    assert.equal(fill["status"], "FILLED");
    assert.equal(fill["executedQty"], "0.03000000");
    assert.equal((fill["fills"] as unknown[]).length, 2);
  });

  it("MARKET by quantity walks the book; what the book lacks expires with INSUFFICIENT_LIQUIDITY", () => {
    const h = withBook();
    const r = body(h.ex.newOrder("A", { symbol: "BTCUSDT", side: "BUY", type: "MARKET", quantity: "0.1" }));
    assert.equal(r["status"], "EXPIRED");
    assert.equal(r["expiryReason"], "INSUFFICIENT_LIQUIDITY");
    assert.equal(r["executedQty"], "0.08000000");
    assert.equal(r["cummulativeQuoteQty"], "1600.20000000");
    assert.equal(r["price"], "0.00000000");
    assert.equal(r["timeInForce"], "GTC");
    assert.deepEqual(
      (r["fills"] as Array<Record<string, unknown>>).map((f) => f["tradeId"]),
      [1, 2, 3],
    );
    assert.deepEqual(body(h.ex.depth({ symbol: "BTCUSDT" })).asks, []);

    const sell = body(
      h.ex.newOrder("A", { symbol: "BTCUSDT", side: "SELL", type: "MARKET", quantity: "0.02" }),
    );
    assert.equal(sell["status"], "FILLED");
    // The seller pays commission in the quote asset.
    assert.deepEqual(sell["fills"], [
      {
        price: "19999.00000000",
        qty: "0.01000000",
        commission: "0.19999000",
        commissionAsset: "USDT",
        tradeId: 4,
      },
      {
        price: "19998.00000000",
        qty: "0.01000000",
        commission: "0.19998000",
        commissionAsset: "USDT",
        tradeId: 5,
      },
    ]);
  });

  it("MARKET buy by quantity checks the quote it would spend at fill time", () => {
    const h = makeHarness({ symbols: [btcusdtAllTypes()] }, { USDT: "400" });
    h.ex.applyBookLevels(
      "BTCUSDT",
      [],
      [
        ["20001", "0.01"],
        ["20002", "0.02"],
      ],
    );
    // 0.02 costs 200.01 + 200.02 = 400.03 > 400.
    assert.equal(
      h.ex.newOrder("A", { symbol: "BTCUSDT", side: "BUY", type: "MARKET", quantity: "0.02" }).ok,
      false,
    );
    assert.equal(
      h.ex.newOrder("A", { symbol: "BTCUSDT", side: "BUY", type: "MARKET", quantity: "0.01999" }).ok,
      true,
    );
  });

  it("MARKET with quoteOrderQty floors each level's quantity to the step (never breaks LOT_SIZE)", () => {
    const h = withBook();
    const r = body(
      h.ex.newOrder("A", { symbol: "BTCUSDT", side: "BUY", type: "MARKET", quoteOrderQty: "300" }),
    );
    // 0.01 @ 20001 = 200.01, then floor(99.99 / 20002, 0.00001) = 0.00499 @ 20002 = 99.80998.
    assert.equal(r["status"], "FILLED");
    assert.equal(r["origQty"], "0.01499000");
    assert.equal(r["executedQty"], "0.01499000");
    assert.equal(r["origQuoteOrderQty"], "300.00000000");
    assert.equal(r["cummulativeQuoteQty"], "299.81998000");
    const empty = makeHarness({ symbols: [btcusdtAllTypes()] });
    assert.deepEqual(
      empty.ex.newOrder("A", { symbol: "BTCUSDT", side: "BUY", type: "MARKET", quoteOrderQty: "300" }),
      {
        ok: false,
        status: 400,
        code: -2010,
        msg: "Order book liquidity is less than `LOT_SIZE` filter minimum quantity.",
      },
    );
  });

  it("LIMIT_MAKER rests when it does not cross", () => {
    const h = withBook();
    const r = body(
      h.ex.newOrder("A", {
        symbol: "BTCUSDT",
        side: "SELL",
        type: "LIMIT_MAKER",
        quantity: "0.01",
        price: "20001",
      }),
    );
    assert.deepEqual(Object.keys(r), ["symbol", "orderId", "orderListId", "clientOrderId", "transactTime"]);
    const report = h.reports()[0] ?? {};
    assert.equal(report["o"], "LIMIT_MAKER");
    assert.equal(report["w"], true);
    assert.equal(report["W"], h.clock.now);
    assert.deepEqual(balanceOf(h.ex, "A", "BTC"), { free: "9.99000000", locked: "0.01000000" });
  });

  it("newOrderRespType: LIMIT/MARKET default FULL, others ACK, RESULT on request", () => {
    const h = withBook();
    const result = body(
      h.ex.newOrder("A", { ...BUY_LIMIT, quantity: "0.01", price: "19000", newOrderRespType: "RESULT" }),
    );
    assert.equal("fills" in result, false);
    assert.equal(result["status"], "NEW");
    const stop = body(
      h.ex.newOrder("A", {
        symbol: "BTCUSDT",
        side: "SELL",
        type: "STOP_LOSS_LIMIT",
        timeInForce: "GTC",
        quantity: "0.01",
        price: "19000",
        stopPrice: "19100",
      }),
    );
    assert.equal(Object.keys(stop).length, 5);
    const full = body(
      h.ex.newOrder("A", {
        symbol: "BTCUSDT",
        side: "SELL",
        type: "STOP_LOSS_LIMIT",
        timeInForce: "GTC",
        quantity: "0.01",
        price: "19000",
        stopPrice: "19100",
        newOrderRespType: "FULL",
      }),
    );
    assert.equal(full["stopPrice"], "19100.00000000");
    assert.equal(full["workingTime"], -1);
    assert.deepEqual(full["fills"], []);
  });
});

describe("stop orders trigger on the last public trade price", () => {
  interface Case {
    readonly params: SimParams;
    readonly notYet: string;
    readonly trigger: string;
    readonly after: string;
  }
  const q = { symbol: "BTCUSDT", quantity: "0.01" };
  const cases: Record<string, Case> = {
    "STOP_LOSS SELL fires when the price falls to the stop": {
      params: { ...q, side: "SELL", type: "STOP_LOSS", stopPrice: "19500" },
      notYet: "19600",
      trigger: "19500",
      after: "FILLED",
    },
    "STOP_LOSS BUY fires when the price rises to the stop": {
      params: { ...q, side: "BUY", type: "STOP_LOSS", stopPrice: "20500" },
      notYet: "20400",
      trigger: "20600",
      after: "FILLED",
    },
    "TAKE_PROFIT SELL fires when the price rises to the stop": {
      params: { ...q, side: "SELL", type: "TAKE_PROFIT", stopPrice: "20500" },
      notYet: "20400",
      trigger: "20500",
      after: "FILLED",
    },
    "TAKE_PROFIT BUY fires when the price falls to the stop": {
      params: { ...q, side: "BUY", type: "TAKE_PROFIT", stopPrice: "19500" },
      notYet: "19600",
      trigger: "19400",
      after: "FILLED",
    },
    "STOP_LOSS_LIMIT SELL becomes a LIMIT that crosses and fills": {
      params: {
        ...q,
        side: "SELL",
        type: "STOP_LOSS_LIMIT",
        timeInForce: "GTC",
        stopPrice: "19500",
        price: "19980",
      },
      notYet: "19501",
      trigger: "19500",
      after: "FILLED",
    },
    "TAKE_PROFIT_LIMIT BUY becomes a LIMIT that rests": {
      params: {
        ...q,
        side: "BUY",
        type: "TAKE_PROFIT_LIMIT",
        timeInForce: "GTC",
        stopPrice: "19500",
        price: "19000",
      },
      notYet: "19501",
      trigger: "19000",
      after: "NEW",
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    it(name, () => {
      const h = makeHarness({ symbols: [btcusdtAllTypes()] });
      h.ex.applyBookLevels("BTCUSDT", [["19990", "1"]], [["20010", "1"]]);
      h.ex.onMarketTrade("BTCUSDT", "20000", "1", h.clock.now, false);
      const placed = body(h.ex.newOrder("A", c.params));
      const orderId = String(placed["orderId"]);
      const query = () => body(h.ex.queryOrder("A", { symbol: "BTCUSDT", orderId }));
      assert.equal(query()["isWorking"], false);
      assert.equal(query()["workingTime"], -1);
      assert.equal(h.reports()[0]?.["w"], false);
      assert.equal("W" in (h.reports()[0] ?? {}), false);

      h.clock.now += 1000;
      h.ex.onMarketTrade("BTCUSDT", c.notYet, "1", h.clock.now, false);
      assert.equal(query()["status"], "NEW");
      assert.equal(query()["isWorking"], false);

      h.clock.now += 1000;
      h.ex.onMarketTrade("BTCUSDT", c.trigger, "1", h.clock.now, false);
      const o = query();
      assert.equal(o["status"], c.after);
      assert.equal(o["isWorking"], true);
      assert.equal(o["workingTime"], h.clock.now);
      assert.equal(o["type"], c.params["type"]);
      const triggered = h.reports()[1] ?? {};
      assert.equal(triggered["x"], "NEW");
      assert.equal(triggered["W"], h.clock.now);
      if (c.after === "FILLED") {
        const fill = h.reports()[2] ?? {};
        assert.equal(fill["x"], "TRADE");
        assert.equal(fill["L"], c.params["side"] === "BUY" ? "20010.00000000" : "19990.00000000");
        assert.equal(fill["m"], false);
      } else {
        assert.equal(triggered["w"], true);
        assert.equal(body(h.ex.openOrders("A", {})).length, 1);
      }
      // Filled stops hold nothing any more; the resting TAKE_PROFIT_LIMIT buy holds 0.01 x 19000 USDT.
      assert.equal(balanceOf(h.ex, "A", "USDT").locked, c.after === "FILLED" ? "0.00000000" : "190.00000000");
      assert.equal(balanceOf(h.ex, "A", "BTC").locked, "0.00000000");
    });
  }
});
