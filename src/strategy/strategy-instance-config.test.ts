import assert from "node:assert/strict";
import { test } from "node:test";
import { z } from "zod";
import { ErrorCode, isDesError } from "../core/index.ts";
import { parseStrategyInstanceConfig } from "./strategy-instance-config.ts";
import { parseStrategyParams } from "./strategy-params.ts";

test("a valid entry gets its defaults: inline, enabled, empty params", () => {
  const c = parseStrategyInstanceConfig({
    id: "ma-1",
    strategy: "ma_cross",
    instrument: "BTCUSDT",
    interval: "15m",
  });
  assert.deepEqual(
    { ...c },
    {
      id: "ma-1",
      strategy: "ma_cross",
      instrument: "BTCUSDT",
      interval: "15m",
      params: {},
      mode: "inline",
      enabled: true,
      timeBudgetMs: undefined,
      protection: undefined,
      profitTarget: undefined,
      maxLoss: undefined,
    },
  );
  assert.ok(Object.isFrozen(c));
});

test("protection, profitTarget and maxLoss are parsed into exact decimals with their defaults", () => {
  const c = parseStrategyInstanceConfig({
    id: "ma-1",
    strategy: "ma_cross",
    instrument: "BTCUSDT",
    interval: "1m",
    protection: {
      stopLoss: { percent: "2.5" },
      takeProfit: { price: "45000" },
      trailingStop: { percent: "1" },
    },
    profitTarget: { amount: "100" },
    maxLoss: { amount: "50.5", flatten: true },
  });
  assert.equal(c.protection?.mode, "emulated");
  assert.equal(c.protection?.stopLoss?.percent?.toString(), "2.5");
  assert.equal(c.protection?.stopLoss?.price, undefined);
  assert.equal(c.protection?.takeProfit?.price?.toString(), "45000");
  assert.equal(c.protection?.trailingStop?.percent.toString(), "1");
  assert.deepEqual([c.profitTarget?.amount.toString(), c.profitTarget?.flatten], ["100", false]);
  assert.deepEqual([c.maxLoss?.amount.toString(), c.maxLoss?.flatten], ["50.5", true]);
  assert.ok(
    Object.isFrozen(c.protection) && Object.isFrozen(c.protection?.stopLoss) && Object.isFrozen(c.maxLoss),
  );
  const native = parseStrategyInstanceConfig({
    id: "ma-2",
    strategy: "ma_cross",
    instrument: "BTCUSDT",
    interval: "1m",
    protection: { stopLoss: { price: "40000" }, mode: "native" },
  });
  assert.equal(native.protection?.mode, "native");
});

test("bad protection and PnL limits are DES_ERR_INVALID_CONFIG naming the nested key", () => {
  const base = { id: "ma-1", strategy: "ma_cross", instrument: "BTCUSDT", interval: "1m" };
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [
      { ...base, protection: { stopLoss: { percent: "100" } } },
      /protection\.stopLoss\.percent = "100" .*\(0, 100\)/,
    ],
    [
      { ...base, protection: { stopLoss: { percent: 2 } } },
      /protection\.stopLoss\.percent = 2 .*write it as a string/,
    ],
    [
      { ...base, protection: { stopLoss: { percent: "2", price: "1" } } },
      /protection\.stopLoss = .*exactly one of percent or price/,
    ],
    [
      { ...base, protection: { takeProfit: { price: "0" } } },
      /protection\.takeProfit\.price = "0" .*greater than 0/,
    ],
    [
      { ...base, protection: { trailingStop: { percent: "-1" } } },
      /protection\.trailingStop\.percent = "-1"/,
    ],
    [{ ...base, protection: { stopLoss: { percent: "2" }, mode: "venue" } }, /protection\.mode = "venue"/],
    [{ ...base, protection: { stoploss: { percent: "2" } } }, /protection\.stoploss = .*[Uu]nrecognized/],
    [{ ...base, protection: {} }, /protection = \{\} .*at least one of stopLoss/],
    [{ ...base, profitTarget: { amount: "-5" } }, /profitTarget\.amount = "-5" .*greater than 0/],
    [{ ...base, profitTarget: "100" }, /profitTarget = "100"/],
    [{ ...base, maxLoss: { amount: "5", flatten: "yes" } }, /maxLoss\.flatten = "yes"/],
  ];
  for (const [raw, pattern] of cases) {
    assert.throws(
      () => parseStrategyInstanceConfig(raw),
      (e: unknown) => isDesError(e, ErrorCode.InvalidConfig) && pattern.test(e.message),
      JSON.stringify(raw),
    );
  }
});

test("each bad field is DES_ERR_INVALID_CONFIG naming the instance, the key, the value and the expectation", () => {
  const base = { id: "ma-1", strategy: "ma_cross", instrument: "BTCUSDT", interval: "1m" };
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ ...base, instrument: "btcusdt" }, /instrument = "btcusdt" .*symbol/],
    [{ ...base, mode: "thread" }, /mode = "thread"/],
    [{ ...base, timeBudgetMs: -5 }, /timeBudgetMs = -5/],
    [{ ...base, enabled: "yes" }, /enabled = "yes"/],
    [{ ...base, colour: "red" }, /colour = "red" .*[Uu]nrecognized/],
    [{ ...base, id: "has space" }, /"has space".*id = "has space"/],
  ];
  for (const [raw, pattern] of cases) {
    assert.throws(
      () => parseStrategyInstanceConfig(raw),
      (e: unknown) => isDesError(e, ErrorCode.InvalidConfig) && pattern.test(e.message),
      JSON.stringify(raw),
    );
  }
  assert.throws(
    () => parseStrategyInstanceConfig(null),
    (e: unknown) => isDesError(e, ErrorCode.InvalidConfig),
  );
});

test("parameter errors name the instance, the key path, the value and the expectation", () => {
  const schema = z.object({ levels: z.array(z.number().positive()), size: z.string() }).strict();
  try {
    parseStrategyParams(schema, { levels: [1, -2], size: "1" }, "grid-1");
    assert.fail("expected an error");
  } catch (e) {
    assert.ok(isDesError(e, ErrorCode.InvalidStrategyParams));
    assert.match(e.message, /^strategy instance "grid-1": parameter levels\.1 = -2 is invalid: .*>0/);
    assert.equal(e.details.key, "levels.1");
  }
  assert.throws(
    () => parseStrategyParams(schema, { levels: [], size: "1", sise: 2 }, "grid-1"),
    (e: unknown) => isDesError(e, ErrorCode.InvalidStrategyParams) && /parameter sise = 2/.test(e.message),
  );
  assert.deepEqual(parseStrategyParams(schema, { levels: [1], size: "2" }, "g"), { levels: [1], size: "2" });
});
