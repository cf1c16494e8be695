import { Decimal, Rounding } from "../../core/index.ts";
import { type Instrument, roundPrice } from "../../model/index.ts";
import type { PlanLevel } from "./protection-config.ts";

/** The side of an open position. */
export type PositionSide = "long" | "short";

/** The price-based protections (PnL targets are the profit-target watcher's). */
export type PriceTrigger = "stopLoss" | "takeProfit" | "trailingStop";

const HUNDRED = Decimal.from("100");

/**
 * Returns the stop-loss price of a position: percent below a long's entry (above a short's), or the
 * absolute price. Rounded to the tick toward the entry, so it never fires later than configured.
 */
export function stopLossLevel(
  level: PlanLevel,
  side: PositionSide,
  entry: Decimal,
  instrument: Instrument | undefined,
): Decimal {
  const raw = level.kind === "price" ? level.value : offset(entry, level.value, side === "long" ? -1 : 1);
  return round(raw, instrument, side === "long" ? Rounding.Ceil : Rounding.Floor);
}

/**
 * Returns the take-profit price of a position: percent above a long's entry (below a short's), or the
 * absolute price. Rounded to the tick toward the entry. A short's level at or below zero never fires.
 */
export function takeProfitLevel(
  level: PlanLevel,
  side: PositionSide,
  entry: Decimal,
  instrument: Instrument | undefined,
): Decimal {
  const raw = level.kind === "price" ? level.value : offset(entry, level.value, side === "long" ? 1 : -1);
  return round(raw, instrument, side === "long" ? Rounding.Floor : Rounding.Ceil);
}

/** Returns the trailing stop's price: percent below a long's best price (above a short's lowest). */
export function trailingLevel(percent: Decimal, side: PositionSide, watermark: Decimal): Decimal {
  return offset(watermark, percent, side === "long" ? -1 : 1);
}

/** What one price event does to a position's emulated protections. */
export interface TriggerCheck {
  /** The emulated stop-loss level (undefined: none, or it lives at the venue). */
  readonly stop: Decimal | undefined;
  /** The emulated take-profit level (undefined: none, or it lives at the venue). */
  readonly target: Decimal | undefined;
  readonly trailingPercent: Decimal | undefined;
  /** The best price since entry (a long's highest, a short's lowest). */
  readonly watermark: Decimal;
  readonly side: PositionSide;
  /** The price range of the event: a trade has low = high = close. */
  readonly low: Decimal;
  readonly high: Decimal;
  readonly close: Decimal;
}

/** The protection a price event hit, with its level and the price that reached it. */
export interface TriggerHit {
  readonly trigger: PriceTrigger;
  readonly level: Decimal;
  readonly observed: Decimal;
}

/**
 * Checks one price event against a position's protections and returns the new watermark and the
 * protection hit, if any. Within a bar the order of high and low is unknown, so it assumes the worst:
 * the adverse extreme is checked against the stop and the trailing stop of the old watermark first,
 * then the favourable extreme against the take-profit, then the watermark moves to the favourable
 * extreme and the close is checked against the trailing stop from there. When two adverse levels are
 * crossed, the one the price reached first (a long's higher) is reported.
 */
export function checkTriggers(c: TriggerCheck): {
  readonly hit: TriggerHit | undefined;
  readonly watermark: Decimal;
} {
  const long = c.side === "long";
  const adverse = long ? c.low : c.high;
  const favourable = long ? c.high : c.low;
  const crossedAgainst = (level: Decimal, price: Decimal) => (long ? price.lte(level) : price.gte(level));
  let hit: TriggerHit | undefined;
  const consider = (trigger: PriceTrigger, level: Decimal, observed: Decimal) => {
    // The adverse level nearer to the market (a long's higher one) is reached first.
    if (hit === undefined || (long ? level.gt(hit.level) : level.lt(hit.level)))
      hit = { trigger, level, observed };
  };
  if (c.stop !== undefined && crossedAgainst(c.stop, adverse)) consider("stopLoss", c.stop, adverse);
  if (c.trailingPercent !== undefined) {
    const level = trailingLevel(c.trailingPercent, c.side, c.watermark);
    if (crossedAgainst(level, adverse)) consider("trailingStop", level, adverse);
  }
  if (hit !== undefined) return { hit, watermark: c.watermark };
  // A short's take-profit at or below zero can never be reached.
  const target = c.target?.isPositive() ? c.target : undefined;
  if (target !== undefined && (long ? favourable.gte(target) : favourable.lte(target))) {
    return { hit: { trigger: "takeProfit", level: target, observed: favourable }, watermark: c.watermark };
  }
  const watermark = long ? Decimal.max(c.watermark, favourable) : Decimal.min(c.watermark, favourable);
  if (c.trailingPercent !== undefined) {
    const level = trailingLevel(c.trailingPercent, c.side, watermark);
    if (crossedAgainst(level, c.close))
      return { hit: { trigger: "trailingStop", level, observed: c.close }, watermark };
  }
  return { hit: undefined, watermark };
}

/** Returns price x (1 + sign x percent / 100). */
function offset(price: Decimal, percent: Decimal, sign: 1 | -1): Decimal {
  const move = price.mul(percent).div(HUNDRED);
  return sign === 1 ? price.add(move) : price.sub(move);
}

function round(price: Decimal, instrument: Instrument | undefined, rounding: Rounding): Decimal {
  if (instrument === undefined || !price.isPositive()) return price;
  return roundPrice(instrument, price, rounding);
}
