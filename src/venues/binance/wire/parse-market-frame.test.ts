import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import type { Bar, QuoteTick, TradeTick } from "../../../model/index.ts";
import { readWsCapture, sharedDataPath, skipUnlessShared } from "../stream/test-support/captures.ts";
import type { DepthUpdate } from "./parse-market-depth-update.ts";
import { type MarketFrame, parseMarketFrame } from "./parse-market-frame.ts";
import type { MiniTicker } from "./parse-market-mini-ticker.ts";

const RECEIVED = 1_700_000_000_000_000;

function parse(text: string): MarketFrame {
  return parseMarketFrame(text, RECEIVED);
}

function expectKind<K extends MarketFrame["kind"]>(
  frame: MarketFrame,
  kind: K,
): Extract<MarketFrame, { kind: K }> {
  if (frame.kind !== kind) {
    assert.fail(`expected ${kind}, got ${frame.kind}${frame.kind === "error" ? `: ${frame.reason}` : ""}`);
  }
  return frame as Extract<MarketFrame, { kind: K }>;
}

// The payload examples of reference section 2, verbatim except that the // comments are removed.
const DOC = {
  trade:
    '{"e":"trade","E":1672515782136,"s":"BNBBTC","t":12345,"p":"0.001","q":"100","T":1672515782136,"m":true,"M":true}',
  aggTrade:
    '{"e":"aggTrade","E":1672515782136,"s":"BNBBTC","a":12345,"p":"0.001","q":"100","f":100,"l":105,"T":1672515782136,"m":true,"M":true}',
  kline:
    '{"e":"kline","E":1672515782136,"s":"BNBBTC","k":{"t":1672515780000,"T":1672515839999,"s":"BNBBTC","i":"1m","f":100,"L":200,"o":"0.0010","c":"0.0020","h":"0.0025","l":"0.0015","v":"1000","n":100,"x":false,"q":"1.0000","V":"500","Q":"0.500","B":"123456"}}',
  bookTicker:
    '{"u":400900217,"s":"BNBUSDT","b":"25.35190000","B":"31.21000000","a":"25.36520000","A":"40.66000000"}',
  depthUpdate:
    '{"e":"depthUpdate","E":1672515782136,"s":"BNBBTC","U":157,"u":160,"b":[["0.0024","10"]],"a":[["0.0026","100"]]}',
  miniTicker:
    '{"e":"24hrMiniTicker","E":1672515782136,"s":"BNBBTC","c":"0.0025","o":"0.0010","h":"0.0025","l":"0.0010","v":"10000","q":"18"}',
  partialDepth: '{"lastUpdateId":160,"bids":[["0.0024","10"]],"asks":[["0.0026","100"]]}',
};

function combined(stream: string, data: string): string {
  return `{"stream":"${stream}","data":${data}}`;
}

describe("parseMarketFrame on the reference's documented payloads", () => {
  test("trade: m=true means the buyer was the maker, so the aggressor is SELL; event time is T", () => {
    const t = expectKind(parse(combined("bnbbtc@trade", DOC.trade)), "trade");
    assert.equal(t.instrumentId, "BNBBTC");
    assert.equal(t.tradeId, "12345");
    assert.equal(t.price.toString(), "0.001");
    assert.equal(t.quantity.toString(), "100");
    assert.equal(t.aggressor, "SELL");
    assert.equal(t.eventTime, 1672515782136 * 1000);
    assert.equal(t.receivedAt, RECEIVED);
  });

  test("aggTrade: the trade id is the aggregate id a", () => {
    const t = expectKind(parse(DOC.aggTrade), "trade");
    assert.equal(t.tradeId, "12345");
    assert.equal(t.aggressor, "SELL");
    const buy = expectKind(parse(DOC.aggTrade.replace('"m":true', '"m":false')), "trade");
    assert.equal(buy.aggressor, "BUY");
  });

  test("kline: a Bar with closed = k.x and closeTime = T * 1000 + 999", () => {
    const b = expectKind(parse(combined("bnbbtc@kline_1m", DOC.kline)), "bar");
    assert.equal(b.instrumentId, "BNBBTC");
    assert.equal(b.interval, "1m");
    assert.equal(b.openTime, 1672515780000 * 1000);
    assert.equal(b.closeTime, 1672515839999 * 1000 + 999);
    assert.deepEqual([b.open, b.high, b.low, b.close, b.volume, b.quoteVolume].map(String), [
      "0.001",
      "0.0025",
      "0.0015",
      "0.002",
      "1000",
      "1",
    ]);
    assert.equal(b.tradeCount, 100);
    assert.equal(b.closed, false);
    assert.equal(expectKind(parse(DOC.kline.replace('"x":false', '"x":true')), "bar").closed, true);
  });

  test("bookTicker has no event time on spot: the quote's event time is the receive time", () => {
    const q = expectKind(parse(combined("bnbusdt@bookTicker", DOC.bookTicker)), "quote");
    assert.equal(q.instrumentId, "BNBUSDT");
    assert.deepEqual([q.bid, q.bidSize, q.ask, q.askSize].map(String), [
      "25.3519",
      "31.21",
      "25.3652",
      "40.66",
    ]);
    assert.equal(q.eventTime, RECEIVED);
  });

  test("depthUpdate keeps U, u and the exact levels", () => {
    const d = expectKind(parse(combined("bnbbtc@depth", DOC.depthUpdate)), "depth");
    assert.equal(d.firstUpdateId, 157);
    assert.equal(d.finalUpdateId, 160);
    assert.deepEqual(
      d.bids.map((l) => [String(l.price), String(l.quantity)]),
      [["0.0024", "10"]],
    );
    assert.deepEqual(
      d.asks.map((l) => [String(l.price), String(l.quantity)]),
      [["0.0026", "100"]],
    );
  });

  test("miniTicker", () => {
    const m = expectKind(parse(DOC.miniTicker), "miniTicker");
    assert.equal(m.instrumentId, "BNBBTC");
    assert.deepEqual([m.open, m.high, m.low, m.close, m.volume, m.quoteVolume].map(String), [
      "0.001",
      "0.0025",
      "0.001",
      "0.0025",
      "10000",
      "18",
    ]);
  });

  test("serverShutdown, raw and combined", () => {
    const raw = expectKind(parse('{ "e": "serverShutdown", "E": 1770123456789 }'), "serverShutdown");
    assert.equal(raw.eventTime, 1770123456789 * 1000);
    expectKind(
      parse('{ "stream": "!serverShutdown", "data": { "e": "serverShutdown", "E": 1770123456789 } }'),
      "serverShutdown",
    );
  });

  test("control answers are not wrapped: result and error", () => {
    const r = expectKind(parse('{"result": null, "id": 1}'), "controlResult");
    assert.equal(r.id, 1);
    assert.equal(r.result, null);
    assert.deepEqual(expectKind(parse('{"result": ["btcusdt@aggTrade"], "id": 3}'), "controlResult").result, [
      "btcusdt@aggTrade",
    ]);
    const e = expectKind(parse('{"code": 0, "msg": "Unknown property","id": 5}'), "controlError");
    assert.deepEqual([e.code, e.msg, e.id], [0, "Unknown property", 5]);
    const noId = expectKind(
      parse('{"code":3,"msg":"Invalid JSON: expected value at line 1 column 1"}'),
      "controlError",
    );
    assert.equal(noId.id, null);
  });

  test("an old trade payload with the removed b/a fields still parses (unknown keys are ignored)", () => {
    const old = DOC.trade.replace('"q":"100",', '"q":"100","b":88,"a":50,');
    assert.equal(expectKind(parse(old), "trade").tradeId, "12345");
  });

  test("unsupported things are errors, not events", () => {
    assert.match(
      expectKind(parse(combined("bnbbtc@depth5", DOC.partialDepth)), "error").reason,
      /partial book depth/,
    );
    assert.match(expectKind(parse(DOC.kline.replace('"i":"1m"', '"i":"1s"')), "error").reason, /kline\.k\.i/);
    assert.match(
      expectKind(parse('{"e":"24hrTicker","E":1,"s":"BNBBTC"}'), "error").reason,
      /unsupported event type/,
    );
  });

  test("errors name the field and the stream", () => {
    const e = expectKind(
      parse(combined("bnbbtc@trade", DOC.trade.replace('"p":"0.001"', '"p":0.001'))),
      "error",
    );
    assert.equal(e.stream, "bnbbtc@trade");
    assert.match(e.reason, /trade\.p/);
    assert.match(expectKind(parse(DOC.trade.replace('"p":"0.001"', '"p":"-1"')), "error").reason, /trade\.p/);
    assert.match(expectKind(parse(DOC.trade.replace('"q":"100"', '"q":"0"')), "error").reason, /trade\.q/);
    assert.match(expectKind(parse(DOC.trade.replace('"t":12345', '"t":1.5')), "error").reason, /trade\.t/);
    assert.match(expectKind(parse(DOC.trade.replace('"m":true', '"m":"true"')), "error").reason, /trade\.m/);
    assert.match(
      expectKind(parse(DOC.trade.replace('"s":"BNBBTC"', '"s":"bnbbtc"')), "error").reason,
      /trade\.s/,
    );
    // A time whose microseconds would not be a safe integer (after the year 2255) is refused.
    assert.match(
      expectKind(parse(DOC.trade.replace('"T":1672515782136', '"T":11672515782136')), "error").reason,
      /trade\.T/,
    );
    assert.match(expectKind(parse("{not json"), "error").reason, /not valid JSON/);
    assert.match(expectKind(parse("[1,2]"), "error").reason, /not a JSON object/);
    assert.match(expectKind(parse('{"stream":"x","data":7}'), "error").reason, /data/);
  });
});

describe("parseMarketFrame on the cryptofeed capture (real Binance frames, 2021-10-12)", () => {
  const frames = readWsCapture();

  test("every one of the 265 frames parses into an event", () => {
    const counts: Record<string, number> = {};
    for (const f of frames) {
      const frame = parseMarketFrame(f.text, Math.round(f.receivedAtS * 1e6));
      if (frame.kind === "error") assert.fail(`${frame.reason} in ${f.text.slice(0, 120)}`);
      counts[frame.kind] = (counts[frame.kind] ?? 0) + 1;
    }
    assert.deepEqual(counts, { depth: 177, quote: 84, bar: 2, trade: 2 });
  });

  test("the NKNUSDT aggTrade and kline carry the captured values", () => {
    const agg = frames.map((f) => parse(f.text)).find((f): f is TradeTick => f.kind === "trade")!;
    assert.equal(agg.instrumentId, "NKNUSDT");
    assert.equal(agg.tradeId, "15683430");
    assert.equal(agg.price.toString(), "0.3528");
    assert.equal(agg.quantity.toString(), "58");
    assert.equal(agg.aggressor, "BUY"); // "m":false: the buyer took liquidity
    assert.equal(agg.eventTime, 1633998523963000);
    const bar = frames.map((f) => parse(f.text)).find((f): f is Bar => f.kind === "bar")!;
    assert.equal(bar.instrumentId, "NKNUSDT");
    assert.equal(bar.openTime, 1633998480000000);
    assert.equal(bar.closeTime, 1633998539999999);
    assert.equal(bar.quoteVolume.toString(), "9116.046");
    assert.equal(bar.tradeCount, 30);
    assert.equal(bar.closed, false);
  });

  test("the first NKNUSDT diff is U=499869750 u=499869752 with three bids and no asks", () => {
    const d = frames.map((f) => parse(f.text)).find((f): f is DepthUpdate => f.kind === "depth")!;
    assert.deepEqual([d.instrumentId, d.firstUpdateId, d.finalUpdateId], ["NKNUSDT", 499869750, 499869752]);
    assert.equal(d.bids.length, 3);
    assert.equal(d.asks.length, 0);
    assert.equal(d.bids[0]!.price.toString(), "0.3513");
  });
});

describe("parseMarketFrame on nautilus_trader's captures (read from ../shared/data, LGPL: never copied)", () => {
  const dir = "nautilus_trader/ws_messages/";

  test("ws_spot_trade.json: ETHUSDT trade, buyer maker -> SELL", {
    skip: skipUnlessShared(`${dir}ws_spot_trade.json`),
  }, () => {
    const t = expectKind(parse(readFileSync(sharedDataPath(`${dir}ws_spot_trade.json`), "utf8")), "trade");
    assert.deepEqual(
      [t.instrumentId, t.tradeId, t.price.toString(), t.quantity.toString(), t.aggressor, t.eventTime],
      ["ETHUSDT", "705291099", "4149.74", "0.4387", "SELL", 1639351062243000],
    );
  });

  test("ws_spot_agg_trade.json: extra keys (st) are ignored", {
    skip: skipUnlessShared(`${dir}ws_spot_agg_trade.json`),
  }, () => {
    const t = expectKind(
      parse(readFileSync(sharedDataPath(`${dir}ws_spot_agg_trade.json`), "utf8")),
      "trade",
    );
    assert.deepEqual([t.tradeId, t.price.toString(), t.aggressor], ["226532", "1632.46", "BUY"]);
  });

  test("ws_spot_ticker_book.json: a bookTicker with E uses it as event time", {
    skip: skipUnlessShared(`${dir}ws_spot_ticker_book.json`),
  }, () => {
    const q: QuoteTick = expectKind(
      parse(readFileSync(sharedDataPath(`${dir}ws_spot_ticker_book.json`), "utf8")),
      "quote",
    );
    assert.deepEqual(
      [q.bid.toString(), q.askSize.toString(), q.eventTime],
      ["4507.24", "2.8457", 1646199228123000],
    );
  });
});

describe("parseMarketFrame mini ticker type", () => {
  test("is exported as a frame kind", () => {
    const m: MiniTicker = expectKind(parse(combined("bnbbtc@miniTicker", DOC.miniTicker)), "miniTicker");
    assert.equal(m.eventTime, 1672515782136000);
  });
});
