import { z } from "zod";
import {
  Decimal,
  DesError,
  ErrorCode,
  type InstrumentId,
  MICROS_PER_DAY,
  MICROS_PER_HOUR,
  MICROS_PER_MINUTE,
  MICROS_PER_SECOND,
  Rounding,
} from "../../core/index.ts";
import { type Bar, intervalMicros, type OrderFilled } from "../../model/index.ts";
import type { Strategy, StrategyContext, StrategyDefinition, StrategySubscriptions } from "../strategy.ts";
import { decimalParam } from "./decimal-param.ts";
import { roundToLot, tradablePosition } from "./round-to-lot.ts";

const DURATION_PATTERN = /^([1-9]\d{0,5})(s|m|h|d|w)$/;
const UNIT_MICROS: Record<string, number> = {
  s: MICROS_PER_SECOND,
  m: MICROS_PER_MINUTE,
  h: MICROS_PER_HOUR,
  d: MICROS_PER_DAY,
  w: 7 * MICROS_PER_DAY,
};
/** Decimals a quantity keeps when the instrument (and so its step size) is unknown: Binance's finest. */
const FALLBACK_QUANTITY_DECIMALS = 8;
/** Decimals kept when a fraction parameter (0.05) becomes a Decimal for exact price comparisons. */
const FRACTION_DECIMALS = 12;

const DcaParamsSchema = z
  .object({
    interval: z
      .union([
        z.number().int().min(1).max(100_000),
        z
          .string()
          .regex(DURATION_PATTERN, 'expected a number of bars or a duration such as "4h", "1d", "1w"'),
      ])
      .default("1d"),
    amount: decimalParam({ positive: true }),
    dipThreshold: z.number().gt(0).lt(1).optional(),
    takeProfit: z.number().gt(0).max(100).optional(),
    referencePrice: decimalParam({ positive: true }).optional(),
  })
  .strict();

/** Validated parameters of the dca strategy. */
export type DcaParams = z.output<typeof DcaParamsSchema>;

const DcaStateSchema = z.object({
  version: z.literal(1),
  instruments: z.record(
    z.string(),
    z.object({
      barsSinceBuy: z.number().int().nonnegative().nullable(),
      lastBuyAt: z.number().int().nullable(),
      lastBuyPrice: decimalParam().nullable(),
      heldQty: decimalParam(),
      cost: decimalParam(),
      buys: z.number().int().nonnegative(),
    }),
  ),
});

interface DcaBook {
  /** Bars since the last buy (or skipped buy); null before the first. */
  barsSinceBuy: number | null;
  /** End time (µs) of the bar of the last buy; null before the first. */
  lastBuyAt: number | null;
  /** Close at the last buy, the dip rule's reference; null before the first buy of a cycle. */
  lastBuyPrice: Decimal | null;
  /** Quantity bought and not yet sold, from fills. */
  heldQty: Decimal;
  /** Quote cost of heldQty (average cost x heldQty), from fills. */
  cost: Decimal;
  buys: number;
}

/** Returns the interval in microseconds for a duration string, or undefined for a count of bars. */
function durationMicros(interval: number | string): number | undefined {
  if (typeof interval === "number") return undefined;
  const m = DURATION_PATTERN.exec(interval);
  if (m === null) throw new DesError(ErrorCode.InvalidStrategyParams, `dca: bad interval ${interval}`);
  return Number(m[1]) * UNIT_MICROS[m[2]!]!;
}

function fraction(x: number | undefined): Decimal | undefined {
  return x === undefined ? undefined : Decimal.fromNumber(x, FRACTION_DECIMALS);
}

class DcaStrategy implements Strategy<DcaParams> {
  #params!: DcaParams;
  #intervalUs: number | undefined;
  #dipFactor: Decimal | undefined;
  #takeProfitFactor: Decimal | undefined;
  readonly #books = new Map<InstrumentId, DcaBook>();

  constructor(params: DcaParams) {
    this.updateParams(params);
  }

  onBar(bar: Bar, ctx: StrategyContext): void {
    if (ctx.isWarmingUp) return;
    const id = bar.instrumentId;
    const book = this.#book(id);
    if (book.barsSinceBuy !== null) {
      book.barsSinceBuy++;
      ctx.markStateChanged();
    }
    // An order still in flight (a buy or the take-profit) is waited for: never two at once.
    if (ctx.openOrders(id).length > 0) return;
    const close = bar.close;
    const position = tradablePosition(ctx, id);
    if (this.#takeProfitFactor !== undefined && position.isPositive() && book.heldQty.isPositive()) {
      const average = book.cost.div(book.heldQty, Rounding.HalfEven);
      const target = average.mul(this.#takeProfitFactor, Rounding.Ceil);
      if (close.gte(target)) {
        ctx.markStateChanged();
        ctx.signal({
          instrumentId: id,
          action: "SELL",
          quantity: position,
          reason: `take profit: close ${close} >= ${target} (average cost ${average} x ${this.#takeProfitFactor})`,
        });
        return;
      }
    }
    const barEnd = bar.openTime + intervalMicros(bar.interval);
    if (!this.#isDue(book, barEnd)) return;
    const reference = book.lastBuyPrice ?? this.#params.referencePrice ?? null;
    if (this.#dipFactor !== undefined && reference !== null) {
      const limit = reference.mul(this.#dipFactor, Rounding.Floor);
      // The buy is due but waits for the dip: it happens on the first bar that closes at or below it.
      if (close.gt(limit)) return;
    }
    const instrument = ctx.instrument(id);
    const raw = this.#params.amount.div(close, Rounding.Down);
    const quantity =
      instrument === undefined
        ? raw.round(FALLBACK_QUANTITY_DECIMALS, Rounding.Down)
        : roundToLot(instrument, raw);
    book.barsSinceBuy = 0;
    book.lastBuyAt = barEnd;
    ctx.markStateChanged();
    const tooSmall =
      !quantity.isPositive() ||
      (instrument !== undefined &&
        (quantity.lt(instrument.minQty) || quantity.mul(close).lt(instrument.minNotional)));
    if (tooSmall) {
      // Skipped, not retried every bar: the next attempt comes one interval later.
      ctx.signal({
        instrumentId: id,
        action: "HOLD",
        reason: `dca: ${this.#params.amount} at ${close} buys ${quantity}, below the instrument's minimum`,
      });
      return;
    }
    book.lastBuyPrice = close;
    book.buys++;
    ctx.signal({
      instrumentId: id,
      action: "BUY",
      quantity,
      reason: `dca buy #${book.buys}: ${this.#params.amount} at ${close}`,
    });
  }

  onOrderFilled(fill: OrderFilled, ctx: StrategyContext): void {
    const book = this.#book(fill.instrumentId);
    if (fill.side === "BUY") {
      book.heldQty = book.heldQty.add(fill.lastQty);
      book.cost = book.cost.add(fill.lastQty.mul(fill.lastPrice, Rounding.HalfEven));
    } else if (book.heldQty.isPositive()) {
      const sold = Decimal.min(fill.lastQty, book.heldQty);
      // Selling keeps the average cost: the cost leaves in proportion to the quantity.
      book.cost = book.cost.sub(book.cost.mul(sold).div(book.heldQty, Rounding.HalfEven));
      book.heldQty = book.heldQty.sub(sold);
      if (book.heldQty.isZero()) {
        book.cost = Decimal.ZERO;
        // A new cycle starts: the dip rule's reference goes back to referencePrice.
        book.lastBuyPrice = null;
      }
    }
    ctx.markStateChanged();
  }

  getState(): unknown {
    const instruments: Record<string, unknown> = {};
    for (const [id, b] of this.#books) {
      instruments[id] = {
        barsSinceBuy: b.barsSinceBuy,
        lastBuyAt: b.lastBuyAt,
        lastBuyPrice: b.lastBuyPrice?.toString() ?? null,
        heldQty: b.heldQty.toString(),
        cost: b.cost.toString(),
        buys: b.buys,
      };
    }
    return { version: 1, instruments };
  }

  setState(state: unknown): void {
    const parsed = DcaStateSchema.safeParse(state);
    if (!parsed.success) {
      throw new DesError(
        ErrorCode.InvalidStrategyParams,
        `invalid dca state: ${z.prettifyError(parsed.error)}`,
      );
    }
    this.#books.clear();
    for (const [id, b] of Object.entries(parsed.data.instruments))
      this.#books.set(id as InstrumentId, { ...b });
  }

  updateParams(params: DcaParams): void {
    this.#params = params;
    this.#intervalUs = durationMicros(params.interval);
    this.#dipFactor = fraction(params.dipThreshold === undefined ? undefined : 1 - params.dipThreshold);
    this.#takeProfitFactor = fraction(params.takeProfit === undefined ? undefined : 1 + params.takeProfit);
  }

  #isDue(book: DcaBook, barEnd: number): boolean {
    if (this.#intervalUs === undefined) {
      return book.barsSinceBuy === null || book.barsSinceBuy >= (this.#params.interval as number);
    }
    return book.lastBuyAt === null || barEnd - book.lastBuyAt >= this.#intervalUs;
  }

  #book(id: InstrumentId): DcaBook {
    let book = this.#books.get(id);
    if (book === undefined) {
      book = {
        barsSinceBuy: null,
        lastBuyAt: null,
        lastBuyPrice: null,
        heldQty: Decimal.ZERO,
        cost: Decimal.ZERO,
        buys: 0,
      };
      this.#books.set(id, book);
    }
    return book;
  }
}

/**
 * `dca`: dollar-cost averaging. Buys `amount` of quote currency every `interval`, optionally only
 * after a dip, and sells the whole position at `takeProfit` above the average cost.
 */
export const dca: StrategyDefinition<DcaParams> = {
  name: "dca",
  description:
    "Buys a fixed quote amount at a fixed interval (optionally on dips); takes profit on the average.",
  params: DcaParamsSchema,
  subscriptions(_params: DcaParams, interval): StrategySubscriptions {
    return { bars: [interval], warmupBars: 0 };
  },
  create(params: DcaParams): Strategy<DcaParams> {
    return new DcaStrategy(params);
  },
};
