import { ErrorCode, isDesError } from "../core/index.ts";
import { ApiErrorCode } from "./api-error-code.ts";

/** The body of every error response. */
export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string };
}

/** An error turned into a status code and a body that is safe to send. */
export interface ErrorReply {
  readonly statusCode: number;
  readonly body: ErrorBody;
}

const INTERNAL_MESSAGE = "internal error; the server log has the details";

const STATUS_BY_DES_CODE: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.InvalidDecimal]: 400,
  [ErrorCode.InvalidId]: 400,
  [ErrorCode.InvalidInstrument]: 400,
  [ErrorCode.InvalidMarketData]: 400,
  [ErrorCode.InvalidInterval]: 400,
  [ErrorCode.InvalidConfig]: 400,
  [ErrorCode.InvalidStrategyParams]: 400,
  [ErrorCode.UnknownInstrument]: 404,
  [ErrorCode.UnknownStrategy]: 404,
  [ErrorCode.UnknownOrder]: 404,
  [ErrorCode.BadRequest]: 400,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.InvalidOrderTransition]: 409,
  [ErrorCode.StrategyNotRunning]: 409,
  [ErrorCode.PrimarySwitchRefused]: 409,
  [ErrorCode.OrderRejected]: 422,
};

/**
 * Returns the status and body for anything thrown by a route. Client errors (a DesError with an
 * input code, or a fastify 4xx) keep their message; everything else becomes a 500 with a generic
 * message, so no stack trace, raw database text or internal detail reaches a client.
 */
export function errorReply(thrown: unknown): ErrorReply {
  if (isDesError(thrown)) {
    const statusCode = STATUS_BY_DES_CODE[thrown.code] ?? 500;
    const message = statusCode < 500 ? thrown.message : INTERNAL_MESSAGE;
    return { statusCode, body: { error: { code: thrown.code, message } } };
  }
  const statusCode = httpStatusOf(thrown);
  if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) {
    const code = statusCode === 404 ? ApiErrorCode.NotFound : ApiErrorCode.BadRequest;
    const message = (thrown as { message?: unknown }).message;
    return {
      statusCode,
      body: { error: { code, message: typeof message === "string" ? message : "bad request" } },
    };
  }
  return { statusCode: 500, body: { error: { code: ApiErrorCode.Internal, message: INTERNAL_MESSAGE } } };
}

function httpStatusOf(thrown: unknown): number | undefined {
  if (thrown === null || typeof thrown !== "object") return undefined;
  const status = (thrown as { statusCode?: unknown }).statusCode;
  return typeof status === "number" && Number.isInteger(status) ? status : undefined;
}
