import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { asMicros, Decimal } from "../core/index.ts";
import type { OrderFilled } from "../model/index.ts";
import type { Portfolio } from "./portfolio.ts";
import {
  BTCUSDT,
  ETHBTC,
  MAIN,
  makeFill,
  newPortfolio,
  PAPER,
  STRATEGIES,
  T0,
} from "./test-support/books-fixture.ts";

const INSTRUMENTS = [
  { id: BTCUSDT, base: "BTC", quote: "USDT" },
  { id: ETHBTC, base: "ETH", quote: "BTC" },
] as const;

/** A decimal of `units` x 10^-decimals. */
const scaled = (units: number, decimals: number) =>
  Decimal.fromUnits(BigInt(units) * 10n ** BigInt(18 - decimals));

const stepArb = fc.record({
  strategy: fc.constantFrom(...STRATEGIES),
  account: fc.constantFrom(PAPER, MAIN),
  instrument: fc.constantFrom(0, 1),
  side: fc.constantFrom("BUY" as const, "SELL" as const),
  qty: fc.integer({ min: 1, max: 3_000 }).map((u) => scaled(u, 3)),
  price: fc.integer({ min: 1, max: 5_000_000 }).map((u) => scaled(u, 4)),
  commission: fc.constantFrom("none", "quote", "base", "bnb"),
  commissionUnits: fc.integer({ min: 1, max: 90_000 }),
  /** Some steps deliver an earlier fill again (same trade id). */
  repeat: fc.option(fc.nat(), { freq: 6 }),
});

type Step = typeof stepArb extends fc.Arbitrary<infer T> ? T : never;

function toFills(steps: readonly Step[]): OrderFilled[] {
  const fills: OrderFilled[] = [];
  steps.forEach((s, n) => {
    if (s.repeat !== null && fills.length > 0) {
      fills.push(fills[s.repeat % fills.length]!);
      return;
    }
    const inst = INSTRUMENTS[s.instrument]!;
    const asset = { none: inst.quote, quote: inst.quote, base: inst.base, bnb: "BNB" }[s.commission]!;
    fills.push(
      makeFill({
        n,
        strategy: s.strategy,
        account: s.account,
        instrument: inst.id,
        side: s.side,
        qty: s.qty,
        price: s.price,
        commission: s.commission === "none" ? Decimal.ZERO : scaled(s.commissionUnits, 8),
        commissionAsset: asset,
      }),
    );
  });
  return fills;
}

/** Every figure the books give, as plain JSON, read at the marks already set. */
function observe(p: Portfolio): unknown {
  const perStrategy = STRATEGIES.map((s) => ({
    exposure: p.strategyExposure(s).toString(),
    views: INSTRUMENTS.map((i) => p.positionView(s, i.id)),
    book: p.strategy(s),
  }));
  const perAccount = [PAPER, MAIN].map((a) => ({
    exposure: p.accountExposure(a).toString(),
    quantities: INSTRUMENTS.map((i) => p.accountQuantity(a, i.id).toString()),
    views: INSTRUMENTS.map((i) => p.accountPosition(a, i.id)),
  }));
  return JSON.parse(JSON.stringify({ snapshot: p.snapshot(), perStrategy, perAccount }));
}

/** Reads every exposure accessor (they keep running totals, updated on read). */
function readExposures(p: Portfolio): void {
  for (const s of STRATEGIES) p.strategyExposure(s);
  for (const a of [PAPER, MAIN]) p.accountExposure(a);
}

describe("Portfolio books snapshot (property)", () => {
  test("export at any fill k, JSON round trip, restore, apply the rest: every book equals applying all fills", () => {
    fc.assert(
      fc.property(
        fc.array(stepArb, { minLength: 0, maxLength: 60 }),
        fc.nat(),
        fc.constantFrom(4, 100_000),
        fc.tuple(fc.integer({ min: 1, max: 9_000_000 }), fc.integer({ min: 1, max: 900_000 })),
        (steps, cut, remembered, [btcMark, ethMark]) => {
          const fills = toFills(steps);
          const k = cut % (fills.length + 1);
          const a = newPortfolio({ rememberedTradeIds: remembered });
          const b = newPortfolio({ rememberedTradeIds: remembered });
          const c = newPortfolio({ rememberedTradeIds: remembered });
          const appliedA = fills.map((f) => a.applyFill(f));
          const appliedB = fills.slice(0, k).map((f) => b.applyFill(f));
          c.restoreBooks(JSON.parse(JSON.stringify(b.exportBooks())));
          readExposures(c); // running totals read between restore and the next fills
          const appliedC = fills.slice(k).map((f) => c.applyFill(f));
          assert.deepEqual([...appliedB, ...appliedC], appliedA, "the same fills apply (repeats refused)");
          assert.deepEqual(c.exportBooks(), a.exportBooks(), "the full internal state");
          // Marks are not in the snapshot: both are marked alike, as market data would do (the
          // running exposure totals are read first, so the marks must reach the restored books).
          for (const p of [a, c]) {
            readExposures(p);
            p.updateMark(BTCUSDT, scaled(btcMark, 2), asMicros(T0 + 1_000_000));
            p.updateMark(ETHBTC, scaled(ethMark, 6), asMicros(T0 + 1_000_000));
          }
          assert.deepEqual(observe(c), observe(a));
          // Every fill delivered again: the remembered trade ids decide alike (a small memory forgets).
          assert.deepEqual(
            fills.map((f) => c.applyFill(f)),
            fills.map((f) => a.applyFill(f)),
          );
          assert.deepEqual(observe(c), observe(a));
        },
      ),
      { numRuns: 300 },
    );
  });
});
