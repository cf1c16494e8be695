import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MessageBus, Topic } from "../bus/index.ts";
import {
  Decimal,
  instrumentId,
  MICROS_PER_MINUTE,
  MICROS_PER_SECOND,
  TestClock,
  tradeId,
  type UnixMicros,
} from "../core/index.ts";
import type { Bar, BarInterval, TradeTick } from "../model/index.ts";
import { MarketDataEngine } from "./market-data-engine.ts";
import { MarketDataset } from "./market-dataset.ts";
import { ReplayFeed } from "./replay-feed.ts";

const BTC = instrumentId("BTCUSDT");
const T0 = Date.UTC(2024, 0, 1) * 1000;

function bar(minute: number, interval: BarInterval = "1m", closed = true): Bar {
  const len = interval === "1m" ? MICROS_PER_MINUTE : 5 * MICROS_PER_MINUTE;
  const openTime = T0 + minute * MICROS_PER_MINUTE;
  const p = Decimal.from(String(100 + minute));
  return {
    kind: "bar",
    instrumentId: BTC,
    interval,
    openTime: openTime as UnixMicros,
    closeTime: (openTime + len - 1) as UnixMicros,
    open: p,
    high: p,
    low: p,
    close: p,
    volume: Decimal.ONE,
    quoteVolume: p,
    tradeCount: 1,
    closed,
    receivedAt: (openTime + len) as UnixMicros,
  };
}

function trade(atUs: number, price: string): TradeTick {
  return {
    kind: "trade",
    instrumentId: BTC,
    tradeId: tradeId(atUs),
    price: Decimal.from(price),
    quantity: Decimal.ONE,
    aggressor: "SELL",
    eventTime: atUs as UnixMicros,
    receivedAt: atUs as UnixMicros,
  };
}

function setup(barSource: "bars" | "trades" = "bars") {
  const bus = new MessageBus();
  const engine = new MarketDataEngine({ bus, barSource });
  const published: Bar[] = [];
  bus.subscribe(Topic.Bar, (b) => published.push(b));
  const label = (b: Bar): string => `${b.interval}@${(b.openTime - T0) / MICROS_PER_MINUTE}`;
  return { bus, engine, published, label };
}

describe("MarketDataEngine with bars", () => {
  test("publishes the 1m bars and closed 5m bars, each right after the 1m bar that closes it", () => {
    const { engine, published, label } = setup();
    engine.subscribe(BTC, "5m");
    for (let m = 0; m < 11; m++) engine.onBar(bar(m));
    assert.deepEqual(published.map(label), [
      "1m@0",
      "1m@1",
      "1m@2",
      "1m@3",
      "1m@4",
      "5m@0",
      "1m@5",
      "1m@6",
      "1m@7",
      "1m@8",
      "1m@9",
      "5m@5",
      "1m@10",
    ]);
    const fiveMinute = published.filter((b) => b.interval === "5m");
    assert.ok(fiveMinute.every((b) => b.closed));
    assert.equal(fiveMinute[0]!.open.toString(), "100");
    assert.equal(fiveMinute[0]!.close.toString(), "104");
    assert.equal(fiveMinute[0]!.volume.toString(), "5");
  });

  test("a consumer of an interval sees only closed bars of it: in-progress bars are not published", () => {
    const { engine, published } = setup();
    engine.subscribe(BTC, "5m");
    engine.onBar(bar(0, "1m", false));
    assert.equal(published.length, 0);
    assert.equal(engine.stats().openBarsIgnored, 1);
  });

  test("a subscription added mid-stream starts at the next whole bucket", () => {
    const { engine, published, label } = setup();
    for (let m = 0; m < 3; m++) engine.onBar(bar(m));
    engine.subscribe(BTC, "5m");
    for (let m = 3; m < 10; m++) engine.onBar(bar(m));
    assert.deepEqual(published.filter((b) => b.interval === "5m").map(label), ["5m@5"]);
  });

  test("data starting mid-bucket drops the partial bucket; prime() completes it from history", () => {
    const plain = setup();
    plain.engine.subscribe(BTC, "5m");
    for (let m = 3; m < 10; m++) plain.engine.onBar(bar(m));
    assert.deepEqual(plain.published.filter((b) => b.interval === "5m").map(plain.label), ["5m@5"]);

    const primed = setup();
    primed.engine.subscribe(BTC, "5m");
    primed.engine.prime([0, 1, 2].map((m) => bar(m)));
    assert.equal(primed.published.length, 0, "priming publishes nothing");
    for (let m = 3; m < 10; m++) primed.engine.onBar(bar(m));
    const fives = primed.published.filter((b) => b.interval === "5m");
    assert.deepEqual(fives.map(primed.label), ["5m@0", "5m@5"]);
    assert.equal(fives[0]!.open.toString(), "100", "the open comes from the primed history");
    assert.equal(fives[0]!.volume.toString(), "5");
    assert.equal(primed.engine.stats().barsIn, 7);
  });

  test("subscriptions are reference counted; the last unsubscribe stops the derived bars", () => {
    const { engine, published } = setup();
    const a = engine.subscribe(BTC, "5m");
    const b = engine.subscribe(BTC, "5m");
    assert.deepEqual(engine.subscriptions(), [{ instrumentId: BTC, interval: "5m" }]);
    a();
    a();
    for (let m = 0; m < 5; m++) engine.onBar(bar(m));
    assert.equal(published.filter((x) => x.interval === "5m").length, 1);
    b();
    assert.deepEqual(engine.subscriptions(), []);
    for (let m = 5; m < 10; m++) engine.onBar(bar(m));
    assert.equal(published.filter((x) => x.interval === "5m").length, 1);
  });

  test("an interval the data cannot make is reported, not guessed; native bars are never duplicated", () => {
    const { engine, published } = setup();
    engine.subscribe(BTC, "3m");
    engine.subscribe(BTC, "5m");
    engine.onBar(bar(0, "5m"));
    assert.deepEqual(engine.stats().unservable, ["BTCUSDT 3m from 5m"]);
    for (let m = 0; m < 5; m++) engine.onBar(bar(m));
    assert.deepEqual(
      published.map((b) => b.interval),
      ["5m", "1m", "1m", "1m", "3m", "1m", "1m"],
      "3m comes from the 1m bars; the 5m bar came from the feed, so the resampled copy is suppressed",
    );
  });

  test("replaying the bundled BTCBUSD day gives every subscribed interval its closed bars", async () => {
    const dataset = await MarketDataset.load(undefined, { ids: ["btcbusd-1m-2022-12-13"] });
    const { bus, engine, published } = setup();
    const intervals: BarInterval[] = ["5m", "15m", "1h", "4h", "1d"];
    const btcbusd = instrumentId("BTCBUSD");
    for (const iv of intervals) engine.subscribe(btcbusd, iv);
    const clock = new TestClock();
    const feed = new ReplayFeed({ events: dataset.events(), sink: engine, clock });
    feed.start();
    await feed.done;
    const count = (iv: string): number => published.filter((b) => b.interval === iv).length;
    assert.deepEqual(["1m", ...intervals].map(count), [1440, 288, 96, 24, 6, 1]);
    const daily = published.find((b) => b.interval === "1d")!;
    const minutes = published.filter((b) => b.interval === "1m");
    assert.ok(daily.open.eq(minutes[0]!.open));
    assert.ok(daily.close.eq(minutes[1439]!.close));
    assert.ok(daily.high.eq(minutes.reduce((m, b) => Decimal.max(m, b.high), minutes[0]!.high)));
    assert.equal(daily.receivedAt, clock.now(), "received when the last 1m bar was replayed");
    assert.equal(engine.stats().barsIn, 1440);
    assert.equal(bus.stats().find((s) => s.topic === Topic.Bar)?.published, 1440 + 288 + 96 + 24 + 6 + 1);
  });
});

describe("MarketDataEngine with trades", () => {
  test("publishes trades and aggregates them into every subscribed interval", () => {
    const { bus, engine, published, label } = setup("trades");
    const trades: TradeTick[] = [];
    bus.subscribe(Topic.Trade, (t) => trades.push(t));
    engine.subscribe(BTC, "1m");
    engine.subscribe(BTC, "5m");
    engine.onTrade(trade(T0 + 10, "10"));
    engine.onTrade(trade(T0 + 70 * MICROS_PER_SECOND, "11"));
    engine.onTrade(trade(T0 + 5 * MICROS_PER_MINUTE, "12"));
    assert.equal(trades.length, 3);
    assert.deepEqual(published.map(label), ["1m@0", "1m@1", "5m@0"]);
    assert.equal(published[2]!.close.toString(), "11");
    assert.equal(published[2]!.tradeCount, 2);
  });

  test("the flush timer closes bars in a quiet market", () => {
    const { engine, published, label } = setup("trades");
    const clock = new TestClock(T0);
    engine.subscribe(BTC, "1m");
    engine.startFlushTimer(clock, 1000, 500);
    engine.onTrade(trade(T0 + 10, "10"));
    clock.advance(60_000);
    assert.equal(published.length, 0, "grace time not over yet");
    clock.advance(1000);
    assert.deepEqual(published.map(label), ["1m@0"]);
    assert.equal(published[0]!.receivedAt, T0 + 61 * MICROS_PER_SECOND);
    engine.stopFlushTimer();
    assert.equal(clock.pendingTimers, 0);
  });
});
