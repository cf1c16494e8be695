export { type Clock, LiveClock, TestClock, type TimerId } from "./clock.ts";
export { DECIMAL_SCALE, Decimal, dec } from "./decimal.ts";
export { DesError, ErrorCode, isDesError, toError } from "./errors.ts";
export {
  type AccountId,
  accountId,
  type ClientOrderId,
  ClientOrderIdGenerator,
  clientOrderId,
  type InstrumentId,
  instrumentId,
  type StrategyId,
  strategyId,
  type TradeId,
  tradeId,
  type VenueOrderId,
  venueOrderId,
} from "./ids.ts";
export { divRound, Rounding } from "./rounding.ts";
export {
  asMicros,
  type DurationMicros,
  durationMicros,
  isoFromMicros,
  MICROS_PER_DAY,
  MICROS_PER_HOUR,
  MICROS_PER_MINUTE,
  MICROS_PER_MS,
  MICROS_PER_SECOND,
  microsFromMs,
  msFromMicros,
  type UnixMicros,
} from "./time.ts";
