import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { isDesError } from "../../../core/index.ts";
import type { Bar, QuoteTick, TradeTick } from "../../../model/index.ts";
import type { KlinesQuery } from "../rest/binance-rest-api.ts";
import type { DepthSnapshotMsg, KlineRowMsg } from "../wire/rest-msgs.ts";
import { BinanceMarketStream } from "./binance-market-stream.ts";
import type { BinanceMarketStreamOptions } from "./binance-market-stream-options.ts";
import type { MarketStreamLogger } from "./market-stream-logger.ts";
import type { StreamSpec } from "./stream-spec.ts";
import { readDepthSnapshots, readWsCapture } from "./test-support/captures.ts";
import { FakeStreamServer, waitUntil } from "./test-support/fake-stream-server.ts";

const MIN = 60_000;
const T0 = 1_633_998_480_000;

interface LogLine {
  level: string;
  obj: Record<string, unknown>;
  msg: string;
}

/** A sink, a REST fake and a logger that record everything. */
function recorder() {
  const trades: TradeTick[] = [];
  const quotes: QuoteTick[] = [];
  const bars: Bar[] = [];
  const logs: LogLine[] = [];
  const klineQueries: KlinesQuery[] = [];
  const depthCalls: Array<{ symbol: string; limit: number | undefined }> = [];
  let klineRows: (q: KlinesQuery) => KlineRowMsg[] = () => [];
  let depthBody: (symbol: string) => DepthSnapshotMsg = () => ({ lastUpdateId: 0, bids: [], asks: [] });
  const logger: MarketStreamLogger = {
    info: (obj, msg) => logs.push({ level: "info", obj, msg }),
    warn: (obj, msg) => logs.push({ level: "warn", obj, msg }),
    error: (obj, msg) => logs.push({ level: "error", obj, msg }),
  };
  return {
    trades,
    quotes,
    bars,
    logs,
    klineQueries,
    depthCalls,
    setKlines(f: (q: KlinesQuery) => KlineRowMsg[]) {
      klineRows = f;
    },
    setDepth(f: (symbol: string) => DepthSnapshotMsg) {
      depthBody = f;
    },
    options(
      server: FakeStreamServer,
      extra: Partial<BinanceMarketStreamOptions> = {},
    ): BinanceMarketStreamOptions {
      return {
        streamBaseUrl: server.url,
        rest: {
          klines: async (q) => {
            klineQueries.push(q);
            return klineRows(q);
          },
          depth: async (symbol, limit) => {
            depthCalls.push({ symbol, limit });
            return depthBody(symbol);
          },
        },
        sink: {
          onTrade: (t) => trades.push(t),
          onQuote: (q) => quotes.push(q),
          onBar: (b) => bars.push(b),
        },
        logger,
        backoff: { initialMs: 10, maxMs: 50 },
        startTimeoutMs: 5000,
        ...extra,
      };
    },
  };
}

function specs(n: number, kind: StreamSpec["kind"] = "trade"): StreamSpec[] {
  return Array.from({ length: n }, (_, i) => ({ kind, symbol: `S${i}USDT` }));
}

function klineFrame(openMs: number, closed: boolean): string {
  const k = {
    t: openMs,
    T: openMs + MIN - 1,
    s: "NKNUSDT",
    i: "1m",
    f: 1,
    L: 2,
    o: "0.3527",
    c: "0.3528",
    h: "0.3528",
    l: "0.3522",
    v: "100",
    n: 2,
    x: closed,
    q: "35.28",
    V: "50",
    Q: "17.64",
    B: "0",
  };
  return JSON.stringify({
    stream: "nknusdt@kline_1m",
    data: { e: "kline", E: openMs + 1000, s: "NKNUSDT", k },
  });
}

function klineRow(openMs: number): KlineRowMsg {
  return [openMs, "0.35", "0.36", "0.34", "0.355", "10", openMs + MIN - 1, "3.5", 4, "5", "1.7", "0"];
}

describe("BinanceMarketStream against a local WebSocket server", () => {
  let server: FakeStreamServer;
  let stream: BinanceMarketStream | undefined;

  before(async () => {
    server = await FakeStreamServer.start();
  });
  after(async () => {
    await stream?.stop();
    await server.close();
  });

  /** Runs one scenario with a fresh server and stream, always cleaning up. */
  async function scenario(
    extra: Partial<BinanceMarketStreamOptions>,
    body: (s: BinanceMarketStream, srv: FakeStreamServer, rec: ReturnType<typeof recorder>) => Promise<void>,
  ): Promise<void> {
    await server.close();
    server = await FakeStreamServer.start();
    const rec = recorder();
    stream = new BinanceMarketStream(rec.options(server, extra));
    try {
      await body(stream, server, rec);
    } finally {
      await stream.stop();
      stream = undefined;
    }
  }

  test("subscribes on /stream in batches, never more than controlMessagesPerSecond in any second", async () => {
    await scenario({ maxStreamsPerControlMessage: 100, controlMessagesPerSecond: 4 }, async (s, srv) => {
      s.subscribe(specs(600));
      await s.start();
      assert.equal(srv.connections.length, 1);
      assert.equal(srv.connections[0]!.path, "/stream");
      const subs = srv.controls.filter((c) => c.method === "SUBSCRIBE");
      assert.equal(subs.length, 6);
      assert.ok(subs.every((c) => c.params.length <= 100 && typeof c.id === "number"));
      assert.equal(new Set(subs.flatMap((c) => c.params)).size, 600);
      assert.ok(subs[0]!.params.includes("s0usdt@trade"));
      // Arrival times at the server: any 5 consecutive messages span at least one second.
      for (let i = 0; i + 4 < subs.length; i++) {
        assert.ok(subs[i + 4]!.atMs - subs[i]!.atMs >= 1000, `messages ${i}..${i + 4} within a second`);
      }
      const stats = s.stats();
      assert.deepEqual([stats.subscribedStreams, stats.connections, stats.controlMessagesSent], [600, 1, 6]);
    });
  });

  test("more than 1024 streams open a second connection", async () => {
    await scenario({ maxStreamsPerControlMessage: 1024 }, async (s, srv) => {
      s.subscribe(specs(1030));
      await s.start();
      assert.equal(srv.connections.length, 2);
      assert.deepEqual(
        srv.connections.map((c) => c.subscribed.size),
        [1024, 6],
      );
      assert.equal(s.stats().connections, 2);
    });
  });

  test("delivers real frames to the sink; malformed frames are counted and logged at most once a second, the connection stays", async () => {
    await scenario({}, async (s, srv, rec) => {
      s.subscribe([
        { kind: "aggTrade", symbol: "NKNUSDT" },
        { kind: "bookTicker", symbol: "NKNUSDT" },
        { kind: "kline", symbol: "NKNUSDT", interval: "1m" },
      ]);
      await s.start();
      const capture = readWsCapture().filter((f) =>
        /"stream":"nknusdt@(aggTrade|bookTicker|kline_1m)"/.test(f.text),
      );
      const garbage = [
        "{not json",
        '{"stream":"nknusdt@aggTrade","data":{"e":"aggTrade"}}',
        "[]",
        '{"e":7}',
        "",
      ];
      for (const g of garbage) srv.send(g);
      for (const f of capture) srv.send(f.text);
      for (const g of garbage) srv.send(g);
      await waitUntil(() => s.stats().messages >= capture.length + 2 * garbage.length + 1, "all frames");
      assert.equal(rec.trades.length, 1);
      assert.equal(rec.quotes.length, 74);
      assert.equal(rec.bars.length, 1);
      const stats = s.stats();
      assert.equal(stats.parseErrors, 2 * garbage.length);
      assert.deepEqual([stats.trades, stats.quotes, stats.bars], [1, 74, 1]);
      assert.ok(stats.lastLagMs !== 0);
      const warns = rec.logs.filter((l) => l.msg === "malformed market frames skipped");
      assert.ok(warns.length >= 1 && warns.length <= 2, `${warns.length} log lines`);
      assert.equal(warns[0]!.obj.count, 1);
      assert.equal(warns[0]!.obj.reason, "not valid JSON");
      assert.equal(srv.connections.length, 1);
      assert.equal(stats.connections, 1);
    });
  });

  test("a sink that throws is counted and logged; later frames still arrive", async () => {
    let calls = 0;
    await scenario(
      {
        sink: {
          onTrade: () => {
            calls++;
            if (calls === 1) throw new Error("strategy bug");
          },
          onQuote: () => {},
          onBar: () => {},
        },
      },
      async (s, srv, rec) => {
        s.subscribe([{ kind: "aggTrade", symbol: "NKNUSDT" }]);
        await s.start();
        const agg = readWsCapture().find((f) => f.text.includes("nknusdt@aggTrade"))!.text;
        srv.send(agg);
        srv.send(agg);
        await waitUntil(() => calls === 2, "two trades");
        assert.equal(s.stats().sinkErrors, 1);
        assert.ok(rec.logs.some((l) => l.msg === "market data sink threw" && l.obj.err === "strategy bug"));
      },
    );
  });

  test("reconnects after the server closes and after it terminates, and resubscribes everything", async () => {
    await scenario({}, async (s, srv) => {
      const wanted = [
        { kind: "trade", symbol: "BTCUSDT" },
        { kind: "bookTicker", symbol: "BTCUSDT" },
        { kind: "kline", symbol: "ETHUSDT", interval: "5m" },
      ] as StreamSpec[];
      s.subscribe(wanted);
      await s.start();
      const names = ["btcusdt@trade", "btcusdt@bookTicker", "ethusdt@kline_5m"];
      assert.deepEqual([...srv.connections[0]!.subscribed].sort(), names.sort());
      srv.connections[0]!.ws.close(1001, "going away");
      await waitUntil(() => srv.connections[1]?.subscribed.size === 3, "resubscription after close");
      srv.connections[1]!.ws.terminate();
      await waitUntil(() => srv.connections[2]?.subscribed.size === 3, "resubscription after terminate");
      assert.deepEqual([...srv.connections[2]!.subscribed].sort(), names.sort());
      await waitUntil(() => s.stats().connections === 1, "the stream to count its open connection");
      assert.equal(s.stats().reconnects, 2);
    });
  });

  test("reconnects when the server is down for a while (connection refused), with back-off", async () => {
    await scenario({}, async (s, srv) => {
      s.subscribe([{ kind: "trade", symbol: "BTCUSDT" }]);
      await s.start();
      const port = new URL(srv.url).port;
      await srv.close();
      await waitUntil(() => s.stats().reconnects >= 3, "several failed attempts");
      // A new server on the same port: the stream finds it and resubscribes.
      const { WebSocketServer } = await import("ws");
      const again = new WebSocketServer({ host: "127.0.0.1", port: Number(port) });
      const seen: string[] = [];
      again.on("connection", (ws) =>
        ws.on("message", (d) => {
          const m = JSON.parse(String(d)) as { params: string[]; id: number };
          seen.push(...m.params);
          ws.send(JSON.stringify({ result: null, id: m.id }));
        }),
      );
      try {
        await waitUntil(() => seen.includes("btcusdt@trade"), "resubscription on the new server");
      } finally {
        for (const c of again.clients) c.terminate();
        await new Promise<void>((resolve) => again.close(() => resolve()));
      }
    });
  });

  test("the silence watchdog probes a silent connection and replaces it when even the probe goes unanswered", async () => {
    await scenario({ silenceTimeoutMs: 200 }, async (s, srv, rec) => {
      s.subscribe([{ kind: "trade", symbol: "BTCUSDT" }]);
      await s.start();
      srv.answer = (c) => (c.method === "SUBSCRIBE" ? JSON.stringify({ result: null, id: c.id }) : undefined);
      await waitUntil(() => srv.connections[1]?.subscribed.size === 1, "a second connection");
      assert.ok(srv.controls.some((c) => c.connection === 0 && c.method === "LIST_SUBSCRIPTIONS"));
      assert.ok(s.stats().silenceReconnects >= 1);
      assert.ok(rec.logs.some((l) => l.msg === "market stream silent; reconnecting"));
    });
  });

  test("a quiet connection that answers the probe is kept", async () => {
    await scenario({ silenceTimeoutMs: 200 }, async (s, srv) => {
      s.subscribe([{ kind: "trade", symbol: "BTCUSDT" }]);
      await s.start();
      srv.answer = (c) =>
        JSON.stringify({ result: c.method === "LIST_SUBSCRIPTIONS" ? ["btcusdt@trade"] : null, id: c.id });
      await waitUntil(
        () => srv.controls.filter((c) => c.method === "LIST_SUBSCRIPTIONS").length >= 3,
        "three probes",
      );
      assert.equal(srv.connections.length, 1);
      assert.equal(s.stats().silenceReconnects, 0);
      assert.ok(s.stats().probes >= 3);
    });
  });

  test("serverShutdown makes the stream reconnect at once (not after the back-off delay)", async () => {
    await scenario({ backoff: { initialMs: 20_000, maxMs: 20_000 } }, async (s, srv) => {
      s.subscribe([{ kind: "trade", symbol: "BTCUSDT" }]);
      await s.start();
      srv.send('{"stream":"!serverShutdown","data":{"e":"serverShutdown","E":1770123456789}}');
      await waitUntil(() => srv.connections[1]?.subscribed.size === 1, "a new connection", 3000);
      assert.equal(s.stats().shutdownReconnects, 1);
      await waitUntil(() => srv.connections[0]!.closed, "the old connection to close");
    });
  });

  test("a connection is replaced when it reaches maxConnectionAgeMs", async () => {
    await scenario({ maxConnectionAgeMs: 150 }, async (s, srv) => {
      s.subscribe([{ kind: "trade", symbol: "BTCUSDT" }]);
      await s.start();
      await waitUntil(
        () => srv.connections.length >= 2 && srv.connections[1]!.subscribed.size === 1,
        "a new connection",
      );
      assert.ok(s.stats().ageReconnects >= 1);
    });
  });

  test("kline back-fill over a reconnect delivers the bars closed in the gap exactly once and in order", async () => {
    await scenario({}, async (s, srv, rec) => {
      rec.setKlines((q) => {
        const rows: KlineRowMsg[] = [];
        for (let t = q.startTime!; t <= q.endTime!; t += MIN) rows.push(klineRow(t));
        return [klineRow(T0), ...rows]; // plus a duplicate of a bar already delivered
      });
      s.subscribe([{ kind: "kline", symbol: "NKNUSDT", interval: "1m" }]);
      await s.start();
      srv.send(klineFrame(T0, false));
      srv.send(klineFrame(T0, true));
      await waitUntil(() => rec.bars.length === 2, "minute 0");
      srv.connections[0]!.ws.terminate();
      await waitUntil(() => srv.connections[1]?.subscribed.size === 1, "resubscription");
      srv.send(klineFrame(T0 + 3 * MIN, false)); // first frame after the gap: minutes 1 and 2 were missed
      srv.send(klineFrame(T0 + 2 * MIN, true)); // a late duplicate close
      srv.send(klineFrame(T0 + 3 * MIN, true));
      await waitUntil(() => rec.bars.filter((b) => b.closed).length === 4, "four closed bars");
      const closed = rec.bars.filter((b) => b.closed).map((b) => (b.openTime / 1000 - T0) / MIN);
      assert.deepEqual(closed, [0, 1, 2, 3]);
      assert.deepEqual(rec.klineQueries, [
        { symbol: "NKNUSDT", interval: "1m", startTime: T0 + MIN, endTime: T0 + 3 * MIN - 1, limit: 1000 },
      ]);
      const stats = s.stats();
      assert.equal(stats.backfilledBars, 2);
      assert.equal(stats.duplicateBarsDropped, 2);
      // In-progress bars are forwarded too, each after the last closed one.
      assert.deepEqual(
        rec.bars.map((b) => [(b.openTime / 1000 - T0) / MIN, b.closed]),
        [
          [0, false],
          [0, true],
          [1, true],
          [2, true],
          [3, false],
          [3, true],
        ],
      );
    });
  });

  test("keeps the NKNUSDT order book from the real capture and rebuilds it after a reconnect", async () => {
    const snapshots = readDepthSnapshots();
    const updates: number[] = [];
    await scenario(
      {
        sink: {
          onTrade() {},
          onQuote() {},
          onBar() {},
          onBookUpdate: (_symbol, book) => updates.push(book.lastUpdateId),
        },
      },
      async (s, srv, rec) => {
        rec.setDepth(() => snapshots.get("NKNUSDT") as DepthSnapshotMsg);
        s.subscribe([{ kind: "depth", symbol: "NKNUSDT", speedMs: 100 }]);
        await s.start();
        assert.deepEqual(srv.connections[0]!.subscribed, new Set(["nknusdt@depth@100ms"]));
        const diffs = readWsCapture()
          .map((f) => f.text)
          .filter((t) => t.includes('"stream":"nknusdt@depth@100ms"'));
        for (const d of diffs.slice(0, 100)) srv.send(d);
        await waitUntil(
          () => s.orderBook("NKNUSDT")?.lastUpdateId === JSON.parse(diffs[99]!).data.u,
          "100 diffs applied",
        );
        assert.deepEqual(rec.depthCalls, [{ symbol: "NKNUSDT", limit: 1000 }]);
        assert.equal(updates[0], 499869752);
        // After a reconnect the book is discarded and rebuilt from a new snapshot.
        const next = JSON.parse(diffs[100]!) as { data: { U: number } };
        rec.setDepth(() => ({ lastUpdateId: next.data.U, bids: [["0.35", "100"]], asks: [["0.36", "100"]] }));
        srv.connections[0]!.ws.terminate();
        await waitUntil(() => srv.connections[1]?.subscribed.size === 1, "resubscription");
        assert.equal(s.orderBook("NKNUSDT"), undefined);
        for (const d of diffs.slice(100)) srv.send(d);
        await waitUntil(
          () => s.orderBook("NKNUSDT")?.lastUpdateId === JSON.parse(diffs.at(-1)!).data.u,
          "resynced",
        );
        const stats = s.stats();
        assert.equal(rec.depthCalls.length, 2);
        assert.equal(stats.bookResyncs, 1);
        assert.equal(stats.bookGaps, 0);
        assert.equal(stats.booksSynced, 1);
      },
    );
  });

  test("unsubscribe sends UNSUBSCRIBE and closes a connection left without streams", async () => {
    await scenario({ maxStreamsPerConnection: 2 }, async (s, srv) => {
      s.subscribe(specs(3));
      await s.start();
      assert.equal(srv.connections.length, 2);
      s.unsubscribe([{ kind: "trade", symbol: "S0USDT" }]);
      await waitUntil(() => srv.controls.some((c) => c.method === "UNSUBSCRIBE"), "UNSUBSCRIBE");
      assert.deepEqual([...srv.connections[0]!.subscribed], ["s1usdt@trade"]);
      s.unsubscribe([{ kind: "trade", symbol: "S2USDT" }]);
      await waitUntil(() => srv.connections[1]!.closed, "the emptied connection to close");
      assert.equal(s.stats().subscribedStreams, 1);
    });
  });

  test("start() rejects after its bound when subscriptions are never answered, and stops", async () => {
    await scenario({ startTimeoutMs: 300 }, async (s, srv) => {
      srv.answer = () => undefined;
      s.subscribe([{ kind: "trade", symbol: "BTCUSDT" }]);
      await assert.rejects(
        s.start(),
        (e: unknown) => isDesError(e, "DES_ERR_VENUE_UNAVAILABLE") && /300 ms/.test(e.message),
      );
      await waitUntil(() => srv.connections.every((c) => c.closed), "the connection to close");
    });
  });

  test("start() rejects when Binance refuses a subscription", async () => {
    await scenario({}, async (s, srv) => {
      srv.answer = (c) => JSON.stringify({ code: 2, msg: "Invalid request: too many parameters", id: c.id });
      s.subscribe([{ kind: "trade", symbol: "BTCUSDT" }]);
      await assert.rejects(
        s.start(),
        (e: unknown) =>
          isDesError(e, "DES_ERR_VENUE_REJECTED") && /Invalid request: too many parameters/.test(e.message),
      );
      assert.equal(s.stats().controlErrors, 1);
    });
  });
});

describe("BinanceMarketStream configuration", () => {
  const rest = { klines: async () => [], depth: async () => ({ lastUpdateId: 0, bids: [], asks: [] }) };
  const sink = { onTrade() {}, onQuote() {}, onBar() {} };

  test("uses the combined endpoint /stream of the base URL", () => {
    const url = (base: string) => new BinanceMarketStream({ streamBaseUrl: base, rest, sink }).url;
    assert.equal(url("wss://stream.binance.com:9443"), "wss://stream.binance.com:9443/stream");
    assert.equal(url("wss://stream.testnet.binance.vision/ws"), "wss://stream.testnet.binance.vision/stream");
    assert.equal(url("ws://127.0.0.1:8090/stream/"), "ws://127.0.0.1:8090/stream");
  });

  test("forbidProductionHosts refuses Binance production hosts but not the testnet or a simulator", () => {
    for (const base of ["wss://stream.binance.com:9443", "wss://data-stream.binance.vision"]) {
      assert.throws(
        () => new BinanceMarketStream({ streamBaseUrl: base, rest, sink, forbidProductionHosts: true }),
        (e: unknown) => isDesError(e, "DES_ERR_PRODUCTION_NOT_CONFIRMED"),
      );
    }
    for (const base of ["wss://stream.testnet.binance.vision", "ws://127.0.0.1:1"]) {
      assert.doesNotThrow(
        () => new BinanceMarketStream({ streamBaseUrl: base, rest, sink, forbidProductionHosts: true }),
      );
    }
  });

  test("refuses bad settings with DES_ERR_INVALID_CONFIG", () => {
    const bad: Array<Partial<BinanceMarketStreamOptions>> = [
      { streamBaseUrl: "http://x" },
      { streamBaseUrl: "not a url" },
      { maxStreamsPerConnection: 2000 },
      { controlMessagesPerSecond: 6 },
      { maxConnectAttemptsPer5Min: 301 },
      { silenceTimeoutMs: 0 },
      { depthSnapshotLimit: 6000 },
    ];
    for (const extra of bad) {
      assert.throws(
        () => new BinanceMarketStream({ streamBaseUrl: "ws://127.0.0.1:1", rest, sink, ...extra }),
        (e: unknown) => isDesError(e, "DES_ERR_INVALID_CONFIG"),
        JSON.stringify(extra),
      );
    }
  });

  test("a stopped stream cannot start or subscribe again", async () => {
    const s = new BinanceMarketStream({ streamBaseUrl: "ws://127.0.0.1:1", rest, sink });
    await s.start(); // nothing subscribed: nothing to connect
    await s.stop();
    await assert.rejects(s.start(), (e: unknown) => isDesError(e, "DES_ERR_VENUE_UNAVAILABLE"));
    assert.throws(() => s.subscribe([{ kind: "trade", symbol: "BTCUSDT" }]));
  });
});
