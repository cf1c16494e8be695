import assert from "node:assert/strict";
import { test } from "node:test";
import { isDesError } from "../../core/index.ts";
import { derivedSymbolInfo, incrementOf, significantDecimals, splitSymbol } from "./derived-symbol-info.ts";

test("decimals, increments and symbol splits", () => {
  assert.equal(significantDecimals("0.35130000"), 4);
  assert.equal(significantDecimals("6195.00000000"), 0);
  assert.equal(significantDecimals("12"), 0);
  assert.equal(incrementOf(4), "0.00010000");
  assert.equal(incrementOf(0), "1.00000000");
  assert.equal(incrementOf(12), "0.00000001");
  assert.deepEqual(splitSymbol("NKNUSDT"), { base: "NKN", quote: "USDT" });
  assert.deepEqual(splitSymbol("BLZETH"), { base: "BLZ", quote: "ETH" });
  assert.deepEqual(splitSymbol("RUNEEUR"), { base: "RUNE", quote: "EUR" });
  assert.throws(
    () => splitSymbol("ABCXYZ"),
    (e: unknown) => isDesError(e) && e.message.includes("ABCXYZ"),
  );
});

test("derived filters take the finest decimals seen", () => {
  const info = derivedSymbolInfo("LRCBTC", ["0.00000638", "0.00000640"], ["177.00000000", "12.50000000"]);
  assert.equal(info.baseAsset, "LRC");
  assert.equal(info.quoteAsset, "BTC");
  assert.deepEqual(info.filters[0], {
    filterType: "PRICE_FILTER",
    minPrice: "0.00000001",
    maxPrice: "1000000.00000000",
    tickSize: "0.00000001",
  });
  assert.equal(info.filters[1]!["stepSize"], "0.10000000");
});
