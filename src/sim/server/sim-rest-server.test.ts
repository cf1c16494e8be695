import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { after, afterEach, describe, it } from "node:test";
import { Agent, request } from "undici";
import { DOCS_HMAC_API_KEY, DOCS_HMAC_SECRET_KEY } from "../sim-accounts-config.ts";
import { SimClock } from "./sim-clock.ts";
import type { SimRateLimits } from "./sim-rate-limiter.ts";
import { SimServer } from "./sim-server.ts";
import { FakeSimExchange } from "./test-support/fake-sim-exchange.ts";

// Reference section 3.3: the docs' H1 and H3 requests, with the docs' key pair and timestamp.
const H1 =
  "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559";
const H1_SIG = "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71";
const H3_QUERY = "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC";
const H3_BODY = "quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559";
const H3_SIG = "0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77";
const DOCS_TS = 1_499_827_319_559;

const agent = new Agent({ keepAliveTimeout: 1000 });
const servers: SimServer[] = [];
after(() => agent.close());
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

interface Setup {
  server: SimServer;
  exchange: FakeSimExchange;
  url: string;
  setNow(ms: number): void;
}

async function setup(options: { nowMs?: number; limits?: Partial<SimRateLimits>; realTime?: boolean } = {}) {
  let now = options.nowMs ?? DOCS_TS + 100;
  const start = Date.now();
  const clock = new SimClock(options.realTime ? () => now + (Date.now() - start) : () => now);
  const exchange = new FakeSimExchange(clock.now);
  const server = await SimServer.start({
    exchange,
    marketData: { klines: () => ({ ok: true, body: [[1, "1"]] }) },
    clock,
    ...(options.limits === undefined ? {} : { limits: options.limits }),
  });
  servers.push(server);
  const s: Setup = {
    server,
    exchange,
    url: `http://127.0.0.1:${server.port}`,
    setNow: (ms) => {
      now = ms;
    },
  };
  return s;
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: () => Record<string, unknown>;
}

async function call(
  s: Setup,
  method: "GET" | "POST" | "DELETE",
  path: string,
  options: { query?: string; body?: string; apiKey?: string } = {},
): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (options.apiKey !== undefined) headers["x-mbx-apikey"] = options.apiKey;
  if (options.body !== undefined) headers["content-type"] = "application/x-www-form-urlencoded";
  const res = await request(`${s.url}${path}${options.query ? `?${options.query}` : ""}`, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: options.body }),
    dispatcher: agent,
  });
  const text = await res.body.text();
  return { status: res.statusCode, headers: res.headers, text, json: () => JSON.parse(text) };
}

function sign(payload: string): string {
  return createHmac("sha256", DOCS_HMAC_SECRET_KEY).update(payload).digest("hex");
}

describe("REST: signed requests exactly as Binance", () => {
  it("accepts the docs' H1 request (query string) at the docs' timestamp and places the order", async () => {
    const s = await setup();
    const r = await call(s, "POST", "/api/v3/order", {
      query: `${H1}&signature=${H1_SIG}`,
      apiKey: DOCS_HMAC_API_KEY,
    });
    assert.equal(r.status, 200, r.text);
    const [placed] = s.exchange.callsOf("newOrder");
    assert.equal(placed?.accountId, "hmac");
    assert.equal(placed?.params["price"], "0.1");
    assert.equal(placed?.params["signature"], H1_SIG);
  });

  it("accepts the docs' H3 request (query + form body, signed without a separator)", async () => {
    const s = await setup();
    const r = await call(s, "POST", "/api/v3/order", {
      query: H3_QUERY,
      body: `${H3_BODY}&signature=${H3_SIG}`,
      apiKey: DOCS_HMAC_API_KEY,
    });
    assert.equal(r.status, 200, r.text);
    assert.equal(s.exchange.callsOf("newOrder")[0]?.params["quantity"], "1");
  });

  it("answers a bad signature with 400 -1022 and never reaches the exchange", async () => {
    const s = await setup();
    const r = await call(s, "POST", "/api/v3/order", {
      query: `${H1.replace("quantity=1", "quantity=2")}&signature=${H1_SIG}`,
      apiKey: DOCS_HMAC_API_KEY,
    });
    assert.equal(r.status, 400);
    assert.deepEqual(r.json(), { code: -1022, msg: "Signature for this request is not valid." });
    assert.equal(s.exchange.callsOf("newOrder").length, 0);
  });

  it("answers -1021 'outside of the recvWindow' and '1000ms ahead' by the server clock", async () => {
    const s = await setup({ nowMs: DOCS_TS + 5001 });
    const late = await call(s, "POST", "/api/v3/order", {
      query: `${H1}&signature=${H1_SIG}`,
      apiKey: DOCS_HMAC_API_KEY,
    });
    assert.equal(late.status, 400);
    assert.deepEqual(late.json(), {
      code: -1021,
      msg: "Timestamp for this request is outside of the recvWindow.",
    });
    s.setNow(DOCS_TS - 1000);
    const early = await call(s, "POST", "/api/v3/order", {
      query: `${H1}&signature=${H1_SIG}`,
      apiKey: DOCS_HMAC_API_KEY,
    });
    assert.deepEqual(early.json(), {
      code: -1021,
      msg: "Timestamp for this request was 1000ms ahead of the server's time.",
    });
    s.setNow(DOCS_TS + 5000);
    const edge = await call(s, "POST", "/api/v3/order", {
      query: `${H1}&signature=${H1_SIG}`,
      apiKey: DOCS_HMAC_API_KEY,
    });
    assert.equal(edge.status, 200);
  });

  it("follows clockSkewMs: a skewed server clock rejects the same request", async () => {
    const s = await setup();
    s.server.faults.clockSkewMs(10_000);
    const r = await call(s, "POST", "/api/v3/order", {
      query: `${H1}&signature=${H1_SIG}`,
      apiKey: DOCS_HMAC_API_KEY,
    });
    assert.equal(r.json()["code"], -1021);
    const time = await call(s, "GET", "/api/v3/time");
    assert.deepEqual(time.json(), { serverTime: DOCS_TS + 100 + 10_000 });
  });

  it("answers 401 -2014 for a missing or malformed API key and 401 -2015 for an unknown one", async () => {
    const s = await setup();
    const q = `${H1}&signature=${H1_SIG}`;
    for (const apiKey of [undefined, "bad key!"]) {
      const r = await call(
        s,
        "POST",
        "/api/v3/order",
        apiKey === undefined ? { query: q } : { query: q, apiKey },
      );
      assert.equal(r.status, 401);
      assert.deepEqual(r.json(), { code: -2014, msg: "API-key format invalid." });
    }
    const unknown = await call(s, "POST", "/api/v3/order", { query: q, apiKey: "A".repeat(64) });
    assert.equal(unknown.status, 401);
    assert.deepEqual(unknown.json(), { code: -2015, msg: "Invalid API-key, IP, or permissions for action." });
  });

  it("answers -1102 when the signature or the timestamp is missing", async () => {
    const s = await setup();
    const noSig = await call(s, "GET", "/api/v3/account", {
      query: `timestamp=${DOCS_TS}`,
      apiKey: DOCS_HMAC_API_KEY,
    });
    assert.deepEqual(noSig.json(), {
      code: -1102,
      msg: "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.",
    });
    const noTs = await call(s, "GET", "/api/v3/account", {
      query: `recvWindow=5000&signature=${sign("recvWindow=5000")}`,
      apiKey: DOCS_HMAC_API_KEY,
    });
    assert.equal(
      noTs.json()["msg"],
      "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.",
    );
  });

  it("serves public endpoints without a key and 404s unknown paths with a Binance-like body", async () => {
    const s = await setup();
    assert.deepEqual((await call(s, "GET", "/api/v3/ping")).json(), {});
    const depth = await call(s, "GET", "/api/v3/depth", { query: "symbol=LTCBTC" });
    assert.equal(depth.json()["lastUpdateId"], 7);
    const klines = await call(s, "GET", "/api/v3/klines", { query: "symbol=LTCBTC&interval=1m" });
    assert.deepEqual(klines.json(), [[1, "1"]]);
    const missing = await call(s, "GET", "/api/v3/nothing");
    assert.equal(missing.status, 404);
    assert.equal(missing.json()["code"], -1000);
  });

  it("filters exchangeInfo by symbol and symbols and answers -1121 for an unknown symbol", async () => {
    const s = await setup();
    const all = (await call(s, "GET", "/api/v3/exchangeInfo")).json();
    assert.equal((all["symbols"] as unknown[]).length, 2);
    assert.equal(all["serverTime"], DOCS_TS + 100);
    assert.deepEqual((all["rateLimits"] as Record<string, unknown>[])[0], {
      rateLimitType: "REQUEST_WEIGHT",
      interval: "MINUTE",
      intervalNum: 1,
      limit: 6000,
    });
    const one = (await call(s, "GET", "/api/v3/exchangeInfo", { query: "symbol=BTCUSDT" })).json();
    assert.deepEqual(
      (one["symbols"] as { symbol: string }[]).map((x) => x.symbol),
      ["BTCUSDT"],
    );
    const list = (
      await call(s, "GET", "/api/v3/exchangeInfo", {
        query: `symbols=${encodeURIComponent('["LTCBTC","BTCUSDT"]')}`,
      })
    ).json();
    assert.equal((list["symbols"] as unknown[]).length, 2);
    const bad = await call(s, "GET", "/api/v3/exchangeInfo", { query: "symbol=NOPE" });
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.json(), { code: -1121, msg: "Invalid symbol." });
  });
});

describe("REST: rate limits", () => {
  it("reports growing X-MBX-USED-WEIGHT-1M and order counts on order responses", async () => {
    const s = await setup();
    const w1 = await call(s, "GET", "/api/v3/ping");
    const w2 = await call(s, "GET", "/api/v3/time");
    const w3 = await call(s, "GET", "/api/v3/exchangeInfo");
    assert.deepEqual(
      [w1, w2, w3].map((r) => r.headers["x-mbx-used-weight-1m"]),
      ["1", "2", "22"],
    );
    const order = await call(s, "POST", "/api/v3/order", {
      query: `${H1}&signature=${H1_SIG}`,
      apiKey: DOCS_HMAC_API_KEY,
    });
    assert.equal(order.headers["x-mbx-used-weight-1m"], "23");
    assert.equal(order.headers["x-mbx-order-count-10s"], "1");
    assert.equal(order.headers["x-mbx-order-count-1d"], "1");
    const q = `symbol=LTCBTC&timestamp=${DOCS_TS}`;
    const openOrders = await call(s, "GET", "/api/v3/openOrders", {
      query: `${q}&signature=${sign(q)}`,
      apiKey: DOCS_HMAC_API_KEY,
    });
    assert.equal(openOrders.status, 200);
    assert.equal(openOrders.headers["x-mbx-used-weight-1m"], "29");
  });

  it("answers 429 -1003 with Retry-After, then 418 with the ban message when the client keeps going", async () => {
    const minuteStart = Math.floor(DOCS_TS / 60_000) * 60_000;
    const s = await setup({
      nowMs: minuteStart + 30_000,
      limits: { weightPerMinute: 2, banAfterIgnored429: 1 },
    });
    assert.equal((await call(s, "GET", "/api/v3/ping")).status, 200);
    assert.equal((await call(s, "GET", "/api/v3/ping")).status, 200);
    const limited = await call(s, "GET", "/api/v3/ping");
    assert.equal(limited.status, 429);
    assert.equal(limited.headers["retry-after"], "30");
    assert.deepEqual(limited.json(), {
      code: -1003,
      msg: "Too much request weight used; current limit is 2 request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.",
    });
    assert.equal((await call(s, "GET", "/api/v3/ping")).status, 429); // ignored once: still 429
    const banned = await call(s, "GET", "/api/v3/ping");
    assert.equal(banned.status, 418);
    assert.equal(banned.headers["retry-after"], "120");
    const until = minuteStart + 30_000 + 120_000;
    assert.deepEqual(banned.json(), {
      code: -1003,
      msg: `Way too much request weight used; IP banned until ${until}. Please use WebSocket Streams for live updates to avoid bans.`,
    });
  });

  it("answers -1015 when an account places more orders than allowed per 10 s", async () => {
    const s = await setup({ limits: { ordersPer10s: 1 } });
    const q = `${H1}&signature=${H1_SIG}`;
    assert.equal(
      (await call(s, "POST", "/api/v3/order", { query: q, apiKey: DOCS_HMAC_API_KEY })).status,
      200,
    );
    const r = await call(s, "POST", "/api/v3/order", { query: q, apiKey: DOCS_HMAC_API_KEY });
    assert.equal(r.status, 429);
    assert.equal(r.json()["code"], -1015);
    assert.ok(Number(r.headers["retry-after"]) >= 1);
    assert.equal(s.exchange.callsOf("newOrder").length, 1);
  });
});

describe("REST: faults", () => {
  it("rateLimit429 and ban418 answer with Retry-After", async () => {
    const s = await setup();
    s.server.faults.rateLimit429({ retryAfterS: 7, count: 1 });
    const r = await call(s, "GET", "/api/v3/ping");
    assert.equal(r.status, 429);
    assert.equal(r.headers["retry-after"], "7");
    assert.equal((await call(s, "GET", "/api/v3/ping")).status, 200);
    s.server.faults.ban418({ retryAfterS: 60 });
    const b = await call(s, "GET", "/api/v3/ping");
    assert.equal(b.status, 418);
    assert.equal(b.headers["retry-after"], "60");
    s.server.faults.reset();
    assert.equal((await call(s, "GET", "/api/v3/ping")).status, 200);
  });

  it("failRest answers 5xx with an HTML or empty body, for the given path only, then recovers", async () => {
    const s = await setup();
    s.server.faults.failRest({ status: 502, count: 1, path: "/api/v3/order" });
    assert.equal((await call(s, "GET", "/api/v3/ping")).status, 200);
    const q = `${H1}&signature=${H1_SIG}`;
    const failed = await call(s, "POST", "/api/v3/order", { query: q, apiKey: DOCS_HMAC_API_KEY });
    assert.equal(failed.status, 502);
    assert.match(failed.text, /<html>/);
    assert.equal(s.exchange.callsOf("newOrder").length, 0);
    s.server.faults.failRest({ status: 504, body: "empty", process: true });
    const processed = await call(s, "POST", "/api/v3/order", { query: q, apiKey: DOCS_HMAC_API_KEY });
    assert.equal(processed.status, 504);
    assert.equal(processed.text, "");
    assert.equal(s.exchange.callsOf("newOrder").length, 1); // the order exists: the outcome is unknown to the client
    assert.equal(
      (await call(s, "POST", "/api/v3/order", { query: q, apiKey: DOCS_HMAC_API_KEY })).status,
      200,
    );
  });

  it("timeoutAfterAccept processes the order but never answers; the client gives up", async () => {
    const s = await setup();
    s.server.faults.timeoutAfterAccept({ count: 1 });
    const q = `${H1}&signature=${H1_SIG}`;
    await assert.rejects(
      request(`${s.url}/api/v3/order?${q}`, {
        method: "POST",
        headers: { "x-mbx-apikey": DOCS_HMAC_API_KEY },
        signal: AbortSignal.timeout(300),
        dispatcher: agent,
      }),
    );
    assert.equal(s.exchange.callsOf("newOrder").length, 1);
    const logged = s.server.requestLog.entries().filter((e) => e.path === "/api/v3/order");
    assert.deepEqual(
      logged.map((e) => e.status),
      [0],
    );
    // The next order is answered again.
    assert.equal(
      (await call(s, "POST", "/api/v3/order", { query: q, apiKey: DOCS_HMAC_API_KEY })).status,
      200,
    );
  });

  it("delayRest past the recvWindow makes the second timing check reject before the exchange", async () => {
    const s = await setup({ nowMs: DOCS_TS, realTime: true });
    s.server.faults.delayRest(150);
    const q = `symbol=LTCBTC&side=BUY&type=LIMIT&quantity=1&price=0.1&recvWindow=50&timestamp=${DOCS_TS}`;
    const r = await call(s, "POST", "/api/v3/order", {
      query: `${q}&signature=${sign(q)}`,
      apiKey: DOCS_HMAC_API_KEY,
    });
    assert.deepEqual(r.json(), {
      code: -1021,
      msg: "Timestamp for this request is outside of the recvWindow.",
    });
    assert.equal(s.exchange.callsOf("newOrder").length, 0);
    s.server.faults.delayRest(0);
  });

  it("records every request in the request log", async () => {
    const s = await setup();
    await call(s, "GET", "/api/v3/ping");
    await call(s, "GET", "/api/v3/nothing");
    assert.deepEqual(
      s.server.requestLog.entries().map((e) => [e.method, e.path, e.status, e.timeMs]),
      [
        ["GET", "/api/v3/ping", 200, DOCS_TS + 100],
        ["GET", "/api/v3/nothing", 404, DOCS_TS + 100],
      ],
    );
  });

  it("exposes the control surface: POST /sim/faults/<name> and GET /sim/state", async () => {
    const s = await setup();
    const set = await request(`${s.url}/sim/faults/failRest`, {
      method: "POST",
      body: JSON.stringify({ status: 500, count: 1 }),
      dispatcher: agent,
    });
    assert.equal(set.statusCode, 200);
    await set.body.text();
    assert.equal((await call(s, "GET", "/api/v3/ping")).status, 500);
    const bad = await request(`${s.url}/sim/faults/delayRest`, {
      method: "POST",
      body: "{}",
      dispatcher: agent,
    });
    assert.equal(bad.statusCode, 400);
    assert.match(await bad.body.text(), /'ms' is required/);
    const unknown = await request(`${s.url}/sim/faults/toString`, {
      method: "POST",
      body: "{}",
      dispatcher: agent,
    });
    assert.equal(unknown.statusCode, 404);
    await unknown.body.text();
    const state = (await call(s, "GET", "/sim/state")).json();
    const accounts = state["accounts"] as Record<string, unknown>[];
    assert.deepEqual(
      accounts.map((a) => [a["accountId"], a["keyType"], a["openOrders"]]),
      [
        ["hmac", "HMAC", 0],
        ["ed25519", "PUBLIC_KEY", 0],
      ],
    );
    assert.ok(!JSON.stringify(state).includes(DOCS_HMAC_SECRET_KEY));
  });

  it("pause() refuses connections and resume() listens again on the same port", async () => {
    const s = await setup();
    const port = s.server.port;
    await s.server.pause();
    await assert.rejects(request(`${s.url}/api/v3/ping`, { dispatcher: agent }));
    await s.server.resume();
    assert.equal(s.server.port, port);
    assert.equal((await call(s, "GET", "/api/v3/ping")).status, 200);
  });
});
