import {
  booleanField,
  decimalField,
  enumField,
  integerField,
  objectField,
  optionalBooleanField,
  optionalDecimalField,
  optionalIntegerField,
  optionalStringField,
  stringField,
  UserFieldError,
} from "./parse-user-fields.ts";
import type { BinanceOrderStatus } from "./rest-msgs.ts";
import type {
  AccountPositionBalanceMsg,
  BalanceUpdateMsg,
  BinanceExecutionType,
  ExecutionReportMsg,
  OutboundAccountPositionMsg,
  UserEventMsg,
} from "./user-msgs.ts";

/** A user event payload that could not be read: why, as text (never thrown). */
export interface UserParseError {
  readonly kind: "invalid";
  readonly reason: string;
}

const EXECUTION_TYPES: readonly BinanceExecutionType[] = [
  "NEW",
  "CANCELED",
  "REPLACED",
  "REJECTED",
  "TRADE",
  "EXPIRED",
  "TRADE_PREVENTION",
];

const ORDER_STATUSES: readonly BinanceOrderStatus[] = [
  "NEW",
  "PENDING_NEW",
  "PARTIALLY_FILLED",
  "FILLED",
  "CANCELED",
  "PENDING_CANCEL",
  "REJECTED",
  "EXPIRED",
  "EXPIRED_IN_MATCH",
];

const SIDES: readonly ("BUY" | "SELL")[] = ["BUY", "SELL"];

/**
 * Parses one user data event payload (the `event` object of a WebSocket API event frame): the
 * events DES uses are validated field by field; other event types come back as `{e: "other"}`.
 * Returns a UserParseError value instead of throwing.
 */
export function parseUserEvent(value: unknown): UserEventMsg | UserParseError {
  try {
    const obj = objectField(value, "event");
    const type = stringField(obj, "e");
    switch (type) {
      case "executionReport":
        return parseExecutionReport(obj);
      case "outboundAccountPosition":
        return parseOutboundAccountPosition(obj);
      case "balanceUpdate":
        return parseBalanceUpdate(obj);
      case "eventStreamTerminated":
        return { e: "eventStreamTerminated", E: integerField(obj, "E") };
      case "serverShutdown":
        return { e: "serverShutdown", E: integerField(obj, "E") };
      default:
        return { e: "other", type };
    }
  } catch (err) {
    if (err instanceof UserFieldError) return { kind: "invalid", reason: err.message };
    throw err;
  }
}

/** Returns true when a parse result is an error value. */
export function isUserParseError(value: UserEventMsg | UserParseError): value is UserParseError {
  return "kind" in value && value.kind === "invalid";
}

/** Runs a reader, prefixing the event type to the message of a field error. */
function withContext<T>(what: string, read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof UserFieldError) throw new UserFieldError(`${what}: ${err.message}`);
    throw err;
  }
}

function parseExecutionReport(obj: Record<string, unknown>): ExecutionReportMsg {
  return withContext("executionReport", () => {
    const N = obj["N"];
    if (N !== null && typeof N !== "string") throw new UserFieldError(`field "N" is not a string or null`);
    const msg: ExecutionReportMsg = {
      e: "executionReport",
      E: integerField(obj, "E"),
      s: stringField(obj, "s"),
      c: stringField(obj, "c"),
      S: enumField(obj, "S", SIDES),
      o: stringField(obj, "o"),
      f: stringField(obj, "f"),
      q: decimalField(obj, "q"),
      p: decimalField(obj, "p"),
      P: decimalField(obj, "P"),
      g: integerField(obj, "g"),
      C: stringField(obj, "C"),
      x: enumField(obj, "x", EXECUTION_TYPES),
      X: enumField(obj, "X", ORDER_STATUSES),
      r: stringField(obj, "r"),
      i: integerField(obj, "i"),
      l: decimalField(obj, "l"),
      z: decimalField(obj, "z"),
      L: decimalField(obj, "L"),
      n: decimalField(obj, "n"),
      N,
      T: integerField(obj, "T"),
      t: integerField(obj, "t"),
      m: booleanField(obj, "m"),
    };
    // Optional fields are copied only when present, so the message stays exactly the wire's.
    const F = optionalDecimalField(obj, "F");
    if (F !== undefined) msg.F = F;
    const I = optionalIntegerField(obj, "I");
    if (I !== undefined) msg.I = I;
    const w = optionalBooleanField(obj, "w");
    if (w !== undefined) msg.w = w;
    const M = optionalBooleanField(obj, "M");
    if (M !== undefined) msg.M = M;
    const O = optionalIntegerField(obj, "O");
    if (O !== undefined) msg.O = O;
    const Z = optionalDecimalField(obj, "Z");
    if (Z !== undefined) msg.Z = Z;
    const Y = optionalDecimalField(obj, "Y");
    if (Y !== undefined) msg.Y = Y;
    const Q = optionalDecimalField(obj, "Q");
    if (Q !== undefined) msg.Q = Q;
    const W = optionalIntegerField(obj, "W");
    if (W !== undefined) msg.W = W;
    const V = optionalStringField(obj, "V");
    if (V !== undefined) msg.V = V;
    const eR = optionalStringField(obj, "eR");
    if (eR !== undefined) msg.eR = eR;
    if (msg.x === "TRADE" && msg.t < 0) throw new UserFieldError(`field "t" is ${msg.t} on a TRADE`);
    return msg;
  });
}

function parseOutboundAccountPosition(obj: Record<string, unknown>): OutboundAccountPositionMsg {
  return withContext("outboundAccountPosition", () => {
    const list = obj["B"];
    if (!Array.isArray(list)) throw new UserFieldError(`field "B" is not an array`);
    const B: AccountPositionBalanceMsg[] = list.map((entry, i) => {
      const b = objectField(entry, `B[${i}]`);
      return { a: stringField(b, "a"), f: decimalField(b, "f"), l: decimalField(b, "l") };
    });
    return { e: "outboundAccountPosition", E: integerField(obj, "E"), u: integerField(obj, "u"), B };
  });
}

function parseBalanceUpdate(obj: Record<string, unknown>): BalanceUpdateMsg {
  return withContext("balanceUpdate", () => ({
    e: "balanceUpdate",
    E: integerField(obj, "E"),
    a: stringField(obj, "a"),
    d: decimalField(obj, "d"),
    T: integerField(obj, "T"),
  }));
}
