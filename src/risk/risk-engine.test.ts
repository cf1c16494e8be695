import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DesError, dec, ErrorCode, instrumentId, MICROS_PER_HOUR } from "../core/index.ts";
import type { RiskDecision } from "./risk-engine.ts";
import { DenialReason, type RiskEvent, TradingState } from "./risk-events.ts";
import { BTC, harness, intent, S1, S2 } from "./test-support/risk-harness.ts";

function denied(d: RiskDecision): string {
  assert.equal(d.allowed, false, "expected a denial");
  return d.allowed ? "" : d.denial.reason;
}
function allowedQty(d: RiskDecision): string {
  assert.ok(d.allowed, d.allowed ? "" : `denied: ${d.denial.reason} ${d.denial.detail}`);
  return d.quantity.toString();
}
const kinds = (events: RiskEvent[]) =>
  events.map((e) => (e.kind === "RiskLimitWarning" ? `${e.scope}:${e.level}` : e.kind));
const fill = (pnl: string, s = S1) => ({ strategyId: s, instrumentId: BTC, realizedPnlDelta: dec(pnl) });

describe("RiskEngine", () => {
  it("allows a conforming order unchanged and denies (as an event) a non-conforming one", () => {
    const { engine, ctx, events } = harness();
    assert.equal(allowedQty(engine.check(intent(), ctx)), "0.01");
    const d = engine.check(intent({ price: dec("50000.001") }), ctx);
    assert.equal(denied(d), DenialReason.Filter);
    assert.equal(events.length, 1);
    const e = events[0];
    assert.ok(e?.kind === "OrderDenied");
    assert.equal(e.strategyId, S1);
    assert.match(e.detail, /tickSize/);
    assert.equal(denied(engine.check(intent({ quantity: dec("0.00009") }), ctx)), DenialReason.Filter); // notional 4.5 < 5
    assert.equal(
      denied(engine.check(intent({ instrumentId: instrumentId("ETHUSDT") }), ctx)),
      DenialReason.UnknownInstrument,
    );
    assert.equal(denied(engine.check(intent({ price: undefined }), ctx)), DenialReason.Filter);
    ctx.marks.clear();
    assert.equal(
      denied(engine.check(intent({ type: "MARKET", price: undefined }), ctx)),
      DenialReason.NoPrice,
    );
    assert.equal(
      allowedQty(
        engine.check(intent({ type: "MARKET", price: undefined, referencePrice: dec("50000") }), ctx),
      ),
      "0.01",
    );
    assert.equal(engine.denialCounts().get(DenialReason.Filter), 3);
  });

  it("order notional min / max", () => {
    const { engine, ctx } = harness({ global: { minOrderNotional: "100", maxOrderNotional: "1000" } });
    assert.equal(denied(engine.check(intent({ quantity: dec("0.001") }), ctx)), DenialReason.MinNotional); // 50
    assert.equal(allowedQty(engine.check(intent({ quantity: dec("0.002") }), ctx)), "0.002"); // 100
    assert.equal(denied(engine.check(intent({ quantity: dec("0.03") }), ctx)), DenialReason.MaxNotional); // 1500
  });

  it("position limit: reject mode vs clip mode, per-strategy override", () => {
    const { engine, ctx } = harness({
      global: { maxPosition: "0.1" },
      strategies: { s2: { positionLimitMode: "clip" } },
    });
    ctx.setPosition(S1, "0.095");
    ctx.setPosition(S2, "0.095");
    assert.equal(denied(engine.check(intent({ quantity: dec("0.01") }), ctx)), DenialReason.PositionLimit);
    const clipped = engine.check(intent({ strategyId: S2, quantity: dec("0.01"), price: dec("1000") }), ctx);
    assert.equal(allowedQty(clipped), "0.005");
    assert.ok(clipped.allowed);
    assert.deepEqual(
      clipped.adjustments.map((a) => [a.kind, a.from.toString(), a.to.toString()]),
      [["POSITION_CLIP", "0.01", "0.005"]],
    );
    // Clipped below the instrument's min notional -> FILTER, saying it was after the clip.
    const tooSmall = engine.check(intent({ strategyId: S2, quantity: dec("0.01"), price: dec("500") }), ctx);
    assert.equal(denied(tooSmall), DenialReason.Filter);
    assert.ok(!tooSmall.allowed && /after POSITION_CLIP/.test(tooSmall.denial.detail));
  });

  it("account position limit uses accountPosition when the context has it", () => {
    const { engine, ctx } = harness({ account: { maxPosition: "1" } });
    assert.equal(allowedQty(engine.check(intent({ quantity: dec("0.5") }), ctx)), "0.5"); // no accountPosition: skipped
    ctx.accountPositions = new Map([[BTC, dec("0.8")]]);
    Object.assign(ctx, { accountPosition: (i: string) => ctx.accountPositions?.get(i) ?? dec("0") });
    assert.equal(denied(engine.check(intent({ quantity: dec("0.5") }), ctx)), DenialReason.PositionLimit);
  });

  it("exposure includes pending orders, per strategy and for the account", () => {
    const { engine, ctx } = harness({ global: { maxExposure: "2000" }, account: { maxExposure: "5000" } });
    ctx.exposures.set(S1, dec("1000"));
    ctx.pending.set(S1, dec("400"));
    assert.equal(allowedQty(engine.check(intent({ quantity: dec("0.012") }), ctx)), "0.012"); // +600 = 2000
    ctx.pending.set(S1, dec("401"));
    const d = engine.check(intent({ quantity: dec("0.012") }), ctx);
    assert.equal(denied(d), DenialReason.ExposureLimit);
    assert.ok(!d.allowed && /pending 401/.test(d.denial.detail));
    // The account total counts every strategy's positions and pending orders.
    ctx.exposures.set("*", dec("4000"));
    ctx.pending.set("*", dec("500"));
    assert.equal(
      denied(engine.check(intent({ strategyId: S2, quantity: dec("0.012") }), ctx)),
      DenialReason.ExposureLimit,
    );
    // Reducing a position adds no exposure, whatever the totals.
    ctx.setPosition(S1, "0.5");
    assert.equal(allowedQty(engine.check(intent({ side: "SELL", quantity: dec("0.2") }), ctx)), "0.2");
  });

  it("daily trade count, per strategy and for the account", () => {
    const { engine, ctx } = harness({ global: { maxDailyTrades: 2 }, account: { maxDailyTrades: 3 } });
    engine.onFill(fill("0"));
    assert.equal(allowedQty(engine.check(intent(), ctx)), "0.01");
    engine.onFill(fill("0"));
    assert.equal(denied(engine.check(intent(), ctx)), DenialReason.DailyTrades);
    assert.equal(allowedQty(engine.check(intent({ strategyId: S2 }), ctx)), "0.01");
    engine.onFill(fill("0", S2));
    assert.equal(denied(engine.check(intent({ strategyId: S2 }), ctx)), DenialReason.DailyTrades); // account 3/3
    assert.equal(engine.dailyCounters().trades, 3);
  });

  it("daily loss soft limits: warning at 80 % once, scaled at 90 %, rejected and halted at 100 %", () => {
    const { engine, ctx, events } = harness({
      global: { maxDailyLoss: "100", haltOnDailyLoss: true },
      softLimits: { scaleFactor: 0.5 },
    });
    engine.onFill(fill("-79.99"));
    assert.deepEqual(kinds(events), []);
    engine.onFill(fill("-0.01"));
    assert.deepEqual(kinds(events), ["strategy:WARN"]);
    assert.equal(allowedQty(engine.check(intent(), ctx)), "0.01");
    engine.onFill(fill("-1"));
    assert.deepEqual(kinds(events), ["strategy:WARN"], "the warning is emitted once");
    engine.onFill(fill("-9"));
    const scaled = engine.check(intent({ quantity: dec("0.00333") }), ctx);
    assert.equal(allowedQty(scaled), "0.00166"); // 0.001665 rounded down to the step
    assert.ok(scaled.allowed && scaled.adjustments[0]?.kind === "DAILY_LOSS_SCALE");
    engine.onFill(fill("5")); // a winning fill brings the net loss back to 85: warn level, no scaling
    assert.equal(allowedQty(engine.check(intent({ quantity: dec("0.00333") }), ctx)), "0.00333");
    engine.onFill(fill("-15"));
    assert.deepEqual(kinds(events), [
      "strategy:WARN",
      "strategy:SCALE",
      "strategy:BREACH",
      "TradingStateChanged",
    ]);
    assert.equal(engine.tradingState(S1), TradingState.Halted);
    assert.equal(engine.tradingState(), TradingState.Active);
    engine.setTradingState(TradingState.Active, "operator resumes", S1);
    assert.equal(denied(engine.check(intent(), ctx)), DenialReason.DailyLoss);
    assert.equal(allowedQty(engine.check(intent({ strategyId: S2 }), ctx)), "0.01");
  });

  it("account daily loss breach halts every strategy when configured", () => {
    const { engine, ctx, events } = harness({ account: { maxDailyLoss: "50", haltAllOnDailyLoss: true } });
    engine.onFill(fill("-30"));
    engine.onFill(fill("-20", S2));
    assert.equal(engine.tradingState(), TradingState.Halted);
    const change = events.find((e) => e.kind === "TradingStateChanged");
    assert.ok(change?.kind === "TradingStateChanged" && change.scope === "global");
    assert.equal(denied(engine.check(intent({ strategyId: S2 }), ctx)), DenialReason.TradingHalted);
  });

  it("order rate: per-second and per-minute sliding windows on the injected clock", () => {
    const { engine, ctx, clock } = harness({ global: { maxOrdersPerSecond: 2, maxOrdersPerMinute: 3 } });
    assert.ok(engine.check(intent(), ctx).allowed);
    clock.advance(500);
    assert.ok(engine.check(intent(), ctx).allowed);
    assert.equal(denied(engine.check(intent(), ctx)), DenialReason.OrderRate);
    assert.ok(engine.check(intent({ strategyId: S2 }), ctx).allowed, "windows are per strategy");
    clock.advance(501); // the first order left the 1 s window
    assert.ok(engine.check(intent(), ctx).allowed);
    clock.advance(1000);
    const d = engine.check(intent(), ctx);
    assert.equal(denied(d), DenialReason.OrderRate);
    assert.ok(!d.allowed && /per minute/.test(d.denial.detail));
    clock.advance(58_000); // 60.001 s after the first order
    assert.ok(engine.check(intent(), ctx).allowed);
  });

  it("reduce-only: denies an increase, clips an oversize order or rejects it by config", () => {
    const { engine, ctx } = harness({ strategies: { s2: { reduceOnlyMode: "reject" } } });
    ctx.setPosition(S1, "0.3");
    ctx.setPosition(S2, "0.3");
    assert.equal(denied(engine.check(intent({ reduceOnly: true }), ctx)), DenialReason.ReduceOnly);
    const c = engine.check(intent({ side: "SELL", quantity: dec("0.5"), reduceOnly: true }), ctx);
    assert.equal(allowedQty(c), "0.3");
    assert.ok(c.allowed && c.adjustments[0]?.kind === "REDUCE_ONLY_CLIP");
    const r = engine.check(
      intent({ strategyId: S2, side: "SELL", quantity: dec("0.5"), reduceOnly: true }),
      ctx,
    );
    assert.equal(denied(r), DenialReason.ReduceOnly);
  });

  it("kill switch: REDUCING lets only reducing orders (and protective ones) through, HALTED nothing", () => {
    const { engine, ctx, events } = harness({ global: { maxDailyTrades: 0 } });
    ctx.setPosition(S1, "0.3");
    engine.setTradingState(TradingState.Reducing, "operator");
    engine.setTradingState(TradingState.Reducing, "again: no event");
    assert.equal(events.filter((e) => e.kind === "TradingStateChanged").length, 1);
    assert.equal(denied(engine.check(intent(), ctx)), DenialReason.TradingReducing);
    // A protective stop-loss that reduces passes even though the daily trade limit (0) is reached.
    const stop = intent({
      side: "SELL",
      type: "STOP_LOSS",
      price: undefined,
      stopPrice: dec("45000"),
      quantity: dec("0.3"),
      protective: true,
    });
    assert.equal(allowedQty(engine.check(stop, ctx)), "0.3");
    // A plain reducing order also passes in REDUCING, clipped to the position.
    assert.equal(allowedQty(engine.check(intent({ side: "SELL", quantity: dec("1") }), ctx)), "0.3");
    engine.setTradingState(TradingState.Halted, "panic", S1);
    assert.equal(engine.tradingState(S1), TradingState.Halted);
    assert.equal(denied(engine.check(stop, ctx)), DenialReason.TradingHalted);
    assert.equal(engine.tradingState(S2), TradingState.Reducing);
    engine.setTradingState(TradingState.Active, "resume");
    engine.setTradingState(TradingState.Active, "resume", S1);
    assert.equal(engine.tradingState(S1), TradingState.Active);
    assert.equal(denied(engine.check(intent(), ctx)), DenialReason.DailyTrades);
    assert.throws(
      () => engine.setTradingState("PAUSED" as TradingState, "x"),
      (e: unknown) => e instanceof DesError && e.code === ErrorCode.InvalidConfig,
    );
  });

  it("resets daily counters at UTC midnight", () => {
    const start = Date.UTC(2024, 0, 1, 23, 0) * 1000;
    const { engine, ctx, clock, events } = harness({ global: { maxDailyTrades: 1 } }, start);
    engine.onFill(fill("-5"));
    assert.equal(denied(engine.check(intent(), ctx)), DenialReason.DailyTrades);
    clock.advanceTo(Date.UTC(2024, 0, 1, 23, 59, 59, 999) * 1000);
    assert.equal(denied(engine.check(intent(), ctx)), DenialReason.DailyTrades);
    clock.advanceTo(Date.UTC(2024, 0, 2) * 1000);
    assert.equal(allowedQty(engine.check(intent(), ctx)), "0.01");
    assert.equal(engine.dailyCounters().realizedPnl.toString(), "0");
    const reset = events.find((e) => e.kind === "RiskDayReset");
    assert.ok(reset?.kind === "RiskDayReset" && reset.dayStart === Date.UTC(2024, 0, 2) * 1000);
  });

  it("resets at a configured offset boundary (05:00 UTC)", () => {
    const start = Date.UTC(2024, 0, 2, 1, 0) * 1000; // 01:00 UTC: still the day that began at 01-01 05:00
    const { engine, ctx, clock } = harness(
      { dayBoundaryOffsetMinutes: 300, global: { maxDailyTrades: 1 } },
      start,
    );
    assert.equal(engine.dayStart, Date.UTC(2024, 0, 1, 5) * 1000);
    engine.onFill(fill("0"));
    clock.advanceTo(Date.UTC(2024, 0, 2, 4, 59) * 1000);
    assert.equal(
      denied(engine.check(intent(), ctx)),
      DenialReason.DailyTrades,
      "UTC midnight is not the boundary",
    );
    clock.advanceTo(Date.UTC(2024, 0, 2, 5) * 1000);
    assert.equal(allowedQty(engine.check(intent(), ctx)), "0.01");
    assert.equal(engine.dayStart, Date.UTC(2024, 0, 2, 5) * 1000);
  });

  it("snapshot/restore keeps the counters on the same day and starts fresh on the next", () => {
    const config = { global: { maxDailyTrades: 2, maxDailyLoss: "100" } };
    const a = harness(config, Date.UTC(2024, 0, 1, 10) * 1000);
    a.engine.onFill(fill("-85"));
    a.engine.setTradingState(TradingState.Reducing, "operator", S2);
    const snap = JSON.parse(JSON.stringify(a.engine.snapshot()));

    const b = harness(config, Date.UTC(2024, 0, 1, 10) * 1000 + 2 * MICROS_PER_HOUR);
    assert.deepEqual(b.engine.restore(snap), { sameDay: true });
    assert.equal(b.engine.dailyCounters(S1).trades, 1);
    assert.equal(b.engine.dailyCounters(S1).realizedPnl.toString(), "-85");
    assert.equal(b.engine.tradingState(S2), TradingState.Reducing);
    b.engine.onFill(fill("-1"));
    assert.deepEqual(kinds(b.events), [], "the WARN already announced before the restart is not repeated");
    assert.equal(denied(b.engine.check(intent(), b.ctx)), DenialReason.DailyTrades);

    const c = harness(config, Date.UTC(2024, 0, 2, 0, 0, 1) * 1000);
    assert.deepEqual(c.engine.restore(snap), { sameDay: false });
    assert.equal(c.engine.dailyCounters(S1).trades, 0);
    assert.equal(c.engine.tradingState(S2), TradingState.Reducing, "the kill switch survives the day change");
    assert.equal(allowedQty(c.engine.check(intent(), c.ctx)), "0.01");
  });

  it("rejects a malformed snapshot with a clear error and keeps running", () => {
    const { engine, ctx } = harness();
    assert.throws(
      () => engine.restore({ version: 1, dayStart: 0, account: { trades: -1, realizedPnl: "x" } }),
      (e: unknown) =>
        e instanceof DesError && /account\.trades/.test(e.message) && /account\.realizedPnl/.test(e.message),
    );
    assert.ok(engine.check(intent(), ctx).allowed);
  });

  it("replaces its config at runtime and keeps the old one when the new one is invalid", () => {
    const { engine, ctx } = harness({ global: { maxOrderNotional: "1000" } });
    assert.equal(denied(engine.check(intent({ quantity: dec("0.03") }), ctx)), DenialReason.MaxNotional);
    engine.setConfig({ global: { maxOrderNotional: "2000" } });
    assert.equal(allowedQty(engine.check(intent({ quantity: dec("0.03") }), ctx)), "0.03");
    assert.throws(
      () => engine.setConfig({ global: { maxOrderNotional: 5 } }),
      (e: unknown) =>
        e instanceof DesError &&
        e.code === ErrorCode.InvalidConfig &&
        /global\.maxOrderNotional/.test(e.message),
    );
    assert.equal(engine.config.global.maxOrderNotional?.toString(), "2000");
    engine.setConfig({ strategies: { s1: { maxOrderNotional: "100" } } });
    assert.equal(denied(engine.check(intent({ quantity: dec("0.03") }), ctx)), DenialReason.MaxNotional);
    assert.equal(allowedQty(engine.check(intent({ strategyId: S2, quantity: dec("0.03") }), ctx)), "0.03");
  });

  it("keeps rate history across a hot change of the rate limit", () => {
    const { engine, ctx } = harness({ global: { maxOrdersPerSecond: 3 } });
    for (let i = 0; i < 2; i++) assert.ok(engine.check(intent(), ctx).allowed);
    engine.setConfig({ global: { maxOrdersPerSecond: 2 } });
    assert.equal(denied(engine.check(intent(), ctx)), DenialReason.OrderRate);
  });
});
