/**
 * Stable error codes. Every code is documented in docs/errors.md; a test keeps the two in step.
 * Expected business outcomes (a risk denial, an insufficient balance) are values, not exceptions:
 * these codes are for bugs, bad input and I/O failures.
 */
export const ErrorCode = {
  InvalidDecimal: "DES_ERR_INVALID_DECIMAL",
  DecimalOverflow: "DES_ERR_DECIMAL_OVERFLOW",
  DivisionByZero: "DES_ERR_DIVISION_BY_ZERO",
  InvalidId: "DES_ERR_INVALID_ID",
  InvalidInstrument: "DES_ERR_INVALID_INSTRUMENT",
  UnknownInstrument: "DES_ERR_UNKNOWN_INSTRUMENT",
  InvalidOrderTransition: "DES_ERR_INVALID_ORDER_TRANSITION",
  InvalidMarketData: "DES_ERR_INVALID_MARKET_DATA",
  InvalidInterval: "DES_ERR_INVALID_INTERVAL",
  InvalidConfig: "DES_ERR_INVALID_CONFIG",
  InvalidStrategyParams: "DES_ERR_INVALID_STRATEGY_PARAMS",
  InvalidStrategyState: "DES_ERR_INVALID_STRATEGY_STATE",
  InvalidIndicatorState: "DES_ERR_INVALID_INDICATOR_STATE",
  UnknownStrategy: "DES_ERR_UNKNOWN_STRATEGY",
  StrategyFailed: "DES_ERR_STRATEGY_FAILED",
  StrategyTimeout: "DES_ERR_STRATEGY_TIMEOUT",
  StrategyBacklogFull: "DES_ERR_STRATEGY_BACKLOG_FULL",
  StrategyNotRunning: "DES_ERR_STRATEGY_NOT_RUNNING",
  BusSubscriberFailed: "DES_ERR_BUS_SUBSCRIBER_FAILED",
  OrderRejected: "DES_ERR_ORDER_REJECTED",
  StoreFailed: "DES_ERR_STORE_FAILED",
  PrimarySwitchRefused: "DES_ERR_PRIMARY_SWITCH_REFUSED",
  ShutdownTimeout: "DES_ERR_SHUTDOWN_TIMEOUT",
  InvalidMetric: "DES_ERR_INVALID_METRIC",
  UnknownOrder: "DES_ERR_UNKNOWN_ORDER",
  DuplicateOrderId: "DES_ERR_DUPLICATE_ORDER_ID",
  VenueFailed: "DES_ERR_VENUE_FAILED",
  LedgerInvariant: "DES_ERR_LEDGER_INVARIANT",
  InvalidFill: "DES_ERR_INVALID_FILL",
  NotFound: "DES_ERR_NOT_FOUND",
  BadRequest: "DES_ERR_BAD_REQUEST",
  Unauthorized: "DES_ERR_UNAUTHORIZED",
  Internal: "DES_ERR_INTERNAL",
  VenueRejected: "DES_ERR_VENUE_REJECTED",
  VenueFilterFailure: "DES_ERR_VENUE_FILTER_FAILURE",
  VenueInsufficientBalance: "DES_ERR_VENUE_INSUFFICIENT_BALANCE",
  VenueCancelRejected: "DES_ERR_VENUE_CANCEL_REJECTED",
  VenueUnknownSymbol: "DES_ERR_VENUE_UNKNOWN_SYMBOL",
  VenueOrderNotFound: "DES_ERR_VENUE_ORDER_NOT_FOUND",
  VenueAuthFailed: "DES_ERR_VENUE_AUTH_FAILED",
  VenueTimestampRejected: "DES_ERR_VENUE_TIMESTAMP_REJECTED",
  VenueRateLimited: "DES_ERR_VENUE_RATE_LIMITED",
  VenueBanned: "DES_ERR_VENUE_BANNED",
  VenueUnknownOutcome: "DES_ERR_VENUE_UNKNOWN_OUTCOME",
  VenueUnavailable: "DES_ERR_VENUE_UNAVAILABLE",
  VenueProtocolError: "DES_ERR_VENUE_PROTOCOL_ERROR",
  MalformedMessage: "DES_ERR_MALFORMED_MESSAGE",
  OrderBookGap: "DES_ERR_ORDER_BOOK_GAP",
  InvalidCredentials: "DES_ERR_INVALID_CREDENTIALS",
  ProductionNotConfirmed: "DES_ERR_PRODUCTION_NOT_CONFIRMED",
  InvalidRiskState: "DES_ERR_INVALID_RISK_STATE",
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** An error with a stable code and structured details; the message names what was wrong. */
export class DesError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: ErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "DesError";
    this.code = code;
    this.details = details;
  }

  /** Returns a JSON-safe view without the stack, as an API client may see it. */
  toJSON(): { code: ErrorCode; message: string; details: Readonly<Record<string, unknown>> } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

/** Returns true when the value is a DesError, optionally with the given code. */
export function isDesError(value: unknown, code?: ErrorCode): value is DesError {
  return value instanceof DesError && (code === undefined || value.code === code);
}

/** Turns anything thrown into an Error, so callers always have a message and a stack. */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  if (typeof value === "string") return new Error(value);
  let text: string;
  try {
    // JSON.stringify throws on bigints and cycles, and returns undefined for undefined/functions.
    text = JSON.stringify(value) ?? String(value);
  } catch {
    try {
      text = String(value);
    } catch {
      text = "unprintable thrown value";
    }
  }
  return new Error(text);
}
