import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { dec } from "../../core/index.ts";
import { body, makeHarness } from "./sim-exchange.fixture.ts";
import { SimOrderBook } from "./sim-order-book.ts";

describe("SimOrderBook", () => {
  it("keeps bids descending and asks ascending, removes a level at zero, updates in place", () => {
    const book = new SimOrderBook();
    for (const p of ["100", "102", "101"]) book.set("bid", dec(p), dec("1"));
    for (const p of ["105", "103", "104"]) book.set("ask", dec(p), dec("2"));
    book.set("bid", dec("101"), dec("0"));
    book.set("ask", dec("104"), dec("7"));
    book.set("ask", dec("999"), dec("0"));
    assert.deepEqual(
      book.top("bid", 10).map((l) => l.price.toString()),
      ["102", "100"],
    );
    assert.deepEqual(
      book.top("ask", 10).map((l) => [l.price.toString(), l.qty.toString()]),
      [
        ["103", "2"],
        ["104", "7"],
        ["105", "2"],
      ],
    );
    assert.equal(book.best("bid")?.price.toString(), "102");
    assert.equal(book.level("ask", 1)?.price.toString(), "104");
    assert.equal(book.depth("ask"), 3);
  });
});

describe("SimExchange public book", () => {
  it("depth: symbol mandatory, limit default 100 and capped at 5000, Binance formatting", () => {
    const h = makeHarness();
    const bids = Array.from({ length: 150 }, (_, i) => [`${20000 - i}.00`, "0.5"] as const);
    h.ex.applyBookLevels("BTCUSDT", bids, [["20001", "1.25"]]);
    const d = body(h.ex.depth({ symbol: "BTCUSDT" }));
    assert.equal(d.bids.length, 100);
    assert.deepEqual(d.bids[0], ["20000.00000000", "0.50000000"]);
    assert.deepEqual(d.bids[1], ["19999.00000000", "0.50000000"]);
    assert.deepEqual(d.asks, [["20001.00000000", "1.25000000"]]);
    assert.equal(d.lastUpdateId, 1);
    assert.equal(body(h.ex.depth({ symbol: "BTCUSDT", limit: "999999" })).bids.length, 150);
    assert.equal(body(h.ex.depth({ symbol: "BTCUSDT", limit: "5" })).bids.length, 5);
    assert.deepEqual(h.ex.depth({}), {
      ok: false,
      status: 400,
      code: -1102,
      msg: "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.",
    });
    assert.deepEqual(h.ex.depth({ symbol: "NOPE" }), {
      ok: false,
      status: 400,
      code: -1121,
      msg: "Invalid symbol.",
    });
    assert.deepEqual(h.ex.bookTicker("BTCUSDT"), {
      u: 1,
      b: "20000.00000000",
      B: "0.50000000",
      a: "20001.00000000",
      A: "1.25000000",
    });
    assert.equal(h.ex.bookTicker("LTCUSDT"), undefined);
  });

  it("skips and counts malformed levels and trades instead of failing", () => {
    const h = makeHarness();
    const u = h.ex.applyBookLevels(
      "BTCUSDT",
      [
        ["abc", "1"],
        ["20000", "1"],
      ],
      [["20001", "-1"]],
    );
    assert.deepEqual(u.bids, [["20000", "1"]]);
    assert.deepEqual(u.asks, []);
    h.ex.onMarketTrade("BTCUSDT", "NaN", "1", h.clock.now, true);
    assert.equal(h.ex.lastPrice("BTCUSDT"), undefined);
    assert.equal(h.ex.stats().inputErrors, 3);
    assert.match(h.ex.stats().lastInputError ?? "", /BTCUSDT trade skipped/);
  });

  it("update ids stay contiguous across market diffs and liquidity consumed by user takers", () => {
    const h = makeHarness();
    const seen: Array<{ U: number; u: number }> = [];
    const record = (x: { firstUpdateId: number; lastUpdateId: number }) =>
      seen.push({ U: x.firstUpdateId, u: x.lastUpdateId });
    h.ex.onBookUpdate(record);
    record(
      h.ex.applyBookLevels(
        "BTCUSDT",
        [["19999", "1"]],
        [
          ["20001", "0.01"],
          ["20002", "1"],
        ],
      ),
    );
    body(h.ex.newOrder("A", { symbol: "BTCUSDT", side: "BUY", type: "MARKET", quantity: "0.02" }));
    record(h.ex.applyBookLevels("BTCUSDT", [], [["20003", "1"]]));
    body(h.ex.newOrder("A", { symbol: "BTCUSDT", side: "SELL", type: "MARKET", quantity: "0.5" }));
    record(h.ex.applyBookLevels("BTCUSDT", [["19998", "2"]], []));
    assert.equal(seen.length, 5);
    for (let i = 1; i < seen.length; i++) assert.equal(seen[i]?.U, (seen[i - 1]?.u ?? 0) + 1);
    assert.equal(body(h.ex.depth({ symbol: "BTCUSDT" })).lastUpdateId, seen[4]?.u);
    // The taker update says what the book now holds at each touched level ("0" = removed).
    assert.deepEqual(h.bookUpdates[0]?.asks, [
      ["20001.00000000", "0.00000000"],
      ["20002.00000000", "0.99000000"],
    ]);
    assert.deepEqual(h.bookUpdates[1]?.bids, [["19999.00000000", "0.50000000"]]);
  });
});
