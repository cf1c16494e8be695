import type { SimParams } from "../exchange/sim-exchange-api.ts";
import {
  illegalCharsError,
  mandatoryParamError,
  SimErrorMsg,
  type SimFailure,
  simError,
} from "./sim-errors.ts";

/** A signed request's timing parameters, in microseconds. */
export interface RequestTiming {
  readonly timestampMicros: number;
  readonly recvWindowMicros: number;
}

const DEFAULT_RECV_WINDOW_MICROS = 5_000_000;
const MAX_RECV_WINDOW_MICROS = 60_000_000;
/** Timestamps at or above this are microseconds (ms timestamps stay below it until the year 5138). */
const MICROS_THRESHOLD = 100_000_000_000_000;
const TIMESTAMP_FORMAT = /^[0-9]{1,17}$/;
const RECV_WINDOW_FORMAT = /^([0-9]{1,10})(?:\.([0-9]{1,3}))?$/;

/**
 * Reads `timestamp` (ms or µs) and `recvWindow` (ms with up to three decimals, default 5000, max 60000),
 * or returns Binance's failure for a missing or malformed one.
 */
export function parseRequestTiming(params: SimParams): RequestTiming | SimFailure {
  const ts = params["timestamp"];
  if (ts === undefined || !TIMESTAMP_FORMAT.test(ts)) return mandatoryParamError("timestamp");
  const tsNumber = Number(ts);
  const timestampMicros = tsNumber >= MICROS_THRESHOLD ? tsNumber : tsNumber * 1000;
  const rw = params["recvWindow"];
  if (rw === undefined) return { timestampMicros, recvWindowMicros: DEFAULT_RECV_WINDOW_MICROS };
  const m = RECV_WINDOW_FORMAT.exec(rw);
  if (m === null) return illegalCharsError("recvWindow", "^[0-9]{1,10}(\\.[0-9]{1,3})?$");
  const recvWindowMicros = Number(m[1]) * 1000 + Number((m[2] ?? "").padEnd(3, "0"));
  if (recvWindowMicros > MAX_RECV_WINDOW_MICROS) {
    return simError(400, -1102, "'recvWindow' contains unexpected value. Cannot be greater than 60000.");
  }
  return { timestampMicros, recvWindowMicros };
}

/**
 * Applies Binance's timing rule at server time `nowMs` (reference section 3.1): accepted when the timestamp
 * is less than 1 s ahead and at most recvWindow behind; otherwise -1021 with the matching message.
 */
export function checkRequestTiming(timing: RequestTiming, nowMs: number): SimFailure | undefined {
  const nowMicros = nowMs * 1000;
  if (timing.timestampMicros >= nowMicros + 1_000_000) return simError(400, -1021, SimErrorMsg.aheadOfServer);
  if (nowMicros - timing.timestampMicros > timing.recvWindowMicros) {
    return simError(400, -1021, SimErrorMsg.outsideRecvWindow);
  }
  return undefined;
}

/** Returns whether a parse result is a failure rather than timing parameters. */
export function isTimingFailure(value: RequestTiming | SimFailure): value is SimFailure {
  return "ok" in value;
}
