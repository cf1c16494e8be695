import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type RawData, type WebSocket, WebSocketServer } from "ws";
import {
  dropSubscriptions,
  handleWsApiFrame,
  sendServerShutdown,
  type WsApiContext,
} from "./ws-api-methods.ts";
import { WsApiSession } from "./ws-api-session.ts";

/** Connection rules of the WebSocket API (reference section 1.3). */
export interface SimWsApiOptions {
  /** Server ping frame interval, ms (Binance: 20 s). */
  readonly pingIntervalMs?: number;
  /** Disconnect when no pong answered our pings for this long, ms (Binance: 1 minute). */
  readonly pongTimeoutMs?: number;
  /** Close a connection this old, ms (Binance: 24 h). */
  readonly maxConnectionAgeMs?: number;
  /** Disconnect a reader whose unsent data exceeds this many bytes (default 16 MiB). */
  readonly maxBufferedBytes?: number;
}

/**
 * The WebSocket API at /ws-api/v3: session logon, user data stream subscriptions and their events, ping
 * frames with a pong deadline and a maximum connection age. One timer serves every connection.
 */
export class SimWsApiServer {
  readonly #ctx: WsApiContext;
  readonly #wss: WebSocketServer;
  readonly #sessions = new Set<WsApiSession>();
  readonly #pingIntervalMs: number;
  readonly #pongTimeoutMs: number;
  readonly #maxAgeMs: number;
  readonly #maxBufferedBytes: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(ctx: WsApiContext, options: SimWsApiOptions = {}) {
    this.#ctx = ctx;
    this.#pingIntervalMs = options.pingIntervalMs ?? 20_000;
    this.#pongTimeoutMs = options.pongTimeoutMs ?? 60_000;
    this.#maxAgeMs = options.maxConnectionAgeMs ?? 24 * 60 * 60 * 1000;
    this.#maxBufferedBytes = options.maxBufferedBytes ?? 16 * 1024 * 1024;
    this.#wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 64 * 1024 });
  }

  /** Upgrades a request for /ws-api/v3 (connecting costs 2 weight; a banned or blocked client is refused). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, rawQuery: string): void {
    const admitted = this.#ctx.limiter.admit(2);
    if (!admitted.ok) {
      const body = JSON.stringify({ code: admitted.failure.code, msg: admitted.failure.msg });
      socket.end(
        `HTTP/1.1 ${admitted.failure.status} Rejected\r\nContent-Type: application/json\r\n` +
          `Retry-After: ${admitted.retryAfterS}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
      return;
    }
    const returnRateLimits = !/(?:^|&)returnRateLimits=false(?:&|$)/.test(rawQuery);
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#open(ws, socket, returnRateLimits));
  }

  /** Sends {"event":{"e":"serverShutdown","E":now}} to every connection (they stay open). */
  serverShutdown(): void {
    const now = this.#ctx.clock.now();
    for (const s of this.#sessions) sendServerShutdown(s, now);
  }

  /** Destroys every connection without a close frame. */
  terminateAll(): void {
    for (const s of this.#sessions) s.ws.terminate();
  }

  /** Open connections. */
  connectionCount(): number {
    return this.#sessions.size;
  }

  /** Terminates every connection and stops the ping timer. */
  async close(): Promise<void> {
    this.terminateAll();
    this.#stopTimer();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  #open(ws: WebSocket, socket: Duplex, returnRateLimits: boolean): void {
    const session = new WsApiSession(
      ws,
      this.#ctx.clock.now(),
      returnRateLimits,
      this.#maxBufferedBytes,
      socket,
    );
    this.#sessions.add(session);
    ws.on("message", (data: RawData, isBinary: boolean) => {
      handleWsApiFrame(this.#ctx, session, isBinary ? undefined : data.toString());
    });
    ws.on("pong", (data: Buffer) => {
      // Only a pong echoing our latest ping counts; unsolicited pongs do not keep a connection alive.
      if (data.toString() === String(session.pingSeq)) session.lastPongWallMs = Date.now();
    });
    ws.on("error", () => ws.terminate());
    ws.on("close", () => {
      this.#sessions.delete(session);
      dropSubscriptions(this.#ctx, session);
      if (this.#sessions.size === 0) this.#stopTimer();
    });
    this.#startTimer();
  }

  #startTimer(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.#sweep(), this.#pingIntervalMs);
    this.#timer.unref();
  }

  #stopTimer(): void {
    if (this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #sweep(): void {
    const now = Date.now();
    for (const s of this.#sessions) {
      if (now - s.lastPongWallMs > this.#pongTimeoutMs) {
        s.ws.terminate();
      } else if (now - s.openedAtWallMs >= this.#maxAgeMs) {
        s.ws.close(1000, "connection lifetime reached");
      } else {
        s.pingSeq++;
        s.ws.ping(String(s.pingSeq));
      }
    }
  }
}
