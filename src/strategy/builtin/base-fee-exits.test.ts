import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Decimal, Rounding } from "../../core/index.ts";
import type { Instrument } from "../../model/index.ts";
import type { StrategyDefinition } from "../strategy.ts";
import { bollingerReversion } from "./bollinger-reversion.ts";
import { dca } from "./dca.ts";
import { FakeStrategyContext, type RecordedSignal } from "./fake-strategy-context.ts";
import { BTCUSDT, fixtureBars } from "./fixture-bars.ts";
import { maCross } from "./ma-cross.ts";
import { rsiReversion } from "./rsi-reversion.ts";

// Binance's BTC step (0.00001) and a 0.1 % commission taken in BTC on every buy: a buy of 0.002
// leaves 0.001998, which is no multiple of the step. Selling that position as it is would be
// refused by the venue's LOT_SIZE filter on every try (seen in the kill -9 restart test: 122
// denials "quantity 0.001998 is not a multiple of stepSize 0.00001"), and the dust left after
// selling the tradable part would keep a long-only strategy from ever buying again.
const STEP = Decimal.from("0.00001");
const INSTRUMENT: Instrument = { ...BTCUSDT, stepSize: STEP, minQty: STEP };
const bars = fixtureBars();

const CASES: ReadonlyArray<[string, StrategyDefinition<never>, Record<string, unknown>]> = [
  [
    "rsi",
    rsiReversion as StrategyDefinition<never>,
    { period: 14, oversold: 30, overbought: 70, size: "0.002" },
  ],
  ["bollinger", bollingerReversion as StrategyDefinition<never>, { period: 20, k: 2, size: "0.002" }],
  ["ma_cross", maCross as StrategyDefinition<never>, { fast: 10, slow: 30, size: "0.002" }],
  ["dca", dca as StrategyDefinition<never>, { interval: 4, amount: "100", takeProfit: 0.01 }],
];

function run(
  def: StrategyDefinition<never>,
  raw: Record<string, unknown>,
  feeRate: string,
): RecordedSignal[] {
  const ctx = new FakeStrategyContext([INSTRUMENT]);
  ctx.baseFeeRate = Decimal.from(feeRate);
  ctx.run(def.create(def.params.parse(raw) as never), bars);
  return ctx.signals.filter((s) => s.action !== "HOLD");
}

describe("built-ins with the commission charged in the base asset", () => {
  for (const [name, def, params] of CASES) {
    test(`${name}: every order quantity is a multiple of the step, and the fee changes no decision`, () => {
      const withFee = run(def, params, "0.001");
      const withoutFee = run(def, params, "0");
      assert.ok(
        withoutFee.some((s) => s.action === "SELL") &&
          withoutFee.filter((s) => s.action === "BUY").length >= 2,
        `the fixture holds a round trip and a re-entry for ${name}`,
      );
      for (const s of withFee) {
        assert.ok(s.quantity?.isPositive() === true, `${s.action} at bar ${s.bar} has a quantity`);
        assert.ok(
          s.quantity.roundToIncrement(STEP, Rounding.Down).eq(s.quantity),
          `${s.action} at bar ${s.bar}: ${s.quantity} is not a multiple of ${STEP}`,
        );
      }
      // Same bars, same actions: the dust a sell leaves behind counts as flat.
      assert.deepEqual(
        withFee.map((s) => [s.bar, s.action]),
        withoutFee.map((s) => [s.bar, s.action]),
      );
    });
  }
});
