import type { UnixMicros } from "../core/index.ts";
import type {
  Bar,
  CancelOrder,
  OrderEvent,
  PositionChanged,
  ProtectionEvent,
  QuoteTick,
  Signal,
  StrategyError,
  StrategyStatusChanged,
  SubmitOrder,
  SubscriberFailed,
  TradeTick,
} from "../model/index.ts";

/**
 * A risk engine event (soft-limit warning, kill-switch change, day reset, denial). The bus only
 * needs its kind and time; src/risk defines the variants (RiskEvent), which fit this shape.
 */
export interface RiskEventMsg {
  readonly kind: string;
  readonly ts: UnixMicros;
}

/** Every topic name in DES, in one place. */
export const Topic = {
  Bar: "market.bar",
  Trade: "market.trade",
  Quote: "market.quote",
  Signal: "strategy.signal",
  StrategyError: "strategy.error",
  StrategyStatus: "strategy.status",
  SubmitOrder: "command.submit-order",
  CancelOrder: "command.cancel-order",
  OrderEvent: "order.event",
  PositionChanged: "portfolio.position-changed",
  RiskEvent: "risk.event",
  /** Stop-loss, take-profit, trailing-stop and PnL-target activity (ProtectionEvent). */
  Protection: "protection.event",
  SubscriberFailed: "bus.subscriber-failed",
} as const;
export type Topic = (typeof Topic)[keyof typeof Topic];

/** The message type carried on each topic. */
export interface TopicMessages {
  [Topic.Bar]: Bar;
  [Topic.Trade]: TradeTick;
  [Topic.Quote]: QuoteTick;
  [Topic.Signal]: Signal;
  [Topic.StrategyError]: StrategyError;
  [Topic.StrategyStatus]: StrategyStatusChanged;
  [Topic.SubmitOrder]: SubmitOrder;
  [Topic.CancelOrder]: CancelOrder;
  [Topic.OrderEvent]: OrderEvent;
  [Topic.PositionChanged]: PositionChanged;
  [Topic.RiskEvent]: RiskEventMsg;
  [Topic.Protection]: ProtectionEvent;
  [Topic.SubscriberFailed]: SubscriberFailed;
}
