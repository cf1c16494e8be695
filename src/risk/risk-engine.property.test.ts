import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { Decimal, TestClock } from "../core/index.ts";
import { checkFilters, type OrderType } from "../model/index.ts";
import { RiskEngine } from "./risk-engine.ts";
import { DenialReason } from "./risk-events.ts";
import { BTC, btcInstrument, FakeContext, intent, S1 } from "./test-support/risk-harness.ts";

const REASONS = new Set<string>(Object.values(DenialReason));
const TYPES: OrderType[] = ["MARKET", "LIMIT", "LIMIT_MAKER", "STOP_LOSS", "STOP_LOSS_LIMIT"];
/** Mostly values on a grid of 10^-decimals, sometimes with 6 decimals (off the tick/step grid). */
const decimal = (max: number, decimals: number) =>
  fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .integer({ min: 0, max: max * 10 ** decimals })
        .map((u) => Decimal.fromUnits(BigInt(u) * 10n ** BigInt(18 - decimals))),
    },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 0, max: max * 1e6 }).map((u) => Decimal.fromUnits(BigInt(u) * 10n ** 12n)),
    },
  );

describe("RiskEngine properties", () => {
  it("a denial always carries a reason; an allowed order always passes the instrument filters", () => {
    let allowed = 0;
    fc.assert(
      fc.property(
        fc.record({
          side: fc.constantFrom("BUY" as const, "SELL" as const),
          type: fc.constantFrom(...TYPES),
          quantity: decimal(3, 5),
          price: decimal(80_000, 2),
          position: fc.integer({ min: -2_000_000, max: 2_000_000 }),
          reduceOnly: fc.boolean(),
          protective: fc.boolean(),
          loss: fc.integer({ min: 0, max: 120 }),
          mode: fc.constantFrom("clip" as const, "reject" as const),
          maxPosition: fc.constantFrom(undefined, "0.5", "1"),
          maxExposure: fc.constantFrom(undefined, "20000", "100000"),
        }),
        (r) => {
          const engine = new RiskEngine({
            clock: new TestClock(),
            config: {
              global: {
                maxPosition: r.maxPosition,
                positionLimitMode: r.mode,
                reduceOnlyMode: r.mode,
                maxExposure: r.maxExposure,
                maxDailyLoss: "100",
                maxOrderNotional: "60000",
              },
            },
          });
          const ctx = new FakeContext();
          ctx.setPosition(S1, Decimal.fromUnits(BigInt(r.position) * 10n ** 12n).toString());
          ctx.exposures.set(
            S1,
            Decimal.fromUnits(BigInt(Math.abs(r.position)) * 10n ** 12n).mul(Decimal.from("50000")),
          );
          engine.onFill({
            strategyId: S1,
            instrumentId: BTC,
            realizedPnlDelta: Decimal.from(String(-r.loss)),
          });
          const hasPrice = r.type !== "MARKET";
          const isStop = r.type.startsWith("STOP");
          const i = intent({
            side: r.side,
            type: r.type,
            quantity: r.quantity,
            price: hasPrice && r.type !== "STOP_LOSS" ? r.price : undefined,
            stopPrice: isStop ? r.price : undefined,
            reduceOnly: r.reduceOnly,
            protective: r.protective,
          });
          const d = engine.check(i, ctx);
          if (!d.allowed) {
            assert.ok(REASONS.has(d.denial.reason), `unknown reason ${d.denial.reason}`);
            assert.ok(d.denial.detail.length > 0);
            return;
          }
          allowed++;
          const inst = btcInstrument();
          const filterPrice = i.price ?? i.stopPrice;
          assert.equal(checkFilters(inst, d.quantity, filterPrice), undefined);
          assert.ok(d.quantity.lte(i.quantity), "never more than asked");
          const notionalPrice = i.price ?? i.stopPrice ?? Decimal.from("50000");
          assert.ok(notionalPrice.mul(d.quantity).gte(inst.minNotional));
        },
      ),
      { numRuns: 2000 },
    );
    // Guards against a vacuous property (everything denied).
    assert.ok(allowed > 100, `only ${allowed} of 2000 random intents were allowed`);
  });
});
