import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { MessageBus, Topic } from "../bus/index.ts";
import {
  ErrorCode,
  instrumentId,
  isDesError,
  MICROS_PER_HOUR,
  MICROS_PER_MINUTE,
  TestClock,
  type UnixMicros,
} from "../core/index.ts";
import type { Bar } from "../model/index.ts";
import { resampleBars } from "./bar-resampler.ts";
import { HistoricalBars } from "./historical-bars.ts";
import { MarketDataEngine } from "./market-data-engine.ts";
import { MarketDataset } from "./market-dataset.ts";
import { marketEventTime } from "./merge-market-events.ts";
import { ReplayFeed } from "./replay-feed.ts";

const BTCBUSD = instrumentId("BTCBUSD");
const DAY = Date.UTC(2022, 11, 13) * 1000;
const at = (h: number, m = 0, s = 0): UnixMicros =>
  (DAY + h * MICROS_PER_HOUR + m * MICROS_PER_MINUTE + s * 1_000_000) as UnixMicros;

describe("HistoricalBars", () => {
  let dataset: MarketDataset;
  let history: HistoricalBars;
  before(async () => {
    dataset = await MarketDataset.load();
    history = dataset.historicalBars();
  });

  test("returns the last N closed 1m bars before a time, oldest first", () => {
    const bars = history.lastClosed(BTCBUSD, "1m", 10, at(10));
    assert.deepEqual(
      bars.map((b) => b.openTime),
      Array.from({ length: 10 }, (_, i) => at(9, 50 + i)),
    );
    assert.deepEqual(
      history.lastClosed(BTCBUSD, "1m", 10, at(10, 0, 30)),
      bars,
      "the 10:00 bar has not closed at 10:00:30",
    );
    assert.equal(history.lastClosed(BTCBUSD, "1m", 10, at(10, 1)).at(-1)!.openTime, at(10));
  });

  test("resamples intervals the data does not hold: 3 closed 1h bars before 10:30", () => {
    const bars = history.lastClosed(BTCBUSD, "1h", 3, at(10, 30));
    assert.deepEqual(
      bars.map((b) => b.openTime),
      [at(7), at(8), at(9)],
    );
    const minutes = history.lastClosed(BTCBUSD, "1m", 1440, at(24));
    assert.deepEqual(bars, resampleBars(minutes, "1h").slice(7, 10));
  });

  test("asking for more than there is returns what there is; 0 returns none", () => {
    assert.equal(history.lastClosed(BTCBUSD, "1m", 5000, at(1)).length, 60);
    assert.equal(history.lastClosed(BTCBUSD, "1m", 0, at(12)).length, 0);
    assert.equal(history.lastClosed(BTCBUSD, "1m", 5, at(0)).length, 0);
    assert.equal(
      history.lastClosed(instrumentId("LTCUSDT"), "1h", 100, (Date.UTC(2030, 0, 1) * 1000) as UnixMicros)
        .length,
      48,
    );
    assert.equal(
      history.lastClosed(instrumentId("BTCUSDT"), "1d", 100, (Date.UTC(2030, 0, 1) * 1000) as UnixMicros)
        .length,
      11,
    );
  });

  test("unknown instruments and impossible intervals are coded errors", () => {
    assert.throws(
      () => history.lastClosed(instrumentId("DOGEUSDT"), "1m", 1, at(1)),
      (e: unknown) => isDesError(e, ErrorCode.UnknownInstrument),
    );
    assert.throws(
      () => history.lastClosed(instrumentId("BTCUSDT"), "15m", 1, at(1)),
      (e: unknown) =>
        isDesError(e, ErrorCode.InvalidInterval) && /from the held intervals 30m/.test(e.message),
    );
    assert.throws(
      () => history.lastClosed(BTCBUSD, "1m", -1, at(1)),
      (e: unknown) => isDesError(e, ErrorCode.InvalidConfig),
    );
  });

  test("ignores bars that are not closed", () => {
    const bars = history.lastClosed(BTCBUSD, "1m", 2, at(1));
    const h = new HistoricalBars([bars[0]!, { ...bars[1]!, closed: false }]);
    assert.equal(h.lastClosed(BTCBUSD, "1m", 5, at(2)).length, 1);
  });

  test("warm-up then live: the 5m warm-up ends exactly where the live 5m bars begin", async () => {
    const start = at(12);
    const warmup = history.lastClosed(BTCBUSD, "5m", 20, start);
    assert.equal(warmup.length, 20);
    assert.equal(warmup.at(-1)!.openTime, at(11, 55));
    const live = dataset.events().filter((e) => marketEventTime(e) > start);
    const bus = new MessageBus();
    const engine = new MarketDataEngine({ bus });
    engine.subscribe(BTCBUSD, "5m");
    const seen: Bar[] = [];
    bus.subscribe(Topic.Bar, (b) => {
      if (b.interval === "5m") seen.push(b);
    });
    const feed = new ReplayFeed({ events: live, sink: engine, clock: new TestClock() });
    feed.start();
    await feed.done;
    assert.equal(seen[0]!.openTime, at(12));
    assert.equal(warmup.length + seen.length, 20 + 144);
    const all = [...warmup, ...seen];
    for (let i = 1; i < all.length; i++)
      assert.equal(all[i]!.openTime - all[i - 1]!.openTime, 5 * MICROS_PER_MINUTE);
  });
});
