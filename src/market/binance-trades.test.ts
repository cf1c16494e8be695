import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { gunzipSync } from "node:zlib";
import { ErrorCode, instrumentId, isDesError } from "../core/index.ts";
import {
  type BinanceAggTradeMsg,
  parseAggTradeMsg,
  parseTradeJsonRow,
  parseTradesCsv,
  parseTradesJson,
} from "./binance-trades.ts";
import { fixturePath, sharedDataPath, skipUnlessShared } from "./test-support/shared-data.ts";

const BTCUSDT = instrumentId("BTCUSDT");

/** The cryptofeed capture: `<receive time>: <raw frame>` lines after a header line. */
function cryptofeedFrames(): Array<{ stream: string; data: Record<string, unknown> }> {
  const lines = readFileSync(fixturePath("BINANCE.ws.1.0.aggTrade-kline.txt"), "utf8")
    .trim()
    .split("\n")
    .slice(1);
  return lines.map((l) => JSON.parse(l.slice(l.indexOf(": ") + 2)));
}

function badRow(pattern: RegExp) {
  return (err: unknown): boolean => {
    assert.ok(isDesError(err, ErrorCode.InvalidMarketData), String(err));
    assert.match(err.message, pattern);
    return true;
  };
}

describe("Binance trades JSON", () => {
  test("parses the captured aggTrade stream events, naming the instrument from `s`", () => {
    const frames = cryptofeedFrames().filter((f) => f.stream.endsWith("@aggTrade"));
    assert.equal(frames.length, 2);
    const nkn = parseAggTradeMsg(frames[0]!.data as unknown as BinanceAggTradeMsg);
    assert.equal(nkn.instrumentId, "NKNUSDT");
    assert.equal(nkn.tradeId, "15683430");
    assert.equal(nkn.price.toString(), "0.3528");
    assert.equal(nkn.quantity.toString(), "58");
    assert.equal(nkn.eventTime, 1633998523963 * 1000);
    assert.equal(nkn.receivedAt, nkn.eventTime);
    // m false: the buyer was the taker.
    assert.equal(nkn.aggressor, "BUY");
    const lrc = parseTradeJsonRow(frames[1]);
    assert.equal(lrc.instrumentId, "LRCBTC");
    assert.equal(lrc.price.toString(), "0.00000638");
  });

  test("the aggressor is SELL when the buyer was the maker", () => {
    const t = parseAggTradeMsg(
      { a: 1, p: "10.5", q: "2", f: 1, l: 1, T: 1700000000000, m: true, M: true },
      { instrumentId: BTCUSDT },
    );
    assert.equal(t.aggressor, "SELL");
    const r = parseTradeJsonRow(
      {
        id: 7,
        price: "10.5",
        qty: "2",
        quoteQty: "21",
        time: 1700000000000,
        isBuyerMaker: false,
        isBestMatch: true,
      },
      { instrumentId: BTCUSDT },
    );
    assert.equal(r.aggressor, "BUY");
    assert.equal(r.tradeId, "7");
  });

  test("malformed trades are reported with their row and field", () => {
    const rows = [
      { a: 1, p: "10", q: "1", f: 1, l: 1, T: 1700000000000, m: false },
      { a: 2, p: "0", q: "1", f: 2, l: 2, T: 1700000000001, m: false },
      { a: 3, p: "10", q: "1", f: 3, l: 3, T: 1700000000002 },
      { a: 4, p: "10", q: "-1", f: 4, l: 4, T: 1700000000003, m: true },
      { hello: "world" },
      { a: 6, p: "10", q: "1", f: 6, l: 6, T: 1699999999999, m: true },
    ];
    assert.throws(
      () => parseTradesJson(rows, { instrumentId: BTCUSDT, source: "t.json" }),
      badRow(/^t\.json row 2: price 0 must be positive/),
    );
    const r = parseTradesJson(rows, { instrumentId: BTCUSDT, source: "t.json", badRows: "skip" });
    assert.equal(r.items.length, 1);
    assert.equal(r.skippedRows, 5);
    assert.deepEqual(
      r.errors.map((e) => e.message.replace(/^t\.json /, "")),
      [
        "row 2: price 0 must be positive",
        "row 3: isBuyerMaker must be true or false, got nothing",
        "row 4: quantity -1 must be positive",
        "row 5: not a Binance trade: expected {a,p,q,T,m} or {id,price,qty,time,isBuyerMaker}",
        "row 6: time 2023-11-14T22:13:19.999Z is not after the previous row's 2023-11-14T22:13:20.000Z",
      ],
    );
    assert.throws(() => parseTradesJson(rows.slice(0, 1)), badRow(/does not name its instrument/));
  });

  test("reads nautilus_trader's REST trades and aggTrades captures (read-only reference)", {
    skip: skipUnlessShared("nautilus_trader/http_responses/http_spot_market_trades.json"),
  }, () => {
    const read = (f: string): unknown =>
      JSON.parse(readFileSync(sharedDataPath(`nautilus_trader/http_responses/${f}`), "utf8"));
    const trades = parseTradesJson(read("http_spot_market_trades.json"), { instrumentId: BTCUSDT }).items;
    assert.equal(trades.length, 10);
    assert.equal(trades[0]!.tradeId, "1111468873");
    assert.equal(trades[0]!.price.toString(), "60650");
    assert.equal(trades[0]!.aggressor, "SELL");
    const agg = parseTradesJson(read("http_spot_market_agg_trades.json"), { instrumentId: BTCUSDT }).items;
    assert.equal(agg.length, 10);
    assert.equal(agg[0]!.quantity.toString(), "0.00841");
  });

  test("reads freqtrade's ccxt trade dicts through their raw `info` strings (read-only reference)", {
    skip: skipUnlessShared("freqtrade/XRP_OLD-trades.json.gz"),
  }, () => {
    const body = JSON.parse(
      gunzipSync(readFileSync(sharedDataPath("freqtrade/XRP_OLD-trades.json.gz"))).toString("utf8"),
    ) as Array<Record<string, unknown>>;
    const { items } = parseTradesJson(body);
    assert.equal(items.length, 12477);
    assert.equal(items[0]!.instrumentId, "XRPETH");
    for (let i = 0; i < items.length; i += 97) {
      const raw = body[i]!;
      assert.equal(items[i]!.price.toNumber(), raw["price"]);
      assert.equal(items[i]!.quantity.toNumber(), raw["amount"]);
      assert.equal(items[i]!.aggressor, raw["side"] === "sell" ? "SELL" : "BUY");
      assert.equal(items[i]!.eventTime, (raw["timestamp"] as number) * 1000);
    }
  });
});

describe("trades CSV", () => {
  // Constructed rows in the data.binance.vision layouts (not copied from anywhere).
  const tradesCsv = [
    "553287559,39432.48000000,0.00026300,10.37074224,1610064000278,True,True",
    "553287560,39439.44000000,0.00437600,172.58698944,1610064000310,False,True",
  ].join("\n");
  const aggTradesCsv = [
    "410000001,39432.48000000,0.00026300,553287559,553287559,1610064000278,true,true",
    "410000002,39439.44000000,0.00437600,553287560,553287561,1610064000310,false,true",
  ].join("\r\n");

  test("reads data.binance.vision trades (7 columns) and aggTrades (8 columns)", () => {
    const t = parseTradesCsv(tradesCsv, { instrumentId: BTCUSDT }).items;
    assert.equal(t.length, 2);
    assert.equal(t[0]!.aggressor, "SELL");
    assert.equal(t[1]!.aggressor, "BUY");
    assert.equal(t[1]!.quantity.toString(), "0.004376");
    const a = parseTradesCsv(aggTradesCsv, { instrumentId: BTCUSDT }).items;
    assert.deepEqual(
      a.map((x) => [x.tradeId, x.price.toString(), x.eventTime, x.aggressor]),
      [
        ["410000001", "39432.48", 1610064000278000, "SELL"],
        ["410000002", "39439.44", 1610064000310000, "BUY"],
      ],
    );
  });

  test("reads microsecond timestamps (data.binance.vision since 2025) by magnitude", () => {
    const us = tradesCsv
      .replace("1610064000278", "1610064000278123")
      .replace("1610064000310", "1610064000310456");
    const t = parseTradesCsv(us, { instrumentId: BTCUSDT }).items;
    assert.deepEqual(
      t.map((x) => x.eventTime),
      [1610064000278123, 1610064000310456],
    );
  });

  test("maps a header's column names; a missing column is named", () => {
    const headed =
      "timestamp_ms,trade_id,price,quantity,is_buyer_maker\n1610064000278,553287559,39432.48,0.000263,true\n";
    const t = parseTradesCsv(headed, { instrumentId: BTCUSDT }).items;
    assert.equal(t[0]!.tradeId, "553287559");
    assert.equal(t[0]!.aggressor, "SELL");
    assert.throws(
      () => parseTradesCsv("time,price,qty\n1,2,3", { instrumentId: BTCUSDT }),
      badRow(/header has no id column/),
    );
    assert.throws(
      () => parseTradesCsv("1,2,3,4,5", { instrumentId: BTCUSDT }),
      badRow(/7 \(trades\) or 8 \(aggTrades\) columns, got 5/),
    );
  });

  test("reads nautilus_trader's converted BTCUSDT trades CSV (read-only reference)", {
    skip: skipUnlessShared("nautilus_trader/BTCUSDT-trades-2021-01-08.csv"),
  }, () => {
    const t = parseTradesCsv(
      readFileSync(sharedDataPath("nautilus_trader/BTCUSDT-trades-2021-01-08.csv"), "utf8"),
      {
        instrumentId: BTCUSDT,
      },
    ).items;
    assert.equal(t.length, 2001);
    assert.equal(t[0]!.tradeId, "553287559");
    assert.equal(t[2000]!.tradeId, "553289559");
  });
});
