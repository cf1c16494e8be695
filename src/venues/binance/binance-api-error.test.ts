import assert from "node:assert/strict";
import { test } from "node:test";
import { DesError, ErrorCode } from "../../core/index.ts";
import { BinanceApiError, desCodeForBinanceError, isUnknownOutcome } from "./binance-api-error.ts";

test("maps Binance codes and HTTP statuses to DES codes", () => {
  const cases: Array<[number, number | undefined, string | undefined, string]> = [
    [400, -1013, "Filter failure: LOT_SIZE", ErrorCode.VenueFilterFailure],
    [
      400,
      -2010,
      "Account has insufficient balance for requested action.",
      ErrorCode.VenueInsufficientBalance,
    ],
    [400, -2010, "Duplicate order sent.", ErrorCode.VenueRejected],
    [400, -2011, "Unknown order sent.", ErrorCode.VenueCancelRejected],
    [400, -2013, "Order does not exist.", ErrorCode.VenueOrderNotFound],
    [400, -1121, "Invalid symbol.", ErrorCode.VenueUnknownSymbol],
    [400, -1022, "Signature for this request is not valid.", ErrorCode.VenueAuthFailed],
    [401, -2014, "API-key format invalid.", ErrorCode.VenueAuthFailed],
    [401, -2015, "Invalid API-key, IP, or permissions for action.", ErrorCode.VenueAuthFailed],
    [
      400,
      -1021,
      "Timestamp for this request is outside of the recvWindow.",
      ErrorCode.VenueTimestampRejected,
    ],
    [429, -1003, "Too much request weight used", ErrorCode.VenueRateLimited],
    [429, -1015, "Too many new orders.", ErrorCode.VenueRateLimited],
    [429, undefined, undefined, ErrorCode.VenueRateLimited],
    [418, -1003, "Way too much request weight used; IP banned until 1659146400000.", ErrorCode.VenueBanned],
    [408, -1007, "Timeout waiting for response from backend server.", ErrorCode.VenueUnknownOutcome],
    [503, undefined, undefined, ErrorCode.VenueUnknownOutcome],
    [500, -1000, "An unknown error occurred while processing the request.", ErrorCode.VenueUnknownOutcome],
    [400, -1100, "Illegal characters found in parameter 'quantity'", ErrorCode.VenueRejected],
    [403, undefined, undefined, ErrorCode.VenueRejected],
  ];
  for (const [status, code, msg, expected] of cases) {
    assert.equal(desCodeForBinanceError(status, code, msg), expected, `${status} ${code}`);
  }
});

test("BinanceApiError carries Binance's code and message as fields and details", () => {
  const err = new BinanceApiError({
    endpoint: "POST /api/v3/order",
    httpStatus: 400,
    binanceCode: -2010,
    binanceMsg: "Account has insufficient balance for requested action.",
  });
  assert.ok(err instanceof DesError);
  assert.equal(err.code, ErrorCode.VenueInsufficientBalance);
  assert.equal(err.binanceCode, -2010);
  assert.equal(err.binanceMsg, "Account has insufficient balance for requested action.");
  assert.equal(err.httpStatus, 400);
  assert.equal(err.endpoint, "POST /api/v3/order");
  assert.deepEqual(err.details, {
    endpoint: "POST /api/v3/order",
    httpStatus: 400,
    binanceCode: -2010,
    binanceMsg: "Account has insufficient balance for requested action.",
  });
  assert.match(err.message, /POST \/api\/v3\/order.*-2010 Account has insufficient balance/);
});

test("isUnknownOutcome is true for unknown outcomes only", () => {
  assert.equal(
    isUnknownOutcome(new BinanceApiError({ endpoint: "POST /api/v3/order", httpStatus: 502 })),
    true,
  );
  assert.equal(isUnknownOutcome(new DesError(ErrorCode.VenueUnknownOutcome, "timeout")), true);
  assert.equal(
    isUnknownOutcome(new DesError(ErrorCode.VenueProtocolError, "bad body", { outcomeUnknown: true })),
    true,
  );
  assert.equal(isUnknownOutcome(new DesError(ErrorCode.VenueProtocolError, "bad body")), false);
  assert.equal(
    isUnknownOutcome(new BinanceApiError({ endpoint: "x", httpStatus: 400, binanceCode: -1013 })),
    false,
  );
  assert.equal(isUnknownOutcome(new Error("x")), false);
  assert.equal(isUnknownOutcome(undefined), false);
});
