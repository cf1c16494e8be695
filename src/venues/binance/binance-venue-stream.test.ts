import assert from "node:assert/strict";
import { test } from "node:test";
import { clientOrderId, dec, instrumentId } from "../../core/index.ts";
import { parseInstrument, type VenueEvent } from "../../model/index.ts";
import { BinanceCredentials } from "./binance-credentials.ts";
import { BinanceVenue } from "./binance-venue.ts";
import { hmacSigner } from "./signing/request-signer.ts";
import { BinanceUserDataStream } from "./user/binance-user-data-stream.ts";
import { FakeBinanceRest } from "./user/test-support/fake-binance-rest.ts";
import { FakeWsApiServer } from "./user/test-support/fake-ws-api-server.ts";
import { executionReportMsg, myTradeMsg, WIRE_T0 } from "./user/test-support/wire-builders.ts";
import type { MyTradeMsg, QueryOrderMsg } from "./wire/rest-msgs.ts";

const T0 = WIRE_T0;

async function eventually(check: () => boolean, what: string, boundMs = 5000): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

const executionReport = executionReportMsg;

/** This test's trades: commission 0.001 BTC, stamped T0 + id. */
function myTrade(id: number, qty: string): MyTradeMsg {
  return myTradeMsg(id, qty, { commission: "0.001", time: T0 + id });
}

test("a fill made while the user stream was down comes once, by reconciliation after the resubscription", async () => {
  const server = await FakeWsApiServer.start();
  const stream = new BinanceUserDataStream({
    wsApiUrl: server.url,
    credentials: new BinanceCredentials("test-api-key-0001", hmacSigner("test-secret")),
    backoff: { initialMs: 1, maxMs: 5 },
  });
  const rest = new FakeBinanceRest();
  const btc = parseInstrument({
    symbol: "BTCUSDT",
    status: "TRADING",
    baseAsset: "BTC",
    quoteAsset: "USDT",
    filters: [],
  });
  const venue = new BinanceVenue({
    accountId: "binance-test",
    rest,
    userData: stream,
    instruments: new Map([[btc.id, btc]]),
  });
  const events: VenueEvent[] = [];
  venue.onEvent((e) => events.push(e));
  const fillIds = () => events.flatMap((e) => (e.kind === "fill" ? [e.fill.tradeId] : []));
  try {
    await venue.start();
    rest.newOrderImpl = () =>
      Promise.resolve({
        symbol: "BTCUSDT",
        orderId: 28,
        orderListId: -1,
        clientOrderId: "des-1",
        transactTime: T0 + 5,
        status: "NEW",
        executedQty: "0.00000000",
        fills: [],
      });
    const placed = await venue.submit({
      clientOrderId: clientOrderId("des-1"),
      instrumentId: instrumentId("BTCUSDT"),
      side: "BUY",
      type: "LIMIT",
      quantity: dec("1"),
      price: dec("100"),
    });
    assert.equal(placed.kind, "accepted");
    server.sendEvent(executionReport({ x: "NEW" }));
    server.sendEvent(
      executionReport({ x: "TRADE", X: "PARTIALLY_FILLED", t: 100, l: "0.20000000", z: "0.20000000" }),
    );
    await eventually(() => fillIds().length === 1, "the first fill on the stream");

    // While the connection is down, trade 101 happens; REST knows it, the stream never sends it.
    const order: QueryOrderMsg = {
      symbol: "BTCUSDT",
      orderId: 28,
      orderListId: -1,
      clientOrderId: "des-1",
      price: "100.00000000",
      origQty: "1.00000000",
      executedQty: "0.50000000",
      cummulativeQuoteQty: "50.00000000",
      status: "PARTIALLY_FILLED",
      timeInForce: "GTC",
      type: "LIMIT",
      side: "BUY",
      time: T0 + 5,
      updateTime: T0 + 101,
      isWorking: true,
    };
    rest.openOrdersImpl = () => Promise.resolve([order]);
    rest.myTradesImpl = (q) =>
      Promise.resolve(
        [myTrade(100, "0.20000000"), myTrade(101, "0.30000000")].filter((t) => t.id >= (q.fromId ?? 0)),
      );
    server.dropLatest();
    await eventually(() => fillIds().length === 2, "the missed fill from reconciliation");
    assert.equal(stream.stats().reconnects, 1);
    assert.equal(server.requests.filter((r) => r.method === "userDataStream.subscribe.signature").length, 2);
    assert.deepEqual(rest.callsOf("myTrades"), [{ symbol: "BTCUSDT", fromId: 101, limit: 1000 }]);

    // The new subscription replays trade 101 and then reports 102: only 102 is new.
    server.sendEvent(
      executionReport({ x: "TRADE", X: "PARTIALLY_FILLED", t: 101, l: "0.30000000", z: "0.50000000" }),
    );
    server.sendEvent(
      executionReport({ x: "TRADE", X: "PARTIALLY_FILLED", t: 102, l: "0.10000000", z: "0.60000000" }),
    );
    await eventually(() => fillIds().length === 3, "trade 102");
    assert.deepEqual(fillIds(), ["100", "101", "102"]);
    assert.equal(venue.stats().duplicateFillsDropped, 1);
    assert.equal(venue.stats().reconciliations, 1);
  } finally {
    await venue.stop();
    await server.close();
  }
});
