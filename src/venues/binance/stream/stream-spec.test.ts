import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isDesError } from "../../../core/index.ts";
import { resolveStream, type StreamSpec } from "./stream-spec.ts";

describe("resolveStream", () => {
  test("names streams as Binance does: lower-case symbol, event names as documented", () => {
    const names = (
      [
        { kind: "trade", symbol: "BTCUSDT" },
        { kind: "aggTrade", symbol: "BTCUSDT" },
        { kind: "bookTicker", symbol: "BTCUSDT" },
        { kind: "depth", symbol: "BTCUSDT" },
        { kind: "depth", symbol: "BTCUSDT", speedMs: 100 },
        { kind: "kline", symbol: "BTCUSDT", interval: "1m" },
        { kind: "miniTicker", symbol: "BNBBTC" },
      ] as StreamSpec[]
    ).map((s) => resolveStream(s).name);
    assert.deepEqual(names, [
      "btcusdt@trade",
      "btcusdt@aggTrade",
      "btcusdt@bookTicker",
      "btcusdt@depth",
      "btcusdt@depth@100ms",
      "btcusdt@kline_1m",
      "bnbbtc@miniTicker",
    ]);
  });

  test("refuses bad specs with DES_ERR_INVALID_CONFIG naming the problem", () => {
    const bad: Array<[unknown, RegExp]> = [
      [{ kind: "ticker", symbol: "BTCUSDT" }, /kind/],
      [{ kind: "trade", symbol: "btcusdt" }, /symbol/],
      [{ kind: "kline", symbol: "BTCUSDT" }, /interval/],
      [{ kind: "kline", symbol: "BTCUSDT", interval: "1s" }, /interval/],
      [{ kind: "depth", symbol: "BTCUSDT", speedMs: 250 }, /speedMs/],
      [null, /object/],
    ];
    for (const [spec, pattern] of bad) {
      assert.throws(
        () => resolveStream(spec as StreamSpec),
        (e: unknown) => isDesError(e, "DES_ERR_INVALID_CONFIG") && pattern.test(e.message),
        JSON.stringify(spec),
      );
    }
  });
});
