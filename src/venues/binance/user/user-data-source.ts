import type { BalanceUpdateMsg, ExecutionReportMsg, OutboundAccountPositionMsg } from "../wire/user-msgs.ts";

/** The user data events a venue acts on (the stream handles termination and shutdown itself). */
export type UserDataEvent = ExecutionReportMsg | OutboundAccountPositionMsg | BalanceUpdateMsg;

/** Where a Binance venue gets the account's events from: BinanceUserDataStream, or a fake in tests. */
export interface UserDataSource {
  /** Registers a receiver of events, in the order the venue sent them; returns its remover. */
  onEvent(listener: (event: UserDataEvent) => void): () => void;
  /** Registers a receiver called after each re-subscription (events may have been missed); returns its remover. */
  onReconnected(listener: () => void): () => void;
  /** Resolves once subscribed. */
  start(): Promise<void>;
  /** Closes the connection; no event is delivered afterwards. */
  stop(): Promise<void>;
}

/** The structured logger the Binance user-data code writes to (pino's signature). */
export interface UserDataLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}
