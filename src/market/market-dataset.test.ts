import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { Decimal, ErrorCode, instrumentId, isDesError } from "../core/index.ts";
import { parseExchangeInfo } from "../model/index.ts";
import { DEFAULT_MARKET_DATASET_DIR, MarketDataset } from "./market-dataset.ts";

const tmp = mkdtempSync(join(tmpdir(), "des-dataset-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe("the bundled dataset (data/market)", () => {
  test("every manifest file is present, unchanged (sha256) and loads with the stated row count", async () => {
    const manifest = JSON.parse(readFileSync(`${DEFAULT_MARKET_DATASET_DIR}manifest.json`, "utf8")) as {
      files: Array<{
        id: string;
        path: string;
        sha256: string;
        rows: number;
        firstOpenTime: string;
        lastOpenTime: string;
      }>;
    };
    for (const f of manifest.files) {
      const bytes = readFileSync(DEFAULT_MARKET_DATASET_DIR + f.path);
      assert.equal(createHash("sha256").update(bytes).digest("hex"), f.sha256, f.path);
    }
    const dataset = await MarketDataset.load();
    assert.deepEqual(
      dataset.files.map((f) => [f.id, f.bars.length]),
      manifest.files.map((f) => [f.id, f.rows]),
    );
    for (const [i, f] of dataset.files.entries()) {
      assert.equal(new Date(f.bars[0]!.openTime / 1000).toISOString(), manifest.files[i]!.firstOpenTime);
      assert.equal(new Date(f.bars.at(-1)!.openTime / 1000).toISOString(), manifest.files[i]!.lastOpenTime);
    }
  });

  test("holds at least one full day of 1m bars, and the default replay is that day", async () => {
    const dataset = await MarketDataset.load();
    const events = dataset.events();
    assert.equal(events.length, 1440);
    assert.ok(events.every((e) => e.kind === "bar" && e.interval === "1m" && e.instrumentId === "BTCBUSD"));
    assert.equal(dataset.events(["ltcusdt-1m-2020-11-08", "btcbusd-1m-2022-12-13"]).length, 1440 + 2880);
  });

  test("exchange-info.json has the dataset's instruments with Binance's filters", async () => {
    const instruments = parseExchangeInfo(
      JSON.parse(readFileSync(`${DEFAULT_MARKET_DATASET_DIR}exchange-info.json`, "utf8")),
    );
    const dataset = await MarketDataset.load();
    assert.deepEqual([...dataset.instruments.keys()].sort(), ["BTCBUSD", "BTCUSDT", "LTCUSDT"]);
    for (const f of dataset.files) assert.ok(instruments.has(f.instrumentId), f.instrumentId);
    const expect: Record<string, [string, string, string, string]> = {
      BTCBUSD: ["0.01", "0.00001", "0.00001", "10"],
      BTCUSDT: ["0.01", "0.00001", "0.00001", "10"],
      LTCUSDT: ["0.01", "0.001", "0.001", "5"],
    };
    for (const [symbol, [tick, step, minQty, minNotional]] of Object.entries(expect)) {
      const inst = instruments.get(instrumentId(symbol))!;
      assert.ok(inst.tickSize.eq(Decimal.from(tick)), `${symbol} tickSize`);
      assert.ok(inst.stepSize.eq(Decimal.from(step)), `${symbol} stepSize`);
      assert.ok(inst.minQty.eq(Decimal.from(minQty)), `${symbol} minQty`);
      assert.ok(inst.minNotional.eq(Decimal.from(minNotional)), `${symbol} minNotional`);
      assert.equal(inst.status, "TRADING");
    }
    // Every bundled price sits on its instrument's tick: the filters fit the data.
    for (const f of dataset.files) {
      const tick = instruments.get(f.instrumentId)!.tickSize;
      assert.ok(
        f.bars.every((b) => b.open.isMultipleOf(tick) && b.close.isMultipleOf(tick)),
        f.id,
      );
    }
  });

  test("the README describes every file", () => {
    const readme = readFileSync(`${DEFAULT_MARKET_DATASET_DIR}README.md`, "utf8");
    const manifest = JSON.parse(readFileSync(`${DEFAULT_MARKET_DATASET_DIR}manifest.json`, "utf8")) as {
      files: Array<{ path: string; licence: string }>;
    };
    for (const f of [...manifest.files.map((x) => x.path), "exchange-info.json", "manifest.json"])
      assert.ok(readme.includes(f), f);
  });
});

describe("MarketDataset validation", () => {
  function datasetWith(manifest: unknown): string {
    const dir = mkdtempSync(join(tmp, "ds-"));
    cpSync(DEFAULT_MARKET_DATASET_DIR, dir, { recursive: true });
    writeFileSync(join(dir, "manifest.json"), JSON.stringify(manifest));
    return dir;
  }
  const original = JSON.parse(readFileSync(`${DEFAULT_MARKET_DATASET_DIR}manifest.json`, "utf8")) as {
    files: Array<Record<string, unknown>>;
  };
  const withFile = (patch: Record<string, unknown>) => ({
    ...original,
    files: [{ ...original.files[0], ...patch }],
  });
  const bad =
    (pattern: RegExp, code: string = ErrorCode.InvalidMarketData) =>
    (e: unknown): boolean =>
      isDesError(e) && e.code === code && pattern.test(e.message);

  test("a manifest entry with a bad field names the field", async () => {
    await assert.rejects(
      MarketDataset.load(datasetWith(withFile({ format: "parquet" }))),
      bad(/manifest\.json: files\.0\.format/),
    );
    await assert.rejects(
      MarketDataset.load(datasetWith(withFile({ interval: "7m" }))),
      bad(/files\.0\.interval/),
    );
  });

  test("paths may not leave the folder; row counts and instruments are checked", async () => {
    await assert.rejects(MarketDataset.load(datasetWith(withFile({ path: "../secret.csv" }))), bad(/leaves/));
    await assert.rejects(
      MarketDataset.load(datasetWith(withFile({ rows: 1439 }))),
      bad(/manifest says 1439 rows, the file has 1440/),
    );
    await assert.rejects(
      MarketDataset.load(datasetWith(withFile({ instrument: "ETHBUSD" }))),
      bad(/ETHBUSD is not in exchange-info\.json/, ErrorCode.UnknownInstrument),
    );
    await assert.rejects(MarketDataset.load(undefined, { ids: ["nope"] }), bad(/no file with id "nope"/));
    await assert.rejects(MarketDataset.load(join(tmp, "missing")), bad(/cannot read/));
  });
});
