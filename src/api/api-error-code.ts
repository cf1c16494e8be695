import { ErrorCode } from "../core/index.ts";

/** Error codes of the HTTP layer itself (defined in core's ErrorCode, documented in docs/errors.md). */
export const ApiErrorCode = {
  /** The request was malformed (bad JSON, wrong content type, body too large, failed validation). */
  BadRequest: ErrorCode.BadRequest,
  /**
   * A command (POST/PUT) came without the API's bearer token, or with a wrong one. Shares the
   * credentials code until core has a dedicated one.
   */
  Unauthorized: ErrorCode.Unauthorized,
  /** No route matches the method and path, or the resource is not there (risk not configured). */
  NotFound: ErrorCode.NotFound,
  /** The server failed; details are in the server log, never in the response. */
  Internal: ErrorCode.Internal,
} as const;

export type ApiErrorCode = (typeof ApiErrorCode)[keyof typeof ApiErrorCode];
