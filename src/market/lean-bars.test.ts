import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { ErrorCode, instrumentId, isDesError, MICROS_PER_MINUTE } from "../core/index.ts";
import { leanDateFromText, parseLeanHourCsv, parseLeanMinuteCsv } from "./lean-bars.ts";
import { DEFAULT_MARKET_DATASET_DIR } from "./market-dataset.ts";
import { fixturePath } from "./test-support/shared-data.ts";

const BTCBUSD = instrumentId("BTCBUSD");
const BTCUSDT = instrumentId("BTCUSDT");
const MINUTE_FILE = `${DEFAULT_MARKET_DATASET_DIR}BTCBUSD-1m-2022-12-13.lean.csv`;
const DAY = Date.UTC(2022, 11, 13) * 1000;

function badRow(pattern: RegExp) {
  return (err: unknown): boolean => {
    assert.ok(isDesError(err, ErrorCode.InvalidMarketData), String(err));
    assert.match(err.message, pattern);
    return true;
  };
}

describe("LEAN minute trade bars", () => {
  const text = readFileSync(MINUTE_FILE, "utf8");

  test("reads the whole day: 1440 consecutive 1m bars from UTC midnight", () => {
    const { items } = parseLeanMinuteCsv(text, { instrumentId: BTCBUSD, date: "2022-12-13" });
    assert.equal(items.length, 1440);
    items.forEach((bar, i) => {
      assert.equal(bar.openTime, DAY + i * MICROS_PER_MINUTE);
      assert.equal(bar.interval, "1m");
    });
    const first = items[0]!;
    // 0,17212.12,17216.55,17208.88,17208.88,110.66042
    assert.deepEqual([first.open, first.high, first.low, first.close, first.volume].map(String), [
      "17212.12",
      "17216.55",
      "17208.88",
      "17208.88",
      "110.66042",
    ]);
    assert.equal(first.quoteVolume.toString(), "0");
    assert.equal(first.tradeCount, 0);
  });

  test("takes the date from the file name when not given", () => {
    const viaName = parseLeanMinuteCsv(text, {
      instrumentId: BTCBUSD,
      source: "binance_btcbusd_minute_20221213_trade.csv",
    });
    assert.equal(viaName.items[0]!.openTime, DAY);
    assert.equal(leanDateFromText("20221213_btcbusd_minute_trade.csv"), DAY);
    assert.equal(leanDateFromText("BTCBUSD-1m-2022-12-13.lean.csv"), DAY);
    assert.equal(leanDateFromText("20220231_x.csv"), undefined);
    assert.throws(
      () => parseLeanMinuteCsv(text, { instrumentId: BTCBUSD, source: "nodate.csv" }),
      badRow(/needs its date/),
    );
  });

  test("malformed lines name the line and the problem; skip mode counts them", () => {
    const lines = text.split("\n").slice(0, 4);
    lines[1] = "60000,17209.49,17227.24,17208.84";
    lines[2] = "90000000,1,1,1,1,1";
    const bad = lines.join("\n");
    assert.throws(
      () => parseLeanMinuteCsv(bad, { instrumentId: BTCBUSD, date: DAY as never, source: "m.csv" }),
      badRow(/^m\.csv row 2: expected 6 columns/),
    );
    const skipped = parseLeanMinuteCsv(bad, { instrumentId: BTCBUSD, date: "20221213", badRows: "skip" });
    assert.equal(skipped.items.length, 2);
    assert.equal(skipped.skippedRows, 2);
    assert.match(
      skipped.errors[1]!.message,
      /row 3: milliseconds since midnight 90000000 is outside the day/,
    );
  });
});

describe("LEAN hour trade bars", () => {
  test("reads the BTCUSDT hour file: 120 bars 2018-05-01 00:00 .. 2018-05-05 23:00", () => {
    const { items } = parseLeanHourCsv(readFileSync(fixturePath("binance_btcusdt_hour_trade.csv"), "utf8"), {
      instrumentId: BTCUSDT,
    });
    assert.equal(items.length, 120);
    assert.equal(items[0]!.openTime, Date.UTC(2018, 4, 1) * 1000);
    assert.equal(items[119]!.openTime, Date.UTC(2018, 4, 5, 23) * 1000);
    assert.equal(items[0]!.interval, "1h");
    assert.equal(items[1]!.low.toString(), "8870");
    assert.equal(items[0]!.volume.toString(), "5263.799551");
  });

  test("rejects an impossible time", () => {
    assert.throws(
      () => parseLeanHourCsv("20180501 24:00,1,1,1,1,1", { instrumentId: BTCUSDT, source: "h.csv" }),
      badRow(/^h\.csv row 1: time "20180501 24:00" is not a valid "YYYYMMDD HH:mm"/),
    );
  });
});
