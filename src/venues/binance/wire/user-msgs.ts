/**
 * Binance user data stream frames on the WebSocket API, exactly as the wire carries them
 * (../shared/reference/binance.md sections 1.3, 3.6 and 6). Prices and quantities are decimal
 * strings; ids and times are numbers (ms). Single-letter keys differ only by case (`c`/`C`, `l`/`L`,
 * `z`/`Z`...): the parsers read them case-sensitively.
 */

import type { BinanceOrderStatus } from "./rest-msgs.ts";

/** Execution types of `x` (enums.md). */
export type BinanceExecutionType =
  | "NEW"
  | "CANCELED"
  | "REPLACED"
  | "REJECTED"
  | "TRADE"
  | "EXPIRED"
  | "TRADE_PREVENTION";

/** `executionReport`: one change of one order (section 6.2); only the fields DES reads are required. */
export interface ExecutionReportMsg {
  e: "executionReport";
  /** Event time. */
  E: number;
  s: string;
  /** Client order id; on a cancel event, the cancel request's own id. */
  c: string;
  S: "BUY" | "SELL";
  o: string;
  f: string;
  q: string;
  p: string;
  P: string;
  F?: string;
  g: number;
  /** Original client order id on a cancel event (the order being canceled), "" otherwise. */
  C: string;
  x: BinanceExecutionType;
  X: BinanceOrderStatus;
  /** Order reject reason ("NONE" unless rejected). */
  r: string;
  i: number;
  /** Last executed quantity. */
  l: string;
  /** Cumulative filled quantity. */
  z: string;
  /** Last executed price. */
  L: string;
  /** Commission amount. */
  n: string;
  /** Commission asset; null when no commission. */
  N: string | null;
  /** Transaction time. */
  T: number;
  /** Trade id; -1 when not a trade. */
  t: number;
  I?: number;
  w?: boolean;
  /** Is this trade the maker side? */
  m: boolean;
  M?: boolean;
  O?: number;
  Z?: string;
  Y?: string;
  Q?: string;
  W?: number;
  V?: string;
  /** Expiry reason (e.g. "INSUFFICIENT_LIQUIDITY"), present on some EXPIRED events. */
  eR?: string;
}

/** One balance of `outboundAccountPosition`. */
export interface AccountPositionBalanceMsg {
  /** Asset. */
  a: string;
  /** Free. */
  f: string;
  /** Locked. */
  l: string;
}

/** `outboundAccountPosition`: the assets a change possibly touched, with their new amounts (section 6.3). */
export interface OutboundAccountPositionMsg {
  e: "outboundAccountPosition";
  E: number;
  /** Time of last account update. */
  u: number;
  B: AccountPositionBalanceMsg[];
}

/** `balanceUpdate`: a deposit, withdrawal or transfer changed one asset by `d` (section 6.3). */
export interface BalanceUpdateMsg {
  e: "balanceUpdate";
  E: number;
  a: string;
  /** Balance delta. */
  d: string;
  /** Clear time. */
  T: number;
}

/** `eventStreamTerminated`: the subscription ended; no more events come on it (section 6.1). */
export interface EventStreamTerminatedMsg {
  e: "eventStreamTerminated";
  E: number;
}

/** `serverShutdown`: the server is about to close the connection (section 1.3). */
export interface ServerShutdownMsg {
  e: "serverShutdown";
  E: number;
}

/** An event DES does not use (`listStatus`, `externalLockUpdate`, ...): only its type is kept. */
export interface OtherUserEventMsg {
  e: "other";
  /** The event type as the wire named it. */
  type: string;
}

/** Every user data event payload DES distinguishes. */
export type UserEventMsg =
  | ExecutionReportMsg
  | OutboundAccountPositionMsg
  | BalanceUpdateMsg
  | EventStreamTerminatedMsg
  | ServerShutdownMsg
  | OtherUserEventMsg;

/** The error object of a failed WebSocket API request (section 3.6). */
export interface WsApiErrorMsg {
  code: number;
  msg: string;
  data?: unknown;
}

/** A WebSocket API response: `{id, status, result | error, rateLimits}`. */
export interface WsApiResponseMsg {
  id: string | number | null;
  status: number;
  result?: unknown;
  error?: WsApiErrorMsg;
  rateLimits?: unknown[];
}

/** A WebSocket API event: `{subscriptionId, event}`; serverShutdown comes without subscriptionId. */
export interface WsApiEventMsg {
  subscriptionId?: number;
  event: UserEventMsg;
}
