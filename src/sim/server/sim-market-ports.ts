import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { SimParams, SimResult } from "../exchange/sim-exchange-api.ts";

/** What the REST server needs from the market data (SimMarketData): GET /api/v3/klines. */
export interface SimKlineSource {
  klines(params: SimParams): SimResult<unknown[][]>;
}

/** The faults of the market stream server (SimStreamServer), passed through on `sim.faults.streams`. */
export interface SimStreamFaults {
  /** Keeps stream sockets open but sends nothing and answers no pings (half-open), until stall(false). */
  stall(on: boolean): void;
  /** Destroys every stream socket without a close frame. */
  killAll(): void;
  /** Mutates the next `count` stream frames (truncated JSON, wrong types, garbage). */
  malformed(count: number): void;
  /** Sends the serverShutdown event to every stream connection. */
  serverShutdown(): void;
}

/** What the HTTP server needs from the market stream server: upgrades for /ws, /ws/... and /stream. */
export interface SimStreamEndpoint {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  readonly faults: SimStreamFaults;
  close(): Promise<void>;
}
