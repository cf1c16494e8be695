import { type RawData, WebSocket } from "ws";
import { DesError, ErrorCode } from "../../../core/index.ts";
import type { ControlError, ControlResult } from "../wire/parse-market-frame.ts";
import type { Backoff } from "./backoff.ts";
import type { MarketStreamLogger } from "./market-stream-logger.ts";
import { SlidingWindowLimit } from "./sliding-window-limit.ts";

/** Why a connection is replaced at once rather than after a back-off delay. */
export type ReconnectReason = "serverShutdown" | "age" | "silence";

/** What a connection reports to its owner. */
export interface StreamConnectionHandler {
  /** Every text frame, as received. */
  onMessage(data: Buffer, connection: StreamConnection): void;
  /** A binary frame: Binance never sends one, so the owner counts it as malformed. */
  onBinary(connection: StreamConnection): void;
  /** The connection that was open has gone: everything it carried must be resynced. */
  onDown(connection: StreamConnection): void;
}

/** Settings of one connection (the owner fills in the defaults). */
export interface StreamConnectionOptions {
  /** The combined-stream endpoint, e.g. `wss://stream.binance.com:9443/stream`. */
  readonly url: string;
  readonly controlMessagesPerSecond: number;
  readonly maxStreamsPerMessage: number;
  readonly silenceTimeoutMs: number;
  readonly maxConnectionAgeMs: number;
  readonly connectTimeoutMs: number;
  readonly maxPayloadBytes: number;
  readonly backoff: Backoff;
  /** Connection attempts, shared by every connection of the owner (Binance counts them per IP). */
  readonly connectBudget: SlidingWindowLimit;
  /** A monotonic clock in ms. */
  readonly nowMs: () => number;
  readonly nextRequestId: () => number;
  readonly logger: MarketStreamLogger;
  readonly handler: StreamConnectionHandler;
}

/** Counters of one connection. */
export interface StreamConnectionStats {
  connectAttempts: number;
  /** Connections opened. */
  opens: number;
  /** Reconnects scheduled after an open connection or an attempt was lost. */
  reconnects: number;
  silenceReconnects: number;
  shutdownReconnects: number;
  ageReconnects: number;
  controlMessagesSent: number;
  controlErrors: number;
  /** LIST_SUBSCRIPTIONS sent to a silent connection to tell quiet from dead. */
  probes: number;
}

type State = "idle" | "connecting" | "open" | "waiting" | "closed";

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
}

/**
 * One WebSocket connection to the combined-stream endpoint carrying up to 1024 streams. It keeps a
 * desired set of stream names and brings the server in line with live SUBSCRIBE / UNSUBSCRIBE
 * messages, batched and sent at most `controlMessagesPerSecond` per (1.1 s) window: Binance
 * disconnects above 5 incoming messages per second, and the pong replies to its pings count too.
 * It reconnects forever with back-off and jitter within the shared attempt budget and resubscribes
 * everything; it replaces a connection that has been silent for `silenceTimeoutMs` (after a
 * LIST_SUBSCRIPTIONS probe at half that went unanswered), that reached `maxConnectionAgeMs`, or whose
 * server announced `serverShutdown`. `ws` answers server pings
 * itself (autoPong); no unsolicited pings are sent.
 */
export class StreamConnection {
  readonly stats: StreamConnectionStats = {
    connectAttempts: 0,
    opens: 0,
    reconnects: 0,
    silenceReconnects: 0,
    shutdownReconnects: 0,
    ageReconnects: 0,
    controlMessagesSent: 0,
    controlErrors: 0,
    probes: 0,
  };
  readonly #opts: StreamConnectionOptions;
  readonly #limit: SlidingWindowLimit;
  /** Streams this connection should carry. */
  readonly #desired = new Set<string>();
  /** Streams requested on the current socket (SUBSCRIBE sent, no UNSUBSCRIBE since). */
  readonly #sent = new Set<string>();
  /** Control requests sent and not answered yet. */
  readonly #pending = new Map<number, { method: string; params: string[] }>();
  #waiters: Waiter[] = [];
  #state: State = "idle";
  #ws: WebSocket | undefined;
  #immediateReconnect = false;
  #healthy = false;
  /** A LIST_SUBSCRIPTIONS liveness probe is out and unanswered. */
  #probeSent = false;
  /** Frames and pings received: the watchdog only compares it, so the hot path reads no clock. */
  #frames = 0;
  #lastFrames = 0;
  #lastProgressMs = 0;
  #connectTimer: NodeJS.Timeout | undefined;
  #pumpTimer: NodeJS.Timeout | undefined;
  #watchdog: NodeJS.Timeout | undefined;
  #ageTimer: NodeJS.Timeout | undefined;

  constructor(options: StreamConnectionOptions) {
    this.#opts = options;
    // A 10 % margin on the window keeps network jitter from squeezing N messages into one second.
    this.#limit = new SlidingWindowLimit(options.controlMessagesPerSecond, 1100);
  }

  /** The number of streams this connection carries. */
  get size(): number {
    return this.#desired.size;
  }

  /** The streams this connection carries. */
  get streams(): ReadonlySet<string> {
    return this.#desired;
  }

  /** True while the socket is open. */
  get isOpen(): boolean {
    return this.#state === "open";
  }

  /** True when the socket is open and every stream is subscribed and acknowledged. */
  get isReady(): boolean {
    return this.#state === "open" && this.#pending.size === 0 && this.#inSync();
  }

  /** Starts connecting (once). */
  start(): void {
    if (this.#state === "idle") this.#connect();
  }

  /** Adds streams; they are subscribed live when the socket is open. */
  add(names: Iterable<string>): void {
    for (const name of names) this.#desired.add(name);
    this.#pump();
  }

  /** Removes streams; they are unsubscribed live when the socket is open. */
  remove(names: Iterable<string>): void {
    for (const name of names) this.#desired.delete(name);
    this.#pump();
    this.#checkReady();
  }

  /** Resolves when the connection is open and every stream is subscribed; rejects when Binance refuses one. */
  whenReady(): Promise<void> {
    if (this.isReady) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.#waiters.push({ resolve, reject });
    });
  }

  /** Replaces the socket: at once for serverShutdown and age, after a back-off delay for silence. */
  reconnect(reason: ReconnectReason): void {
    const ws = this.#ws;
    if (ws === undefined || this.#state === "closed") return;
    if (reason === "serverShutdown") this.stats.shutdownReconnects++;
    else if (reason === "age") this.stats.ageReconnects++;
    else this.stats.silenceReconnects++;
    this.#opts.logger.info(
      { url: this.#opts.url, reason, streams: this.#desired.size },
      "market stream reconnecting",
    );
    this.#immediateReconnect = reason !== "silence";
    ws.terminate();
  }

  /** Takes an answer to one of this connection's control requests. */
  onControlResult(frame: ControlResult): void {
    if (typeof frame.id === "number") this.#pending.delete(frame.id);
    this.#checkReady();
  }

  /** Takes an error answer: logged and counted; a refused SUBSCRIBE fails whoever waits in whenReady. */
  onControlError(frame: ControlError): void {
    this.stats.controlErrors++;
    const request = typeof frame.id === "number" ? this.#pending.get(frame.id) : undefined;
    if (typeof frame.id === "number") this.#pending.delete(frame.id);
    const details = {
      url: this.#opts.url,
      code: frame.code,
      msg: frame.msg,
      id: frame.id,
      method: request?.method,
    };
    this.#opts.logger.error(
      { ...details, params: request?.params.slice(0, 20) },
      "market stream control request refused",
    );
    const error = new DesError(
      ErrorCode.VenueRejected,
      `Binance refused ${request?.method ?? "a control request"}: ${frame.code} ${frame.msg}`,
      details,
    );
    this.#rejectWaiters(error);
  }

  /** Closes the socket for good; resolves when it is closed (terminated after 1 s). */
  async close(): Promise<void> {
    this.#state = "closed";
    this.#clearTimers();
    this.#rejectWaiters(
      new DesError(ErrorCode.VenueUnavailable, "market stream stopped", { url: this.#opts.url }),
    );
    const ws = this.#ws;
    this.#ws = undefined;
    if (ws === undefined || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => ws.terminate(), 1000);
      ws.once("close", () => {
        clearTimeout(timer);
        resolve();
      });
      if (ws.readyState === WebSocket.OPEN) ws.close(1000);
      else ws.terminate();
    });
  }

  #connect(): void {
    this.#connectTimer = undefined;
    if (this.#state === "closed") return;
    const wait = this.#opts.connectBudget.delayMs(this.#opts.nowMs());
    if (wait > 0) {
      this.#state = "waiting";
      this.#opts.logger.warn(
        { url: this.#opts.url, waitMs: Math.ceil(wait) },
        "market stream connect budget used up; waiting",
      );
      this.#connectTimer = setTimeout(() => this.#connect(), Math.ceil(wait));
      return;
    }
    this.#opts.connectBudget.record(this.#opts.nowMs());
    this.stats.connectAttempts++;
    this.#state = "connecting";
    this.#healthy = false;
    const ws = new WebSocket(this.#opts.url, {
      perMessageDeflate: false,
      handshakeTimeout: this.#opts.connectTimeoutMs,
      maxPayload: this.#opts.maxPayloadBytes,
      autoPong: true,
      // Invalid UTF-8 becomes a malformed frame that is counted, instead of a closed connection.
      skipUTF8Validation: true,
    });
    this.#ws = ws;
    ws.on("open", () => {
      if (ws === this.#ws) this.#onOpen();
    });
    ws.on("message", (data: RawData, isBinary: boolean) => {
      if (ws !== this.#ws) return;
      this.#frames++;
      if (!this.#healthy) {
        this.#healthy = true;
        this.#opts.backoff.reset();
      }
      if (isBinary) this.#opts.handler.onBinary(this);
      else this.#opts.handler.onMessage(data as Buffer, this);
    });
    ws.on("ping", () => {
      this.#frames++;
    });
    ws.on("error", (error: Error) => {
      if (ws !== this.#ws) return;
      this.#opts.logger.warn({ url: this.#opts.url, err: error.message }, "market stream socket error");
    });
    ws.on("close", (code: number) => {
      if (ws === this.#ws) this.#onClose(code);
    });
  }

  #onOpen(): void {
    this.#state = "open";
    this.stats.opens++;
    this.#opts.logger.info({ url: this.#opts.url, streams: this.#desired.size }, "market stream connected");
    this.#lastFrames = this.#frames;
    this.#lastProgressMs = this.#opts.nowMs();
    this.#probeSent = false;
    const period = Math.max(10, Math.min(1000, Math.floor(this.#opts.silenceTimeoutMs / 4)));
    this.#watchdog = setInterval(() => this.#checkSilence(), period);
    this.#watchdog.unref();
    this.#ageTimer = setTimeout(() => this.reconnect("age"), this.#opts.maxConnectionAgeMs);
    this.#ageTimer.unref();
    this.#pump();
    this.#checkReady();
  }

  #onClose(code: number): void {
    const wasOpen = this.#state === "open";
    this.#ws = undefined;
    this.#clearTimers();
    this.#sent.clear();
    this.#pending.clear();
    if (wasOpen) this.#opts.handler.onDown(this);
    if (this.#state === "closed") return;
    const delay = this.#immediateReconnect ? 0 : this.#opts.backoff.next();
    this.#immediateReconnect = false;
    this.stats.reconnects++;
    this.#state = "waiting";
    this.#opts.logger.warn(
      { url: this.#opts.url, code, wasOpen, delayMs: delay, streams: this.#desired.size },
      "market stream disconnected; reconnecting",
    );
    this.#connectTimer = setTimeout(() => this.#connect(), delay);
  }

  /**
   * Runs on a timer: a connection silent for half the timeout is probed with LIST_SUBSCRIPTIONS (a
   * quiet stream is not a dead one, and pings are the server's to send); silent for the whole
   * timeout, answer included, it is replaced.
   */
  #checkSilence(): void {
    const now = this.#opts.nowMs();
    if (this.#frames !== this.#lastFrames) {
      this.#lastFrames = this.#frames;
      this.#lastProgressMs = now;
      this.#probeSent = false;
      return;
    }
    const silentMs = now - this.#lastProgressMs;
    if (!this.#probeSent && silentMs >= this.#opts.silenceTimeoutMs / 2 && this.#limit.delayMs(now) === 0) {
      this.#probeSent = true;
      this.#limit.record(now);
      this.stats.controlMessagesSent++;
      this.stats.probes++;
      this.#ws?.send(JSON.stringify({ method: "LIST_SUBSCRIPTIONS", id: this.#opts.nextRequestId() }));
      return;
    }
    if (silentMs >= this.#opts.silenceTimeoutMs) {
      this.#opts.logger.warn(
        { url: this.#opts.url, silentMs: Math.round(now - this.#lastProgressMs) },
        "market stream silent; reconnecting",
      );
      this.reconnect("silence");
    }
  }

  #inSync(): boolean {
    if (this.#sent.size !== this.#desired.size) return false;
    for (const name of this.#desired) if (!this.#sent.has(name)) return false;
    return true;
  }

  /** Sends the next SUBSCRIBE / UNSUBSCRIBE batch the rate limit allows; reschedules itself for the rest. */
  #pump(): void {
    while (this.#state === "open" && this.#pumpTimer === undefined) {
      const max = this.#opts.maxStreamsPerMessage;
      let method: "SUBSCRIBE" | "UNSUBSCRIBE" = "UNSUBSCRIBE";
      const params: string[] = [];
      for (const name of this.#sent) {
        if (!this.#desired.has(name)) params.push(name);
        if (params.length === max) break;
      }
      if (params.length === 0) {
        method = "SUBSCRIBE";
        for (const name of this.#desired) {
          if (!this.#sent.has(name)) params.push(name);
          if (params.length === max) break;
        }
      }
      if (params.length === 0) return;
      const now = this.#opts.nowMs();
      const wait = this.#limit.delayMs(now);
      if (wait > 0) {
        this.#pumpTimer = setTimeout(() => {
          this.#pumpTimer = undefined;
          this.#pump();
        }, Math.ceil(wait));
        this.#pumpTimer.unref();
        return;
      }
      this.#limit.record(now);
      const id = this.#opts.nextRequestId();
      this.#pending.set(id, { method, params });
      for (const name of params) {
        if (method === "SUBSCRIBE") this.#sent.add(name);
        else this.#sent.delete(name);
      }
      this.stats.controlMessagesSent++;
      this.#ws!.send(JSON.stringify({ method, params, id }));
    }
  }

  #checkReady(): void {
    if (this.#waiters.length === 0 || !this.isReady) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w.resolve();
  }

  #rejectWaiters(error: Error): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w.reject(error);
  }

  #clearTimers(): void {
    for (const t of [this.#connectTimer, this.#pumpTimer, this.#watchdog, this.#ageTimer]) {
      if (t !== undefined) clearTimeout(t);
    }
    this.#connectTimer = undefined;
    this.#pumpTimer = undefined;
    this.#watchdog = undefined;
    this.#ageTimer = undefined;
  }
}
