export type { CancelOrder, Command, SubmitOrder } from "./commands.ts";
export type {
  OrderAccepted,
  OrderCanceled,
  OrderDenied,
  OrderEvent,
  OrderExpired,
  OrderFilled,
  OrderRejected,
  OrderSubmitted,
  PositionChanged,
  Signal,
  StrategyError,
  StrategyStatus,
  StrategyStatusChanged,
  SubscriberFailed,
} from "./events.ts";
export {
  checkFilters,
  type ExchangeInfoMsg,
  type ExchangeInfoSymbolMsg,
  type Instrument,
  parseExchangeInfo,
  parseInstrument,
  roundPrice,
  roundQuantity,
} from "./instrument.ts";
export {
  type AggressorSide,
  BAR_INTERVALS,
  type Bar,
  type BarInterval,
  intervalMicros,
  type MarketEvent,
  parseBarInterval,
  type QuoteTick,
  type TradeTick,
} from "./market-data.ts";
export {
  applyFillToOrder,
  averageFillPrice,
  type Liquidity,
  newOrder,
  type Order,
  type OrderSide,
  type OrderType,
  oppositeSide,
  remainingQty,
  setOrderStatus,
  type TimeInForce,
} from "./order.ts";
export {
  canTransition,
  isTerminalStatus,
  ORDER_TRANSITIONS,
  OrderStatus,
} from "./order-status.ts";
