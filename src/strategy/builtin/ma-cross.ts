import { z } from "zod";
import { DesError, ErrorCode, type InstrumentId } from "../../core/index.ts";
import { Ema, Sma } from "../../indicators/index.ts";
import type { Bar } from "../../model/index.ts";
import type { Strategy, StrategyContext, StrategyDefinition, StrategySubscriptions } from "../strategy.ts";
import { decimalParam } from "./decimal-param.ts";
import { roundToLot, tradablePosition } from "./round-to-lot.ts";

/** The longest moving average the strategy accepts (warm-up fetches this many bars). */
export const MAX_MA_PERIOD = 1000;

const MaCrossParamsSchema = z
  .object({
    fast: z.number().int().min(1).max(MAX_MA_PERIOD).default(10),
    slow: z.number().int().min(2).max(MAX_MA_PERIOD).default(30),
    maType: z.enum(["sma", "ema"]).default("sma"),
    size: decimalParam({ positive: true }),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (typeof p.fast === "number" && typeof p.slow === "number" && p.fast >= p.slow) {
      ctx.addIssue({
        code: "custom",
        path: ["fast"],
        message: `fast (${p.fast}) must be less than slow (${p.slow})`,
      });
    }
  });

/** Validated parameters of the ma_cross strategy. */
export type MaCrossParams = z.output<typeof MaCrossParamsSchema>;

type MovingAverage = Sma | Ema;

const MaCrossStateSchema = z.object({
  version: z.literal(1),
  instruments: z.record(
    z.string(),
    z.object({
      fast: z.unknown(),
      slow: z.unknown(),
      relation: z.union([z.literal(-1), z.literal(0), z.literal(1)]).nullable(),
    }),
  ),
});

interface MaCrossBook {
  fast: MovingAverage;
  slow: MovingAverage;
  /** Sign of fast - slow at the previous bar where both were ready; null before. */
  relation: -1 | 0 | 1 | null;
}

function newAverage(maType: "sma" | "ema", period: number): MovingAverage {
  return maType === "sma" ? new Sma(period) : new Ema(period);
}

/** Returns the restored average, or undefined when the snapshot is of another type or period. */
function restoreAverage(maType: "sma" | "ema", period: number, snapshot: unknown): MovingAverage | undefined {
  const kind = (snapshot as { kind?: unknown } | null)?.kind;
  if (kind !== maType) return undefined;
  const restored = maType === "sma" ? Sma.fromJSON(snapshot) : Ema.fromJSON(snapshot);
  return restored.period === period ? restored : undefined;
}

class MaCrossStrategy implements Strategy<MaCrossParams> {
  #params: MaCrossParams;
  readonly #books = new Map<InstrumentId, MaCrossBook>();

  constructor(params: MaCrossParams) {
    this.#params = params;
  }

  onBar(bar: Bar, ctx: StrategyContext): void {
    const id = bar.instrumentId;
    const book = this.#book(id);
    const close = bar.close.toNumber();
    book.fast.update(close);
    book.slow.update(close);
    ctx.markStateChanged();
    if (!book.slow.isReady || !book.fast.isReady) return;
    const fast = book.fast.value;
    const slow = book.slow.value;
    const relation = fast > slow ? 1 : fast < slow ? -1 : 0;
    const previous = book.relation;
    book.relation = relation;
    // A cross needs the previous bar's relation: the first bar where both are ready only records it.
    if (previous === null || ctx.isWarmingUp) return;
    if (previous <= 0 && relation > 0) {
      const position = tradablePosition(ctx, id);
      if (position.isPositive()) return;
      const size = roundToLot(ctx.instrument(id), this.#params.size);
      if (!size.isPositive() && !position.isNegative()) {
        ctx.signal({
          instrumentId: id,
          action: "HOLD",
          reason: `crossed above but size ${this.#params.size} rounds to 0`,
        });
        return;
      }
      // Covers a short as well as opening the long.
      ctx.signal({
        instrumentId: id,
        action: "BUY",
        quantity: size.add(position.abs()),
        reason: `crossed above: ${this.#describe(fast, slow)}`,
      });
    } else if (previous >= 0 && relation < 0) {
      const position = tradablePosition(ctx, id);
      if (!position.isPositive()) return;
      ctx.signal({
        instrumentId: id,
        action: "SELL",
        quantity: position,
        reason: `crossed below: ${this.#describe(fast, slow)}`,
      });
    }
  }

  /** Describes both averages for a signal's reason; built only when a cross happens (hot path). */
  #describe(fast: number, slow: number): string {
    const label = this.#params.maType.toUpperCase();
    return `fast ${label}(${this.#params.fast}) ${fast.toFixed(2)}, slow ${label}(${this.#params.slow}) ${slow.toFixed(2)}`;
  }

  getState(): unknown {
    const instruments: Record<string, unknown> = {};
    for (const [id, b] of this.#books) {
      instruments[id] = { fast: b.fast.toJSON(), slow: b.slow.toJSON(), relation: b.relation };
    }
    return { version: 1, instruments };
  }

  setState(state: unknown): void {
    const parsed = MaCrossStateSchema.safeParse(state);
    if (!parsed.success) {
      throw new DesError(
        ErrorCode.InvalidStrategyParams,
        `invalid ma_cross state: ${z.prettifyError(parsed.error)}`,
      );
    }
    const p = this.#params;
    this.#books.clear();
    for (const [id, saved] of Object.entries(parsed.data.instruments)) {
      const fast = restoreAverage(p.maType, p.fast, saved.fast);
      const slow = restoreAverage(p.maType, p.slow, saved.slow);
      // State saved under other periods or another average type is dropped: the averages warm up again.
      if (fast === undefined || slow === undefined) continue;
      this.#books.set(id as InstrumentId, { fast, slow, relation: saved.relation });
    }
  }

  updateParams(params: MaCrossParams): void {
    const old = this.#params;
    this.#params = params;
    if (old.fast !== params.fast || old.slow !== params.slow || old.maType !== params.maType) {
      // New periods need new averages; they warm up again from the next bars.
      this.#books.clear();
    }
  }

  #book(id: InstrumentId): MaCrossBook {
    let book = this.#books.get(id);
    if (book === undefined) {
      const p = this.#params;
      book = { fast: newAverage(p.maType, p.fast), slow: newAverage(p.maType, p.slow), relation: null };
      this.#books.set(id, book);
    }
    return book;
  }
}

/**
 * `ma_cross`: buys when the fast moving average crosses above the slow one, sells the long when it
 * crosses below. Signals are market orders of `size` (plus any short to cover).
 */
export const maCross: StrategyDefinition<MaCrossParams> = {
  name: "ma_cross",
  description: "Moving-average crossover: long on a golden cross, flat on a death cross.",
  params: MaCrossParamsSchema,
  subscriptions(params: MaCrossParams, interval): StrategySubscriptions {
    // slow bars make the slow average ready; one more gives the previous relation a cross needs.
    return { bars: [interval], warmupBars: params.slow + 1 };
  },
  create(params: MaCrossParams): Strategy<MaCrossParams> {
    return new MaCrossStrategy(params);
  },
};
