import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import fc from "fast-check";
import {
  Decimal,
  DesError,
  instrumentId,
  MICROS_PER_DAY,
  MICROS_PER_MINUTE,
  MICROS_PER_SECOND,
  tradeId,
  type UnixMicros,
} from "../core/index.ts";
import { type Bar, type BarInterval, intervalMicros, type TradeTick } from "../model/index.ts";
import { BarAggregator, MAX_GAP_FILL_BARS } from "./bar-aggregator.ts";
import { resampleBars } from "./bar-resampler.ts";
import { loadMarketFile } from "./market-file.ts";
import { sharedDataPath, skipUnlessShared } from "./test-support/shared-data.ts";

const BTC = instrumentId("BTCUSDT");
const T0 = Date.UTC(2024, 0, 1) * 1000;

function trade(atUs: number, price: string, qty: string, id = atUs, receivedAt = atUs): TradeTick {
  return {
    kind: "trade",
    instrumentId: BTC,
    tradeId: tradeId(id),
    price: Decimal.from(price),
    quantity: Decimal.from(qty),
    aggressor: "BUY",
    eventTime: atUs as UnixMicros,
    receivedAt: receivedAt as UnixMicros,
  };
}

function collect(interval: BarInterval, extra: { fillGaps?: boolean; completeFrom?: UnixMicros } = {}) {
  const bars: Bar[] = [];
  const agg = new BarAggregator({ instrumentId: BTC, interval, onBar: (b) => bars.push(b), ...extra });
  return { bars, agg };
}

describe("BarAggregator", () => {
  test("emits a bar only when the first trade at or after its end arrives", () => {
    const { bars, agg } = collect("1m");
    agg.update(trade(T0 + 1 * MICROS_PER_SECOND, "100.5", "1"));
    agg.update(trade(T0 + 20 * MICROS_PER_SECOND, "101.25", "0.5"));
    agg.update(trade(T0 + 40 * MICROS_PER_SECOND, "99.75", "2"));
    agg.update(trade(T0 + 59 * MICROS_PER_SECOND, "100", "0.25"));
    assert.equal(bars.length, 0, "the bar is still open");
    const current = agg.current(T0 as UnixMicros);
    assert.equal(current?.closed, false);
    assert.equal(current?.tradeCount, 4);
    // A trade exactly on the boundary belongs to the next bar and closes this one.
    agg.update(trade(T0 + MICROS_PER_MINUTE, "102", "1", 99, T0 + MICROS_PER_MINUTE + 1500));
    assert.equal(bars.length, 1);
    const bar = bars[0]!;
    assert.equal(bar.openTime, T0);
    assert.equal(bar.closeTime, T0 + MICROS_PER_MINUTE - 1);
    assert.deepEqual([bar.open, bar.high, bar.low, bar.close].map(String), [
      "100.5",
      "101.25",
      "99.75",
      "100",
    ]);
    assert.equal(bar.volume.toString(), "3.75");
    // 100.5*1 + 101.25*0.5 + 99.75*2 + 100*0.25 = 375.625, exactly.
    assert.equal(bar.quoteVolume.toString(), "375.625");
    assert.equal(bar.tradeCount, 4);
    assert.equal(bar.closed, true);
    assert.equal(bar.receivedAt, T0 + MICROS_PER_MINUTE + 1500, "received when the closing trade was");
    assert.deepEqual(agg.stats(), {
      trades: 5,
      lateTrades: 0,
      barsEmitted: 1,
      partialBarsDropped: 0,
      gapBarsSkipped: 0,
    });
  });

  test("aligns every interval to UTC boundaries (1h, 4h, 1d)", () => {
    for (const interval of ["1h", "4h", "1d"] as const) {
      const { bars, agg } = collect(interval);
      const len = intervalMicros(interval);
      agg.update(trade(T0 + 5 * len + 17 * MICROS_PER_SECOND, "1", "1"));
      agg.update(trade(T0 + 6 * len + 3, "2", "1"));
      assert.equal(bars.length, 1);
      assert.equal(bars[0]!.openTime, T0 + 5 * len);
      assert.equal((bars[0]!.openTime % MICROS_PER_DAY) % len, 0);
    }
  });

  test("flush(untilTime) closes the bar on a timer, not before its end", () => {
    const { bars, agg } = collect("5m");
    agg.update(trade(T0 + 10, "1", "1"));
    agg.flush((T0 + 5 * MICROS_PER_MINUTE - 1) as UnixMicros);
    assert.equal(bars.length, 0);
    agg.flush((T0 + 5 * MICROS_PER_MINUTE) as UnixMicros);
    assert.equal(bars.length, 1);
    assert.equal(bars[0]!.receivedAt, T0 + 5 * MICROS_PER_MINUTE);
    // A trade of the flushed bucket is late: the bar was already published.
    agg.update(trade(T0 + 4 * MICROS_PER_MINUTE, "1", "1"));
    assert.equal(agg.stats().lateTrades, 1);
    agg.flush((T0 + 60 * MICROS_PER_MINUTE) as UnixMicros);
    assert.equal(bars.length, 1, "nothing pending, nothing emitted");
  });

  test("ignores and counts late trades of an already closed bar", () => {
    const { bars, agg } = collect("1m");
    agg.update(trade(T0, "1", "1"));
    agg.update(trade(T0 + MICROS_PER_MINUTE, "2", "1"));
    agg.update(trade(T0 + 30 * MICROS_PER_SECOND, "3", "1"));
    agg.update(trade(T0 + 2 * MICROS_PER_MINUTE, "4", "1"));
    assert.deepEqual(
      bars.map((b) => [b.open.toString(), b.tradeCount]),
      [
        ["1", 1],
        ["2", 1],
      ],
    );
    assert.equal(agg.stats().lateTrades, 1);
  });

  test("fillGaps emits flat zero-volume bars at the previous close for empty buckets", () => {
    const { bars, agg } = collect("1m", { fillGaps: true });
    agg.update(trade(T0, "10", "1"));
    agg.update(trade(T0 + 3 * MICROS_PER_MINUTE + 5, "12", "1"));
    assert.deepEqual(
      bars.map((b) => [b.openTime - T0, b.close.toString(), b.volume.toString(), b.tradeCount]),
      [
        [0, "10", "1", 1],
        [MICROS_PER_MINUTE, "10", "0", 0],
        [2 * MICROS_PER_MINUTE, "10", "0", 0],
      ],
    );
  });

  test("fillGaps on flush emits the empty buckets that ended, and bounds a huge gap", () => {
    const { bars, agg } = collect("1m", { fillGaps: true });
    agg.update(trade(T0, "10", "1"));
    agg.flush((T0 + 3 * MICROS_PER_MINUTE + 59 * MICROS_PER_SECOND) as UnixMicros);
    assert.deepEqual(
      bars.map((b) => (b.openTime - T0) / MICROS_PER_MINUTE),
      [0, 1, 2],
    );
    agg.flush((T0 + (MAX_GAP_FILL_BARS + 13) * MICROS_PER_MINUTE) as UnixMicros);
    assert.equal(bars.length, 3 + MAX_GAP_FILL_BARS);
    assert.equal(agg.stats().gapBarsSkipped, 10);
    assert.equal(bars.at(-1)!.openTime, T0 + (MAX_GAP_FILL_BARS + 12) * MICROS_PER_MINUTE);
  });

  test("completeFrom drops the bucket that started before the stream was complete", () => {
    const { bars, agg } = collect("1m", { completeFrom: (T0 + 20 * MICROS_PER_SECOND) as UnixMicros });
    agg.update(trade(T0 + 30 * MICROS_PER_SECOND, "1", "1"));
    agg.update(trade(T0 + MICROS_PER_MINUTE, "2", "1"));
    agg.update(trade(T0 + 2 * MICROS_PER_MINUTE, "3", "1"));
    assert.deepEqual(
      bars.map((b) => b.openTime - T0),
      [MICROS_PER_MINUTE],
    );
    assert.equal(agg.stats().partialBarsDropped, 1);
  });

  test("a trade of another instrument is a wiring error", () => {
    const { agg } = collect("1m");
    assert.throws(
      () => agg.update({ ...trade(T0, "1", "1"), instrumentId: instrumentId("ETHUSDT") }),
      DesError,
    );
  });

  test("property: bars equal a naive grouping of the trades by bucket", () => {
    const tradeArb = fc.record({
      offsetUs: fc.integer({ min: 0, max: 3 * 60 * MICROS_PER_MINUTE }),
      priceCents: fc.integer({ min: 1, max: 10_000_000 }),
      qtySats: fc.integer({ min: 1, max: 10_000_000_000 }),
    });
    fc.assert(
      fc.property(
        fc.array(tradeArb, { minLength: 1, maxLength: 200 }),
        fc.constantFrom<BarInterval>("1m", "3m", "15m", "1h"),
        (raw, interval) => {
          const trades = raw
            .sort((a, b) => a.offsetUs - b.offsetUs)
            .map((r, i) =>
              trade(T0 + r.offsetUs, (r.priceCents / 100).toFixed(2), (r.qtySats / 1e8).toFixed(8), i),
            );
          const { bars, agg } = collect(interval);
          for (const t of trades) agg.update(t);
          agg.flush(Number.MAX_SAFE_INTEGER as UnixMicros);
          const len = intervalMicros(interval);
          const groups = new Map<number, TradeTick[]>();
          for (const t of trades) {
            const key = T0 + Math.floor((t.eventTime - T0) / len) * len;
            groups.set(key, [...(groups.get(key) ?? []), t]);
          }
          assert.equal(bars.length, groups.size);
          for (const bar of bars) {
            const g = groups.get(bar.openTime)!;
            assert.ok(bar.open.eq(g[0]!.price));
            assert.ok(bar.close.eq(g.at(-1)!.price));
            assert.ok(bar.high.eq(g.reduce((m, t) => Decimal.max(m, t.price), g[0]!.price)));
            assert.ok(bar.low.eq(g.reduce((m, t) => Decimal.min(m, t.price), g[0]!.price)));
            assert.ok(bar.volume.eq(g.reduce((s, t) => s.add(t.quantity), Decimal.ZERO)));
            assert.ok(bar.quoteVolume.eq(g.reduce((s, t) => s.add(t.price.mul(t.quantity)), Decimal.ZERO)));
            assert.equal(bar.tradeCount, g.length);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("golden: freqtrade XRP/ETH trades -> candles (read-only reference)", () => {
  const skip = skipUnlessShared("freqtrade/XRP_OLD-trades.json.gz");

  async function trades(): Promise<TradeTick[]> {
    return (await loadMarketFile(sharedDataPath("freqtrade/XRP_OLD-trades.json.gz"))).trades;
  }

  function reference(interval: string): number[][] {
    return JSON.parse(
      readFileSync(sharedDataPath(`freqtrade/XRP_ETH-${interval}.json`), "utf8"),
    ) as number[][];
  }

  function asRow(bar: Bar): number[] {
    return [
      bar.openTime / 1000,
      bar.open.toNumber(),
      bar.high.toNumber(),
      bar.low.toNumber(),
      bar.close.toNumber(),
      bar.volume.toNumber(),
    ];
  }

  function aggregate(ticks: TradeTick[], interval: BarInterval, fillGaps = false): Bar[] {
    const { bars, agg } = collect(interval, { fillGaps });
    for (const t of ticks) agg.update({ ...t, instrumentId: BTC });
    // Close the last bar at its end (flushing further would add flat bars after the data).
    const len = intervalMicros(interval);
    agg.flush((Math.floor(ticks.at(-1)!.eventTime / len) * len + len) as UnixMicros);
    return bars;
  }

  test("1m and 5m bars equal freqtrade's candles for every bucket with trades", { skip }, async () => {
    const ticks = await trades();
    for (const interval of ["1m", "5m"] as const) {
      const ref = reference(interval);
      const withTrades = ref.filter((r) => r[5] !== 0);
      const bars = aggregate(ticks, interval);
      assert.equal(bars.length, withTrades.length, `${interval}: one bar per bucket that has trades`);
      assert.deepEqual(bars.map(asRow), withTrades);
      assert.equal(
        bars.reduce((n, b) => n + b.tradeCount, 0),
        12477,
      );
    }
  });

  test("with fillGaps the 1m bars equal all 3560 freqtrade candles, flat ones included", {
    skip,
  }, async () => {
    assert.deepEqual(aggregate(await trades(), "1m", true).map(asRow), reference("1m"));
  });

  test("1m bars resampled to 5m equal direct 5m aggregation and freqtrade's 5m candles", {
    skip,
  }, async () => {
    const ticks = await trades();
    const resampled = resampleBars(aggregate(ticks, "1m"), "5m");
    const direct = aggregate(ticks, "5m");
    assert.deepEqual(
      resampled.map((b) => ({ ...b, receivedAt: 0 })),
      direct.map((b) => ({ ...b, receivedAt: 0 })),
    );
    assert.deepEqual(
      resampled.map(asRow),
      reference("5m").filter((r) => r[5] !== 0),
    );
  });
});
