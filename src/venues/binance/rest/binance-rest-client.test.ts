import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { after, afterEach, beforeEach, test } from "node:test";
import { BinanceApiError, isUnknownOutcome } from "../binance-api-error.ts";
import { BinanceCredentials } from "../binance-credentials.ts";
import { hmacSigner } from "../signing/request-signer.ts";
import { BinanceRestClient, type BinanceRestClientOptions } from "./binance-rest-client.ts";
import { type FakeAnswer, FakeRestServer } from "./test-support/fake-rest-server.ts";

const API_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
const SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
const credentials = new BinanceCredentials(API_KEY, hmacSigner(SECRET));
const MINUTE = 60_000;
const T0 = 28_333_333 * MINUTE; // a minute boundary, so window waits are exact

const FULL_ORDER = {
  symbol: "BTCUSDT",
  orderId: 28,
  orderListId: -1,
  clientOrderId: "6gCrw2kRUAF9CvJDGP16IP",
  transactTime: 1507725176595,
  price: "0.00000000",
  origQty: "10.00000000",
  executedQty: "10.00000000",
  origQuoteOrderQty: "0.000000",
  cummulativeQuoteQty: "10.00000000",
  status: "FILLED",
  timeInForce: "GTC",
  type: "MARKET",
  side: "SELL",
  workingTime: 1507725176595,
  selfTradePreventionMode: "NONE",
  fills: [
    {
      price: "4000.00000000",
      qty: "1.00000000",
      commission: "4.00000000",
      commissionAsset: "USDT",
      tradeId: 56,
    },
  ],
};
const ORDER = { symbol: "BTCUSDT", side: "SELL", type: "MARKET", quantity: "10" } as const;

let server: FakeRestServer;
let baseUrl: string;
let now: number;
let serverSkewMs: number;
let events: string[];
let logs: Array<{ obj: object; msg: string }>;
const clients: BinanceRestClient[] = [];

beforeEach(async () => {
  server = new FakeRestServer();
  baseUrl = await server.start();
  now = T0 + 1000;
  serverSkewMs = 0;
  events = [];
  logs = [];
  server.on("GET /api/v3/time", () => ({ body: { serverTime: now + serverSkewMs } }));
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await server.close();
});

after(() => {
  // Secrets never reach a log line, whatever the test did.
  const text = JSON.stringify(logs);
  assert.ok(!text.includes(SECRET) && !text.includes(API_KEY) && !text.includes("signature"), text);
});

function client(options: Partial<BinanceRestClientOptions> = {}): BinanceRestClient {
  const c = new BinanceRestClient({
    baseUrl,
    credentials,
    nowMs: () => now,
    sleep: async (ms) => {
      events.push(`sleep ${ms}`);
      now += ms;
    },
    logger: { warn: (obj, msg) => logs.push({ obj, msg }) },
    timeoutMs: 2000,
    ...options,
  });
  clients.push(c);
  return c;
}

function routeLogging(route: string, answer: (n: number) => FakeAnswer): void {
  let n = 0;
  server.on(route, (req) => {
    events.push(`server ${req.method} ${req.path}`);
    return answer(n++);
  });
}

async function rejectsWith(
  promise: Promise<unknown>,
  code: string,
): Promise<Error & { code: string; details: Record<string, unknown> }> {
  try {
    await promise;
  } catch (err) {
    assert.equal((err as { code?: string }).code, code, String(err));
    return err as Error & { code: string; details: Record<string, unknown> };
  }
  assert.fail(`expected ${code}`);
}

test("signed order: time synced first, then timestamp, recvWindow and the signature last, with X-MBX-APIKEY", async () => {
  serverSkewMs = 1234;
  server.on("POST /api/v3/order", {
    body: FULL_ORDER,
    headers: { "X-MBX-ORDER-COUNT-10S": "1", "X-MBX-USED-WEIGHT-1M": "3" },
  });
  const c = client();
  const res = await c.newOrder({ ...ORDER, newClientOrderId: "my-id_1" });
  assert.deepEqual(res, FULL_ORDER);
  assert.deepEqual(
    server.seen.map((r) => `${r.method} ${r.path}`),
    ["GET /api/v3/time", "POST /api/v3/order"],
  );
  assert.equal(c.timeOffsetMs, 1234);
  const order = server.requests("POST /api/v3/order")[0]!;
  const [unsigned, signature] = order.rawQuery.split("&signature=") as [string, string];
  assert.equal(
    unsigned,
    `symbol=BTCUSDT&side=SELL&type=MARKET&quantity=10&newClientOrderId=my-id_1&newOrderRespType=FULL&recvWindow=5000&timestamp=${now + 1234}`,
  );
  assert.equal(signature, createHmac("sha256", SECRET).update(unsigned).digest("hex"));
  assert.equal(order.headers["x-mbx-apikey"], API_KEY);
  assert.equal(order.body, "");
  // The time endpoint is public: no key, no signature.
  const time = server.requests("GET /api/v3/time")[0]!;
  assert.equal(time.headers["x-mbx-apikey"], undefined);
  assert.equal(time.rawQuery, "");
  assert.deepEqual(c.rateLimits(), {
    usedWeight1m: 3,
    orderCount10s: 1,
    orderCount1d: 0,
    blockedUntilMs: 0,
    banned: false,
  });
  // A second signed call does not resync.
  await c.newOrder(ORDER);
  assert.equal(server.requests("GET /api/v3/time").length, 1);
});

test("-1021: resyncs the clock and retries once, then succeeds", async () => {
  routeLogging("POST /api/v3/order", (n) =>
    n === 0
      ? {
          status: 400,
          body: { code: -1021, msg: "Timestamp for this request is outside of the recvWindow." },
        }
      : { body: FULL_ORDER },
  );
  const c = client();
  await c.syncTime();
  serverSkewMs = 7000; // the local clock drifted after the first sync
  const res = await c.newOrder(ORDER);
  assert.equal(res.orderId, 28);
  const orders = server.requests("POST /api/v3/order");
  assert.equal(orders.length, 2);
  assert.equal(server.requests("GET /api/v3/time").length, 2);
  assert.equal(orders[0]!.query.get("timestamp"), String(now));
  assert.equal(orders[1]!.query.get("timestamp"), String(now + 7000));
  assert.equal(c.timeOffsetMs, 7000);
});

test("-1021 twice: throws DES_ERR_VENUE_TIMESTAMP_REJECTED after exactly one retry", async () => {
  server.on("POST /api/v3/order", {
    status: 400,
    body: { code: -1021, msg: "Timestamp for this request was 1000ms ahead of the server's time." },
  });
  const err = await rejectsWith(client().newOrder(ORDER), "DES_ERR_VENUE_TIMESTAMP_REJECTED");
  assert.ok(err instanceof BinanceApiError);
  assert.equal(err.binanceCode, -1021);
  assert.equal(server.requests("POST /api/v3/order").length, 2);
});

test("-2010 insufficient balance: DES_ERR_VENUE_INSUFFICIENT_BALANCE with Binance's code and message", async () => {
  server.on("POST /api/v3/order", {
    status: 400,
    body: { code: -2010, msg: "Account has insufficient balance for requested action." },
  });
  const err = await rejectsWith(client().newOrder(ORDER), "DES_ERR_VENUE_INSUFFICIENT_BALANCE");
  assert.ok(err instanceof BinanceApiError);
  assert.equal(err.binanceCode, -2010);
  assert.equal(err.binanceMsg, "Account has insufficient balance for requested action.");
  assert.equal(err.httpStatus, 400);
  assert.equal(err.endpoint, "POST /api/v3/order");
  assert.ok(!err.message.includes("signature") && !err.message.includes(SECRET));
  assert.equal(server.requests("POST /api/v3/order").length, 1);
});

test("429 with Retry-After: no request reaches the server before it expires", async () => {
  routeLogging("GET /api/v3/account", (n) =>
    n === 0
      ? {
          status: 429,
          headers: { "Retry-After": "30" },
          body: {
            code: -1003,
            msg: "Too much request weight used; current limit is 6000 request weight per 1 MINUTE.",
          },
        }
      : {
          body: {
            makerCommission: 15,
            takerCommission: 15,
            canTrade: true,
            updateTime: 1,
            accountType: "SPOT",
            balances: [],
          },
        },
  );
  const c = client();
  const first = await rejectsWith(c.account(), "DES_ERR_VENUE_RATE_LIMITED");
  assert.equal(first.details.retryAtMs, now + 30_000);
  const seenBefore = server.seen.length;
  for (const dt of [0, 10_000, 29_999]) {
    const at = now;
    now = at + dt;
    await rejectsWith(c.account(), "DES_ERR_VENUE_RATE_LIMITED");
    await rejectsWith(c.depth("BTCUSDT"), "DES_ERR_VENUE_RATE_LIMITED");
    await rejectsWith(c.newOrder(ORDER), "DES_ERR_VENUE_RATE_LIMITED");
    now = at;
  }
  assert.equal(server.seen.length, seenBefore, "nothing was sent while blocked");
  assert.equal(c.rateLimits().blockedUntilMs, now + 30_000);
  assert.equal(c.rateLimits().banned, false);
  now += 30_000;
  assert.equal((await c.account()).accountType, "SPOT");
  assert.equal(c.rateLimits().blockedUntilMs, 0);
});

test("418 with Retry-After: DES_ERR_VENUE_BANNED, and nothing is sent until it expires", async () => {
  server.on("GET /api/v3/klines", {
    status: 418,
    headers: { "retry-after": "120" },
    body: {
      code: -1003,
      msg: "Way too much request weight used; IP banned until 1659146400000. Please use WebSocket Streams for live updates to avoid bans.",
    },
  });
  const c = client();
  await rejectsWith(c.klines({ symbol: "BTCUSDT", interval: "1m" }), "DES_ERR_VENUE_BANNED");
  const seenBefore = server.seen.length;
  now += 119_000;
  await rejectsWith(c.serverTime(), "DES_ERR_VENUE_BANNED");
  await rejectsWith(c.newOrder(ORDER), "DES_ERR_VENUE_BANNED");
  assert.equal(server.seen.length, seenBefore);
  assert.equal(c.rateLimits().banned, true);
  now += 1000;
  serverSkewMs = 0;
  assert.equal(await c.serverTime(), now);
});

test("5xx on an order: DES_ERR_VENUE_UNKNOWN_OUTCOME, never resent", async () => {
  server.on("POST /api/v3/order", { status: 503, rawBody: "<html>busy</html>" });
  const err = await rejectsWith(client().newOrder(ORDER), "DES_ERR_VENUE_UNKNOWN_OUTCOME");
  assert.ok(isUnknownOutcome(err));
  assert.equal(server.requests("POST /api/v3/order").length, 1);
});

test("-1007 on a cancel: unknown outcome; a 5xx on a GET is retried once", async () => {
  server.on("DELETE /api/v3/order", {
    status: 408,
    body: {
      code: -1007,
      msg: "Timeout waiting for response from backend server. Send status unknown; execution status unknown.",
    },
  });
  const c = client();
  await rejectsWith(
    c.cancelOrder({ symbol: "BTCUSDT", origClientOrderId: "x1" }),
    "DES_ERR_VENUE_UNKNOWN_OUTCOME",
  );
  assert.equal(server.requests("DELETE /api/v3/order").length, 1);
  server.on("GET /api/v3/openOrders", {
    status: 500,
    body: { code: -1000, msg: "An unknown error occurred while processing the request." },
  });
  await rejectsWith(c.openOrders("BTCUSDT"), "DES_ERR_VENUE_UNKNOWN_OUTCOME");
  assert.equal(server.requests("GET /api/v3/openOrders").length, 2);
});

test("timeout after sending an order: DES_ERR_VENUE_UNKNOWN_OUTCOME", async () => {
  server.on("POST /api/v3/order", { hold: true });
  const c = client({ timeoutMs: 150 });
  await c.syncTime();
  const err = await rejectsWith(c.newOrder(ORDER), "DES_ERR_VENUE_UNKNOWN_OUTCOME");
  assert.equal(err.details.reason, "timeout");
  assert.equal(server.requests("POST /api/v3/order").length, 1);
});

test("connection refused: DES_ERR_VENUE_UNAVAILABLE (nothing was sent)", async () => {
  const dead = new FakeRestServer();
  const deadUrl = await dead.start();
  await dead.close();
  const c = client({ baseUrl: deadUrl });
  const err = await rejectsWith(c.serverTime(), "DES_ERR_VENUE_UNAVAILABLE");
  assert.equal(err.details.reason, "ECONNREFUSED");
});

test("malformed bodies: DES_ERR_VENUE_PROTOCOL_ERROR naming the endpoint and the field", async () => {
  server.on("GET /api/v3/depth", { body: { lastUpdateId: 1, bids: [[4.0, "431.00000000"]], asks: [] } });
  server.on("GET /api/v3/klines", { rawBody: "[[1499040000000," });
  server.on("POST /api/v3/order", { body: { ...FULL_ORDER, status: "DONE" } });
  const c = client();
  const depth = await rejectsWith(c.depth("BTCUSDT"), "DES_ERR_VENUE_PROTOCOL_ERROR");
  assert.match(
    depth.message,
    /GET \/api\/v3\/depth: body\.bids\[0\]\[0\] must be a decimal string, got a number/,
  );
  assert.equal(depth.details.field, "body.bids[0][0]");
  assert.equal(isUnknownOutcome(depth), false);
  const klines = await rejectsWith(
    c.klines({ symbol: "BTCUSDT", interval: "1m" }),
    "DES_ERR_VENUE_PROTOCOL_ERROR",
  );
  assert.match(klines.message, /GET \/api\/v3\/klines: the response body is not JSON/);
  // The order was accepted (200) but its answer is unreadable: the outcome is unknown to DES.
  const order = await rejectsWith(c.newOrder(ORDER), "DES_ERR_VENUE_PROTOCOL_ERROR");
  assert.match(order.message, /body\.status must be one of NEW/);
  assert.equal(isUnknownOutcome(order), true);
});

test("public endpoints build their queries; responses of the docs' examples pass validation", async () => {
  const kline = [
    1499040000000,
    "0.01634790",
    "0.80000000",
    "0.01575800",
    "0.01577100",
    "148976.11427815",
    1499644799999,
    "2434.19055334",
    308,
    "1756.87402397",
    "28.46694368",
    "0",
  ];
  server.on("GET /api/v3/klines", { body: [kline] });
  server.on("GET /api/v3/depth", {
    body: {
      lastUpdateId: 1027024,
      bids: [["4.00000000", "431.00000000"]],
      asks: [["4.00000200", "12.00000000"]],
    },
  });
  server.on("GET /api/v3/exchangeInfo", {
    body: {
      timezone: "UTC",
      serverTime: 1565246363776,
      rateLimits: [{ rateLimitType: "REQUEST_WEIGHT", interval: "MINUTE", intervalNum: 1, limit: 6000 }],
      exchangeFilters: [],
      symbols: [
        {
          symbol: "ETHBTC",
          status: "TRADING",
          baseAsset: "ETH",
          quoteAsset: "BTC",
          filters: [
            {
              filterType: "PRICE_FILTER",
              minPrice: "0.00000100",
              maxPrice: "100000.00000000",
              tickSize: "0.00000100",
            },
          ],
        },
      ],
    },
  });
  const c = client({ credentials: undefined });
  assert.deepEqual(await c.klines({ symbol: "BTCUSDT", interval: "1m", startTime: 1, limit: 1000 }), [kline]);
  assert.equal(
    server.requests("GET /api/v3/klines")[0]!.rawQuery,
    "symbol=BTCUSDT&interval=1m&startTime=1&limit=1000",
  );
  assert.equal((await c.depth("BTCUSDT", 5000)).lastUpdateId, 1027024);
  assert.equal(server.requests("GET /api/v3/depth")[0]!.rawQuery, "symbol=BTCUSDT&limit=5000");
  const info = await c.exchangeInfo(["ETHBTC", "BTCUSDT"]);
  assert.equal(info.symbols[0]?.symbol, "ETHBTC");
  assert.equal(
    server.requests("GET /api/v3/exchangeInfo")[0]!.rawQuery,
    "symbols=%5B%22ETHBTC%22%2C%22BTCUSDT%22%5D",
  );
  // Signed endpoints without credentials fail before any I/O.
  const before = server.seen.length;
  await rejectsWith(c.account(), "DES_ERR_INVALID_CREDENTIALS");
  assert.equal(server.seen.length, before);
});

test("signed endpoints: the docs' examples of order, open orders, cancel, account and trades pass validation", async () => {
  const openOrder = {
    symbol: "LTCBTC",
    orderId: 1,
    orderListId: -1,
    clientOrderId: "myOrder1",
    price: "0.1",
    origQty: "1.0",
    executedQty: "0.0",
    cummulativeQuoteQty: "0.0",
    status: "NEW",
    timeInForce: "GTC",
    type: "LIMIT",
    side: "BUY",
    stopPrice: "0.0",
    icebergQty: "0.0",
    time: 1499827319559,
    updateTime: 1499827319559,
    isWorking: true,
    origQuoteOrderQty: "0.000000",
    workingTime: 1499827319559,
    selfTradePreventionMode: "NONE",
  };
  const cancel = {
    symbol: "LTCBTC",
    origClientOrderId: "myOrder1",
    orderId: 4,
    orderListId: -1,
    clientOrderId: "cancelMyOrder1",
    transactTime: 1684804350068,
    price: "2.00000000",
    origQty: "1.00000000",
    executedQty: "0.00000000",
    origQuoteOrderQty: "0.000000",
    cummulativeQuoteQty: "0.00000000",
    status: "CANCELED",
    timeInForce: "GTC",
    type: "LIMIT",
    side: "BUY",
    selfTradePreventionMode: "NONE",
  };
  const account = {
    makerCommission: 15,
    takerCommission: 15,
    buyerCommission: 0,
    sellerCommission: 0,
    commissionRates: { maker: "0.00150000", taker: "0.00150000", buyer: "0.00000000", seller: "0.00000000" },
    canTrade: true,
    canWithdraw: true,
    canDeposit: true,
    brokered: false,
    requireSelfTradePrevention: false,
    preventSor: false,
    updateTime: 123456789,
    accountType: "SPOT",
    balances: [{ asset: "BTC", free: "4723846.89208129", locked: "0.00000000" }],
    permissions: ["SPOT"],
    uid: 354937868,
  };
  const trade = {
    symbol: "BNBBTC",
    id: 28457,
    orderId: 100234,
    orderListId: -1,
    price: "4.00000100",
    qty: "12.00000000",
    quoteQty: "48.000012",
    commission: "10.10000000",
    commissionAsset: "BNB",
    time: 1499865549590,
    isBuyer: true,
    isMaker: false,
    isBestMatch: true,
  };
  const ack = {
    symbol: "BTCUSDT",
    orderId: 28,
    orderListId: -1,
    clientOrderId: "6gCrw2kRUAF9CvJDGP16IP",
    transactTime: 1507725176595,
  };
  server.on("GET /api/v3/openOrders", { body: [openOrder] });
  server.on("GET /api/v3/order", { body: openOrder });
  server.on("DELETE /api/v3/order", { body: cancel });
  server.on("GET /api/v3/account", { body: account });
  server.on("GET /api/v3/myTrades", { body: [trade] });
  server.on("POST /api/v3/order", { body: ack });
  server.on("POST /api/v3/order/test", { body: {} });
  const c = client();
  assert.deepEqual(await c.openOrders("LTCBTC"), [openOrder]);
  assert.deepEqual(await c.queryOrder({ symbol: "LTCBTC", orderId: 1 }), openOrder);
  assert.deepEqual(await c.cancelOrder({ symbol: "LTCBTC", origClientOrderId: "myOrder1" }), cancel);
  assert.deepEqual(await c.account(), account);
  assert.deepEqual(await c.myTrades({ symbol: "BNBBTC", orderId: 100234 }), [trade]);
  assert.deepEqual(await c.newOrder({ ...ORDER, newOrderRespType: "ACK" }), ack);
  assert.deepEqual(await c.testOrder(ORDER), {});
  assert.match(
    server.requests("DELETE /api/v3/order")[0]!.rawQuery,
    /^symbol=LTCBTC&origClientOrderId=myOrder1&recvWindow=5000&timestamp=\d+&signature=[0-9a-f]{64}$/,
  );
  assert.match(
    server.requests("GET /api/v3/myTrades")[0]!.rawQuery,
    /^symbol=BNBBTC&orderId=100234&recvWindow/,
  );
  assert.equal(server.requests("POST /api/v3/order/test")[0]!.query.get("newOrderRespType"), null);
  // A cancel that names no order is refused locally.
  const before = server.seen.length;
  await rejectsWith(c.cancelOrder({ symbol: "LTCBTC" }), "DES_ERR_VENUE_REJECTED");
  assert.equal(server.seen.length, before);
});

test("forbidProductionHosts refuses a production base URL at construction", () => {
  assert.throws(
    () => new BinanceRestClient({ baseUrl: "https://api.binance.com", forbidProductionHosts: true }),
    { code: "DES_ERR_PRODUCTION_NOT_CONFIRMED" },
  );
  assert.throws(() => new BinanceRestClient({ baseUrl: "ftp://x" }), { code: "DES_ERR_INVALID_CONFIG" });
  assert.throws(() => new BinanceRestClient({ baseUrl: "http://x", recvWindowMs: 60_001 }), {
    code: "DES_ERR_INVALID_CONFIG",
  });
});

test("onResponse reports endpoint, status and weight; never parameters", async () => {
  const seen: object[] = [];
  server.on("GET /api/v3/account", {
    status: 401,
    headers: { "x-mbx-used-weight-1m": "21" },
    body: { code: -2015, msg: "Invalid API-key, IP, or permissions for action." },
  });
  const c = client({ onResponse: (info) => seen.push(info) });
  await rejectsWith(c.account(), "DES_ERR_VENUE_AUTH_FAILED");
  assert.equal(seen.length, 2);
  const last = seen[1] as { endpoint: string; status: number; weight1m: number; durationMs: number };
  assert.equal(last.endpoint, "GET /api/v3/account");
  assert.equal(last.status, 401);
  assert.equal(last.weight1m, 21);
  assert.ok(last.durationMs >= 0);
  assert.ok(!JSON.stringify(seen).includes("timestamp="));
});

test("weight throttle: waits for the minute to roll over before sending", async () => {
  routeLogging("GET /api/v3/klines", () => ({ headers: { "X-MBX-USED-WEIGHT-1M": "5690" }, body: [] }));
  const c = client({ credentials: undefined, timeoutMs: MINUTE });
  await c.klines({ symbol: "BTCUSDT", interval: "1m" }); // now used 5690 of 6000 (cap 5700)
  await c.klines({ symbol: "BTCUSDT", interval: "1m" }); // 5690 + 2 <= 5700: goes at once
  now = T0 + 20_000;
  await c.depth("BTCUSDT", 1000).catch(() => undefined); // weight 50: must wait for T0 + 60 s
  assert.deepEqual(events.slice(0, 3), [
    "server GET /api/v3/klines",
    "server GET /api/v3/klines",
    "sleep 40100",
  ]);
  assert.equal(server.requests("GET /api/v3/depth").length, 1);
  assert.ok(now >= T0 + MINUTE);
});

test("weight throttle with throttle 'reject', or a wait longer than timeoutMs: DES_ERR_VENUE_RATE_LIMITED, nothing sent", async () => {
  server.on("GET /api/v3/klines", { headers: { "x-mbx-used-weight-1m": "5699" }, body: [] });
  const c = client({ credentials: undefined, throttle: "reject" });
  await c.klines({ symbol: "BTCUSDT", interval: "1m" });
  const err = await rejectsWith(
    c.klines({ symbol: "BTCUSDT", interval: "1m" }),
    "DES_ERR_VENUE_RATE_LIMITED",
  );
  assert.equal(err.details.retryAtMs, T0 + MINUTE + 100);
  const waiting = client({ credentials: undefined, timeoutMs: 5000 });
  await waiting.klines({ symbol: "BTCUSDT", interval: "1m" });
  await rejectsWith(waiting.klines({ symbol: "BTCUSDT", interval: "1m" }), "DES_ERR_VENUE_RATE_LIMITED");
  assert.equal(server.requests("GET /api/v3/klines").length, 2);
  assert.deepEqual(events, []);
});

test("order-count throttle: waits for the 10 s window; exchangeInfo limits replace the defaults", async () => {
  routeLogging("POST /api/v3/order", () => ({
    headers: { "x-mbx-order-count-10s": "7", "x-mbx-used-weight-1m": "1" },
    body: FULL_ORDER,
  }));
  server.on("GET /api/v3/exchangeInfo", {
    body: {
      symbols: [],
      rateLimits: [{ rateLimitType: "ORDERS", interval: "SECOND", intervalNum: 10, limit: 8 }],
    },
  });
  const c = client({ timeoutMs: 10_000 });
  await c.exchangeInfo();
  await c.newOrder(ORDER); // 7 of 8 (cap 8 - ceil(0.4) = 7)
  now = T0 + 4000;
  await c.newOrder(ORDER);
  assert.deepEqual(events, ["server POST /api/v3/order", "sleep 6100", "server POST /api/v3/order"]);
});
