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
    },
  );
  assert.ok(Object.isFrozen(c));
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
