import { DesError, ErrorCode, isDesError } from "../../core/index.ts";

/** The text of -2010 that means the account lacks funds (reference section 5). */
export const INSUFFICIENT_BALANCE_MSG = "Account has insufficient balance for requested action.";

/** What a failed Binance response said, as BinanceApiError carries it. */
export interface BinanceApiErrorInfo {
  /** e.g. "POST /api/v3/order"; never the parameters (a signed query holds the signature). */
  endpoint: string;
  httpStatus: number;
  /** Binance's `code`, when the body was a Binance error object. */
  binanceCode?: number;
  /** Binance's `msg`, verbatim (truncated to 500 characters). */
  binanceMsg?: string;
  /** Epoch ms until which requests are held back (429/418). */
  retryAtMs?: number;
}

/** Returns the DES code for a Binance error response (HTTP status first, then Binance's code). */
export function desCodeForBinanceError(
  httpStatus: number,
  binanceCode?: number,
  binanceMsg?: string,
): ErrorCode {
  if (httpStatus === 418) return ErrorCode.VenueBanned;
  if (httpStatus === 429 || binanceCode === -1003 || binanceCode === -1015) return ErrorCode.VenueRateLimited;
  if (httpStatus >= 500 || binanceCode === -1007) return ErrorCode.VenueUnknownOutcome;
  switch (binanceCode) {
    case -1013:
      return ErrorCode.VenueFilterFailure;
    case -2010:
      return binanceMsg === INSUFFICIENT_BALANCE_MSG
        ? ErrorCode.VenueInsufficientBalance
        : ErrorCode.VenueRejected;
    case -2011:
      return ErrorCode.VenueCancelRejected;
    case -2013:
      return ErrorCode.VenueOrderNotFound;
    case -1121:
      return ErrorCode.VenueUnknownSymbol;
    case -1022:
    case -2014:
    case -2015:
      return ErrorCode.VenueAuthFailed;
    case -1021:
      return ErrorCode.VenueTimestampRejected;
    default:
      return ErrorCode.VenueRejected;
  }
}

/**
 * A Binance error response as a DesError: the DES code comes from desCodeForBinanceError, and Binance's
 * code and message, the HTTP status and the endpoint are both fields and details. No request parameter
 * is ever part of it.
 */
export class BinanceApiError extends DesError {
  readonly binanceCode: number | undefined;
  readonly binanceMsg: string | undefined;
  readonly httpStatus: number;
  readonly endpoint: string;

  constructor(info: BinanceApiErrorInfo) {
    const msg = info.binanceMsg === undefined ? undefined : info.binanceMsg.slice(0, 500);
    const code = desCodeForBinanceError(info.httpStatus, info.binanceCode, msg);
    const said =
      info.binanceCode === undefined ? "no Binance error body" : `${info.binanceCode} ${msg ?? ""}`;
    const until =
      info.retryAtMs === undefined ? "" : ` (held back until ${new Date(info.retryAtMs).toISOString()})`;
    const details: Record<string, unknown> = {
      endpoint: info.endpoint,
      httpStatus: info.httpStatus,
      binanceCode: info.binanceCode,
      binanceMsg: msg,
    };
    if (info.retryAtMs !== undefined) details.retryAtMs = info.retryAtMs;
    super(code, `Binance ${info.endpoint} answered HTTP ${info.httpStatus}: ${said}${until}`, details);
    this.name = "BinanceApiError";
    this.binanceCode = info.binanceCode;
    this.binanceMsg = msg;
    this.httpStatus = info.httpStatus;
    this.endpoint = info.endpoint;
  }
}

/**
 * Returns true when a request may or may not have taken effect (timeout, broken connection after
 * sending, 5xx, -1007, or an unreadable success body of an order request): the caller must look the order
 * up before doing anything else, never resend it blindly.
 */
export function isUnknownOutcome(err: unknown): boolean {
  return (
    isDesError(err, ErrorCode.VenueUnknownOutcome) ||
    (isDesError(err) && (err.details as { outcomeUnknown?: unknown }).outcomeUnknown === true)
  );
}
