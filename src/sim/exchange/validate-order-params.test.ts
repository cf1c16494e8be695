import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { btcusdtAllTypes, makeHarness } from "./sim-exchange.fixture.ts";
import type { SimParams } from "./sim-exchange-api.ts";

const LIMIT: SimParams = {
  symbol: "BTCUSDT",
  side: "BUY",
  type: "LIMIT",
  timeInForce: "GTC",
  quantity: "0.01",
  price: "20000",
};
const DECIMAL_RANGE = "^([0-9]{1,20})(\\.[0-9]{1,20})?$";

function expectReject(params: SimParams, code: number, msg: string, h = makeHarness()): void {
  for (const call of [h.ex.newOrder.bind(h.ex), h.ex.testOrder.bind(h.ex)]) {
    const r = call("A", params);
    assert.deepEqual(r, { ok: false, status: 400, code, msg }, JSON.stringify(params));
  }
}

function without(params: SimParams, name: string): SimParams {
  const copy: Record<string, string> = { ...params };
  delete copy[name];
  return copy;
}

describe("new order validation (codes and messages of reference section 5)", () => {
  it("-1102 for each missing mandatory parameter, base and per type", () => {
    for (const name of ["symbol", "side", "type", "timeInForce", "quantity", "price"]) {
      expectReject(
        without(LIMIT, name),
        -1102,
        `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`,
      );
    }
    expectReject(
      { ...LIMIT, price: "" },
      -1102,
      "Mandatory parameter 'price' was not sent, was empty/null, or malformed.",
    );
    const h = makeHarness({ symbols: [btcusdtAllTypes()] });
    expectReject(
      {
        symbol: "BTCUSDT",
        side: "SELL",
        type: "STOP_LOSS_LIMIT",
        timeInForce: "GTC",
        quantity: "0.01",
        price: "19000",
      },
      -1102,
      "Mandatory parameter 'stopPrice' was not sent, was empty/null, or malformed.",
      h,
    );
    expectReject(
      { symbol: "BTCUSDT", side: "BUY", type: "LIMIT_MAKER", quantity: "0.01" },
      -1102,
      "Mandatory parameter 'price' was not sent, was empty/null, or malformed.",
    );
    expectReject(
      { symbol: "BTCUSDT", side: "BUY", type: "MARKET" },
      -1102,
      "Param 'quantity' or 'quoteOrderQty' must be sent, but both were empty/null!",
    );
  });

  it("-1100 for malformed numbers and client order ids, naming the parameter and the legal range", () => {
    for (const [name, value] of [
      ["quantity", "1e-3"],
      ["quantity", "-1"],
      ["price", "20,000"],
      ["price", ".5"],
      ["quantity", "1."],
    ] as const) {
      expectReject(
        { ...LIMIT, [name]: value },
        -1100,
        `Illegal characters found in parameter '${name}'; legal range is '${DECIMAL_RANGE}'.`,
      );
    }
    for (const id of ["has space", "a".repeat(37), "ümlaut", "x.y"]) {
      expectReject(
        { ...LIMIT, newClientOrderId: id },
        -1100,
        "Illegal characters found in parameter 'newClientOrderId'; legal range is '^[a-zA-Z0-9-_]{1,36}$'.",
      );
    }
  });

  it("-1121 unknown symbol, -1117 side, -1116 type, -1115 timeInForce", () => {
    expectReject({ ...LIMIT, symbol: "DOGEUSDT" }, -1121, "Invalid symbol.");
    expectReject({ ...LIMIT, side: "HOLD" }, -1117, "Invalid side.");
    expectReject({ ...LIMIT, type: "OCO" }, -1116, "Invalid orderType.");
    expectReject({ ...LIMIT, timeInForce: "GTD" }, -1115, "Invalid timeInForce.");
  });

  it("-1106 for parameters a type does not take", () => {
    const market = { symbol: "BTCUSDT", side: "BUY", type: "MARKET", quantity: "0.01" };
    expectReject({ ...market, timeInForce: "GTC" }, -1106, "Parameter 'timeInForce' sent when not required.");
    expectReject({ ...market, price: "20000" }, -1106, "Parameter 'price' sent when not required.");
    expectReject({ ...LIMIT, stopPrice: "19000" }, -1106, "Parameter 'stopPrice' sent when not required.");
    expectReject(
      { ...LIMIT, quoteOrderQty: "100" },
      -1106,
      "Parameter 'quoteOrderQty' sent when not required.",
    );
    expectReject(
      {
        symbol: "BTCUSDT",
        side: "BUY",
        type: "LIMIT_MAKER",
        quantity: "0.01",
        price: "20000",
        timeInForce: "GTC",
      },
      -1106,
      "Parameter 'timeInForce' sent when not required.",
    );
  });

  it("-1111 for more decimals than the asset precision (trailing zeros do not count)", () => {
    expectReject(
      { ...LIMIT, quantity: "0.123456789" },
      -1111,
      "Parameter 'quantity' has too much precision.",
    );
    expectReject({ ...LIMIT, price: "20000.000000001" }, -1111, "Parameter 'price' has too much precision.");
    const h = makeHarness();
    assert.equal(h.ex.testOrder("A", { ...LIMIT, quantity: "0.01000000000" }).ok, true);
  });

  it("-1013 PRICE_FILTER, LOT_SIZE and MIN_NOTIONAL with the real BTCUSDT filters", () => {
    expectReject({ ...LIMIT, price: "20000.001" }, -1013, "Filter failure: PRICE_FILTER");
    expectReject({ ...LIMIT, price: "0.001" }, -1013, "Filter failure: PRICE_FILTER");
    expectReject({ ...LIMIT, price: "1000000.01" }, -1013, "Filter failure: PRICE_FILTER");
    expectReject({ ...LIMIT, quantity: "0.000015" }, -1013, "Filter failure: LOT_SIZE");
    expectReject({ ...LIMIT, quantity: "0.000001" }, -1013, "Filter failure: LOT_SIZE");
    expectReject({ ...LIMIT, quantity: "9000.00001" }, -1013, "Filter failure: LOT_SIZE");
    // 0.0004 x 20000 = 8 < minNotional 10.
    expectReject({ ...LIMIT, quantity: "0.0004" }, -1013, "Filter failure: MIN_NOTIONAL");
    // Exactly on the tick/step/notional boundary passes.
    assert.deepEqual(makeHarness().ex.testOrder("A", { ...LIMIT, quantity: "0.0005", price: "20000.01" }), {
      ok: true,
      body: {},
    });
  });

  it("-1013 MARKET_LOT_SIZE and NOTIONAL when the symbol carries them", () => {
    const sym = btcusdtAllTypes([
      { filterType: "MARKET_LOT_SIZE", minQty: "0.00100000", maxQty: "100.00000000", stepSize: "0.00100000" },
      {
        filterType: "NOTIONAL",
        minNotional: "5.00000000",
        applyMinToMarket: true,
        maxNotional: "9000000.00000000",
        applyMaxToMarket: false,
        avgPriceMins: 5,
      },
    ]);
    const h = makeHarness({ symbols: [sym] });
    expectReject(
      { symbol: "BTCUSDT", side: "BUY", type: "MARKET", quantity: "0.0005" },
      -1013,
      "Filter failure: MARKET_LOT_SIZE",
      h,
    );
    expectReject({ ...LIMIT, quantity: "500", price: "20000" }, -1013, "Filter failure: NOTIONAL", h);
  });

  it("-2010 for an order type the symbol does not list", () => {
    expectReject(
      { symbol: "BTCUSDT", side: "SELL", type: "STOP_LOSS", quantity: "0.01", stopPrice: "19000" },
      -2010,
      "Stop loss orders are not supported for this symbol.",
    );
    expectReject(
      { symbol: "BTCUSDT", side: "BUY", type: "TAKE_PROFIT", quantity: "0.01", stopPrice: "19000" },
      -2010,
      "Take profit orders are not supported for this symbol.",
    );
  });

  it("-2010 duplicate open client id, insufficient balance, LIMIT_MAKER crossing, stop triggering at once", () => {
    const h = makeHarness({ symbols: [btcusdtAllTypes()] }, { USDT: "1000", BTC: "1" });
    assert.equal(h.ex.newOrder("A", { ...LIMIT, newClientOrderId: "dup-1" }).ok, true);
    const dup = h.ex.newOrder("A", { ...LIMIT, newClientOrderId: "dup-1" });
    assert.deepEqual(dup, { ok: false, status: 400, code: -2010, msg: "Duplicate order sent." });

    // 0.1 x 20000 = 2000 USDT > the 800 left free.
    assert.deepEqual(h.ex.newOrder("A", { ...LIMIT, quantity: "0.1" }), {
      ok: false,
      status: 400,
      code: -2010,
      msg: "Account has insufficient balance for requested action.",
    });
    assert.deepEqual(h.ex.newOrder("A", { ...LIMIT, side: "SELL", quantity: "1.5" }).ok, false);

    h.ex.applyBookLevels("BTCUSDT", [["19999.99", "1"]], [["20000.01", "1"]]);
    const maker = {
      symbol: "BTCUSDT",
      side: "BUY",
      type: "LIMIT_MAKER",
      quantity: "0.01",
      price: "20000.01",
    };
    assert.deepEqual(h.ex.newOrder("A", maker), {
      ok: false,
      status: 400,
      code: -2010,
      msg: "Order would immediately match and take.",
    });
    assert.deepEqual(h.ex.newOrder("A", { ...maker, side: "SELL", price: "19999.99" }).ok, false);

    h.ex.onMarketTrade("BTCUSDT", "20000", "0.5", h.clock.now, false);
    const stop = { symbol: "BTCUSDT", side: "SELL", type: "STOP_LOSS", quantity: "0.01" };
    for (const stopPrice of ["20000", "20100"]) {
      assert.deepEqual(h.ex.newOrder("A", { ...stop, stopPrice }), {
        ok: false,
        status: 400,
        code: -2010,
        msg: "Order would trigger immediately.",
      });
    }
    assert.equal(h.ex.newOrder("A", { ...stop, stopPrice: "19999" }).ok, true);
    assert.equal(
      h.ex.newOrder("A", { ...stop, side: "BUY", type: "TAKE_PROFIT", stopPrice: "20000" }).ok,
      false,
    );
  });

  it("testOrder validates but places nothing and changes no balance", () => {
    const h = makeHarness();
    assert.deepEqual(h.ex.testOrder("A", LIMIT), { ok: true, body: {} });
    assert.deepEqual(h.ex.openOrders("A", {}), { ok: true, body: [] });
    assert.equal(h.events.length, 0);
    const rates = h.ex.testOrder("A", { ...LIMIT, computeCommissionRates: "true" });
    assert.deepEqual((rates as { body: Record<string, unknown> }).body["standardCommissionForOrder"], {
      maker: "0.00100000",
      taker: "0.00100000",
    });
  });
});
