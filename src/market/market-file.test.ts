import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { gzipSync } from "node:zlib";
import { ErrorCode, instrumentId, isDesError } from "../core/index.ts";
import { DEFAULT_MARKET_DATASET_DIR } from "./market-dataset.ts";
import { instrumentFromFileName, loadMarketFile, parseMarketText } from "./market-file.ts";
import { fixturePath, sharedDataPath, skipUnlessShared } from "./test-support/shared-data.ts";

const tmp = mkdtempSync(join(tmpdir(), "des-market-file-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

function badData(pattern: RegExp) {
  return (err: unknown): boolean => {
    assert.ok(isDesError(err, ErrorCode.InvalidMarketData), String(err));
    assert.match(err.message, pattern);
    return true;
  };
}

describe("loadMarketFile picks the parser", () => {
  const cases: Array<[string, string, string, number, string]> = [
    [`${DEFAULT_MARKET_DATASET_DIR}BTCBUSD-1m-2022-12-13.lean.csv`, "lean-minute-csv", "BTCBUSD", 1440, "1m"],
    [
      `${DEFAULT_MARKET_DATASET_DIR}LTCUSDT-1m-2020-11-08_2020-11-09.trading-signals.json`,
      "trading-signals-json",
      "LTCUSDT",
      2880,
      "1m",
    ],
    [
      `${DEFAULT_MARKET_DATASET_DIR}BTCUSDT-30m-2019-04-11_2019-04-21.klines.json`,
      "binance-klines-json",
      "BTCUSDT",
      500,
      "30m",
    ],
    [fixturePath("BTCUSDT-30m-2019-04-12.csv"), "binance-klines-csv", "BTCUSDT", 48, "30m"],
    [fixturePath("BTCUSDT-30m-2019-04-12-us.csv"), "binance-klines-csv", "BTCUSDT", 48, "30m"],
    [fixturePath("binance_btcusdt_hour_trade.csv"), "lean-hour-csv", "BTCUSDT", 120, "1h"],
  ];
  for (const [path, format, instrument, count, interval] of cases) {
    test(`${path.split("/").at(-1)} -> ${format}`, async () => {
      const data = await loadMarketFile(path);
      assert.equal(data.format, format);
      assert.equal(data.bars.length, count);
      assert.equal(data.trades.length, 0);
      assert.ok(data.bars.every((b) => b.instrumentId === instrument && b.interval === interval));
    });
  }

  test("gzip files are read transparently (by content, not by name)", async () => {
    const path = join(tmp, "BTCUSDT-30m-2019-04-12.csv.gz");
    writeFileSync(path, gzipSync(readFileSync(fixturePath("BTCUSDT-30m-2019-04-12.csv"))));
    const data = await loadMarketFile(path);
    assert.equal(data.format, "binance-klines-csv");
    assert.equal(data.bars.length, 48);
  });

  test("freqtrade's gzip ccxt trades file becomes trades (read-only reference)", {
    skip: skipUnlessShared("freqtrade/XRP_OLD-trades.json.gz"),
  }, async () => {
    const data = await loadMarketFile(sharedDataPath("freqtrade/XRP_OLD-trades.json.gz"));
    assert.equal(data.format, "binance-trades-json");
    assert.equal(data.trades.length, 12477);
    assert.equal(data.trades[0]!.instrumentId, "XRPETH");
  });

  test("an explicit format, instrument and interval are honoured and checked", () => {
    const text = readFileSync(fixturePath("BTCUSDT-30m-2019-04-12.csv"), "utf8");
    const data = parseMarketText(text, "anything.txt", {
      format: "binance-klines-csv",
      instrumentId: instrumentId("ETHBTC"),
    });
    assert.equal(data.bars[0]!.instrumentId, "ETHBTC");
    assert.throws(
      () => parseMarketText(text, "x.csv", { instrumentId: instrumentId("BTCUSDT"), interval: "1h" }),
      badData(/spans 30m, expected 1h/),
    );
    assert.throws(() => parseMarketText(text, "x.csv", {}), badData(/^x\.csv: cannot tell the instrument/));
  });

  test("unknown layouts and broken files give clear errors", async () => {
    assert.throws(
      () => parseMarketText("a;b;c\n", "x.csv"),
      badData(/cannot tell the format from the header/),
    );
    assert.throws(
      () => parseMarketText("1,2,3\n", "x.csv"),
      badData(/cannot tell the format of a 3-column CSV/),
    );
    assert.throws(() => parseMarketText("[1,2", "x.json"), badData(/^x\.json: not valid JSON/));
    assert.throws(() => parseMarketText("[]", "x.json"), badData(/empty array: pass format/));
    assert.throws(() => parseMarketText("", "x.csv"), badData(/empty file/));
    await assert.rejects(loadMarketFile(join(tmp, "missing.csv")), badData(/cannot read market file/));
    const corrupt = join(tmp, "corrupt.json.gz");
    writeFileSync(corrupt, Buffer.from([0x1f, 0x8b, 1, 2, 3]));
    await assert.rejects(loadMarketFile(corrupt), badData(/corrupt gzip/));
  });

  test("skip mode passes through to the parser and reports the count", () => {
    const lines = readFileSync(fixturePath("BTCUSDT-30m-2019-04-12.csv"), "utf8").split("\n");
    lines[5] = lines[5]!.replace("5", "x");
    const data = parseMarketText(lines.join("\n"), "BTCUSDT-30m-2019-04-12.csv", { badRows: "skip" });
    assert.equal(data.bars.length, 47);
    assert.equal(data.skippedRows, 1);
    assert.equal(data.errors[0]!.details["row"], 6);
  });
});

test("instrumentFromFileName reads data.binance.vision, DES and LEAN names", () => {
  assert.equal(instrumentFromFileName("BTCUSDT-1m-2021-11-27.csv"), "BTCUSDT");
  assert.equal(instrumentFromFileName("/x/y/BTCUSDT-trades-2021-01-08.csv"), "BTCUSDT");
  assert.equal(instrumentFromFileName("binance_btcbusd_minute_20221213_trade.csv"), "BTCBUSD");
  assert.equal(instrumentFromFileName("20221213_btcbusd_minute_trade.csv"), "BTCBUSD");
  assert.equal(instrumentFromFileName("XRP_ETH-1m.json"), undefined);
  assert.equal(instrumentFromFileName("LTC_USDT_2d_1m_1606066988989.json"), undefined);
});
