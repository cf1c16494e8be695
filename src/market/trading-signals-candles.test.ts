import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { ErrorCode, instrumentId, isDesError, MICROS_PER_MINUTE } from "../core/index.ts";
import { DEFAULT_MARKET_DATASET_DIR } from "./market-dataset.ts";
import { parseTradingSignalsCandles } from "./trading-signals-candles.ts";

const FILE = `${DEFAULT_MARKET_DATASET_DIR}LTCUSDT-1m-2020-11-08_2020-11-09.trading-signals.json`;

describe("parseTradingSignalsCandles", () => {
  const body = JSON.parse(readFileSync(FILE, "utf8")) as Record<string, unknown>[];

  test("reads 2880 LTCUSDT 1m bars, naming the instrument from base + counter", () => {
    const { items } = parseTradingSignalsCandles(body);
    assert.equal(items.length, 2880);
    assert.equal(items[0]!.instrumentId, "LTCUSDT");
    assert.equal(items[0]!.openTime, Date.UTC(2020, 10, 8) * 1000);
    assert.equal(items[2879]!.openTime, Date.UTC(2020, 10, 9, 23, 59) * 1000);
    for (let i = 1; i < items.length; i++)
      assert.equal(items[i]!.openTime - items[i - 1]!.openTime, MICROS_PER_MINUTE);
    assert.equal(items[0]!.close.toString(), "58.75");
    assert.equal(items[0]!.volume.toString(), "1442.16174");
  });

  test("an explicit instrument wins; bad candles are reported by index", () => {
    const some = body.slice(0, 3).map((c) => ({ ...c }));
    assert.equal(
      parseTradingSignalsCandles(some, { instrumentId: instrumentId("LTCBUSD") }).items[0]!.instrumentId,
      "LTCBUSD",
    );
    some[1]!["sizeInMillis"] = 61_000;
    some[2]!["open"] = 58.9;
    const r = parseTradingSignalsCandles(some, { badRows: "skip", source: "c.json" });
    assert.equal(r.items.length, 1);
    assert.deepEqual(
      r.errors.map((e) => e.message),
      [
        "c.json row 2: sizeInMillis 61000 is not a supported interval",
        "c.json row 3: open must be a decimal string, got number 58.9",
      ],
    );
    assert.throws(
      () => parseTradingSignalsCandles([{ ...body[0], base: undefined }]),
      (e: unknown) => isDesError(e, ErrorCode.InvalidMarketData) && /pass instrumentId/.test(e.message),
    );
  });
});
