import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DesError, ErrorCode } from "../core/index.ts";
import { parseRiskConfig, strategyLimitsFor } from "./risk-config.ts";

function errorOf(raw: unknown): DesError {
  try {
    parseRiskConfig(raw);
  } catch (e) {
    assert.ok(e instanceof DesError);
    return e;
  }
  assert.fail("expected the config to be rejected");
}

describe("risk config", () => {
  it("applies defaults", () => {
    const c = parseRiskConfig({});
    assert.equal(c.dayBoundaryOffsetMinutes, 0);
    assert.deepEqual(c.softLimits, { warnRatio: 0.8, scaleRatio: 0.9, scaleFactor: 0.5 });
    assert.equal(c.global.positionLimitMode, "reject");
    assert.equal(c.global.reduceOnlyMode, "clip");
    assert.equal(c.global.haltOnDailyLoss, false);
    assert.equal(c.account.haltAllOnDailyLoss, false);
  });

  it("merges a strategy's override over the global limits", () => {
    const c = parseRiskConfig({
      global: { maxPosition: "1", maxOrderNotional: "1000" },
      strategies: { s1: { maxPosition: "2", positionLimitMode: "clip" } },
    });
    const s1 = strategyLimitsFor(c, "s1");
    assert.equal(s1.maxPosition?.toString(), "2");
    assert.equal(s1.maxOrderNotional?.toString(), "1000");
    assert.equal(s1.positionLimitMode, "clip");
    assert.equal(strategyLimitsFor(c, "other").maxPosition?.toString(), "1");
  });

  it("rejects invalid values with a message naming the key", () => {
    const e = errorOf({ strategies: { s1: { maxPosition: 3 } } });
    assert.equal(e.code, ErrorCode.InvalidConfig);
    assert.match(e.message, /strategies\.s1\.maxPosition/);
    assert.match(errorOf({ global: { maxDailyLoss: "-5" } }).message, /global\.maxDailyLoss/);
    assert.match(errorOf({ global: { maxOrderNotional: "1.5e3" } }).message, /global\.maxOrderNotional/);
    assert.match(errorOf({ global: { positionLimitMode: "cut" } }).message, /global\.positionLimitMode/);
    assert.match(errorOf({ softLimits: { warnRatio: 0.95 } }).message, /softLimits\.warnRatio/);
    assert.match(errorOf({ softLimits: { scaleFactor: 0 } }).message, /softLimits\.scaleFactor/);
    assert.match(errorOf({ dayBoundaryOffsetMinutes: 1440 }).message, /dayBoundaryOffsetMinutes/);
    assert.match(errorOf({ global: { maxOrdersPerSecond: 1.5 } }).message, /global\.maxOrdersPerSecond/);
    assert.match(errorOf({ global: { maxPositon: "1" } }).message, /maxPositon/);
    assert.match(errorOf(null).message, /invalid risk config/);
  });
});
