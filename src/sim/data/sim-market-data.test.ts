import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { Decimal, isDesError } from "../../core/index.ts";
import { DEFAULT_MARKET_DATASET_DIR, parseMarketText } from "../../market/index.ts";
import type { SimBookUpdate } from "../exchange/sim-exchange-api.ts";
import { parseCaptureHttp, parseCaptureWs } from "./capture-file.ts";
import { DEFAULT_CAPTURE_DIR } from "./sim-data-source-config.ts";
import { SimMarketData } from "./sim-market-data.ts";
import type { AggTradeEventMsg, DepthUpdateMsg, KlineEventMsg, TradeEventMsg } from "./stream-payloads.ts";
import { FakeExchange } from "./test-support/fake-exchange.ts";
import { writeTempCapture, writeTempDataset } from "./test-support/temp-dataset.ts";

const START = Date.UTC(2026, 0, 5, 12, 0, 30, 250);
const capture = parseCaptureWs(readFileSync(join(DEFAULT_CAPTURE_DIR, "BINANCE.ws.1.0.txt"), "utf8"), "ws");
const snapshots = parseCaptureHttp(
  readFileSync(join(DEFAULT_CAPTURE_DIR, "BINANCE.http.0.0.txt"), "utf8"),
  "http",
);
const FIRST_RECV = capture.frames[0]!.recvTimeMs;
const cleanups: (() => void)[] = [];
after(() => {
  for (const c of cleanups) c();
});

interface Harness {
  md: SimMarketData;
  exchange: FakeExchange;
  events: { stream: string; payload: Record<string, unknown>; at: number }[];
  advance(ms: number, step?: number): void;
  clock(): number;
}

function harness(options: Omit<ConstructorParameters<typeof SimMarketData>[0], "exchange" | "now">): Harness {
  let now = START;
  const exchange = new FakeExchange();
  exchange.now = () => now;
  const md = new SimMarketData({ ...options, exchange, now: () => now, autoPump: false });
  const events: Harness["events"] = [];
  md.onStreamEvent((stream, payload) =>
    events.push({ stream, payload: payload as Record<string, unknown>, at: now }),
  );
  return {
    md,
    exchange,
    events,
    clock: () => now,
    advance(ms: number, step = 50): void {
      const end = now + ms;
      while (now < end) {
        now = Math.min(end, now + step);
        md.pump();
      }
    },
  };
}

test("capture: the snapshots initialise the book, then frames replay in order with their spacing / speed", () => {
  const h = harness({ sources: [{ kind: "capture" }] });
  h.md.start();
  assert.deepEqual(
    h.exchange.updates.map((u) => u.symbol),
    snapshots.snapshots.map((s) => s.symbol),
    "one book change per snapshot",
  );
  for (const horizon of [0, 100, 1500, 4000]) {
    h.advance(START + horizon - h.clock());
    const due = capture.frames.filter((f) => f.recvTimeMs - FIRST_RECV <= horizon).length;
    assert.equal(h.md.position().sources[0]!.eventsDone, due, `frames due after ${horizon} ms`);
  }
  const fast = harness({ sources: [{ kind: "capture" }], speed: 4 });
  fast.md.start();
  fast.advance(1000);
  const due = capture.frames.filter((f) => f.recvTimeMs - FIRST_RECV <= 4000).length;
  assert.equal(fast.md.position().sources[0]!.eventsDone, due, "speed 4: 1 s of wall time replays 4 s");
  // With an exact rebase, the market time is the wall time at speed 1.
  assert.equal(h.md.position().sources[0]!.marketTimeMs, h.clock());
});

test("capture: depth ids are contiguous and equal the REST snapshot's lastUpdateId at every event", () => {
  const h = harness({ sources: [{ kind: "capture", generatedStepMs: 50 }] });
  const last = new Map<string, number>();
  let checked = 0;
  let external = 0;
  h.md.onStreamEvent((stream, payload) => {
    if (!stream.endsWith("@depth")) return;
    const d = payload as DepthUpdateMsg;
    const prev = last.get(d.s) ?? 0;
    assert.equal(d.U, prev + 1, `${d.s}: U follows the previous u`);
    assert.ok(d.u >= d.U);
    last.set(d.s, d.u);
    const rest = h.exchange.depth({ symbol: d.s, limit: "5000" });
    assert.ok(rest.ok);
    assert.equal(rest.body.lastUpdateId, d.u, "the REST snapshot agrees with the stream");
    checked++;
  });
  h.md.onStreamEvent((stream, payload) => {
    if (stream.endsWith("@bookTicker")) {
      const t = payload as { u: number; s: string };
      assert.equal(t.u, last.get(t.s), "bookTicker uses the same id space");
    }
  });
  h.md.start();
  h.advance(20_000, 100);
  // A user order taking liquidity changes the book too: published in the same id space.
  const update = h.exchange.takeBest("NKNUSDT", "ask") as SimBookUpdate;
  assert.ok(update !== undefined);
  external++;
  h.advance(20_000, 100);
  assert.equal(h.md.position().sources[0]!.phase, "generated", "the capture ended, generated data goes on");
  assert.ok(checked > 300, `checked ${checked} depth events`);
  assert.equal(external, 1);
  for (const symbol of ["NKNUSDT", "BLZETH", "LRCBTC", "RUNEEUR"]) {
    assert.ok(h.exchange.bookTicker(symbol) !== undefined, `${symbol} keeps a two-sided book`);
  }
});

test("capture: aggTrades feed the exchange and the trade/aggTrade streams; kline frames seed the 1m kline", () => {
  const h = harness({ sources: [{ kind: "capture" }] });
  h.md.start();
  h.advance(30_000, 100);
  const nkn = h.exchange.trades.find((t) => t.symbol === "NKNUSDT");
  assert.deepEqual(nkn && { price: nkn.price, quantity: nkn.quantity, maker: nkn.buyerIsMaker }, {
    price: "0.35280000",
    quantity: "58.00000000",
    maker: false,
  });
  const agg = h.events.find((e) => e.stream === "nknusdt@aggTrade")!.payload as unknown as AggTradeEventMsg;
  assert.deepEqual(
    [agg.a, agg.f, agg.l, agg.p, agg.q],
    [15683430, 19862790, 19862790, "0.35280000", "58.00000000"],
  );
  const trade = h.events.find((e) => e.stream === "nknusdt@trade")!.payload as unknown as TradeEventMsg;
  assert.equal(trade.t, 19862790);
  const nknKlines = h.events
    .filter((e) => e.stream === "nknusdt@kline_1m")
    .map((e) => (e.payload as unknown as KlineEventMsg).k);
  // The aggTrade frame comes first (a kline of 1 trade), then the captured kline replaces it.
  assert.deepEqual(
    nknKlines.slice(0, 2).map((k) => [k.o, k.v, k.n, k.f, k.L]),
    [
      ["0.35280000", "58.00000000", 1, 19862790, 19862790],
      ["0.35270000", "25877.00000000", 30, 19862761, 19862790],
    ],
  );
  // LRCBTC's kline frame arrives before the aggTrade it already counts: the trade is not counted twice.
  const lrc = h.events
    .filter((e) => e.stream === "lrcbtc@kline_1m")
    .map((e) => (e.payload as unknown as KlineEventMsg).k);
  assert.equal(lrc[0]!.n, 1);
  assert.ok(
    lrc.every((k) => k.t !== lrc[0]!.t || k.n === 1),
    "no double count in the seeded minute",
  );
  // Generated trades continue the ids.
  const later = h.events
    .filter((e) => e.stream === "nknusdt@trade")
    .map((e) => (e.payload as unknown as TradeEventMsg).t);
  for (let i = 1; i < later.length; i++) assert.ok(later[i]! > later[i - 1]!);
});

test("klines: every 1m kline closes exactly once, equals its real bar, and REST agrees with the stream", () => {
  const h = harness({ sources: [{ kind: "klines", ids: ["btcbusd-1m-2022-12-13"], historyBars: 5 }] });
  h.md.start();
  h.advance(40_000, 50);
  const closed = h.events.filter(
    (e) => e.stream === "btcbusd@kline_1m" && (e.payload as unknown as KlineEventMsg).k.x,
  );
  const ks = closed.map((e) => (e.payload as unknown as KlineEventMsg).k);
  assert.ok(ks.length >= 40, `closed ${ks.length}`);
  assert.equal(new Set(ks.map((k) => k.t)).size, ks.length, "each bar closes once");
  for (let i = 1; i < ks.length; i++) assert.equal(ks[i]!.t, ks[i - 1]!.t + 60_000, "consecutive minutes");
  const file = join(DEFAULT_MARKET_DATASET_DIR, "BTCBUSD-1m-2022-12-13.lean.csv");
  const bars = parseMarketText(readFileSync(file, "utf8"), "BTCBUSD-1m-2022-12-13.lean.csv", {
    format: "lean-minute-csv",
  }).bars;
  // Rebased: bar 5 (the first after the history) opens in the minute of the start.
  assert.equal(ks[0]!.t, Math.floor(START / 60_000) * 60_000 - 5 * 60_000);
  for (const [i, k] of ks.entries()) {
    const bar = bars[i]!;
    assert.deepEqual(
      [k.o, k.h, k.l, k.c, k.v].map((s) => Decimal.from(s).toString()),
      [bar.open, bar.high, bar.low, bar.close, bar.volume].map((d) => d.toString()),
      `bar ${i}`,
    );
  }
  // Trades agree with the klines: ids f..L, count, taker-buy volume.
  const trades = h.events
    .filter((e) => e.stream === "btcbusd@trade")
    .map((e) => e.payload as unknown as TradeEventMsg);
  for (const k of ks) {
    const inside = trades.filter((t) => t.T >= k.t && t.T <= k.T);
    assert.equal(inside.length, k.n);
    assert.deepEqual([inside[0]!.t, inside[inside.length - 1]!.t], [k.f, k.L]);
    const takerBuy = inside.filter((t) => !t.m).reduce((s, t) => s.add(Decimal.from(t.q)), Decimal.ZERO);
    assert.equal(takerBuy.toFixed(8), k.V);
  }
  const rest = h.md.klines({
    symbol: "BTCBUSD",
    interval: "1m",
    startTime: String(ks[0]!.t),
    limit: String(ks.length),
  });
  assert.ok(rest.ok);
  assert.deepEqual(
    rest.body,
    ks.map((k) => [k.t, k.o, k.h, k.l, k.c, k.v, k.T, k.q, k.n, k.V, k.Q, "0"]),
  );
  // Without startTime: the most recent, the open kline last.
  const recent = h.md.klines({ symbol: "BTCBUSD", interval: "1m", limit: "2" });
  assert.ok(recent.ok);
  assert.equal(recent.body[1]![0], ks[ks.length - 1]!.t + 60_000);
});

test("klines: longer intervals aggregate the 1m klines and are streamed when wanted", () => {
  const h = harness({ sources: [{ kind: "klines", ids: ["ltcusdt-1m-2020-11-08"], historyBars: 0 }] });
  h.md.start();
  // 10 ms of wall time is 0.6 s of replay: every replayed second gets its miniTicker.
  h.advance(31_000, 10);
  const oneMinute = h.md.klines({ symbol: "LTCUSDT", interval: "1m", limit: "1000" });
  const fiveMinutes = h.md.klines({ symbol: "LTCUSDT", interval: "5m", limit: "1000" });
  assert.ok(oneMinute.ok && fiveMinutes.ok);
  const first5 = fiveMinutes.body.find((r) => oneMinute.body.some((m) => m[0] === r[0]))!;
  const parts = oneMinute.body.filter(
    (m) => (m[0] as number) >= (first5[0] as number) && (m[0] as number) < (first5[0] as number) + 300_000,
  );
  assert.equal(parts.length, 5);
  const sum = (i: number): string =>
    parts.reduce((s, r) => s.add(Decimal.from(r[i] as string)), Decimal.ZERO).toFixed(8);
  assert.equal(first5[1], parts[0]![1], "open");
  assert.equal(first5[4], parts[4]![4], "close");
  assert.equal(first5[5], sum(5), "volume");
  assert.equal(
    first5[8],
    parts.reduce((s, r) => s + (r[8] as number), 0),
    "trades",
  );
  assert.ok(
    h.events.some((e) => e.stream === "ltcusdt@kline_5m" && (e.payload as unknown as KlineEventMsg).k.x),
  );
  // The miniTicker comes once per replayed second (speed 60: 60 per wall second).
  // (The catch-up at start, from the bar's open to now, skips the backlog: only later seconds count.)
  const minis = h.events
    .filter((e) => e.stream === "ltcusdt@miniTicker" && (e.payload["E"] as number) > START)
    .map((e) => e.payload["E"] as number);
  for (let i = 1; i < minis.length; i++) assert.equal(minis[i]! - minis[i - 1]!, 1000);
  assert.ok(minis.length > 1000);
});

test("klines: at the end of the data the replay loops, time moving on and ids increasing", () => {
  const t0 = Date.UTC(2021, 0, 1, 0, 0);
  const ds = writeTempDataset([
    [t0, "100.00", "101.00", "99.00", "100.50", "1.00000"],
    [t0 + 60_000, "100.50", "102.00", "100.00", "101.00", "2.00000"],
    [t0 + 120_000, "101.00", "101.50", "98.00", "99.00", "1.50000"],
  ]);
  cleanups.push(ds.remove);
  const h = harness({ sources: [{ kind: "klines", dir: ds.dir, historyBars: 0 }], rebaseToNow: false });
  h.md.start();
  h.advance(12_000, 100);
  const ks = h.events
    .filter((e) => e.stream === "btcusdt@kline_1m" && (e.payload as unknown as KlineEventMsg).k.x)
    .map((e) => (e.payload as unknown as KlineEventMsg).k);
  assert.ok(ks.length >= 11);
  assert.equal(ks[0]!.t, t0, "no rebase: the data's own times");
  for (let i = 1; i < ks.length; i++) {
    assert.equal(ks[i]!.t, ks[i - 1]!.t + 60_000, "time keeps moving");
    assert.equal(ks[i]!.f, ks[i - 1]!.L + 1, "trade ids keep increasing");
    assert.equal(ks[i]!.c, ["100.50000000", "101.00000000", "99.00000000"][i % 3], "the bars repeat");
  }
  assert.ok(h.md.position().sources[0]!.loops >= 3);
});

test("bad capture frames are skipped and counted; a throwing listener is counted, the others still get events", () => {
  const cap = writeTempCapture(
    [
      '1000.1: {"stream":"abcusdt@depth@100ms","data":{"e":"depthUpdate","E":1000100,"s":"ABCUSDT","U":11,"u":12,"b":[["1.00","5"]],"a":[]}}',
      '1000.2: {"stream":"abcusdt@depth@100ms","data":{"e":"depthUpdate","E":1000200,"s":"ABCUSDT","U":13,"b":"oops"}}',
      '1000.3: {"stream":"abcusdt@aggTrade","data":{"e":"aggTrade","E":1000300,"s":"ABCUSDT","a":1,"p":"not-a-number","q":"1","f":1,"l":1,"T":1000300,"m":true}}',
      '1000.4: {"stream":"abcusdt@aggTrade","data":{"e":"aggTrade","s":"ABCUSDT"}}',
      "garbage line",
      '1000.5: {"stream":"abcusdt@depth@100ms","data":{"e":"depthUpdate","E":1000500,"s":"ABCUSDT","U":13,"u":13,"b":[],"a":[["1.20","3"]]}}',
    ],
    [
      'https://api.binance.com/api/v3/depth?symbol=ABCUSDT&limit=1000 -> 1000.05: {"lastUpdateId":10,"bids":[["0.90","1"]],"asks":[["1.10","1"]]}',
    ],
  );
  cleanups.push(cap.remove);
  const h = harness({ sources: [{ kind: "capture", wsFile: cap.wsFile, httpFile: cap.httpFile }] });
  let good = 0;
  h.md.onStreamEvent(() => {
    throw new Error("listener bug");
  });
  h.md.onStreamEvent(() => {
    good++;
  });
  h.md.start();
  h.advance(1000, 100);
  const pos = h.md.position();
  assert.equal(pos.sources[0]!.skipped, 4, "1 unparsable line + 3 malformed frames");
  assert.ok(pos.listenerErrors > 0);
  assert.ok(good > 0);
  assert.deepEqual(
    h.exchange.updates.slice(0, 3).map((u) => [u.firstUpdateId, u.bids, u.asks]),
    [
      [1, [["0.90", "1"]], [["1.10", "1"]]],
      [3, [["1.00", "5"]], []],
      [4, [], [["1.20", "3"]]],
    ],
    "the snapshot, then the two good diffs",
  );
});

test("symbol infos: real filters for the bundled bars, derived ones for the capture; config errors are clear", () => {
  const infos = SimMarketData.symbolInfosOf();
  assert.deepEqual(
    infos.map((i) => i.symbol),
    ["BTCBUSD", "LTCUSDT", "BTCUSDT", "NKNUSDT", "BLZETH", "LRCBTC", "RUNEEUR"],
  );
  const ltc = infos.find((i) => i.symbol === "LTCUSDT")!;
  assert.equal(ltc.filters.find((f) => f["filterType"] === "LOT_SIZE")!["stepSize"], "0.00100000");
  const nkn = infos.find((i) => i.symbol === "NKNUSDT")!;
  assert.equal(nkn.filters.find((f) => f["filterType"] === "PRICE_FILTER")!["tickSize"], "0.00001000");
  assert.throws(
    () => SimMarketData.symbolInfosOf([{ kind: "klines" }, { kind: "klines" }]),
    (e: unknown) => isDesError(e) && e.code === "DES_ERR_INVALID_CONFIG" && e.message.includes("BTCBUSD"),
  );
  assert.throws(
    () => SimMarketData.symbolInfosOf([{ kind: "capture", wsFile: "/nonexistent/ws.txt" }]),
    (e: unknown) =>
      isDesError(e) && e.code === "DES_ERR_INVALID_MARKET_DATA" && e.message.includes("/nonexistent/ws.txt"),
  );
  const h = harness({ sources: [{ kind: "klines", ids: ["btcbusd-1m-2022-12-13"] }] });
  assert.ok(h.md.streamNames().includes("btcbusd@depth@100ms"));
  assert.ok(h.md.streamNames().includes("btcbusd@kline_1M"));
  const bad = h.md.klines({ symbol: "BTCBUSD", interval: "7m" });
  assert.deepEqual(bad, { ok: false, status: 400, code: -1120, msg: "Invalid interval." });
});
