import assert from "node:assert/strict";
import { test } from "node:test";
import { dec, isDesError } from "../core/index.ts";
import { checkFilters, parseExchangeInfo, roundPrice, roundQuantity } from "./instrument.ts";

const info = {
  symbols: [
    {
      symbol: "BTCUSDT",
      status: "TRADING",
      baseAsset: "BTC",
      quoteAsset: "USDT",
      filters: [
        {
          filterType: "PRICE_FILTER",
          minPrice: "0.01000000",
          maxPrice: "1000000.00000000",
          tickSize: "0.01000000",
        },
        { filterType: "LOT_SIZE", minQty: "0.00001000", maxQty: "9000.00000000", stepSize: "0.00001000" },
        {
          filterType: "NOTIONAL",
          minNotional: "5.00000000",
          applyMinToMarket: true,
          maxNotional: "9000000.00000000",
        },
      ],
    },
  ],
};

test("exchangeInfo filters become instrument fields", () => {
  const btc = parseExchangeInfo(info).get("BTCUSDT" as never)!;
  assert.equal(btc.tickSize.toString(), "0.01");
  assert.equal(btc.stepSize.toString(), "0.00001");
  assert.equal(btc.minNotional.toString(), "5");
  assert.equal(btc.baseAsset, "BTC");
});

test("filters: conforming orders pass, each breach is named", () => {
  const btc = parseExchangeInfo(info).get("BTCUSDT" as never)!;
  assert.equal(checkFilters(btc, dec("0.001"), dec("27000.01")), undefined);
  assert.match(checkFilters(btc, dec("0.000001"), dec("27000"))!, /minQty/);
  assert.match(checkFilters(btc, dec("0.000015"), dec("27000"))!, /stepSize/);
  assert.match(checkFilters(btc, dec("0.001"), dec("27000.001"))!, /tickSize/);
  assert.match(checkFilters(btc, dec("0.0001"), dec("20000"))!, /minNotional/);
  assert.match(checkFilters(btc, dec("0.001"), dec("0.001"))!, /minPrice/);
  assert.match(checkFilters(btc, dec("0.001"), dec("2000000"))!, /maxPrice/);
  assert.equal(roundQuantity(btc, dec("0.0123456")).toString(), "0.01234");
  assert.equal(roundPrice(btc, dec("27000.005")).toString(), "27000");
});

test("a malformed exchangeInfo is a coded error", () => {
  assert.throws(
    () => parseExchangeInfo({} as never),
    (e: unknown) => isDesError(e, "DES_ERR_INVALID_INSTRUMENT"),
  );
  const bad = { symbols: [{ ...info.symbols[0]!, filters: [{ filterType: "LOT_SIZE", stepSize: 0.1 }] }] };
  assert.throws(
    () => parseExchangeInfo(bad as never),
    (e: unknown) => isDesError(e, "DES_ERR_INVALID_INSTRUMENT") && /stepSize/.test(e.message),
  );
});

test("tick and step rules are price % tickSize and quantity % stepSize (Binance since 2022/2023), not offsets from the minimum", () => {
  const odd = parseExchangeInfo({
    symbols: [
      {
        ...info.symbols[0]!,
        filters: [
          { filterType: "PRICE_FILTER", minPrice: "0.005", maxPrice: "0", tickSize: "0.01" },
          { filterType: "LOT_SIZE", minQty: "0.015", maxQty: "0", stepSize: "0.01" },
        ],
      },
    ],
  }).get("BTCUSDT" as never)!;
  assert.equal(checkFilters(odd, dec("0.02"), dec("100.01")), undefined);
  assert.match(checkFilters(odd, dec("0.025"), dec("100"))!, /stepSize/);
  assert.match(checkFilters(odd, dec("0.02"), dec("100.015"))!, /tickSize/);
});
