import { z } from "zod";
import { DesError, ErrorCode, type InstrumentId } from "../../core/index.ts";
import { Rsi } from "../../indicators/index.ts";
import type { Bar } from "../../model/index.ts";
import type { Strategy, StrategyContext, StrategyDefinition, StrategySubscriptions } from "../strategy.ts";
import { decimalParam } from "./decimal-param.ts";
import { roundToLot, tradablePosition } from "./round-to-lot.ts";

/** The longest RSI period the strategy accepts. */
export const MAX_RSI_PERIOD = 1000;

const RsiParamsSchema = z
  .object({
    period: z.number().int().min(2).max(MAX_RSI_PERIOD).default(14),
    oversold: z.number().gt(0).lt(100).default(30),
    overbought: z.number().gt(0).lt(100).default(70),
    size: decimalParam({ positive: true }),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (typeof p.oversold === "number" && typeof p.overbought === "number" && p.oversold >= p.overbought) {
      ctx.addIssue({
        code: "custom",
        path: ["oversold"],
        message: `oversold (${p.oversold}) must be less than overbought (${p.overbought})`,
      });
    }
  });

/** Validated parameters of the rsi strategy. */
export type RsiParams = z.output<typeof RsiParamsSchema>;

const RsiStateSchema = z.object({
  version: z.literal(1),
  instruments: z.record(z.string(), z.object({ rsi: z.unknown(), previous: z.number().nullable() })),
});

interface RsiBook {
  rsi: Rsi;
  /** RSI at the previous bar, null before the first ready value. */
  previous: number | null;
}

class RsiReversionStrategy implements Strategy<RsiParams> {
  #params: RsiParams;
  readonly #books = new Map<InstrumentId, RsiBook>();

  constructor(params: RsiParams) {
    this.#params = params;
  }

  onBar(bar: Bar, ctx: StrategyContext): void {
    const id = bar.instrumentId;
    let book = this.#books.get(id);
    if (book === undefined) {
      book = { rsi: new Rsi(this.#params.period), previous: null };
      this.#books.set(id, book);
    }
    book.rsi.update(bar.close.toNumber());
    ctx.markStateChanged();
    if (!book.rsi.isReady) return;
    const value = book.rsi.value;
    const previous = book.previous;
    book.previous = value;
    // One order at a time: while the last signal's order is open, nothing new is sent.
    if (ctx.isWarmingUp || ctx.openOrders(id).length > 0) return;
    const { oversold, overbought, period } = this.#params;
    const position = tradablePosition(ctx, id);
    if (position.isZero() && previous !== null && previous < oversold && value >= oversold) {
      const size = roundToLot(ctx.instrument(id), this.#params.size);
      if (!size.isPositive()) {
        ctx.signal({ instrumentId: id, action: "HOLD", reason: `size ${this.#params.size} rounds to 0` });
        return;
      }
      ctx.signal({
        instrumentId: id,
        action: "BUY",
        quantity: size,
        reason: `RSI(${period}) crossed up through ${oversold}: ${previous.toFixed(2)} -> ${value.toFixed(2)}`,
      });
    } else if (position.isPositive() && value > overbought) {
      ctx.signal({
        instrumentId: id,
        action: "SELL",
        quantity: position,
        reason: `RSI(${period}) ${value.toFixed(2)} above ${overbought}`,
      });
    }
  }

  getState(): unknown {
    const instruments: Record<string, unknown> = {};
    for (const [id, b] of this.#books) instruments[id] = { rsi: b.rsi.toJSON(), previous: b.previous };
    return { version: 1, instruments };
  }

  setState(state: unknown): void {
    const parsed = RsiStateSchema.safeParse(state);
    if (!parsed.success) {
      throw new DesError(
        ErrorCode.InvalidStrategyParams,
        `invalid rsi state: ${z.prettifyError(parsed.error)}`,
      );
    }
    this.#books.clear();
    for (const [id, saved] of Object.entries(parsed.data.instruments)) {
      const rsi = Rsi.fromJSON(saved.rsi);
      // State saved under another period is dropped: the RSI warms up again.
      if (rsi.period !== this.#params.period) continue;
      this.#books.set(id as InstrumentId, { rsi, previous: saved.previous });
    }
  }

  updateParams(params: RsiParams): void {
    const periodChanged = params.period !== this.#params.period;
    this.#params = params;
    if (periodChanged) this.#books.clear();
  }
}

/**
 * `rsi`: mean reversion on the RSI. Buys when the RSI crosses up through `oversold` while flat,
 * sells the long when the RSI is above `overbought`.
 */
export const rsiReversion: StrategyDefinition<RsiParams> = {
  name: "rsi",
  description: "RSI mean reversion: buy when RSI leaves the oversold zone, sell when it is overbought.",
  params: RsiParamsSchema,
  subscriptions(params: RsiParams, interval): StrategySubscriptions {
    // period + 1 closes make the RSI ready; one more gives the previous value a cross needs.
    return { bars: [interval], warmupBars: params.period + 2 };
  },
  create(params: RsiParams): Strategy<RsiParams> {
    return new RsiReversionStrategy(params);
  },
};
