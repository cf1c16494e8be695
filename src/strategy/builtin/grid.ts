import { z } from "zod";
import {
  type ClientOrderId,
  Decimal,
  DesError,
  ErrorCode,
  type InstrumentId,
  Rounding,
} from "../../core/index.ts";
import { type Bar, type OrderFilled, type OrderSide, OrderStatus, roundPrice } from "../../model/index.ts";
import type { Strategy, StrategyContext, StrategyDefinition, StrategySubscriptions } from "../strategy.ts";
import { decimalParam } from "./decimal-param.ts";
import { roundToLot } from "./round-to-lot.ts";

/** Binance allows 200 open orders per symbol (MAX_NUM_ORDERS); a grid rests at most levels - 1. */
export const MAX_GRID_LEVELS = 200;

/**
 * A slot's order is taken as gone (canceled, rejected, expired) once it is missing from the open
 * orders on this many consecutive bars; one bar of grace covers an order that is still in flight.
 */
const VANISHED_AFTER_CHECKS = 2;

const GridParamsSchema = z
  .object({
    lower: decimalParam({ positive: true }),
    upper: decimalParam({ positive: true }),
    levels: z.number().int().min(2).max(MAX_GRID_LEVELS).default(10),
    sizePerLevel: decimalParam({ positive: true }),
    cancelOnStop: z.boolean().default(true),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.lower instanceof Decimal && p.upper instanceof Decimal && !p.lower.lt(p.upper)) {
      ctx.addIssue({
        code: "custom",
        path: ["upper"],
        message: `upper (${p.upper}) must be greater than lower (${p.lower})`,
      });
    }
  });

/** Validated parameters of the grid strategy. */
export type GridParams = z.output<typeof GridParamsSchema>;

const SlotStateSchema = z.object({
  side: z.enum(["BUY", "SELL"]).nullable(),
  orderId: z.string().nullable(),
  quantity: decimalParam(),
  filled: decimalParam(),
  missing: z.number().int().nonnegative(),
});

const GridStateSchema = z.object({
  version: z.literal(1),
  geometry: z.object({ lower: z.string(), upper: z.string(), levels: z.number().int() }),
  instruments: z.record(
    z.string(),
    z.object({
      prices: z.array(decimalParam()),
      slots: z.array(SlotStateSchema),
      rebuild: z.boolean().default(false),
    }),
  ),
});

/**
 * Slot s spans levels s and s+1 and holds at most one order: a BUY at level s or a SELL at level
 * s+1. A filled BUY turns the slot into a SELL one level up, a filled SELL back into a BUY one level
 * down. A slot whose level is held by its neighbour's opposite order waits (no self-trade), so a
 * level never holds two orders.
 */
interface Slot {
  /** The order the slot should rest; undefined when the slot is idle. */
  side: OrderSide | undefined;
  /** The resting order, or undefined while one has to be (re)placed. */
  orderId: ClientOrderId | undefined;
  /** Quantity the slot trades on this side. */
  quantity: Decimal;
  /** Quantity filled so far on this side (over re-placed orders too). */
  filled: Decimal;
  /** Consecutive bars on which the order was missing from the open orders. */
  missing: number;
}

interface GridBook {
  /** Level prices rounded to the tick size, ascending; empty until the grid is laid out. */
  prices: Decimal[];
  slots: Slot[];
  byOrderId: Map<ClientOrderId, number>;
  /** Cancel every order and lay the grid out again at the next bar (new geometry). */
  rebuild: boolean;
}

function geometryOf(p: GridParams): { lower: string; upper: string; levels: number } {
  return { lower: p.lower.toString(), upper: p.upper.toString(), levels: p.levels };
}

function sameGeometry(a: GridParams, b: GridParams): boolean {
  return a.lower.eq(b.lower) && a.upper.eq(b.upper) && a.levels === b.levels;
}

/** Returns the level prices, evenly spaced from lower to upper, before tick rounding. */
export function gridLevelPrices(lower: Decimal, upper: Decimal, levels: number): Decimal[] {
  const span = upper.sub(lower);
  const steps = Decimal.from(BigInt(levels - 1));
  const out: Decimal[] = [];
  for (let i = 0; i < levels; i++) {
    out.push(i === levels - 1 ? upper : lower.add(span.mul(Decimal.from(BigInt(i))).div(steps)));
  }
  return out;
}

class GridStrategy implements Strategy<GridParams> {
  #params: GridParams;
  readonly #books = new Map<InstrumentId, GridBook>();

  constructor(params: GridParams) {
    this.#params = params;
  }

  onBar(bar: Bar, ctx: StrategyContext): void {
    // Orders are ignored during warm-up, so the grid is laid out on the first live bar.
    if (ctx.isWarmingUp) return;
    const id = bar.instrumentId;
    let book = this.#books.get(id);
    if (book === undefined) {
      book = { prices: [], slots: [], byOrderId: new Map(), rebuild: false };
      this.#books.set(id, book);
    }
    if (book.rebuild) this.#tearDown(book, ctx);
    if (book.prices.length === 0) {
      this.#layOut(book, id, bar.close, ctx);
      return;
    }
    this.#reconcile(book, id, ctx);
    this.#placeMissing(book, id, ctx);
  }

  onOrderFilled(fill: OrderFilled, ctx: StrategyContext): void {
    const book = this.#books.get(fill.instrumentId);
    const index = book?.byOrderId.get(fill.clientOrderId);
    if (book === undefined || index === undefined) return;
    const slot = book.slots[index]!;
    slot.filled = slot.filled.add(fill.lastQty);
    if (fill.orderStatus === OrderStatus.Filled || slot.filled.gte(slot.quantity)) {
      book.byOrderId.delete(fill.clientOrderId);
      if (slot.side === "BUY") {
        slot.side = "SELL";
        slot.quantity = slot.filled;
      } else {
        slot.side = "BUY";
        slot.quantity = roundToLot(ctx.instrument(fill.instrumentId), this.#params.sizePerLevel);
      }
      slot.filled = Decimal.ZERO;
      slot.orderId = undefined;
      slot.missing = 0;
      // Places the flipped slot and any slot that waited for the level this fill freed.
      if (!ctx.isWarmingUp) this.#placeMissing(book, fill.instrumentId, ctx);
    }
    ctx.markStateChanged();
  }

  onStop(ctx: StrategyContext): void {
    if (!this.#params.cancelOnStop) return;
    // Ids are kept: a fill that races the cancel still flips its slot, and an order that was
    // canceled is seen missing after a restart and placed again.
    for (const book of this.#books.values()) {
      for (const slot of book.slots) if (slot.orderId !== undefined) ctx.cancelOrder(slot.orderId);
    }
  }

  getState(): unknown {
    const instruments: Record<string, unknown> = {};
    for (const [id, book] of this.#books) {
      if (book.prices.length === 0) continue;
      instruments[id] = {
        rebuild: book.rebuild,
        prices: book.prices.map((p) => p.toString()),
        slots: book.slots.map((s) => ({
          side: s.side ?? null,
          orderId: s.orderId ?? null,
          quantity: s.quantity.toString(),
          filled: s.filled.toString(),
          missing: s.missing,
        })),
      };
    }
    return { version: 1, geometry: geometryOf(this.#params), instruments };
  }

  setState(state: unknown): void {
    const parsed = GridStateSchema.safeParse(state);
    if (!parsed.success) {
      throw new DesError(
        ErrorCode.InvalidStrategyParams,
        `invalid grid state: ${z.prettifyError(parsed.error)}`,
      );
    }
    const s = parsed.data;
    const g = geometryOf(this.#params);
    const sameGrid =
      s.geometry.lower === g.lower && s.geometry.upper === g.upper && s.geometry.levels === g.levels;
    this.#books.clear();
    for (const [id, saved] of Object.entries(s.instruments)) {
      if (saved.slots.length !== saved.prices.length - 1) {
        throw new DesError(
          ErrorCode.InvalidStrategyParams,
          `invalid grid state: ${id} slots do not fit levels`,
        );
      }
      const book: GridBook = {
        prices: saved.prices,
        slots: saved.slots.map((x) => ({
          side: x.side ?? undefined,
          orderId: (x.orderId ?? undefined) as ClientOrderId | undefined,
          quantity: x.quantity,
          filled: x.filled,
          missing: x.missing,
        })),
        byOrderId: new Map(),
        // A grid saved with other bounds is rebuilt: its orders sit at levels that no longer exist.
        rebuild: saved.rebuild || !sameGrid,
      };
      book.slots.forEach((slot, i) => {
        if (slot.orderId !== undefined) book.byOrderId.set(slot.orderId, i);
      });
      this.#books.set(id as InstrumentId, book);
    }
  }

  updateParams(params: GridParams): void {
    const rebuild = !sameGeometry(this.#params, params);
    this.#params = params;
    if (rebuild) for (const book of this.#books.values()) book.rebuild = true;
  }

  #layOut(book: GridBook, id: InstrumentId, price: Decimal, ctx: StrategyContext): void {
    const instrument = ctx.instrument(id);
    if (instrument === undefined) {
      throw new DesError(
        ErrorCode.UnknownInstrument,
        `grid: instrument ${id} is unknown (tick size needed)`,
        {
          instrumentId: id,
        },
      );
    }
    const p = this.#params;
    const prices = gridLevelPrices(p.lower, p.upper, p.levels).map((x) =>
      roundPrice(instrument, x, Rounding.HalfEven),
    );
    for (let i = 0; i < prices.length; i++) {
      const prev = i === 0 ? Decimal.ZERO : prices[i - 1]!;
      if (!prices[i]!.gt(prev)) {
        throw new DesError(
          ErrorCode.InvalidStrategyParams,
          `grid: ${p.levels} levels from ${p.lower} to ${p.upper} do not fit tick size ${instrument.tickSize}` +
            ` (level ${i} rounds to ${prices[i]})`,
          { instrumentId: id, level: i },
        );
      }
    }
    const quantity = roundToLot(instrument, p.sizePerLevel);
    if (!quantity.isPositive()) {
      throw new DesError(
        ErrorCode.InvalidStrategyParams,
        `grid: sizePerLevel ${p.sizePerLevel} rounds to zero at step size ${instrument.stepSize}`,
        { instrumentId: id },
      );
    }
    // Existing inventory backs SELL orders, lowest levels above the price first, whole lots only.
    const position = ctx.position(id);
    let lots = position.isPositive()
      ? position.div(quantity, Rounding.Down).round(0, Rounding.Down).toNumber()
      : 0;
    book.prices = prices;
    book.slots = [];
    for (let s = 0; s < prices.length - 1; s++) {
      let side: OrderSide | undefined;
      if (prices[s]!.lt(price)) side = "BUY";
      else if (lots > 0) {
        side = "SELL";
        lots--;
      }
      book.slots.push({ side, orderId: undefined, quantity, filled: Decimal.ZERO, missing: 0 });
    }
    this.#placeMissing(book, id, ctx);
    ctx.markStateChanged();
  }

  #tearDown(book: GridBook, ctx: StrategyContext): void {
    for (const slot of book.slots) if (slot.orderId !== undefined) ctx.cancelOrder(slot.orderId);
    book.prices = [];
    book.slots = [];
    book.byOrderId.clear();
    book.rebuild = false;
    ctx.markStateChanged();
  }

  /** Counts bars on which a slot's order is not open; forgets it once it is gone for good. */
  #reconcile(book: GridBook, id: InstrumentId, ctx: StrategyContext): void {
    const open = new Set<string>();
    for (const o of ctx.openOrders(id)) open.add(o.clientOrderId);
    let changed = false;
    for (const slot of book.slots) {
      if (slot.orderId === undefined) continue;
      const orderId = slot.orderId;
      if (open.has(orderId)) {
        if (slot.missing !== 0) {
          slot.missing = 0;
          changed = true;
        }
        continue;
      }
      slot.missing++;
      changed = true;
      if (slot.missing >= VANISHED_AFTER_CHECKS) {
        book.byOrderId.delete(orderId);
        slot.orderId = undefined;
        slot.missing = 0;
      }
    }
    if (changed) ctx.markStateChanged();
  }

  #placeMissing(book: GridBook, id: InstrumentId, ctx: StrategyContext): void {
    for (let s = 0; s < book.slots.length; s++) {
      const slot = book.slots[s]!;
      if (slot.side !== undefined && slot.orderId === undefined) this.#place(book, s, id, ctx);
    }
  }

  #place(book: GridBook, s: number, id: InstrumentId, ctx: StrategyContext): void {
    const slot = book.slots[s]!;
    if (slot.side === undefined) return;
    // Level L is shared by the BUY of slot L and the SELL of slot L-1. Both resting would cross
    // each other (a self-trade), so a slot waits while its neighbour holds the level.
    const neighbour = slot.side === "BUY" ? book.slots[s - 1] : book.slots[s + 1];
    const blockingSide: OrderSide = slot.side === "BUY" ? "SELL" : "BUY";
    if (neighbour?.side === blockingSide && neighbour.orderId !== undefined) return;
    const price = slot.side === "BUY" ? book.prices[s]! : book.prices[s + 1]!;
    const quantity = slot.quantity.sub(slot.filled);
    if (!quantity.isPositive()) return;
    const orderId = ctx.submitOrder({
      instrumentId: id,
      side: slot.side,
      type: "LIMIT",
      quantity,
      price,
      timeInForce: "GTC",
    });
    if (orderId === undefined) return;
    slot.orderId = orderId;
    slot.missing = 0;
    book.byOrderId.set(orderId, s);
    ctx.markStateChanged();
  }
}

/**
 * `grid`: a grid of resting LIMIT orders between lower and upper. Buys rest below the price; each
 * filled buy is followed by a sell one level up, each filled sell by a buy one level down.
 */
export const grid: StrategyDefinition<GridParams> = {
  name: "grid",
  description: "Resting limit orders on evenly spaced levels; buy low, sell one level up, repeat.",
  params: GridParamsSchema,
  subscriptions(_params: GridParams, interval): StrategySubscriptions {
    return { bars: [interval], warmupBars: 0 };
  },
  create(params: GridParams): Strategy<GridParams> {
    return new GridStrategy(params);
  },
};
