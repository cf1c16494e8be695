import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MessageBus, Topic } from "../bus/index.ts";
import {
  Decimal,
  ErrorCode,
  instrumentId,
  isDesError,
  LiveClock,
  MICROS_PER_MINUTE,
  MICROS_PER_SECOND,
  TestClock,
  tradeId,
  type UnixMicros,
} from "../core/index.ts";
import type { Bar, MarketEvent, TradeTick } from "../model/index.ts";
import type { MarketDataSink } from "./market-data-sink.ts";
import { marketEventTime, mergeMarketEvents } from "./merge-market-events.ts";
import { ReplayFeed } from "./replay-feed.ts";

const BTC = instrumentId("BTCUSDT");
const ETH = instrumentId("ETHUSDT");
const DATA_T0 = Date.UTC(2022, 11, 13) * 1000;
const CLOCK_T0 = Date.UTC(2024, 0, 1) * 1000;

function bar(minute: number, close = String(100 + minute), id = BTC): Bar {
  const openTime = DATA_T0 + minute * MICROS_PER_MINUTE;
  const c = Decimal.from(close);
  return {
    kind: "bar",
    instrumentId: id,
    interval: "1m",
    openTime: openTime as UnixMicros,
    closeTime: (openTime + MICROS_PER_MINUTE - 1) as UnixMicros,
    open: c,
    high: c,
    low: c,
    close: c,
    volume: Decimal.ONE,
    quoteVolume: c,
    tradeCount: 1,
    closed: true,
    receivedAt: (openTime + MICROS_PER_MINUTE) as UnixMicros,
  };
}

function tick(atUs: number, id: number, instrument = ETH): TradeTick {
  return {
    kind: "trade",
    instrumentId: instrument,
    tradeId: tradeId(id),
    price: Decimal.from("10"),
    quantity: Decimal.ONE,
    aggressor: "BUY",
    eventTime: atUs as UnixMicros,
    receivedAt: atUs as UnixMicros,
  };
}

function setup() {
  const bus = new MessageBus();
  const clock = new TestClock(CLOCK_T0);
  const bars: Bar[] = [];
  const trades: TradeTick[] = [];
  bus.subscribe(Topic.Bar, (b) => bars.push(b), "test");
  bus.subscribe(Topic.Trade, (t) => trades.push(t), "test");
  return { bus, clock, bars, trades };
}

const minutes = (n: number): Bar[] => Array.from({ length: n }, (_, i) => bar(i));

describe("ReplayFeed pacing", () => {
  test("speed 1 delivers each bar a real minute after the previous, stamped with the clock", () => {
    const { bus, clock, bars } = setup();
    const feed = new ReplayFeed({ events: minutes(3), bus, clock, speed: 1 });
    feed.start();
    assert.equal(bars.length, 1, "the first event is due at once");
    assert.equal(bars[0]!.receivedAt, CLOCK_T0);
    assert.equal(bars[0]!.openTime, DATA_T0, "data times are kept");
    clock.advance(59_999);
    assert.equal(bars.length, 1);
    clock.advance(1);
    assert.equal(bars.length, 2);
    assert.equal(bars[1]!.receivedAt, CLOCK_T0 + MICROS_PER_MINUTE);
    clock.advance(60_000);
    assert.equal(bars.length, 3);
    assert.equal(feed.state, "completed");
  });

  test("speed 60 plays a minute of data per second of clock time", async () => {
    const { bus, clock, bars } = setup();
    const feed = new ReplayFeed({ events: minutes(4), bus, clock, speed: 60 });
    feed.start();
    clock.advance(999);
    assert.equal(bars.length, 1);
    clock.advance(1);
    assert.equal(bars.length, 2);
    clock.advance(2000);
    assert.equal(bars.length, 4);
    assert.deepEqual(
      bars.map((b) => b.receivedAt - CLOCK_T0),
      [0, 1, 2, 3].map((s) => s * MICROS_PER_SECOND),
    );
    const result = await feed.done;
    assert.equal(result.reason, "completed");
    assert.equal(result.eventsReplayed, 4);
  });

  test("events with the same time are delivered together, trades between bars at their own times", () => {
    const { bus, clock, bars, trades } = setup();
    const events = mergeMarketEvents([
      [bar(0), bar(1)],
      [
        tick(DATA_T0 + 30 * MICROS_PER_SECOND, 1),
        tick(DATA_T0 + MICROS_PER_MINUTE, 2),
        tick(DATA_T0 + 90 * MICROS_PER_SECOND, 3),
      ],
    ]);
    assert.deepEqual(
      events.map((e) =>
        e.kind === "bar"
          ? `bar${(e.openTime - DATA_T0) / MICROS_PER_MINUTE}`
          : `t${(e as TradeTick).tradeId}`,
      ),
      ["t1", "bar0", "t2", "t3", "bar1"],
    );
    const feed = new ReplayFeed({ events, bus, clock, speed: 1 });
    feed.start();
    assert.equal(trades.length, 1);
    clock.advance(30_000);
    assert.equal(bars.length, 1, "bar 0 closes at 1m, with trade 2");
    assert.equal(trades.length, 2);
    clock.advance(30_000);
    assert.equal(trades.length, 3);
    clock.advance(30_000);
    assert.equal(bars.length, 2);
  });

  test("pause freezes data time; resume continues with the remaining gap", () => {
    const { bus, clock, bars } = setup();
    const feed = new ReplayFeed({ events: minutes(5), bus, clock, speed: 1 });
    feed.start();
    clock.advance(60_000);
    assert.equal(bars.length, 2);
    clock.advance(20_000);
    feed.pause();
    assert.equal(feed.state, "paused");
    assert.equal(clock.pendingTimers, 0, "no timer left while paused");
    clock.advance(600_000);
    assert.equal(bars.length, 2);
    feed.resume();
    clock.advance(39_999);
    assert.equal(bars.length, 2);
    clock.advance(1);
    assert.equal(bars.length, 3);
    assert.equal(bars[2]!.receivedAt, CLOCK_T0 + (60 + 20 + 600 + 40) * MICROS_PER_SECOND);
    assert.equal(feed.stats().eventsReplayed, 3);
  });

  test("stop ends the replay; nothing is delivered afterwards", async () => {
    const { bus, clock, bars } = setup();
    const feed = new ReplayFeed({ events: minutes(5), bus, clock, speed: 1 });
    feed.start();
    feed.stop();
    clock.advance(3_600_000);
    assert.equal(bars.length, 1);
    const result = await feed.done;
    assert.equal(result.reason, "stopped");
    assert.equal(result.eventsReplayed, 1);
  });
});

describe("ReplayFeed at max speed", () => {
  test("delivers everything, yielding to the event loop every yieldEvery events", async () => {
    const { bus, clock, bars } = setup();
    const events = minutes(2500);
    const feed = new ReplayFeed({ events, bus, clock, speed: "max", yieldEvery: 1000 });
    feed.start();
    assert.equal(bars.length, 1000, "one batch synchronously, then a yield");
    let seenByOtherWork = -1;
    setImmediate(() => {
      seenByOtherWork = bars.length;
    });
    const result = await feed.done;
    assert.ok(
      seenByOtherWork > 0 && seenByOtherWork < 2500,
      `other work ran mid-replay (saw ${seenByOtherWork})`,
    );
    assert.equal(result.eventsReplayed, 2500);
    assert.equal(bars.length, 2500);
    assert.ok(bars.every((b) => b.receivedAt === CLOCK_T0));
    assert.ok(bars.every((b, i) => b.openTime === events[i]!.openTime));
  });

  test("followDataTime moves a TestClock to each event's time, so timers fire in data time", async () => {
    const { bus, bars } = setup();
    const clock = new TestClock(DATA_T0);
    const fired: number[] = [];
    clock.setInterval(() => fired.push(bars.length), 60_000);
    const feed = new ReplayFeed({ events: minutes(3), bus, clock, followDataTime: true });
    feed.start();
    await feed.done;
    assert.deepEqual(
      bars.map((b) => b.receivedAt),
      [1, 2, 3].map((m) => DATA_T0 + m * MICROS_PER_MINUTE),
    );
    assert.deepEqual(fired, [0, 1, 2], "each minute's timer ran before that minute's bar was delivered");
  });

  test("pause and resume at max speed", async () => {
    const { bus, clock, bars } = setup();
    const feed = new ReplayFeed({ events: minutes(30), bus, clock, yieldEvery: 10 });
    bus.subscribe(Topic.Bar, (b) => {
      if (b.openTime === DATA_T0 + 14 * MICROS_PER_MINUTE) feed.pause();
    });
    feed.start();
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(bars.length, 15);
    assert.equal(feed.state, "paused");
    feed.resume();
    assert.equal((await feed.done).eventsReplayed, 30);
  });
});

describe("ReplayFeed loop", () => {
  test("replays n passes, shifting time forward by whole intervals so it keeps increasing", async () => {
    const { bus, clock, bars, trades } = setup();
    const events = mergeMarketEvents([minutes(5), [tick(DATA_T0 + 10, 7, BTC)]]);
    const feed = new ReplayFeed({ events, bus, clock, loop: 3 });
    feed.start();
    const result = await feed.done;
    assert.equal(result.loopsCompleted, 2);
    assert.equal(result.eventsReplayed, 18);
    assert.equal(bars.length, 15);
    // Five 1m bars span 5 minutes: each pass is shifted by exactly 5 minutes.
    assert.deepEqual(
      bars.map((b) => (b.openTime - DATA_T0) / MICROS_PER_MINUTE),
      [...Array(15).keys()],
    );
    assert.ok(bars.every((b) => b.closeTime === b.openTime + MICROS_PER_MINUTE - 1));
    assert.deepEqual(
      trades.map((t) => [t.tradeId, (t.eventTime - DATA_T0 - 10) / MICROS_PER_MINUTE]),
      [
        ["7", 0],
        ["7~1", 5],
        ["7~2", 10],
      ],
    );
    assert.equal(events[0]!.kind, "trade", "the input events are not modified");
    assert.equal((events[0] as TradeTick).tradeId, "7");
  });

  test("a full day of 1m bars loops by exactly one day, paced", () => {
    const { bus, clock, bars } = setup();
    const feed = new ReplayFeed({ events: minutes(1440), bus, clock, speed: 1, loop: true });
    feed.start();
    clock.advance(1440 * 60_000);
    assert.equal(bars.length, 1441);
    assert.equal(bars[1440]!.openTime, DATA_T0 + 1440 * MICROS_PER_MINUTE);
    assert.equal(feed.stats().loopsCompleted, 1);
    feed.stop();
  });

  test("an explicit loop shift is used as given", async () => {
    const { bus, clock, bars } = setup();
    const feed = new ReplayFeed({
      events: minutes(2),
      bus,
      clock,
      loop: 2,
      loopShiftMicros: 10 * MICROS_PER_MINUTE,
    });
    feed.start();
    await feed.done;
    assert.deepEqual(
      bars.map((b) => (b.openTime - DATA_T0) / MICROS_PER_MINUTE),
      [0, 1, 10, 11],
    );
  });
});

describe("ReplayFeed sinks and validation", () => {
  test("delivers to a sink; a sink that throws ends the replay as failed, done never rejects", async () => {
    const seen: MarketEvent[] = [];
    const sink: MarketDataSink = {
      onBar: (b) => {
        seen.push(b);
        if (seen.length === 2) throw new Error("sink broke");
      },
      onTrade: () => {},
      onQuote: () => {},
    };
    const feed = new ReplayFeed({ events: minutes(5), sink, clock: new TestClock() });
    feed.start();
    const result = await feed.done;
    assert.equal(result.reason, "failed");
    assert.equal(result.error?.message, "sink broke");
    assert.equal(seen.length, 2);
  });

  test("an empty replay completes at once", async () => {
    const { bus, clock } = setup();
    const feed = new ReplayFeed({ events: [], bus, clock, speed: 1 });
    feed.start();
    assert.equal((await feed.done).reason, "completed");
  });

  test("bad options and unordered events are refused with coded errors", () => {
    const { bus, clock } = setup();
    const config = (e: unknown): boolean => isDesError(e, ErrorCode.InvalidConfig);
    assert.throws(() => new ReplayFeed({ events: [], clock }), config);
    assert.throws(() => new ReplayFeed({ events: [], bus, clock, speed: 0 }), config);
    assert.throws(() => new ReplayFeed({ events: [], bus, clock, speed: Number.NaN }), config);
    assert.throws(() => new ReplayFeed({ events: [], bus, clock, yieldEvery: 0 }), config);
    assert.throws(() => new ReplayFeed({ events: [], bus, clock, loop: 1.5 }), config);
    assert.throws(
      () =>
        new ReplayFeed({
          events: [],
          bus,
          clock: new LiveClock(),
          followDataTime: true,
        }),
      config,
    );
    assert.throws(
      () => new ReplayFeed({ events: [bar(1), bar(0)], bus, clock }),
      (e: unknown) =>
        isDesError(e, ErrorCode.InvalidMarketData) && /event 1 at .* comes before event 0/.test(e.message),
    );
    const feed = new ReplayFeed({ events: [bar(0)], bus, clock });
    feed.start();
    assert.throws(() => feed.start(), config);
  });

  test("marketEventTime: a bar counts at its close, a trade at its time", () => {
    assert.equal(marketEventTime(bar(0)), DATA_T0 + MICROS_PER_MINUTE);
    assert.equal(marketEventTime(tick(DATA_T0 + 5, 1)), DATA_T0 + 5);
  });
});
