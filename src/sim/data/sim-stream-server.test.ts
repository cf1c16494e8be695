import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { SimMarketData } from "./sim-market-data.ts";
import { SimStreamServer, type SimStreamServerOptions } from "./sim-stream-server.ts";
import type { DepthUpdateMsg, TradeEventMsg } from "./stream-payloads.ts";
import { FakeExchange } from "./test-support/fake-exchange.ts";
import { WsProbe } from "./test-support/ws-probe.ts";

interface Setup {
  url: string;
  streams: SimStreamServer;
  md: SimMarketData;
  advanceMarket(ms: number): void;
  close(): Promise<void>;
}

/** A stream server on an HTTP server on port 0, over bundled BTCBUSD bars driven by a manual clock. */
async function setup(options: Partial<SimStreamServerOptions> = {}): Promise<Setup> {
  let marketNow = Date.UTC(2026, 0, 5, 12, 0, 0, 500);
  const exchange = new FakeExchange();
  const md = new SimMarketData({
    exchange,
    now: () => marketNow,
    sources: [{ kind: "klines", ids: ["btcbusd-1m-2022-12-13"], historyBars: 0 }],
    autoPump: false,
  });
  const streams = new SimStreamServer({ marketData: md, now: () => Date.now(), ...options });
  const http: Server = createServer((_req, res) => {
    res.statusCode = 404;
    res.end();
  });
  http.on("upgrade", (req, socket, head) => streams.handleUpgrade(req, socket, head));
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const port = (http.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}`,
    streams,
    md,
    advanceMarket(ms: number): void {
      if (!md.position().started) md.start();
      const end = marketNow + ms;
      while (marketNow < end) {
        marketNow += 100;
        md.pump();
      }
    },
    async close(): Promise<void> {
      await streams.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

test("raw and combined connections get the same event, raw or wrapped; /ws/a/b subscribes to both", async () => {
  const s = await setup();
  try {
    const raw = await WsProbe.open(`${s.url}/ws/btcbusd@trade/btcbusd@aggTrade`);
    const combined = await WsProbe.open(`${s.url}/stream?streams=btcbusd@trade`);
    assert.equal(s.streams.connectionCount(), 2);
    s.streams.broadcastRaw("btcbusd@aggTrade", '{"n":1}');
    s.streams.broadcastRaw("btcbusd@trade", '{"n":2}');
    assert.equal(await raw.next(), '{"n":1}');
    assert.equal(await raw.next(), '{"n":2}');
    assert.equal(await combined.next(), '{"stream":"btcbusd@trade","data":{"n":2}}');
    raw.send({ method: "LIST_SUBSCRIPTIONS", id: 1 });
    assert.equal(await raw.next(), '{"result":["btcbusd@trade","btcbusd@aggTrade"],"id":1}');
    s.streams.burst("btcbusd@trade", ['{"b":1}', '{"b":2}']);
    assert.deepEqual([await raw.next(), await raw.next()], ['{"b":1}', '{"b":2}']);
    assert.equal(await combined.next(), '{"stream":"btcbusd@trade","data":{"b":1}}');
  } finally {
    await s.close();
  }
});

test("live SUBSCRIBE, UNSUBSCRIBE, LIST_SUBSCRIPTIONS, SET_PROPERTY and GET_PROPERTY answer as documented", async () => {
  const s = await setup({ maxIncomingPerSecond: 1000 });
  try {
    const c = await WsProbe.open(`${s.url}/ws`);
    c.send({ method: "SUBSCRIBE", params: ["btcbusd@aggTrade", "btcbusd@depth"], id: 1 });
    assert.equal(await c.next(), '{"result":null,"id":1}');
    s.streams.broadcastRaw("btcbusd@depth", '{"d":1}');
    assert.equal(await c.next(), '{"d":1}');
    c.send({ method: "UNSUBSCRIBE", params: ["btcbusd@depth"], id: 312 });
    assert.equal(await c.next(), '{"result":null,"id":312}');
    c.send({ method: "LIST_SUBSCRIPTIONS", id: 3 });
    assert.equal(await c.next(), '{"result":["btcbusd@aggTrade"],"id":3}');
    c.send({ method: "GET_PROPERTY", params: ["combined"], id: 2 });
    assert.equal(await c.next(), '{"result":false,"id":2}');
    c.send({ method: "SET_PROPERTY", params: ["combined", true], id: 5 });
    assert.equal(await c.next(), '{"result":null,"id":5}');
    c.send({ method: "GET_PROPERTY", params: ["combined"], id: "abc" });
    assert.equal(await c.next(), '{"result":true,"id":"abc"}');
    s.streams.broadcastRaw("btcbusd@depth", '{"d":2}');
    s.streams.broadcastRaw("btcbusd@aggTrade", '{"a":3}');
    assert.equal(
      await c.next(),
      '{"stream":"btcbusd@aggTrade","data":{"a":3}}',
      "unsubscribed and now combined",
    );
    // Every error code over the wire; the connection stays open.
    c.send("not json");
    assert.equal(
      await c.next(),
      '{"error":{"code":3,"msg":"Invalid JSON: expected value at line 1 column 1"}}',
    );
    c.send({ method: "SUBSCRIBE", params: ["BTCBUSD@trade"], id: 6 });
    assert.equal(await c.next(), '{"error":{"code":2,"msg":"Invalid request: invalid stream"},"id":6}');
    c.send({ method: "GET_PROPERTY", params: ["x"], id: 7 });
    assert.equal(await c.next(), '{"error":{"code":0,"msg":"Unknown property"},"id":7}');
    c.send({ method: "SET_PROPERTY", params: ["combined", 1], id: 8 });
    assert.equal(await c.next(), '{"error":{"code":1,"msg":"Invalid value type: expected Boolean"},"id":8}');
    c.send({ method: "LIST_SUBSCRIPTIONS", id: 9 });
    assert.equal(await c.next(), '{"result":["btcbusd@aggTrade"],"id":9}');
  } finally {
    await s.close();
  }
});

test("more than 5 incoming messages in a second disconnect (1008); pings and pongs count too", async () => {
  const s = await setup();
  try {
    const c = await WsProbe.open(`${s.url}/ws`);
    for (let i = 0; i < 3; i++) c.send({ method: "LIST_SUBSCRIPTIONS", id: i });
    c.ws.ping();
    c.ws.pong();
    c.send({ method: "LIST_SUBSCRIPTIONS", id: 99 });
    const closed = await c.waitClosed();
    assert.equal(closed.code, 1008);
    assert.equal(closed.reason, "Too many requests");
    assert.ok(
      !c.events.some((e) => e.kind === "message" && e.text.includes('"id":99')),
      "the 6th got no answer",
    );
    assert.equal(s.streams.stats().rateLimitDisconnects, 1);
  } finally {
    await s.close();
  }
});

test("more than 1024 streams: SUBSCRIBE is refused with an error and nothing is subscribed; a URL with more is 400", async () => {
  const s = await setup();
  try {
    const c = await WsProbe.open(`${s.url}/ws/btcbusd@trade`);
    const names = Array.from({ length: 1024 }, (_, i) => `s${i}usdt@trade`);
    c.send({ method: "SUBSCRIBE", params: names, id: 1 });
    assert.equal(
      await c.next(),
      '{"error":{"code":2,"msg":"Invalid request: too many streams (maximum 1024)"},"id":1}',
    );
    c.send({ method: "SUBSCRIBE", params: names.slice(0, 1023), id: 2 });
    assert.equal(await c.next(), '{"result":null,"id":2}');
    c.send({ method: "LIST_SUBSCRIPTIONS", id: 3 });
    assert.equal((JSON.parse(await c.next()) as { result: string[] }).result.length, 1024);
    const tooMany = Array.from({ length: 1025 }, (_, i) => `u${i}usdt@trade`).join("/");
    await assert.rejects(WsProbe.open(`${s.url}/stream?streams=${tooMany}`), /upgrade refused: 400/);
    await assert.rejects(WsProbe.open(`${s.url}/ws/BTCBUSD@trade`), /upgrade refused: 400/);
    await assert.rejects(WsProbe.open(`${s.url}/nowhere`), /upgrade refused: 404/);
    assert.equal(s.streams.stats().rejectedUpgrades, 3);
  } finally {
    await s.close();
  }
});

test("server pings: answered pings keep the connection, a missing pong disconnects after pongTimeoutMs", async () => {
  // Pongs are incoming messages: lift the 5-per-second limit (40 ms pings answer 25/s), and leave the
  // answering client a pong deadline a loaded machine cannot miss.
  const s = await setup({ pingIntervalMs: 40, pongTimeoutMs: 1000, maxIncomingPerSecond: 1000 });
  try {
    const good = await WsProbe.open(`${s.url}/ws`);
    const silent = await WsProbe.open(`${s.url}/ws`, { autoPong: false });
    await silent.waitFor((e) => e.kind === "ping");
    const closed = await silent.waitClosed();
    assert.equal(closed.code, 1006, "terminated without a close frame");
    assert.equal(s.streams.stats().pongTimeoutDisconnects, 1);
    // The answering client saw pings the whole time and is still connected.
    let pings = 0;
    while (pings < 6) {
      await good.waitFor((e) => e.kind === "ping");
      pings++;
    }
    assert.equal(s.streams.connectionCount(), 1);
    good.terminate();
  } finally {
    await s.close();
  }
});

test("connections are closed at maxConnectionAgeMs", async () => {
  const s = await setup({ maxConnectionAgeMs: 50 });
  try {
    const c = await WsProbe.open(`${s.url}/ws`);
    const closed = await c.waitClosed();
    assert.equal(closed.code, 1000);
    assert.equal(s.streams.stats().ageDisconnects, 1);
  } finally {
    await s.close();
  }
});

test("stall: sockets stay open and silent, pings unanswered, until stall(false)", async () => {
  const s = await setup();
  try {
    const c = await WsProbe.open(`${s.url}/ws/btcbusd@trade`);
    s.streams.faults.stall(true);
    s.streams.broadcastRaw("btcbusd@trade", '{"lost":1}');
    s.streams.burst("btcbusd@trade", ['{"lost":2}']);
    c.ws.ping("during-stall");
    c.send({ method: "LIST_SUBSCRIPTIONS", id: 1 });
    // Wait (bounded) until the server has read both and ignored them.
    const deadline = Date.now() + 5000;
    while (s.streams.stats().ignoredWhileStalled < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal(s.streams.stats().ignoredWhileStalled, 2);
    assert.equal(s.streams.connectionCount(), 1, "still open while stalled");
    s.streams.faults.stall(false);
    s.streams.broadcastRaw("btcbusd@trade", '{"marker":1}');
    assert.equal(await c.next(), '{"marker":1}', "nothing was sent while stalled");
    assert.ok(!c.events.some((e) => e.kind === "pong"), "the ping sent during the stall got no pong");
  } finally {
    await s.close();
  }
});

test("malformed(n): the next n events are damaged in different ways, then frames are valid again", async () => {
  const s = await setup();
  try {
    const c = await WsProbe.open(`${s.url}/ws/btcbusd@trade`);
    const frame = JSON.stringify({
      e: "trade",
      E: 1,
      s: "BTCBUSD",
      t: 1,
      p: "1.00000000",
      q: "2.00000000",
      T: 1,
      m: true,
      M: true,
    });
    s.streams.faults.malformed(5);
    for (let i = 0; i < 6; i++) s.streams.broadcastRaw("btcbusd@trade", frame);
    const got: string[] = [];
    for (let i = 0; i < 6; i++) got.push(await c.next());
    for (const text of got.slice(0, 5)) assert.notEqual(text, frame);
    assert.equal(new Set(got.slice(0, 5)).size, 5, "five different damages");
    assert.equal(got[5], frame);
    assert.equal(s.streams.stats().malformedSent, 5);
    assert.equal(s.streams.connectionCount(), 1);
  } finally {
    await s.close();
  }
});

test("serverShutdown is delivered raw and combined (then an optional close); killAll drops without a close frame", async () => {
  const s = await setup();
  try {
    const raw = await WsProbe.open(`${s.url}/ws`);
    const combined = await WsProbe.open(`${s.url}/stream?streams=btcbusd@trade`);
    s.streams.faults.serverShutdown(10);
    const r = JSON.parse(await raw.next()) as { e: string; E: number };
    assert.equal(r.e, "serverShutdown");
    assert.equal(typeof r.E, "number");
    const c = JSON.parse(await combined.next()) as { stream: string; data: { e: string } };
    assert.equal(c.stream, "!serverShutdown");
    assert.equal(c.data.e, "serverShutdown");
    assert.equal((await raw.waitClosed()).code, 1001);
    const victim = await WsProbe.open(`${s.url}/ws`);
    s.streams.faults.killAll();
    assert.equal((await victim.waitClosed()).code, 1006);
    assert.equal(s.streams.connectionCount(), 0);
  } finally {
    await s.close();
  }
});

test("market data reaches subscribers: contiguous depth ids, trades, and µs times with timeUnit=MICROSECOND", async () => {
  const s = await setup();
  try {
    const c = await WsProbe.open(
      `${s.url}/stream?streams=btcbusd@depth@100ms/btcbusd@trade/btcbusd@kline_5m`,
    );
    const micro = await WsProbe.open(`${s.url}/ws/btcbusd@trade?timeUnit=MICROSECOND`);
    s.advanceMarket(2000);
    let lastU: number | undefined;
    let trades = 0;
    let klines = 0;
    const firstTrade: TradeEventMsg[] = [];
    while (trades < 5 || klines < 1) {
      const m = JSON.parse(await c.next()) as { stream: string; data: unknown };
      if (m.stream === "btcbusd@depth@100ms") {
        const d = m.data as DepthUpdateMsg;
        if (lastU !== undefined) assert.equal(d.U, lastU + 1);
        lastU = d.u;
      } else if (m.stream === "btcbusd@trade") {
        if (trades++ === 0) firstTrade.push(m.data as TradeEventMsg);
      } else if (m.stream === "btcbusd@kline_5m") klines++;
    }
    const t = JSON.parse(await micro.next()) as TradeEventMsg;
    assert.equal(t.t, firstTrade[0]!.t);
    assert.equal(t.E, firstTrade[0]!.E * 1000);
    assert.equal(t.T, firstTrade[0]!.T * 1000);
  } finally {
    await s.close();
  }
});

test("close() drops every connection and resolves", async () => {
  const s = await setup();
  const a = await WsProbe.open(`${s.url}/ws/btcbusd@trade`);
  const b = await WsProbe.open(`${s.url}/stream?streams=btcbusd@trade`);
  await s.close();
  assert.equal(s.streams.connectionCount(), 0);
  await a.waitClosed();
  await b.waitClosed();
});
