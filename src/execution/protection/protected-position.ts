import type { ClientOrderId, Decimal, InstrumentId, StrategyId, UnixMicros } from "../../core/index.ts";
import type { OrderSide, OrderType } from "../../model/index.ts";
import type { ProtectionPlan } from "./protection-config.ts";
import { type PositionSide, type PriceTrigger, trailingLevel } from "./protection-levels.ts";

/** The protections that can rest at the venue (a trailing stop is always emulated). */
export type NativeTrigger = "stopLoss" | "takeProfit";

/** A protective order placed at the venue. */
export interface NativeOrder {
  readonly clientOrderId: ClientOrderId;
  readonly type: OrderType;
  readonly side: OrderSide;
  readonly quantity: Decimal;
  readonly stopPrice: Decimal;
}

/** One native protection: the order resting at the venue, or the one being canceled. */
export interface NativeSlot {
  live: NativeOrder | undefined;
  canceling: ClientOrderId | undefined;
  /** When the last cancel was sent (engine clock) and how many were sent. */
  cancelSentAt: number;
  cancelAttempts: number;
}

/** An emulated exit: triggered, sent (clientOrderId) or waiting for native orders to be canceled first. */
export interface PendingExit {
  readonly trigger: PriceTrigger;
  readonly level: Decimal;
  readonly observed: Decimal;
  readonly causedByReceivedAt: UnixMicros | undefined;
  clientOrderId: ClientOrderId | undefined;
}

/** A read-only view of one protected position, for the API and tests. */
export interface ProtectionView {
  readonly strategyId: StrategyId;
  readonly instrumentId: InstrumentId;
  readonly plan: ProtectionPlan;
  /** Undefined while the position is flat (nothing armed). */
  readonly side: PositionSide | undefined;
  readonly quantity: Decimal;
  readonly entryPrice: Decimal;
  readonly stopLoss: Decimal | undefined;
  readonly takeProfit: Decimal | undefined;
  readonly trailingStop: Decimal | undefined;
  /** The best price since entry (a long's highest, a short's lowest). */
  readonly watermark: Decimal;
  /** The emulated exit in flight, if triggered. */
  readonly exitOrder: ClientOrderId | "waiting-for-cancel" | undefined;
  /** The protective orders resting at the venue. */
  readonly nativeOrders: readonly NativeOrder[];
  /** Native protections that fell back to emulation for this position (rejected or canceled at the venue). */
  readonly emulatedFallback: readonly NativeTrigger[];
  /** True after the exit failed too often: nothing more is sent until the position or the config changes. */
  readonly gaveUp: boolean;
}

/** The mutable state of one strategy's protected position in one instrument (owned by ProtectionManager). */
export class ProtectedPosition {
  readonly strategyId: StrategyId;
  readonly instrumentId: InstrumentId;
  plan: ProtectionPlan;
  side: PositionSide | undefined;
  /** Absolute quantity of the open position. */
  quantity: Decimal;
  /** The quantity an exit order sells: the position rounded down to the step; undefined when too small to trade. */
  exitQuantity: Decimal | undefined;
  entry: Decimal;
  watermark: Decimal;
  /** The newest market time seen for the instrument when the position opened: older bars give only their close. */
  openedAtMarket = Number.NEGATIVE_INFINITY;
  stop: Decimal | undefined;
  target: Decimal | undefined;
  exit: PendingExit | undefined;
  /** Consecutive exit orders that failed. */
  failures = 0;
  gaveUp = false;
  readonly fallback = new Set<NativeTrigger>();
  readonly native: Record<NativeTrigger, NativeSlot> = { stopLoss: emptySlot(), takeProfit: emptySlot() };

  constructor(strategyId: StrategyId, instrumentId: InstrumentId, plan: ProtectionPlan, zero: Decimal) {
    this.strategyId = strategyId;
    this.instrumentId = instrumentId;
    this.plan = plan;
    this.side = undefined;
    this.quantity = zero;
    this.exitQuantity = undefined;
    this.entry = zero;
    this.watermark = zero;
  }

  /** Returns true while a native order rests at the venue or is being canceled. */
  hasNativeOrders(): boolean {
    return (
      this.native.stopLoss.live !== undefined ||
      this.native.stopLoss.canceling !== undefined ||
      this.native.takeProfit.live !== undefined ||
      this.native.takeProfit.canceling !== undefined
    );
  }

  /** Returns true while a native order is being canceled. */
  isCanceling(): boolean {
    return this.native.stopLoss.canceling !== undefined || this.native.takeProfit.canceling !== undefined;
  }

  /** Returns a read-only view. */
  view(): ProtectionView {
    const nativeOrders: NativeOrder[] = [];
    if (this.native.stopLoss.live !== undefined) nativeOrders.push(this.native.stopLoss.live);
    if (this.native.takeProfit.live !== undefined) nativeOrders.push(this.native.takeProfit.live);
    return {
      strategyId: this.strategyId,
      instrumentId: this.instrumentId,
      plan: this.plan,
      side: this.side,
      quantity: this.quantity,
      entryPrice: this.entry,
      stopLoss: this.side === undefined ? undefined : this.stop,
      takeProfit: this.side === undefined ? undefined : this.target,
      trailingStop:
        this.side === undefined || this.plan.trailingPercent === undefined
          ? undefined
          : trailingLevel(this.plan.trailingPercent, this.side, this.watermark),
      watermark: this.watermark,
      exitOrder: this.exit === undefined ? undefined : (this.exit.clientOrderId ?? "waiting-for-cancel"),
      nativeOrders,
      emulatedFallback: [...this.fallback],
      gaveUp: this.gaveUp,
    };
  }
}

function emptySlot(): NativeSlot {
  return { live: undefined, canceling: undefined, cancelSentAt: 0, cancelAttempts: 0 };
}
