import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { dec } from "../core/index.ts";
import {
  checkDailyTrades,
  checkExposure,
  checkInstrumentFilters,
  checkOrderNotional,
  checkPositionLimit,
  checkReduceOnly,
  checkTradingState,
  dailyLossLevel,
  isDenial,
  isReducing,
  lossFromPnl,
  lossLevelOf,
  lossRatio,
  lossThresholds,
  pnlLossLevel,
  reducingQuantity,
  stricterState,
} from "./risk-checks.ts";
import { DenialReason, TradingState } from "./risk-events.ts";
import { btcInstrument } from "./test-support/risk-harness.ts";

const inst = btcInstrument();

describe("risk checks (pure)", () => {
  it("reducingQuantity and isReducing follow the position's sign", () => {
    assert.equal(reducingQuantity(dec("1"), "SELL", dec("0.4")).toString(), "0.4");
    assert.equal(reducingQuantity(dec("1"), "SELL", dec("3")).toString(), "1");
    assert.equal(reducingQuantity(dec("1"), "BUY", dec("1")).toString(), "0");
    assert.equal(reducingQuantity(dec("-2"), "BUY", dec("1")).toString(), "1");
    assert.equal(reducingQuantity(dec("0"), "SELL", dec("1")).toString(), "0");
    assert.equal(isReducing(dec("1"), "SELL", dec("1")), true);
    assert.equal(isReducing(dec("1"), "SELL", dec("1.1")), false);
    assert.equal(isReducing(dec("0"), "BUY", dec("1")), false);
  });

  it("trading state: HALTED denies all, REDUCING only non-reducing orders", () => {
    assert.equal(checkTradingState(TradingState.Active, false), undefined);
    assert.equal(checkTradingState(TradingState.Halted, true)?.reason, DenialReason.TradingHalted);
    assert.equal(checkTradingState(TradingState.Reducing, false)?.reason, DenialReason.TradingReducing);
    assert.equal(checkTradingState(TradingState.Reducing, true), undefined);
    assert.equal(stricterState(TradingState.Active, TradingState.Reducing), TradingState.Reducing);
    assert.equal(stricterState(TradingState.Halted, TradingState.Reducing), TradingState.Halted);
    assert.equal(stricterState(TradingState.Active, TradingState.Active), TradingState.Active);
  });

  it("reduce-only: denies growth, passes reductions, clips or rejects an oversize order", () => {
    const grow = checkReduceOnly(inst, dec("1"), "BUY", dec("0.5"), "clip");
    assert.ok(isDenial(grow));
    assert.equal(grow.reason, DenialReason.ReduceOnly);
    const flat = checkReduceOnly(inst, dec("0"), "SELL", dec("0.5"), "clip");
    assert.ok(isDenial(flat));
    const ok = checkReduceOnly(inst, dec("1"), "SELL", dec("0.5"), "clip");
    assert.ok(!isDenial(ok));
    assert.equal(ok.quantity.toString(), "0.5");
    const clipped = checkReduceOnly(inst, dec("-0.123456"), "BUY", dec("1"), "clip");
    assert.ok(!isDenial(clipped));
    assert.equal(clipped.quantity.toString(), "0.12345"); // down to the step 0.00001
    const rejected = checkReduceOnly(inst, dec("1"), "SELL", dec("2"), "reject");
    assert.ok(isDenial(rejected));
    assert.match(rejected.detail, /exceeds position 1/);
    const dust = checkReduceOnly(inst, dec("0.000001"), "SELL", dec("1"), "clip");
    assert.ok(isDenial(dust));
    const custom = checkReduceOnly(inst, dec("1"), "BUY", dec("1"), "clip", DenialReason.TradingReducing);
    assert.ok(isDenial(custom));
    assert.equal(custom.reason, DenialReason.TradingReducing);
  });

  it("order notional min and max", () => {
    assert.equal(checkOrderNotional(dec("10"), dec("10"), dec("100")), undefined);
    assert.equal(checkOrderNotional(dec("9.99"), dec("10"), undefined)?.reason, DenialReason.MinNotional);
    assert.equal(checkOrderNotional(dec("100.01"), undefined, dec("100"))?.reason, DenialReason.MaxNotional);
    assert.equal(checkOrderNotional(dec("1000"), undefined, undefined), undefined);
  });

  it("position limit: passes within, clips to the room left, rejects in reject mode", () => {
    const within = checkPositionLimit(inst, dec("0.5"), "BUY", dec("0.5"), dec("1"), "reject");
    assert.ok(!isDenial(within));
    const over = checkPositionLimit(inst, dec("0.5"), "BUY", dec("0.7"), dec("1"), "reject");
    assert.ok(isDenial(over));
    assert.equal(over.reason, DenialReason.PositionLimit);
    const clip = checkPositionLimit(inst, dec("0.5"), "BUY", dec("0.7"), dec("1"), "clip");
    assert.ok(!isDenial(clip));
    assert.equal(clip.quantity.toString(), "0.5");
    const shortClip = checkPositionLimit(inst, dec("-0.25"), "SELL", dec("5"), dec("1"), "clip");
    assert.ok(!isDenial(shortClip));
    assert.equal(shortClip.quantity.toString(), "0.75");
    const full = checkPositionLimit(inst, dec("1"), "BUY", dec("0.1"), dec("1"), "clip");
    assert.ok(isDenial(full));
    assert.match(full.detail, /no room left/);
    // Already above the limit (limit lowered): an order that shrinks the position passes.
    const shrinking = checkPositionLimit(inst, dec("3"), "SELL", dec("1"), dec("1"), "reject");
    assert.ok(!isDenial(shrinking));
    // A flip from long 0.5 to short 1.5 with limit 1: clipped to the room on the short side (1.5).
    const flip = checkPositionLimit(inst, dec("0.5"), "SELL", dec("2"), dec("1"), "clip");
    assert.ok(!isDenial(flip));
    assert.equal(flip.quantity.toString(), "1.5");
  });

  it("exposure counts positions, pending orders and the order", () => {
    assert.equal(checkExposure(dec("600"), dec("300"), dec("100"), dec("1000")), undefined);
    const d = checkExposure(dec("600"), dec("300"), dec("100.01"), dec("1000"));
    assert.equal(d?.reason, DenialReason.ExposureLimit);
    assert.match(d?.detail ?? "", /pending 300/);
    // An order that adds nothing (pure reduction) passes even when already over.
    assert.equal(checkExposure(dec("2000"), dec("0"), dec("0"), dec("1000")), undefined);
  });

  it("daily trades", () => {
    assert.equal(checkDailyTrades(2, 3), undefined);
    assert.equal(checkDailyTrades(3, 3)?.reason, DenialReason.DailyTrades);
    assert.equal(checkDailyTrades(0, 0)?.reason, DenialReason.DailyTrades);
  });

  it("daily loss levels at 80 / 90 / 100 %", () => {
    const max = dec("100");
    const w = dec("0.8");
    const s = dec("0.9");
    assert.equal(dailyLossLevel(dec("79.99"), max, w, s), "OK");
    assert.equal(dailyLossLevel(dec("80"), max, w, s), "WARN");
    assert.equal(dailyLossLevel(dec("89.99"), max, w, s), "WARN");
    assert.equal(dailyLossLevel(dec("90"), max, w, s), "SCALE");
    assert.equal(dailyLossLevel(dec("99.99"), max, w, s), "SCALE");
    assert.equal(dailyLossLevel(dec("100"), max, w, s), "BREACH");
    assert.equal(dailyLossLevel(dec("0"), dec("0"), w, s), "BREACH");
    assert.equal(lossFromPnl(dec("-12.5")).toString(), "12.5");
    assert.equal(lossFromPnl(dec("3")).toString(), "0");
    assert.equal(lossRatio(dec("85"), max), "0.8500");
  });

  it("thresholds worked out once give the same levels, from a loss or straight from the day's PnL", () => {
    const w = dec("0.8");
    const s = dec("0.9");
    const t = lossThresholds(dec("100.000001"), w, s);
    assert.equal(t.warn.toString(), "80.0000008");
    assert.equal(t.scale.toString(), "90.0000009");
    for (const max of ["100", "100.000001", "0", "0.000000000000000003"]) {
      const m = dec(max);
      const th = lossThresholds(m, w, s);
      for (const pnl of [
        "12",
        "0",
        "-0.000000000000000001",
        "-79.99",
        "-80",
        "-90.0000009",
        "-100",
        "-250",
      ]) {
        const expected = dailyLossLevel(lossFromPnl(dec(pnl)), m, w, s);
        assert.equal(lossLevelOf(lossFromPnl(dec(pnl)), th), expected, `max ${max} pnl ${pnl}`);
        assert.equal(pnlLossLevel(dec(pnl), th), expected, `max ${max} pnl ${pnl}`);
      }
    }
    assert.equal(pnlLossLevel(dec("-90"), lossThresholds(dec("100"), w, s)), "SCALE");
    assert.equal(
      pnlLossLevel(dec("5"), lossThresholds(dec("0"), w, s)),
      "BREACH",
      "a zero limit is breached",
    );
  });

  it("instrument filters, including min notional for market orders", () => {
    assert.equal(checkInstrumentFilters(inst, dec("0.001"), dec("50000"), dec("50000")), undefined);
    assert.match(
      checkInstrumentFilters(inst, dec("0.001"), dec("50000.005"), dec("50000"))?.detail ?? "",
      /tickSize/,
    );
    assert.match(
      checkInstrumentFilters(inst, dec("0.000015"), undefined, dec("50000"))?.detail ?? "",
      /stepSize/,
    );
    const market = checkInstrumentFilters(inst, dec("0.00001"), undefined, dec("50000"));
    assert.equal(market?.reason, DenialReason.Filter);
    assert.match(market?.detail ?? "", /minNotional 5/);
    const capped = { ...inst, maxNotional: dec("1000") };
    assert.match(
      checkInstrumentFilters(capped, dec("1"), undefined, dec("50000"))?.detail ?? "",
      /maxNotional/,
    );
  });
});
