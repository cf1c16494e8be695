import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import {
  Decimal,
  ErrorCode,
  instrumentId,
  isDesError,
  MICROS_PER_HOUR,
  MICROS_PER_MINUTE,
  type UnixMicros,
} from "../core/index.ts";
import type { Bar, BarInterval } from "../model/index.ts";
import { BarResampler, resampleBars } from "./bar-resampler.ts";
import { DEFAULT_MARKET_DATASET_DIR } from "./market-dataset.ts";
import { loadMarketFile } from "./market-file.ts";

const BTC = instrumentId("BTCUSDT");
const T0 = Date.UTC(2024, 0, 1) * 1000;

function bar1m(minute: number, o: string, h: string, l: string, c: string, v = "1", closed = true): Bar {
  const openTime = T0 + minute * MICROS_PER_MINUTE;
  return {
    kind: "bar",
    instrumentId: BTC,
    interval: "1m",
    openTime: openTime as UnixMicros,
    closeTime: (openTime + MICROS_PER_MINUTE - 1) as UnixMicros,
    open: Decimal.from(o),
    high: Decimal.from(h),
    low: Decimal.from(l),
    close: Decimal.from(c),
    volume: Decimal.from(v),
    quoteVolume: Decimal.from(v).mul(Decimal.from(c)),
    tradeCount: 2,
    closed,
    receivedAt: (openTime + MICROS_PER_MINUTE + 7) as UnixMicros,
  };
}

function collect(interval: BarInterval, completeFrom?: number) {
  const out: Bar[] = [];
  const r = new BarResampler({
    instrumentId: BTC,
    interval,
    onBar: (b) => out.push(b),
    completeFrom: completeFrom as UnixMicros | undefined,
  });
  return { out, r };
}

describe("BarResampler", () => {
  test("a 5m bar closes exactly when the 1m bar ending at the boundary arrives", () => {
    const { out, r } = collect("5m");
    r.update(bar1m(0, "10", "12", "9", "11"));
    r.update(bar1m(1, "11", "15", "11", "14"));
    r.update(bar1m(2, "14", "14", "8", "9"));
    r.update(bar1m(3, "9", "10", "9", "10"));
    assert.equal(out.length, 0, "4 of 5 minutes: still open");
    r.update(bar1m(4, "10", "11", "10", "10.5", "2.5"));
    assert.equal(out.length, 1);
    const b = out[0]!;
    assert.equal(b.interval, "5m");
    assert.equal(b.openTime, T0);
    assert.equal(b.closeTime, T0 + 5 * MICROS_PER_MINUTE - 1);
    assert.deepEqual([b.open, b.high, b.low, b.close, b.volume].map(String), [
      "10",
      "15",
      "8",
      "10.5",
      "6.5",
    ]);
    assert.equal(b.tradeCount, 10);
    // close x volume per input bar: 11 + 14 + 9 + 10 + 10.5 x 2.5
    assert.equal(b.quoteVolume.toString(), "70.25");
    assert.equal(b.closed, true);
    assert.equal(b.receivedAt, T0 + 5 * MICROS_PER_MINUTE + 7, "received with the bar that closed it");
  });

  test("a gap: the first bar of a later bucket closes the previous bucket", () => {
    const { out, r } = collect("5m");
    r.update(bar1m(0, "1", "2", "1", "2"));
    r.update(bar1m(1, "2", "3", "2", "3"));
    r.update(bar1m(7, "5", "5", "5", "5"));
    assert.equal(out.length, 1);
    assert.equal(out[0]!.close.toString(), "3");
    assert.equal(out[0]!.receivedAt, T0 + 8 * MICROS_PER_MINUTE + 7);
    r.update(bar1m(9, "6", "6", "6", "6"));
    assert.equal(out.length, 2);
    assert.equal(out[1]!.open.toString(), "5");
    assert.equal(out[1]!.tradeCount, 4);
  });

  test("ignores bars that are not closed and counts late bars", () => {
    const { out, r } = collect("5m");
    r.update(bar1m(0, "1", "1", "1", "1", "1", false));
    r.update(bar1m(5, "1", "1", "1", "1"));
    r.update(bar1m(9, "1", "1", "1", "1"));
    r.update(bar1m(3, "1", "1", "1", "1"));
    assert.equal(out.length, 1);
    assert.deepEqual(r.stats(), {
      barsIn: 4,
      openBarsIgnored: 1,
      lateBars: 1,
      barsEmitted: 1,
      partialBarsDropped: 0,
    });
  });

  test("flush closes a bucket whose last bars never came; completeFrom drops a partial first bucket", () => {
    const a = collect("1h");
    a.r.update(bar1m(0, "1", "1", "1", "1"));
    a.r.flush((T0 + MICROS_PER_HOUR - 1) as UnixMicros);
    assert.equal(a.out.length, 0);
    a.r.flush((T0 + MICROS_PER_HOUR) as UnixMicros);
    assert.equal(a.out.length, 1);
    const b = collect("5m", T0 + 3 * MICROS_PER_MINUTE);
    for (let m = 2; m < 10; m++) b.r.update(bar1m(m, "1", "1", "1", "1"));
    assert.deepEqual(
      b.out.map((x) => x.openTime),
      [T0 + 5 * MICROS_PER_MINUTE],
    );
    assert.equal(b.r.stats().partialBarsDropped, 1);
  });

  test("dropPartialFirst drops the first bucket only when the stream starts inside it", () => {
    const mid = new BarResampler({
      instrumentId: BTC,
      interval: "5m",
      onBar: () => {},
      dropPartialFirst: true,
    });
    const out: Bar[] = [];
    const r = new BarResampler({
      instrumentId: BTC,
      interval: "5m",
      onBar: (b) => out.push(b),
      dropPartialFirst: true,
    });
    for (let m = 3; m < 15; m++) r.update(bar1m(m, "1", "1", "1", "1"));
    assert.deepEqual(
      out.map((b) => (b.openTime - T0) / MICROS_PER_MINUTE),
      [5, 10],
    );
    assert.equal(r.stats().partialBarsDropped, 1);
    for (let m = 0; m < 5; m++) mid.update(bar1m(m, "1", "1", "1", "1"));
    assert.equal(mid.stats().barsEmitted, 1, "a stream starting on the boundary loses nothing");
  });

  test("refuses input whose interval does not divide the target", () => {
    const { r } = collect("5m");
    assert.throws(
      () => r.update({ ...bar1m(0, "1", "1", "1", "1"), interval: "3m" }),
      (e: unknown) => isDesError(e, ErrorCode.InvalidInterval) && /3m must divide 5m/.test(e.message),
    );
    const big = collect("1m");
    assert.throws(
      () => big.r.update({ ...bar1m(0, "1", "1", "1", "1"), interval: "5m" }),
      /5m must divide 1m/,
    );
  });
});

describe("resampling the bundled real data", () => {
  test("LEAN BTCBUSD 1m -> 1h equals an independent computation from the CSV text", async () => {
    const path = `${DEFAULT_MARKET_DATASET_DIR}BTCBUSD-1m-2022-12-13.lean.csv`;
    const { bars } = await loadMarketFile(path);
    const hourly = resampleBars(bars, "1h");
    assert.equal(hourly.length, 24);
    // Independent: group the raw lines by hour using only string splitting and integer arithmetic.
    const rows = readFileSync(path, "utf8")
      .trim()
      .split("\n")
      .map((l) => l.split(","));
    const day = Date.UTC(2022, 11, 13);
    for (let h = 0; h < 24; h++) {
      const group = rows.filter((r) => Math.floor(Number(r[0]) / 3_600_000) === h);
      assert.equal(group.length, 60);
      const bar = hourly[h]!;
      assert.equal(bar.openTime, (day + h * 3_600_000) * 1000);
      assert.equal(bar.open.toNumber(), Number(group[0]![1]));
      assert.equal(bar.high.toNumber(), Math.max(...group.map((r) => Number(r[2]))));
      assert.equal(bar.low.toNumber(), Math.min(...group.map((r) => Number(r[3]))));
      assert.equal(bar.close.toNumber(), Number(group[59]![4]));
      // Volumes have at most 5 decimals: sum them as integers of 10^-8 to stay exact.
      const volume = group.reduce((s, r) => s + BigInt(Math.round(Number(r[5]) * 1e8)), 0n);
      assert.equal(bar.volume.units, volume * 10n ** 10n);
      assert.equal(bar.receivedAt, (day + (h + 1) * 3_600_000) * 1000);
    }
  });

  test("trading-signals LTC 1m candles resample to 48 hourly and 2 daily bars", async () => {
    const { bars } = await loadMarketFile(
      `${DEFAULT_MARKET_DATASET_DIR}LTCUSDT-1m-2020-11-08_2020-11-09.trading-signals.json`,
    );
    const hourly = resampleBars(bars, "1h");
    assert.equal(hourly.length, 48);
    assert.equal(resampleBars(bars, "1d").length, 2);
    assert.equal(resampleBars(hourly, "1d").length, 2);
    assert.deepEqual(
      resampleBars(hourly, "1d").map((b) => ({ ...b, receivedAt: 0 })),
      resampleBars(bars, "1d").map((b) => ({ ...b, receivedAt: 0 })),
    );
  });

  test("python-binance 30m klines resample to 1d; the partial first day is kept when no completeFrom is given", async () => {
    const { bars } = await loadMarketFile(
      `${DEFAULT_MARKET_DATASET_DIR}BTCUSDT-30m-2019-04-11_2019-04-21.klines.json`,
    );
    const daily = resampleBars(bars, "1d");
    assert.equal(daily.length, 11);
    assert.equal(daily[0]!.openTime, Date.UTC(2019, 3, 11) * 1000);
    assert.equal(
      daily[0]!.tradeCount,
      bars.slice(0, 20).reduce((n, b) => n + b.tradeCount, 0),
    );
    assert.ok(
      daily[10]!.quoteVolume.eq(bars.slice(-48).reduce((s, b) => s.add(b.quoteVolume), Decimal.ZERO)),
    );
  });
});
