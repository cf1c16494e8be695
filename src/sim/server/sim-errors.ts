import type { SimResult } from "../exchange/sim-exchange-api.ts";

/** A failed SimResult: Binance's HTTP status, error code and message. */
export type SimFailure = Extract<SimResult<unknown>, { ok: false }>;

/** Returns a failed SimResult with Binance's status, code and message. */
export function simError(status: number, code: number, msg: string): SimFailure {
  return { ok: false, status, code, msg };
}

/** Returns the -1102 failure Binance sends for a missing, empty or malformed mandatory parameter. */
export function mandatoryParamError(name: string): SimFailure {
  return simError(400, -1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`);
}

/** Returns the -1100 failure Binance sends for a value outside the parameter's legal range. */
export function illegalCharsError(name: string, legalRange: string): SimFailure {
  return simError(
    400,
    -1100,
    `Illegal characters found in parameter '${name}'; legal range is '${legalRange}'.`,
  );
}

/** The error messages the servers send verbatim (reference sections 3.1, 4.2, 5 and 6.1). */
export const SimErrorMsg = {
  apiKeyFormat: "API-key format invalid.",
  rejectedKey: "Invalid API-key, IP, or permissions for action.",
  badSignature: "Signature for this request is not valid.",
  outsideRecvWindow: "Timestamp for this request is outside of the recvWindow.",
  aheadOfServer: "Timestamp for this request was 1000ms ahead of the server's time.",
  duplicateParam: "Duplicate values for a parameter detected.",
  illegalChars: "Illegal characters found in a parameter.",
  invalidSymbol: "Invalid symbol.",
  unauthorized: "You are not authorized to execute this request.",
  unsupported: "This operation is not supported.",
  invalidJson: "Invalid JSON Request",
  subscriptionActive: "User Data Stream subscription already active.",
  subscriptionInactive: "User Data Stream subscription not active.",
  maxSubscriptionIds: "Maximum subscription ID reached for this connection.",
} as const;

/** Returns -1003 "Too much request weight used; current limit is N request weight per 1 MINUTE. ..." */
export function weightLimitError(limit: number, status = 429): SimFailure {
  return simError(
    status,
    -1003,
    `Too much request weight used; current limit is ${limit} request weight per 1 MINUTE. ` +
      "Please use WebSocket Streams for live updates to avoid polling the API.",
  );
}

/** Returns -1015 "Too many new orders; current limit is N orders per <interval>." */
export function orderLimitError(limit: number, interval: string): SimFailure {
  return simError(429, -1015, `Too many new orders; current limit is ${limit} orders per ${interval}.`);
}

/** Returns the 418 -1003 ban failure naming the epoch ms when the ban ends. */
export function bannedError(untilMs: number): SimFailure {
  return simError(
    418,
    -1003,
    `Way too much request weight used; IP banned until ${untilMs}. ` +
      "Please use WebSocket Streams for live updates to avoid bans.",
  );
}
