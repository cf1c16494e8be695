import assert from "node:assert/strict";
import { test } from "node:test";
import { SimExchange } from "../exchange/sim-exchange.ts";
import { SimMarketData } from "./sim-market-data.ts";
import type { DepthUpdateMsg, KlineEventMsg } from "./stream-payloads.ts";

test("with the real exchange: both sources replay, depth ids stay contiguous through user fills", () => {
  let now = Date.UTC(2026, 0, 5, 12, 0, 10, 0);
  const exchange = new SimExchange({ symbols: SimMarketData.symbolInfosOf(), now: () => now });
  const md = new SimMarketData({ exchange, now: () => now, autoPump: false });
  const last = new Map<string, number>();
  let depthEvents = 0;
  let closedKlines = 0;
  md.onStreamEvent((stream, payload) => {
    if (stream.endsWith("@kline_1m") && (payload as KlineEventMsg).k.x) closedKlines++;
    if (!stream.endsWith("@depth")) return;
    const d = payload as DepthUpdateMsg;
    const prev = last.get(d.s);
    if (prev !== undefined) assert.equal(d.U, prev + 1, `${d.s} ids contiguous`);
    last.set(d.s, d.u);
    const rest = exchange.depth({ symbol: d.s, limit: "5" });
    assert.ok(rest.ok);
    assert.equal(rest.body.lastUpdateId, d.u, `${d.s}: REST depth agrees with the stream`);
    depthEvents++;
  });
  md.start();
  const run = (ms: number): void => {
    const end = now + ms;
    while (now < end) {
      now += 50;
      md.pump();
    }
  };
  run(5000);
  // A user market order takes liquidity: the exchange reports it, the stream carries it in sequence.
  exchange.addAccount("trader", { BUSD: "10000000", BTC: "100" });
  const before = last.get("BTCBUSD")!;
  const order = exchange.newOrder("trader", {
    symbol: "BTCBUSD",
    side: "BUY",
    type: "MARKET",
    quantity: "0.50000",
  });
  assert.ok(order.ok, JSON.stringify(order));
  assert.ok(last.get("BTCBUSD")! > before, "the fill's book change was published");
  run(5000);
  assert.ok(depthEvents > 200, `${depthEvents} depth events`);
  assert.ok(closedKlines > 100, `${closedKlines} closed 1m klines`);
  for (const info of md.symbolInfos()) {
    assert.ok(exchange.bookTicker(info.symbol) !== undefined, `${info.symbol} has a two-sided book`);
  }
  assert.equal(exchange.stats().inputErrors, 0, exchange.stats().lastInputError);
});
