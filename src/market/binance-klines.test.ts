import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { Decimal, ErrorCode, instrumentId, isDesError, type UnixMicros } from "../core/index.ts";
import { loadKlinesJson, parseKlineRow, parseKlinesCsv, parseKlinesJson } from "./binance-klines.ts";
import { FieldReader } from "./field-reader.ts";
import { DEFAULT_MARKET_DATASET_DIR } from "./market-dataset.ts";
import { fixturePath, sharedDataPath, skipUnlessShared } from "./test-support/shared-data.ts";

const BTCUSDT = instrumentId("BTCUSDT");
const DATASET_KLINES = `${DEFAULT_MARKET_DATASET_DIR}BTCUSDT-30m-2019-04-11_2019-04-21.klines.json`;

function rawRows(path: string): unknown[][] {
  return JSON.parse(readFileSync(path, "utf8")) as unknown[][];
}

function assertBadRow(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isDesError(err, ErrorCode.InvalidMarketData), `expected InvalidMarketData, got ${String(err)}`);
    assert.match(err.message, pattern);
    return true;
  });
}

describe("parseKlineRow", () => {
  test("turns the first python-binance row into an exact closed 30m bar", () => {
    const row = rawRows(fixturePath("BTCUSDT-30m-klines-2019-04-11.first-48.json"))[0]!;
    const bar = parseKlineRow(row, { instrumentId: BTCUSDT });
    assert.equal(bar.kind, "bar");
    assert.equal(bar.interval, "30m");
    assert.equal(bar.openTime, 1554991200000 * 1000);
    // The last microsecond inside the bar: Binance's closeTime 1554992999999 ms ends at ...999999 us.
    assert.equal(bar.closeTime, 1554992999999 * 1000 + 999);
    assert.equal(bar.receivedAt, 1554993000000 * 1000);
    assert.equal(bar.open.toString(), "4986.23");
    assert.equal(bar.high.toString(), "5009");
    assert.equal(bar.low.toString(), "4961.01");
    assert.equal(bar.close.toString(), "5000.36");
    assert.equal(bar.volume.toString(), "1176.52828");
    assert.equal(bar.quoteVolume.toString(), "5865414.08229088");
    assert.equal(bar.tradeCount, 8094);
    assert.equal(bar.closed, true);
  });

  test("marks the row still in progress at `now` as not closed", () => {
    const row = rawRows(fixturePath("BTCUSDT-30m-klines-2019-04-11.first-48.json"))[0]!;
    const openUs = 1554991200000 * 1000;
    const inProgress = parseKlineRow(row, {
      instrumentId: BTCUSDT,
      now: (openUs + 60_000_000) as UnixMicros,
    });
    assert.equal(inProgress.closed, false);
    const done = parseKlineRow(row, { instrumentId: BTCUSDT, now: (openUs + 30 * 60_000_000) as UnixMicros });
    assert.equal(done.closed, true);
  });

  test("rejects malformed rows with the source, the row and what was wrong", () => {
    const good = rawRows(fixturePath("BTCUSDT-30m-klines-2019-04-11.first-48.json"))[0]!;
    const reader = new FieldReader("klines.json");
    reader.row = 7;
    const opts = { instrumentId: BTCUSDT };
    assertBadRow(
      () => parseKlineRow(good.slice(0, 11), opts, reader),
      /^klines\.json row 7: a kline has 12 fields, this one has 11/,
    );
    assertBadRow(
      () => parseKlineRow(Object.assign([...good], { 1: 4986.23 }), opts, reader),
      /row 7: open must be a decimal string, got number/,
    );
    assertBadRow(
      () => parseKlineRow(Object.assign([...good], { 2: "5,009" }), opts, reader),
      /row 7: high is not a decimal/,
    );
    assertBadRow(
      () => parseKlineRow(Object.assign([...good], { 3: "6000" }), opts, reader),
      /inconsistent prices/,
    );
    assertBadRow(
      () => parseKlineRow(Object.assign([...good], { 5: "-1" }), opts, reader),
      /volume must not be negative/,
    );
    assertBadRow(
      () => parseKlineRow(Object.assign([...good], { 0: "abc" }), opts, reader),
      /open time must be an integer/,
    );
    assertBadRow(
      () => parseKlineRow(Object.assign([...good], { 6: 1554992999998 }), opts, reader),
      /do not span a supported interval/,
    );
    assertBadRow(
      () => parseKlineRow(Object.assign([...good], { 8: 1.5 }), opts, reader),
      /number of trades must be an integer/,
    );
    assertBadRow(
      () => parseKlineRow(good, { instrumentId: BTCUSDT, interval: "1h" }, reader),
      /spans 30m, expected 1h/,
    );
    // A bar that does not start on its interval's UTC boundary is not a Binance kline.
    const shifted = Object.assign([...good], { 0: 1554991260000, 6: 1554993059999 });
    assertBadRow(() => parseKlineRow(shifted, opts, reader), /not on a 30m boundary/);
  });
});

describe("parseKlinesJson / loadKlinesJson", () => {
  test("loads all 500 rows of the python-binance response: 30m steps, no gaps, exact strings", async () => {
    const result = await loadKlinesJson(DATASET_KLINES, { instrumentId: BTCUSDT });
    assert.equal(result.items.length, 500);
    assert.equal(result.skippedRows, 0);
    const raw = rawRows(DATASET_KLINES);
    for (let i = 0; i < raw.length; i++) {
      const bar = result.items[i]!;
      assert.equal(bar.openTime, (raw[i]![0] as number) * 1000);
      assert.ok(bar.close.eq(Decimal.from(raw[i]![4] as string)));
      assert.ok(bar.quoteVolume.eq(Decimal.from(raw[i]![7] as string)));
      if (i > 0) assert.equal(bar.openTime - result.items[i - 1]!.openTime, 30 * 60 * 1_000_000);
    }
  });

  test("the fixture copy holds the same values as the first 48 rows of the dataset copy", () => {
    assert.deepEqual(
      rawRows(fixturePath("BTCUSDT-30m-klines-2019-04-11.first-48.json")),
      rawRows(DATASET_KLINES).slice(0, 48),
    );
  });

  test("strict by default; with badRows 'skip' it counts the bad rows and keeps their errors", () => {
    const rows: unknown[] = rawRows(fixturePath("BTCUSDT-30m-klines-2019-04-11.first-48.json")).slice(0, 5);
    rows[1] = "not a row";
    rows[3] = Object.assign([...(rows[3] as unknown[])], { 4: null });
    assertBadRow(
      () => parseKlinesJson(rows, { instrumentId: BTCUSDT, source: "x.json" }),
      /^x\.json row 2: a kline must be an array/,
    );
    const skipped = parseKlinesJson(rows, { instrumentId: BTCUSDT, source: "x.json", badRows: "skip" });
    assert.equal(skipped.items.length, 3);
    assert.equal(skipped.skippedRows, 2);
    assert.deepEqual(
      skipped.errors.map((e) => e.details["row"]),
      [2, 4],
    );
    assert.match(skipped.errors[1]!.message, /row 4: close must be a decimal string, got null/);
  });

  test("rejects rows out of time order and duplicates", () => {
    const rows = rawRows(fixturePath("BTCUSDT-30m-klines-2019-04-11.first-48.json")).slice(0, 3);
    assertBadRow(
      () => parseKlinesJson([rows[0], rows[2], rows[1]], { instrumentId: BTCUSDT }),
      /row 3: time .* is not after/,
    );
    assertBadRow(
      () => parseKlinesJson([rows[0], rows[0]], { instrumentId: BTCUSDT }),
      /row 2: time .* is not after/,
    );
  });

  test("a body that is not an array is an error, not a crash", () => {
    assertBadRow(
      () => parseKlinesJson({ code: -1121, msg: "Invalid symbol." }, { instrumentId: BTCUSDT }),
      /must be a JSON array/,
    );
  });

  test("reads the nautilus_trader BTCUSDT 1m REST capture (read-only reference)", {
    skip: skipUnlessShared("nautilus_trader/http_responses/http_spot_market_klines.json"),
  }, async () => {
    const result = await loadKlinesJson(
      sharedDataPath("nautilus_trader/http_responses/http_spot_market_klines.json"),
      {
        instrumentId: BTCUSDT,
      },
    );
    assert.equal(result.items.length, 10);
    assert.ok(result.items.every((b) => b.interval === "1m"));
  });
});

describe("parseKlinesCsv (data.binance.vision)", () => {
  test("millisecond and microsecond files give identical bars", () => {
    const ms = parseKlinesCsv(readFileSync(fixturePath("BTCUSDT-30m-2019-04-12.csv"), "utf8"), {
      instrumentId: BTCUSDT,
    });
    const us = parseKlinesCsv(readFileSync(fixturePath("BTCUSDT-30m-2019-04-12-us.csv"), "utf8"), {
      instrumentId: BTCUSDT,
    });
    assert.equal(ms.items.length, 48);
    assert.deepEqual(us.items, ms.items);
    assert.equal(ms.items[0]!.openTime, Date.UTC(2019, 3, 12) * 1000);
    assert.equal(ms.items[47]!.closeTime, Date.UTC(2019, 3, 13) * 1000 - 1);
  });

  test("CSV rows equal the REST rows they came from", () => {
    const csv = parseKlinesCsv(readFileSync(fixturePath("BTCUSDT-30m-2019-04-12.csv"), "utf8"), {
      instrumentId: BTCUSDT,
    });
    const rest = parseKlinesJson(rawRows(DATASET_KLINES), { instrumentId: BTCUSDT });
    const sameDay = rest.items.filter(
      (b) => b.openTime >= csv.items[0]!.openTime && b.openTime <= csv.items[47]!.openTime,
    );
    assert.deepEqual(csv.items, sameDay);
  });

  test("skips a header line and reports a short line by its line number", () => {
    const text = readFileSync(fixturePath("BTCUSDT-30m-2019-04-12.csv"), "utf8").split("\n");
    const header =
      "open_time,open,high,low,close,volume,close_time,quote_volume,count,taker_buy_volume,taker_buy_quote_volume,ignore";
    const withHeader = [header, ...text.slice(0, 3)].join("\n");
    assert.equal(parseKlinesCsv(withHeader, { instrumentId: BTCUSDT }).items.length, 3);
    const broken = [text[0], "1555028999999,1,2", text[1]].join("\n");
    assertBadRow(
      () => parseKlinesCsv(broken, { instrumentId: BTCUSDT, source: "b.csv" }),
      /^b\.csv row 2: a kline has 12 fields, this one has 3/,
    );
  });

  test("reads nautilus_trader's ADABTC data.binance.vision files (read-only reference)", {
    skip: skipUnlessShared("nautilus_trader/ADABTC-1m-2021-11-27.csv"),
  }, () => {
    const text = readFileSync(sharedDataPath("nautilus_trader/ADABTC-1m-2021-11-27.csv"), "utf8");
    const bars = parseKlinesCsv(text, { instrumentId: instrumentId("ADABTC") }).items;
    assert.equal(bars.length, 10);
    assert.equal(bars[0]!.open.toString(), "0.00002853");
    assert.equal(bars[0]!.tradeCount, 79);
  });
});
