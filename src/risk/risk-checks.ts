import { Decimal, Rounding } from "../core/index.ts";
import { checkFilters, type Instrument, type OrderSide } from "../model/index.ts";
import { DenialReason, TradingState } from "./risk-events.ts";
import { quantityDown } from "./sizing.ts";

/** A refusal: a stable reason code and a human detail. */
export interface Denial {
  readonly reason: DenialReason;
  readonly detail: string;
}

/** The quantity an order may keep after a clipping check. */
export interface Allowed {
  readonly quantity: Decimal;
}

/** Returns true when the result is a denial. */
export function isDenial(r: Denial | Allowed | undefined): r is Denial {
  return r !== undefined && "reason" in r;
}

/** Returns the signed change of position an order makes (BUY positive). */
export function signedQuantity(side: OrderSide, quantity: Decimal): Decimal {
  return side === "BUY" ? quantity : quantity.neg();
}

/**
 * Returns the part of an order that reduces the position without flipping it: zero when the order
 * goes the same way as the position (or the position is flat).
 */
export function reducingQuantity(position: Decimal, side: OrderSide, quantity: Decimal): Decimal {
  const opposite = side === "BUY" ? position.isNegative() : position.isPositive();
  return opposite ? Decimal.min(quantity, position.abs()) : Decimal.ZERO;
}

/** Returns true when the order only reduces the position (never increases or flips it). */
export function isReducing(position: Decimal, side: OrderSide, quantity: Decimal): boolean {
  return quantity.isPositive() && reducingQuantity(position, side, quantity).eq(quantity);
}

/** Returns the most restrictive of two trading states. */
export function stricterState(a: TradingState, b: TradingState): TradingState {
  if (a === TradingState.Halted || b === TradingState.Halted) return TradingState.Halted;
  if (a === TradingState.Reducing || b === TradingState.Reducing) return TradingState.Reducing;
  return TradingState.Active;
}

/** Denies everything when HALTED and every non-reducing order when REDUCING. */
export function checkTradingState(state: TradingState, reducing: boolean): Denial | undefined {
  if (state === TradingState.Halted)
    return { reason: DenialReason.TradingHalted, detail: "trading is HALTED" };
  if (state === TradingState.Reducing && !reducing) {
    return {
      reason: DenialReason.TradingReducing,
      detail: "trading is REDUCING: only orders that reduce the position pass",
    };
  }
  return undefined;
}

/**
 * Checks a reduce-only order: denied when it would not reduce the position at all; when larger than
 * the position, clipped to it (rounded down to the step) in "clip" mode, denied in "reject" mode.
 */
export function checkReduceOnly(
  instrument: Instrument,
  position: Decimal,
  side: OrderSide,
  quantity: Decimal,
  mode: "clip" | "reject",
  reason: DenialReason = DenialReason.ReduceOnly,
): Denial | Allowed {
  const reducing = reducingQuantity(position, side, quantity);
  if (reducing.isZero()) {
    return { reason, detail: `${side} ${quantity} would not reduce position ${position}` };
  }
  if (reducing.eq(quantity)) return { quantity };
  if (mode === "reject") {
    return { reason, detail: `${side} ${quantity} exceeds position ${position} (reduce-only, mode reject)` };
  }
  const clipped = quantityDown(instrument, reducing);
  if (!clipped.isPositive()) {
    return { reason, detail: `position ${position} is smaller than one step ${instrument.stepSize}` };
  }
  return { quantity: clipped };
}

/** Checks the order notional (quote) against the configured min and max. */
export function checkOrderNotional(
  notional: Decimal,
  min: Decimal | undefined,
  max: Decimal | undefined,
): Denial | undefined {
  if (min !== undefined && notional.lt(min)) {
    return { reason: DenialReason.MinNotional, detail: `order notional ${notional} below minimum ${min}` };
  }
  if (max !== undefined && notional.gt(max)) {
    return { reason: DenialReason.MaxNotional, detail: `order notional ${notional} above maximum ${max}` };
  }
  return undefined;
}

/**
 * Checks the absolute position after the order against maxPosition. An order that leaves the
 * position no larger than now always passes; otherwise "clip" keeps the room left (rounded down to
 * the step; denied when that is zero) and "reject" denies.
 */
export function checkPositionLimit(
  instrument: Instrument,
  position: Decimal,
  side: OrderSide,
  quantity: Decimal,
  maxPosition: Decimal,
  mode: "clip" | "reject",
  scope = "position",
): Denial | Allowed {
  const after = position.add(signedQuantity(side, quantity));
  if (after.abs().lte(maxPosition) || after.abs().lte(position.abs())) return { quantity };
  const denial = {
    reason: DenialReason.PositionLimit,
    detail: `${scope} ${position} ${side} ${quantity} -> ${after} exceeds limit ${maxPosition}`,
  };
  if (mode === "reject") return denial;
  // Room left on this side: up to +max for a BUY, down to -max for a SELL.
  const room = side === "BUY" ? maxPosition.sub(position) : maxPosition.add(position);
  const clipped = quantityDown(instrument, room);
  if (!clipped.isPositive()) return { ...denial, detail: `${denial.detail} (no room left to clip to)` };
  return { quantity: clipped };
}

/** Checks current exposure + pending orders + the order's added exposure against a maximum (all quote). */
export function checkExposure(
  current: Decimal,
  pending: Decimal,
  added: Decimal,
  max: Decimal,
  scope = "exposure",
): Denial | undefined {
  if (!added.isPositive()) return undefined;
  // Summed as exact units: a passing order builds no Decimal.
  if (current.units + pending.units + added.units <= max.units) return undefined;
  const total = current.add(pending).add(added);
  return {
    reason: DenialReason.ExposureLimit,
    detail: `${scope} ${current} + pending ${pending} + order ${added} = ${total} exceeds limit ${max}`,
  };
}

/** Denies when the day's trade count has reached the maximum. */
export function checkDailyTrades(trades: number, max: number, scope = "strategy"): Denial | undefined {
  if (trades < max) return undefined;
  return { reason: DenialReason.DailyTrades, detail: `${scope} daily trades ${trades} reached limit ${max}` };
}

/** How close the day's loss is to its limit. */
export type LossLevel = "OK" | "WARN" | "SCALE" | "BREACH";

/** Returns the day's loss (positive) from its net realized PnL: zero when the day is in profit. */
export function lossFromPnl(realizedPnl: Decimal): Decimal {
  return realizedPnl.isNegative() ? realizedPnl.neg() : Decimal.ZERO;
}

/** A daily-loss limit with its soft-limit levels worked out once (they only change with the config). */
export interface LossThresholds {
  /** The limit: BREACH at or above it. */
  readonly max: Decimal;
  /** max x scaleRatio, rounded up: SCALE at or above it. */
  readonly scale: Decimal;
  /** max x warnRatio, rounded up: WARN at or above it. */
  readonly warn: Decimal;
}

/** Returns the thresholds of a daily-loss limit for the configured warn and scale ratios. */
export function lossThresholds(max: Decimal, warnRatio: Decimal, scaleRatio: Decimal): LossThresholds {
  return { max, scale: max.mul(scaleRatio, Rounding.Ceil), warn: max.mul(warnRatio, Rounding.Ceil) };
}

/** Returns the soft-limit level of a loss against thresholds from lossThresholds (no arithmetic: cheap per order). */
export function lossLevelOf(loss: Decimal, t: LossThresholds): LossLevel {
  if (loss.gte(t.max)) return "BREACH";
  if (loss.gte(t.scale)) return "SCALE";
  if (loss.gte(t.warn)) return "WARN";
  return "OK";
}

/** Returns the soft-limit level of the day's net realized PnL (a loss when negative), building no Decimal. */
export function pnlLossLevel(realizedPnl: Decimal, t: LossThresholds): LossLevel {
  const loss = realizedPnl.units < 0n ? -realizedPnl.units : 0n;
  if (loss >= t.max.units) return "BREACH";
  if (loss >= t.scale.units) return "SCALE";
  if (loss >= t.warn.units) return "WARN";
  return "OK";
}

/**
 * Returns the soft-limit level of a loss against its limit: BREACH at >= 100 %, SCALE at >= scaleRatio,
 * WARN at >= warnRatio. A zero limit counts as breached (no loss allowed at all).
 */
export function dailyLossLevel(
  loss: Decimal,
  max: Decimal,
  warnRatio: Decimal,
  scaleRatio: Decimal,
): LossLevel {
  return lossLevelOf(loss, lossThresholds(max, warnRatio, scaleRatio));
}

/** Returns the loss / limit ratio as a string with 4 decimals ("1.0000" for a zero limit). */
export function lossRatio(loss: Decimal, max: Decimal): string {
  return max.isZero() ? "1.0000" : loss.div(max, Rounding.Down).toFixed(4, Rounding.Down);
}

/**
 * Checks the instrument's filters (quantity range and step, price range and tick, min/max notional).
 * `limitPrice` is the order's price when it has one; `notionalPrice` prices orders without one (market),
 * whose notional must still meet minNotional, as Binance applies it to market orders too.
 */
export function checkInstrumentFilters(
  instrument: Instrument,
  quantity: Decimal,
  limitPrice: Decimal | undefined,
  notionalPrice: Decimal,
): Denial | undefined {
  const why = checkFilters(instrument, quantity, limitPrice);
  if (why !== undefined) return { reason: DenialReason.Filter, detail: `${instrument.id}: ${why}` };
  if (limitPrice === undefined) {
    const notional = notionalPrice.mul(quantity);
    if (notional.lt(instrument.minNotional)) {
      return {
        reason: DenialReason.Filter,
        detail: `${instrument.id}: notional ${notional} below minNotional ${instrument.minNotional}`,
      };
    }
    if (instrument.maxNotional !== undefined && notional.gt(instrument.maxNotional)) {
      return {
        reason: DenialReason.Filter,
        detail: `${instrument.id}: notional ${notional} above maxNotional ${instrument.maxNotional}`,
      };
    }
  }
  return undefined;
}
