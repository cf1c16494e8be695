import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  accountId,
  DesError,
  dec,
  ErrorCode,
  instrumentId,
  strategyId,
  type UnixMicros,
} from "../../core/index.ts";
import { CacheKeyspace } from "./cache-keyspace.ts";
import { DEFAULT_DES_CACHE_TTLS, DesStateCache } from "./des-state-cache.ts";
import { ResilientCache } from "./resilient-cache.ts";

const BTC = instrumentId("BTCUSDT");
const ETH = instrumentId("ETHUSDT");
const TS = 1_700_000_000_123_456 as UnixMicros;

function localState(namespace?: string) {
  const cache = new ResilientCache({ local: { sweepIntervalMs: 0 } });
  return { cache, state: new DesStateCache(cache, namespace === undefined ? {} : { namespace }) };
}

describe("CacheKeyspace", () => {
  it("builds des:<namespace>:<kind>:<id> keys", () => {
    const keys = new CacheKeyspace("prod-eu");
    assert.equal(keys.lastPrice("BTCUSDT"), "des:prod-eu:price:BTCUSDT");
    assert.equal(keys.positions("ma-cross-1"), "des:prod-eu:positions:ma-cross-1");
    assert.equal(keys.balances("binance-main"), "des:prod-eu:balances:binance-main");
    assert.equal(keys.strategyStatus("rsi.2"), "des:prod-eu:strategy-status:rsi.2");
    assert.equal(keys.scanPattern(), "des:prod-eu:*");
    assert.equal(new CacheKeyspace().prefix, "des:default:");
  });

  it("rejects a namespace that could break the key layout or a SCAN pattern", () => {
    for (const bad of ["", "a:b", "a*", "x".repeat(65), "sp ace"]) {
      assert.throws(
        () => new CacheKeyspace(bad),
        (e: unknown) => e instanceof DesError && e.code === ErrorCode.InvalidConfig,
        bad,
      );
    }
  });
});

describe("DesStateCache", () => {
  it("round-trips a last price exactly, as JSON with the decimal as a string", async () => {
    const { cache, state } = localState();
    state.putLastPrice({ instrumentId: BTC, price: dec("65000.123456789012345678"), ts: TS });
    const raw = cache.local.get("des:default:price:BTCUSDT");
    assert.deepEqual(JSON.parse(raw!), {
      v: 1,
      instrumentId: "BTCUSDT",
      price: "65000.123456789012345678",
      ts: TS,
    });
    const back = await state.getLastPrice(BTC);
    assert.equal(back?.price.toString(), "65000.123456789012345678");
    assert.equal(back?.ts, TS);
    const both = await state.getLastPrices([ETH, BTC]);
    assert.equal(both[0], undefined);
    assert.equal(both[1]?.instrumentId, BTC);
  });

  it("round-trips positions, balances and strategy statuses", async () => {
    const { state } = localState();
    state.putPositions({
      bookId: "ma-cross-1",
      ts: TS,
      positions: [
        {
          instrumentId: BTC,
          quantity: dec("-0.5"),
          averagePrice: dec("64000.5"),
          realizedPnl: dec("12.25"),
          fees: { USDT: dec("0.1"), BNB: dec("0.0001") },
        },
      ],
    });
    const positions = await state.getPositions("ma-cross-1");
    assert.equal(positions?.positions.length, 1);
    const p = positions!.positions[0]!;
    assert.deepEqual(
      [p.quantity.toString(), p.averagePrice.toString(), p.realizedPnl.toString(), p.fees["BNB"]?.toString()],
      ["-0.5", "64000.5", "12.25", "0.0001"],
    );

    const account = accountId("paper");
    state.putBalances({
      accountId: account,
      ts: TS,
      balances: [{ asset: "USDT", free: dec("100"), locked: dec("5.5") }],
    });
    const balances = await state.getBalances(account);
    assert.equal(balances?.balances[0]?.locked.toString(), "5.5");

    const s1 = strategyId("s1");
    const s2 = strategyId("s2");
    state.putStrategyStatus({ strategyId: s1, status: "RUNNING", ts: TS });
    state.putStrategyStatus({ strategyId: s2, status: "FAILED", detail: "timeout", ts: TS });
    const statuses = await state.getStrategyStatuses([s1, s2, strategyId("s3")]);
    assert.deepEqual(
      statuses.map((s) => s && [s.status, s.detail]),
      [["RUNNING", undefined], ["FAILED", "timeout"], undefined],
    );
    state.deleteStrategyStatus(s1);
    assert.equal(await state.getStrategyStatus(s1), undefined);
  });

  it("uses the configured TTLs", () => {
    const { cache, state } = localState();
    state.putLastPrice({ instrumentId: BTC, price: dec("1"), ts: TS });
    const left = cache.local.remainingTtlMs(state.keys.lastPrice(BTC))!;
    assert.ok(
      left > DEFAULT_DES_CACHE_TTLS.lastPriceMs - 1_000 && left <= DEFAULT_DES_CACHE_TTLS.lastPriceMs,
    );
    const custom = new DesStateCache(cache, { ttls: { positionsMs: 5_000 } });
    assert.equal(custom.ttls.positionsMs, 5_000);
    assert.equal(custom.ttls.balancesMs, DEFAULT_DES_CACHE_TTLS.balancesMs);
  });

  it("keeps namespaces apart", async () => {
    const cache = new ResilientCache({ local: { sweepIntervalMs: 0 } });
    const a = new DesStateCache(cache, { namespace: "a" });
    const b = new DesStateCache(cache, { namespace: "b" });
    a.putLastPrice({ instrumentId: BTC, price: dec("1"), ts: TS });
    assert.equal(await b.getLastPrice(BTC), undefined);
    assert.equal((await a.getLastPrice(BTC))?.price.toString(), "1");
  });

  it("reads a value it cannot decode as absent, and counts it", async () => {
    const { cache, state } = localState();
    const key = state.keys.lastPrice(BTC);
    for (const bad of [
      "not json",
      "[]",
      JSON.stringify({ v: 2, instrumentId: "BTCUSDT", price: "1", ts: 1 }),
      JSON.stringify({ v: 1, instrumentId: "BTCUSDT", price: 1.5, ts: 1 }),
      JSON.stringify({ v: 1, instrumentId: "BTCUSDT", price: "1e5", ts: 1 }),
      JSON.stringify({ v: 1, instrumentId: "BTCUSDT", price: "1", ts: 1.5 }),
    ]) {
      cache.set(key, bad, 1_000);
      assert.equal(await state.getLastPrice(BTC), undefined, bad);
    }
    assert.equal(state.decodeErrors, 6);
  });
});
