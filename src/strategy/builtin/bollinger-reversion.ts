import { z } from "zod";
import { DesError, ErrorCode, type InstrumentId } from "../../core/index.ts";
import { BollingerBands } from "../../indicators/index.ts";
import type { Bar } from "../../model/index.ts";
import type { Strategy, StrategyContext, StrategyDefinition, StrategySubscriptions } from "../strategy.ts";
import { decimalParam } from "./decimal-param.ts";
import { roundToLot, tradablePosition } from "./round-to-lot.ts";

/** The longest band period the strategy accepts. */
export const MAX_BOLLINGER_PERIOD = 1000;

const BollingerParamsSchema = z
  .object({
    period: z.number().int().min(2).max(MAX_BOLLINGER_PERIOD).default(20),
    k: z.number().gt(0).max(10).default(2),
    exit: z.enum(["upper", "middle"]).default("upper"),
    size: decimalParam({ positive: true }),
  })
  .strict();

/** Validated parameters of the bollinger strategy. */
export type BollingerParams = z.output<typeof BollingerParamsSchema>;

const BollingerStateSchema = z.object({
  version: z.literal(1),
  instruments: z.record(z.string(), z.object({ bands: z.unknown() })),
});

/** Returns the bands with another width; the rolling mean and deviation carry over unchanged. */
function withK(bands: BollingerBands, k: number): BollingerBands {
  return bands.k === k ? bands : BollingerBands.fromJSON({ ...bands.toJSON(), k });
}

class BollingerReversionStrategy implements Strategy<BollingerParams> {
  #params: BollingerParams;
  readonly #bands = new Map<InstrumentId, BollingerBands>();

  constructor(params: BollingerParams) {
    this.#params = params;
  }

  onBar(bar: Bar, ctx: StrategyContext): void {
    const id = bar.instrumentId;
    let bands = this.#bands.get(id);
    if (bands === undefined) {
      bands = new BollingerBands(this.#params.period, this.#params.k);
      this.#bands.set(id, bands);
    }
    const close = bar.close.toNumber();
    bands.update(close);
    ctx.markStateChanged();
    // One order at a time: while the last signal's order is open, nothing new is sent.
    if (!bands.isReady || ctx.isWarmingUp || ctx.openOrders(id).length > 0) return;
    const position = tradablePosition(ctx, id);
    const { period, k, exit } = this.#params;
    if (position.isZero() && close < bands.lower) {
      const size = roundToLot(ctx.instrument(id), this.#params.size);
      if (!size.isPositive()) {
        ctx.signal({ instrumentId: id, action: "HOLD", reason: `size ${this.#params.size} rounds to 0` });
        return;
      }
      ctx.signal({
        instrumentId: id,
        action: "BUY",
        quantity: size,
        reason: `close ${bar.close} below lower band BB(${period},${k}) ${bands.lower.toFixed(2)}`,
      });
      return;
    }
    if (!position.isPositive()) return;
    if (exit === "upper" ? close > bands.upper : close >= bands.middle) {
      const band = exit === "upper" ? bands.upper : bands.middle;
      ctx.signal({
        instrumentId: id,
        action: "SELL",
        quantity: position,
        reason: `close ${bar.close} ${exit === "upper" ? "above upper" : "back to middle"} band ${band.toFixed(2)}`,
      });
    }
  }

  getState(): unknown {
    const instruments: Record<string, unknown> = {};
    for (const [id, bands] of this.#bands) instruments[id] = { bands: bands.toJSON() };
    return { version: 1, instruments };
  }

  setState(state: unknown): void {
    const parsed = BollingerStateSchema.safeParse(state);
    if (!parsed.success) {
      throw new DesError(
        ErrorCode.InvalidStrategyParams,
        `invalid bollinger state: ${z.prettifyError(parsed.error)}`,
      );
    }
    this.#bands.clear();
    for (const [id, saved] of Object.entries(parsed.data.instruments)) {
      const bands = BollingerBands.fromJSON(saved.bands);
      // Bands saved under another period are dropped (they warm up again); another k is kept.
      if (bands.period !== this.#params.period) continue;
      this.#bands.set(id as InstrumentId, withK(bands, this.#params.k));
    }
  }

  updateParams(params: BollingerParams): void {
    const periodChanged = params.period !== this.#params.period;
    this.#params = params;
    if (periodChanged) {
      this.#bands.clear();
      return;
    }
    for (const [id, bands] of this.#bands) this.#bands.set(id, withK(bands, params.k));
  }
}

/**
 * `bollinger`: mean reversion on Bollinger Bands. Buys when the close is below the lower band
 * while flat, sells the long above the upper band (or back at the middle band).
 */
export const bollingerReversion: StrategyDefinition<BollingerParams> = {
  name: "bollinger",
  description: "Bollinger mean reversion: buy below the lower band, sell above the upper (or middle) band.",
  params: BollingerParamsSchema,
  subscriptions(params: BollingerParams, interval): StrategySubscriptions {
    return { bars: [interval], warmupBars: params.period };
  },
  create(params: BollingerParams): Strategy<BollingerParams> {
    return new BollingerReversionStrategy(params);
  },
};
