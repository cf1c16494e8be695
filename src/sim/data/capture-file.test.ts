import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { isDesError } from "../../core/index.ts";
import { parseCaptureHttp, parseCaptureWs } from "./capture-file.ts";
import { DEFAULT_CAPTURE_DIR } from "./sim-data-source-config.ts";

const wsText = readFileSync(join(DEFAULT_CAPTURE_DIR, "BINANCE.ws.1.0.txt"), "utf8");
const httpText = readFileSync(join(DEFAULT_CAPTURE_DIR, "BINANCE.http.0.0.txt"), "utf8");

test("the bundled WebSocket capture parses into its 265 frames, in file order", () => {
  const capture = parseCaptureWs(wsText, "ws");
  assert.match(capture.url, /^wss:\/\/stream\.binance\.com:9443\/stream\?streams=nknusdt@depth@100ms\//);
  assert.equal(capture.connectTimeMs, 1633998511160);
  assert.equal(capture.frames.length, 265);
  assert.equal(capture.skippedLines, 0);
  const kinds = new Map<string, number>();
  for (const f of capture.frames) {
    const kind = String(f.data["e"] ?? "bookTicker");
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  assert.deepEqual(Object.fromEntries(kinds), { depthUpdate: 177, bookTicker: 84, kline: 2, aggTrade: 2 });
  const first = capture.frames[0]!;
  assert.equal(first.stream, "nknusdt@depth@100ms");
  assert.equal(first.recvTimeMs, 1633998512063);
  assert.equal(first.data["U"], 499869750);
  assert.equal(first.data["u"], 499869752);
  for (let i = 1; i < capture.frames.length; i++) {
    assert.ok(capture.frames[i]!.recvTimeMs >= capture.frames[i - 1]!.recvTimeMs, "receive order");
  }
});

test("the bundled HTTP capture holds the four depth snapshots; NKNUSDT lines up with the first diff", () => {
  const http = parseCaptureHttp(httpText, "http");
  assert.deepEqual(
    http.snapshots.map((s) => s.symbol),
    ["NKNUSDT", "BLZETH", "LRCBTC", "RUNEEUR"],
  );
  const nkn = http.snapshots[0]!;
  assert.equal(nkn.lastUpdateId, 499869752);
  assert.ok(nkn.bids.length > 100 && nkn.asks.length > 100);
  assert.deepEqual(nkn.bids[0], ["0.35210000", "672.00000000"]);
});

test("malformed capture lines are skipped and counted, never thrown", () => {
  const text = [
    "wss://example <-> 1.5",
    "not a frame",
    "2.0: {broken json",
    '2.1: {"stream":"x@trade"}',
    '2.2: ["array"]',
    '2.5: {"stream":"abc@trade","data":{"e":"trade"}}',
    "",
  ].join("\n");
  const capture = parseCaptureWs(text, "bad.txt");
  assert.equal(capture.frames.length, 1);
  assert.equal(capture.frames[0]!.recvTimeMs, 2500);
  assert.equal(capture.skippedLines, 4);
  assert.equal(capture.errors.length, 4);
  assert.match(capture.errors[0]!, /^bad\.txt:2: /);
  const http = parseCaptureHttp(
    'https://x/api/v3/depth?symbol=AB -> 1: {"lastUpdateId":"no","bids":[],"asks":[]}\nhttps://x/api/v3/time -> 1: {}\n',
    "h",
  );
  assert.equal(http.snapshots.length, 0);
  assert.equal(http.skippedLines, 2);
});

test("a file without the capture header is an InvalidMarketData error naming the file", () => {
  assert.throws(
    () => parseCaptureWs("1.0: {}\n", "nohead.txt"),
    (e: unknown) =>
      isDesError(e) && e.code === "DES_ERR_INVALID_MARKET_DATA" && e.message.includes("nohead.txt"),
  );
});
