/**
 * Acceptance tests of issue 4, market data: the real BinanceMarketStream (with the real REST client
 * for snapshots and back-fills) against the real simulator on loopback.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Decimal } from "../src/core/index.ts";
import type { BinanceSimulator } from "../src/sim/index.ts";
import { BinanceMarketStream, type BinanceRestClient } from "../src/venues/binance/index.ts";
import { Cleanup, recordingSink, simRest, startSim, waitFor } from "./support/binance-sim-harness.ts";

const MINUTE_MS = 60_000;
/** Trade ids of the injected frames: far above any id the replay uses. */
const STORM_TRADE_ID = 4_000_000_000_000;

/** Opens a market stream on the simulator (stopped when the test ends). */
function openStream(
  cleanup: Cleanup,
  sim: BinanceSimulator,
  rest: BinanceRestClient,
  sink: ReturnType<typeof recordingSink>,
  options: { silenceTimeoutMs?: number; forwardOpenBars?: boolean; endpoint?: "combined" | "raw" } = {},
): BinanceMarketStream {
  const stream = new BinanceMarketStream({
    streamBaseUrl: sim.streamUrl,
    rest,
    sink,
    forbidProductionHosts: true,
    // Reconnect fast: the tests restart, stall and kill the server.
    backoff: { initialMs: 50, maxMs: 300 },
    ...options,
  });
  return cleanup.add(stream, (s) => s.stop());
}

/** The exchange's current update id of a symbol's book. */
function exchangeUpdateId(sim: BinanceSimulator, symbol: string): number {
  const d = sim.exchange.depth({ symbol, limit: "1" });
  return d.ok ? d.body.lastUpdateId : -1;
}

/** Levels as "price quantity" lines, exact decimals without trailing zeros. */
function levelLines(side: readonly { price: Decimal; quantity: Decimal }[]): string[] {
  return side.map((l) => `${l.price.toString()} ${l.quantity.toString()}`);
}

function wireLines(side: readonly (readonly [string, string])[]): string[] {
  return side.map(([p, q]) => `${Decimal.from(p).toString()} ${Decimal.from(q).toString()}`);
}

/** Levels compared one by one from the top (well inside the 1000-level snapshot the client starts from). */
const TOP_LEVELS = 100;

/**
 * Asserts one side of the local book against the exchange's: the top levels are identical, and every
 * deeper local level exists at the exchange with the same quantity. (Levels the exchange had beyond
 * the client's snapshot limit are unknown to it until a diff touches them, as on Binance.)
 */
function assertSide(local: readonly string[], exchange: readonly string[], what: string): void {
  const top = Math.min(TOP_LEVELS, exchange.length);
  const i = exchange.slice(0, top).findIndex((level, k) => level !== local[k]);
  assert.ok(
    i < 0,
    `${what} differ at level ${i}: local ${JSON.stringify(local.slice(Math.max(0, i - 2), i + 3))} ` +
      `exchange ${JSON.stringify(exchange.slice(Math.max(0, i - 2), i + 3))}`,
  );
  const known = new Set(exchange);
  const unknown = local.filter((level) => !known.has(level));
  assert.deepEqual(unknown, [], `${what}: local levels the exchange does not have`);
}

/**
 * At a quiet point (the replay paused), waits until each local book has caught up with the exchange's
 * last update id, then asserts it equals GET /api/v3/depth and the bookTicker; resumes the replay.
 */
async function assertBooksMatchExchange(
  sim: BinanceSimulator,
  rest: BinanceRestClient,
  stream: BinanceMarketStream,
  symbols: readonly string[],
): Promise<void> {
  sim.marketData.stop();
  try {
    for (const symbol of symbols) {
      await waitFor(
        () => stream.orderBook(symbol)?.lastUpdateId === exchangeUpdateId(sim, symbol),
        10_000,
        `${symbol} local book at the exchange's update id`,
      ).catch((err: Error) => {
        const detail = {
          local: stream.orderBook(symbol)?.lastUpdateId,
          exchange: exchangeUpdateId(sim, symbol),
          ...stream.stats(),
        };
        throw new Error(`${err.message}: ${JSON.stringify(detail)}`);
      });
      const snapshot = await rest.depth(symbol, 5000);
      const book = stream.orderBook(symbol);
      assert.ok(book !== undefined, `${symbol} book synced`);
      assert.equal(snapshot.lastUpdateId, book.lastUpdateId, `${symbol} snapshot at the same update id`);
      assert.ok(snapshot.bids.length > 0 && snapshot.asks.length > 0, `${symbol} has a two-sided book`);
      assertSide(levelLines(book.topBids(10_000)), wireLines(snapshot.bids), `${symbol} bids`);
      assertSide(levelLines(book.topAsks(10_000)), wireLines(snapshot.asks), `${symbol} asks`);
      // The best levels equal the exchange's bookTicker for the same update id.
      const top = sim.exchange.bookTicker(symbol);
      assert.ok(top !== undefined);
      assert.equal(top.u, book.lastUpdateId);
      assert.equal(book.bestBid()?.price.toString(), Decimal.from(top.b).toString());
      assert.equal(book.bestBid()?.quantity.toString(), Decimal.from(top.B).toString());
      assert.equal(book.bestAsk()?.price.toString(), Decimal.from(top.a).toString());
      assert.equal(book.bestAsk()?.quantity.toString(), Decimal.from(top.A).toString());
    }
  } finally {
    sim.marketData.start();
  }
}

test("order book: synced book equals GET /api/v3/depth; a lost diff is a gap, resynced, and the book is right again", async (t) => {
  const c = new Cleanup(t);
  // A klines symbol (synthetic book) and a capture symbol (Binance's recorded diffs), 60x.
  const sim = await startSim(c, {
    sources: [{ kind: "klines", ids: ["btcbusd-1m-2022-12-13"] }, { kind: "capture" }],
    speed: 60,
  });
  const symbols = ["BTCBUSD", "NKNUSDT"];
  const rest = simRest(c, sim);
  const sink = recordingSink();
  const stream = openStream(c, sim, rest, sink);
  stream.subscribe([
    { kind: "depth", symbol: "BTCBUSD" },
    { kind: "depth", symbol: "NKNUSDT", speedMs: 100 },
  ]);
  await stream.start();
  await waitFor(() => stream.stats().booksSynced === 2, 15_000, "both books synced");
  await waitFor(() => stream.stats().depthUpdates > 20, 15_000, "diffs applied on top of the snapshots");
  await assertBooksMatchExchange(sim, rest, stream, symbols);
  const before = stream.stats();
  assert.equal(before.bookGaps, 0);
  assert.equal(before.parseErrors, 0);

  // Damage the next three depth frames: the diffs they carried are lost.
  const malformedBefore = sim.streams.stats().malformedSent;
  sim.streams.faults.malformed(3);
  await waitFor(
    () => sim.streams.stats().malformedSent === malformedBefore + 3,
    15_000,
    "three damaged frames sent",
  );
  // A lost diff shows as a gap only when the next diff of its symbol arrives: wait until each book
  // is past the ids the damaged frames carried (applied cleanly, or after a resync).
  const idsAtDamage = new Map(symbols.map((s) => [s, exchangeUpdateId(sim, s)]));
  await waitFor(
    () => symbols.every((s) => (stream.orderBook(s)?.lastUpdateId ?? 0) > idsAtDamage.get(s)!),
    20_000,
    "both books past the damaged diffs",
  );
  const after = stream.stats();
  assert.ok(after.bookGaps > before.bookGaps, "a gap was detected");
  assert.ok(after.bookResyncs > before.bookResyncs, "the resync counter grew");
  assert.equal(after.parseErrors, 3, "the three damaged frames were counted and skipped");
  assert.equal(after.reconnects, 0, "a gap is resynced on the same connection");
  await assertBooksMatchExchange(sim, rest, stream, symbols);
});

test("klines: after a server restart the closed 1m bars missed meanwhile arrive exactly once, contiguous, equal to REST", async (t) => {
  const c = new Cleanup(t);
  // Real BTCBUSD 1m bars at 600x: a bar closes every 100 ms of wall time.
  const sim = await startSim(c, {
    sources: [{ kind: "klines", ids: ["btcbusd-1m-2022-12-13"] }],
    speed: 600,
  });
  const rest = simRest(c, sim);
  const sink = recordingSink();
  const stream = openStream(c, sim, rest, sink, { forwardOpenBars: false });
  stream.subscribe([{ kind: "kline", symbol: "BTCBUSD", interval: "1m" }]);
  await stream.start();
  await waitFor(() => sink.bars.length >= 5, 15_000, "five closed bars");

  const eventsBefore = sim.marketData.position().events;
  const barsBefore = sink.bars.length;
  await sim.restart({ downMs: 1500 });
  assert.ok(sim.marketData.position().events > eventsBefore, "the market moved on while the server was down");
  await waitFor(() => stream.stats().backfilledBars > 0, 15_000, "bars back-filled after the reconnect");
  const lastBeforeRestart = sink.bars[barsBefore - 1]!;
  await waitFor(
    () => sink.bars.length > barsBefore + 20,
    15_000,
    "twenty more closed bars across and after the restart",
  );
  await stream.stop();

  const stats = stream.stats();
  assert.ok(stats.reconnects >= 1, "the stream reconnected");
  // ~15 bars closed in the 1.5 s the server was down; every one of them came from REST.
  assert.ok(stats.backfilledBars >= 5, `back-filled ${stats.backfilledBars} bars`);
  assert.equal(stats.backfillFailures, 0);
  const bars = sink.bars;
  assert.ok(bars.every((b) => b.closed && b.instrumentId === "BTCBUSD" && b.interval === "1m"));
  const openTimes = bars.map((b) => b.openTime / 1000);
  for (let i = 1; i < openTimes.length; i++) {
    assert.equal(
      openTimes[i]! - openTimes[i - 1]!,
      MINUTE_MS,
      `bar ${i} follows bar ${i - 1} with no gap or repeat`,
    );
  }
  const resumedAt = bars.indexOf(lastBeforeRestart);
  assert.ok(
    bars.length - resumedAt > stats.backfilledBars,
    "the back-filled bars follow the last bar before the restart",
  );

  const rows = await rest.klines({
    symbol: "BTCBUSD",
    interval: "1m",
    startTime: openTimes[0]!,
    endTime: openTimes[openTimes.length - 1]!,
    limit: 1000,
  });
  assert.equal(rows.length, bars.length, "one delivered bar per REST kline");
  bars.forEach((bar, i) => {
    const row = rows[i]!;
    const what = `bar at ${openTimes[i]}`;
    assert.equal(Number(row[0]), openTimes[i], what);
    assert.ok(bar.open.eq(Decimal.from(String(row[1]))), `${what} open`);
    assert.ok(bar.high.eq(Decimal.from(String(row[2]))), `${what} high`);
    assert.ok(bar.low.eq(Decimal.from(String(row[3]))), `${what} low`);
    assert.ok(bar.close.eq(Decimal.from(String(row[4]))), `${what} close`);
    assert.ok(bar.volume.eq(Decimal.from(String(row[5]))), `${what} volume`);
    assert.equal(Math.floor(bar.closeTime / 1000), Number(row[6]), `${what} close time`);
    assert.ok(bar.quoteVolume.eq(Decimal.from(String(row[7]))), `${what} quote volume`);
    assert.equal(bar.tradeCount, Number(row[8]), `${what} trade count`);
  });
});

test("a stalled stream is detected by the silence watchdog, replaced, and data flows again after the stall", async (t) => {
  const c = new Cleanup(t);
  const sim = await startSim(c, { sources: [{ kind: "klines", ids: ["btcbusd-1m-2022-12-13"] }], speed: 60 });
  const rest = simRest(c, sim);
  const sink = recordingSink();
  const stream = openStream(c, sim, rest, sink, { silenceTimeoutMs: 800 });
  stream.subscribe([{ kind: "trade", symbol: "BTCBUSD" }]);
  await stream.start();
  await waitFor(() => sink.trades.length > 0, 10_000, "trades flowing");

  sim.streams.faults.stall(true);
  await waitFor(
    () => stream.stats().silenceReconnects >= 2,
    15_000,
    "the watchdog replacing silent connections",
  );
  const stalled = stream.stats();
  assert.ok(stalled.probes >= 1, "a LIST_SUBSCRIPTIONS probe went out before giving up");
  const tradesDuringStall = sink.trades.length;

  sim.streams.faults.stall(false);
  await waitFor(() => sink.trades.length > tradesDuringStall + 5, 15_000, "trades flowing again");
  assert.equal(stream.stats().connections, 1);
  assert.ok(sim.streams.stats().ignoredWhileStalled >= 1, "the stalled server read nothing");
});

test("10,000 mutated frames: the connection stays, every frame is counted as valid or malformed, data continues", async (t) => {
  const c = new Cleanup(t);
  const sim = await startSim(c, { sources: [{ kind: "klines", ids: ["btcbusd-1m-2022-12-13"] }], speed: 60 });
  const rest = simRest(c, sim);
  const sink = recordingSink();
  const stream = openStream(c, sim, rest, sink);
  stream.subscribe([
    { kind: "trade", symbol: "BTCBUSD" },
    { kind: "bookTicker", symbol: "BTCBUSD" },
    { kind: "depth", symbol: "BTCBUSD", speedMs: 100 },
    { kind: "miniTicker", symbol: "BTCBUSD" },
  ]);
  await stream.start();
  await waitFor(() => sink.trades.length > 0 && stream.stats().booksSynced === 1, 15_000, "data flowing");
  assert.equal(stream.stats().parseErrors, 0);

  // 10,000 frames in one burst, every one damaged by the simulator (truncated, wrong type, missing
  // field, garbage, mixed, in turn); published synchronously, so no live frame is among them.
  const template = (i: number) =>
    JSON.stringify({
      e: "trade",
      E: 1_670_889_600_000 + i,
      s: "BTCBUSD",
      t: STORM_TRADE_ID + i,
      p: "17154.99000000",
      q: "0.00100000",
      T: 1_670_889_600_000 + i,
      m: true,
      M: true,
    });
  const malformedBefore = sim.streams.stats().malformedSent;
  sim.streams.faults.malformed(10_000);
  for (let i = 0; i < 10_000; i++) sim.streams.broadcastRaw("btcbusd@trade", template(i));
  assert.equal(sim.streams.stats().malformedSent - malformedBefore, 10_000);

  // A quiet point: every frame the server sent has arrived.
  sim.marketData.stop();
  const controlAnswers = () => stream.stats().controlMessagesSent;
  await waitFor(
    () => stream.stats().messages - controlAnswers() === sim.streams.stats().framesSent,
    30_000,
    "every frame sent received",
  );
  const s = stream.stats();
  const valid = s.trades + s.quotes + s.depthUpdates + s.miniTickers;
  assert.equal(
    valid + s.parseErrors,
    s.messages - controlAnswers(),
    "each frame is valid or counted malformed",
  );
  // Truncated and garbage frames can never parse; a wrong type or a missing field nobody reads can.
  assert.ok(s.parseErrors >= 4000 && s.parseErrors <= 10_000, `parse errors ${s.parseErrors}`);
  assert.equal(s.reconnects, 0, "the connection stayed");
  assert.equal(s.connections, 1);
  assert.equal(s.sinkErrors, 0);
  // A damaged frame that still parses (a field DES ignores was hit) carries the original values.
  const survivors = sink.trades.filter((tr) => Number(tr.tradeId) >= STORM_TRADE_ID);
  assert.equal(
    survivors.length,
    10_000 - s.parseErrors,
    "every injected frame is either a parse error or a trade",
  );
  for (const tr of survivors) {
    assert.equal(tr.instrumentId, "BTCBUSD");
    assert.equal(tr.price.toString(), "17154.99");
    assert.equal(tr.quantity.toString(), "0.001");
    assert.equal(tr.aggressor, "SELL");
  }

  // Valid data continues after the storm.
  const tradesAfter = sink.trades.length;
  const quotesAfter = sink.quotes.length;
  sim.marketData.start();
  await waitFor(
    () => sink.trades.length > tradesAfter && sink.quotes.length > quotesAfter,
    15_000,
    "trades and quotes after the mutated frames",
  );
  await waitFor(() => stream.stats().booksSynced === 1, 15_000, "the book in step");
  assert.equal(stream.stats().parseErrors, s.parseErrors, "no more malformed frames");
});

test("raw endpoint (/ws): live-subscribed trades, quotes and klines arrive as bare payloads, routed by their symbol", async (t) => {
  const cleanup = new Cleanup(t);
  const sim = await startSim(cleanup, { sources: [{ kind: "klines", speed: 600 }] });
  const rest = simRest(cleanup, sim);
  const sink = recordingSink();
  const stream = openStream(cleanup, sim, rest, sink, { endpoint: "raw", forwardOpenBars: false });
  stream.subscribe([
    { kind: "trade", symbol: "BTCBUSD" },
    { kind: "bookTicker", symbol: "LTCUSDT" },
    { kind: "kline", symbol: "BTCBUSD", interval: "1m" },
  ]);
  await stream.start();
  await waitFor(
    () => sink.trades.length > 0 && sink.quotes.length > 0 && sink.bars.length > 0,
    30_000,
    "a trade, a quote and a closed bar over the raw endpoint",
  );
  assert.ok(sink.trades.every((x) => x.instrumentId === "BTCBUSD"));
  assert.ok(sink.quotes.every((x) => x.instrumentId === "LTCUSDT"));
  assert.ok(sink.bars.every((b) => b.instrumentId === "BTCBUSD" && b.closed && b.interval === "1m"));
  assert.equal(stream.stats().parseErrors, 0);
});
