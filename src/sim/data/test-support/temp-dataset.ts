import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_MARKET_DATASET_DIR } from "../../../market/index.ts";

/** A bar for a temporary dataset: [open time ms, o, h, l, c, volume]. */
export type TestBar = readonly [number, string, string, string, string, string];

/** Writes a one-file BTCUSDT 1m dataset (manifest, the bundled exchange-info, a klines JSON) and returns its folder. */
export function writeTempDataset(bars: readonly TestBar[]): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "des-sim-data-"));
  copyFileSync(join(DEFAULT_MARKET_DATASET_DIR, "exchange-info.json"), join(dir, "exchange-info.json"));
  const rows = bars.map(([t, o, h, l, c, v]) => [t, o, h, l, c, v, t + 59_999, "0", 0, "0", "0", "0"]);
  writeFileSync(join(dir, "BTCUSDT-1m-test.klines.json"), JSON.stringify(rows));
  const manifest = {
    version: 1,
    exchangeInfo: "exchange-info.json",
    files: [
      {
        id: "test",
        path: "BTCUSDT-1m-test.klines.json",
        format: "binance-klines-json",
        instrument: "BTCUSDT",
        interval: "1m",
        default: true,
      },
    ],
  };
  writeFileSync(join(dir, "manifest.json"), JSON.stringify(manifest));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes a capture pair (ws lines after the header, http lines) into a temp folder. */
export function writeTempCapture(
  wsLines: readonly string[],
  httpLines: readonly string[],
): {
  wsFile: string;
  httpFile: string;
  remove: () => void;
} {
  const dir = mkdtempSync(join(tmpdir(), "des-sim-capture-"));
  const wsFile = join(dir, "ws.txt");
  const httpFile = join(dir, "http.txt");
  writeFileSync(
    wsFile,
    ["wss://stream.binance.com:9443/stream?streams=x <-> 1000.0", ...wsLines, ""].join("\n"),
  );
  writeFileSync(httpFile, [...httpLines, ""].join("\n"));
  return { wsFile, httpFile, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
