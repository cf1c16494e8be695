import WebSocket from "ws";
import { DesError, ErrorCode, isDesError, toError } from "../../../core/index.ts";
import type { BinanceCredentials } from "../binance-credentials.ts";
import { assertNotProductionUrl } from "../binance-environment.ts";
import { signWsApiParams } from "../signing/ws-api-signing.ts";
import { Backoff, type BackoffOptions } from "../stream/backoff.ts";
import { SlidingWindowLimit } from "../stream/sliding-window-limit.ts";
import { parseUserFrame } from "../wire/parse-user-frame.ts";
import type { UserEventMsg } from "../wire/user-msgs.ts";
import type { UserDataEvent, UserDataLogger, UserDataSource } from "./user-data-source.ts";
import { WsApiRequests } from "./ws-api-requests.ts";

/** How a user data stream is set up. */
export interface BinanceUserDataStreamOptions {
  /** The WebSocket API endpoint, e.g. wss://ws-api.testnet.binance.vision/ws-api/v3. */
  readonly wsApiUrl: string;
  readonly credentials: BinanceCredentials;
  /** Local wall clock in ms; default Date.now. */
  readonly nowMs?: () => number;
  /** Server time minus local time in ms, from the REST client (`() => rest.timeOffsetMs`); default 0. */
  readonly timeOffsetMs?: () => number;
  /** Sent as `recvWindow` with signed requests when given (Binance's default is 5000). */
  readonly recvWindowMs?: number;
  /** Reconnect back-off; defaults 100 ms .. 800 ms, x2, jitter 0.5. */
  readonly backoff?: BackoffOptions;
  /** Source of jitter in [0, 1); default Math.random. */
  readonly random?: () => number;
  /** No frame at all (pings included: the server pings every 20 s) for this long -> reconnect; default 50 000. */
  readonly silenceTimeoutMs?: number;
  /** A WS API request without response for this long fails and the connection is dropped; default 10 000. */
  readonly requestTimeoutMs?: number;
  /** start() rejects when not subscribed within this; default 30 000. */
  readonly startTimeoutMs?: number;
  /** Connection attempts allowed in any 5 minutes (Binance allows 300 per IP); default 250. */
  readonly maxConnectAttemptsPer5Min?: number;
  readonly logger?: UserDataLogger;
  /** Refuses a production host (testnet configurations), before any connection. */
  readonly forbidProductionHosts?: boolean;
}

/** Counters of a user data stream, for metrics and tests. */
export interface UserDataStreamStats {
  /** Connection attempts made, the first included. */
  readonly connectAttempts: number;
  /** Successful re-subscriptions after a lost connection (each followed by onReconnected). */
  readonly reconnects: number;
  /** Events delivered to the listeners. */
  readonly events: number;
  /** Frames that could not be read; each counted and logged, the connection stays. */
  readonly parseErrors: number;
  /** Events for another subscription id than the current one: dropped. */
  readonly unroutedEvents: number;
  /** Events of types DES does not use (listStatus, externalLockUpdate...): dropped. */
  readonly ignoredEvents: number;
  /** Subscribe (or logon) requests that failed. */
  readonly subscribeFailures: number;
  /** Connections dropped because nothing arrived within silenceTimeoutMs. */
  readonly silenceTimeouts: number;
  /** Listener calls that threw; the other listeners still ran. */
  readonly listenerFailures: number;
  readonly subscribed: boolean;
}

const FIVE_MINUTES_MS = 5 * 60 * 1000;
const CLOSE_WAIT_MS = 1000;
const PARSE_ERROR_LOG_INTERVAL_MS = 1000;

/**
 * The account's user data stream over the Binance WebSocket API (reference section 6.1): connects,
 * subscribes with `userDataStream.subscribe.signature` (HMAC and RSA keys) or `session.logon` +
 * `userDataStream.subscribe` (Ed25519 keys), and delivers the events of its subscription. It
 * reconnects forever with back-off and resubscribes; on serverShutdown or eventStreamTerminated it
 * reconnects at once. After each re-subscription it calls the onReconnected listeners, so the venue
 * can reconcile what happened while the connection was down.
 */
export class BinanceUserDataStream implements UserDataSource {
  readonly #url: string;
  readonly #credentials: BinanceCredentials;
  readonly #nowMs: () => number;
  readonly #timeOffsetMs: () => number;
  readonly #recvWindowMs: number | undefined;
  readonly #backoff: Backoff;
  readonly #silenceTimeoutMs: number;
  readonly #requestTimeoutMs: number;
  readonly #startTimeoutMs: number;
  readonly #logger: UserDataLogger | undefined;
  readonly #eventListeners = new Set<(event: UserDataEvent) => void>();
  readonly #reconnectListeners = new Set<() => void>();
  /** Connection attempts of the last 5 minutes, against the budget. */
  readonly #attempts: SlidingWindowLimit;

  #running = false;
  #ws: WebSocket | undefined;
  /** Incremented per connection, so callbacks of a replaced connection do nothing. */
  #generation = 0;
  #requests: WsApiRequests | undefined;
  #subscriptionId: number | undefined;
  #everSubscribed = false;
  #reconnectAtOnce = false;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #silenceTimer: NodeJS.Timeout | undefined;
  #start: { resolve: () => void; reject: (err: Error) => void; timer: NodeJS.Timeout } | undefined;
  #lastParseErrorLogMs = Number.NEGATIVE_INFINITY;
  #unloggedParseErrors = 0;
  readonly #stats = {
    connectAttempts: 0,
    reconnects: 0,
    events: 0,
    parseErrors: 0,
    unroutedEvents: 0,
    ignoredEvents: 0,
    subscribeFailures: 0,
    silenceTimeouts: 0,
    listenerFailures: 0,
  };

  constructor(options: BinanceUserDataStreamOptions) {
    if (options.forbidProductionHosts === true) assertNotProductionUrl(options.wsApiUrl);
    this.#url = options.wsApiUrl;
    this.#credentials = options.credentials;
    this.#nowMs = options.nowMs ?? Date.now;
    this.#timeOffsetMs = options.timeOffsetMs ?? (() => 0);
    this.#recvWindowMs = options.recvWindowMs;
    this.#backoff = new Backoff(options.backoff, options.random);
    this.#silenceTimeoutMs = options.silenceTimeoutMs ?? 50_000;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.#startTimeoutMs = options.startTimeoutMs ?? 30_000;
    this.#attempts = new SlidingWindowLimit(options.maxConnectAttemptsPer5Min ?? 250, FIVE_MINUTES_MS);
    this.#logger = options.logger;
  }

  /** Registers an event receiver; returns its remover. */
  onEvent(listener: (event: UserDataEvent) => void): () => void {
    this.#eventListeners.add(listener);
    return () => this.#eventListeners.delete(listener);
  }

  /** Registers a receiver called after every re-subscription; returns its remover. */
  onReconnected(listener: () => void): () => void {
    this.#reconnectListeners.add(listener);
    return () => this.#reconnectListeners.delete(listener);
  }

  /**
   * Connects and subscribes; resolves once subscribed. Rejects (and stops) when the credentials are
   * refused or no subscription succeeds within startTimeoutMs.
   */
  start(): Promise<void> {
    if (this.#running) {
      return this.#start === undefined ? Promise.resolve() : Promise.reject(this.#alreadyStarting());
    }
    this.#running = true;
    const started = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#failStart(
          new DesError(
            ErrorCode.VenueUnavailable,
            `user data stream not subscribed within ${this.#startTimeoutMs} ms (${this.#url})`,
            { url: this.#url },
          ),
        );
      }, this.#startTimeoutMs);
      timer.unref();
      this.#start = { resolve, reject, timer };
    });
    this.#connect();
    return started;
  }

  /** Closes the connection and stops reconnecting; resolves once the socket is closed (bounded). */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#start !== undefined) {
      this.#failStart(
        new DesError(ErrorCode.VenueUnavailable, "user data stream stopped before subscribing"),
      );
    }
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    clearTimeout(this.#silenceTimer);
    this.#silenceTimer = undefined;
    const ws = this.#ws;
    this.#dropConnection("stopped");
    if (ws === undefined || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        ws.terminate();
        resolve();
      }, CLOSE_WAIT_MS);
      timer.unref();
      ws.once("close", () => {
        clearTimeout(timer);
        resolve();
      });
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close(1000);
    });
  }

  /** Returns a copy of the counters. */
  stats(): UserDataStreamStats {
    return { ...this.#stats, subscribed: this.#subscriptionId !== undefined };
  }

  #alreadyStarting(): DesError {
    return new DesError(ErrorCode.VenueUnavailable, "user data stream start() already in progress");
  }

  #failStart(err: Error): void {
    const start = this.#start;
    if (start === undefined) return;
    this.#start = undefined;
    clearTimeout(start.timer);
    start.reject(err);
    if (this.#running) void this.stop();
  }

  #connect(): void {
    this.#reconnectTimer = undefined;
    if (!this.#running) return;
    const now = this.#nowMs();
    const waitMs = this.#attempts.delayMs(now);
    if (waitMs > 0) {
      // Binance bans IPs that reconnect too often: wait until the oldest attempt leaves the window.
      this.#logger?.warn({ waitMs }, "user data stream: connection attempt budget used up, waiting");
      this.#schedule(waitMs);
      return;
    }
    this.#attempts.record(now);
    this.#stats.connectAttempts++;
    const generation = ++this.#generation;
    const requests = new WsApiRequests(this.#requestTimeoutMs);
    this.#requests = requests;
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.#url, { handshakeTimeout: this.#requestTimeoutMs });
    } catch (err) {
      // A malformed URL: retrying cannot help, so start() fails with the reason.
      this.#failStart(
        new DesError(ErrorCode.InvalidConfig, `invalid WebSocket API URL ${this.#url}`, {}, { cause: err }),
      );
      return;
    }
    this.#ws = ws;
    ws.on("open", () => {
      if (generation !== this.#generation) return;
      this.#armSilenceTimer();
      void this.#subscribe(generation, ws, requests);
    });
    ws.on("message", (data, isBinary) => {
      if (generation !== this.#generation) return;
      this.#silenceTimer?.refresh();
      if (isBinary) {
        this.#parseError("binary frame");
        return;
      }
      this.#onFrame(ws, requests, data.toString());
    });
    ws.on("ping", () => {
      if (generation === this.#generation) this.#silenceTimer?.refresh();
    });
    ws.on("pong", () => {
      if (generation === this.#generation) this.#silenceTimer?.refresh();
    });
    ws.on("error", (err) => {
      if (generation !== this.#generation) return;
      this.#logger?.warn({ url: this.#url, err: err.message }, "user data stream: connection error");
    });
    ws.on("close", (code, reason) => {
      if (generation !== this.#generation) return;
      this.#onClosed(code, reason.toString());
    });
  }

  async #subscribe(generation: number, ws: WebSocket, requests: WsApiRequests): Promise<void> {
    const send = (text: string) => ws.send(text);
    const onTimeout = () => ws.terminate();
    try {
      let result: unknown;
      if (this.#credentials.signer.keyType === "ED25519") {
        // Session authentication supports only Ed25519 keys (section 3.6); the subscription then
        // needs no signature of its own.
        await requests.request("session.logon", this.#signed(), send, onTimeout);
        if (generation !== this.#generation) return;
        result = await requests.request("userDataStream.subscribe", undefined, send, onTimeout);
      } else {
        result = await requests.request(
          "userDataStream.subscribe.signature",
          this.#signed(),
          send,
          onTimeout,
        );
      }
      if (generation !== this.#generation) return;
      const id = (result as { subscriptionId?: unknown } | null)?.subscriptionId;
      if (typeof id !== "number" || !Number.isSafeInteger(id)) {
        throw new DesError(
          ErrorCode.VenueProtocolError,
          "userDataStream.subscribe result has no subscriptionId",
          {
            result: JSON.stringify(result)?.slice(0, 200),
          },
        );
      }
      this.#subscriptionId = id;
      this.#backoff.reset();
      this.#logger?.info({ subscriptionId: id }, "user data stream subscribed");
      if (this.#start !== undefined) {
        const start = this.#start;
        this.#start = undefined;
        clearTimeout(start.timer);
        this.#everSubscribed = true;
        start.resolve();
      } else if (this.#everSubscribed) {
        this.#stats.reconnects++;
        this.#notifyReconnected();
      } else {
        this.#everSubscribed = true;
      }
    } catch (thrown) {
      if (generation !== this.#generation) return;
      const err = toError(thrown);
      this.#stats.subscribeFailures++;
      // Only Binance's code and message are logged: the request held the signature.
      this.#logger?.warn(
        { code: isDesError(err) ? err.code : undefined, err: err.message },
        "user data stream: subscription failed",
      );
      if (this.#start !== undefined && isDesError(err, ErrorCode.VenueAuthFailed)) {
        this.#failStart(err);
        return;
      }
      ws.terminate();
    }
  }

  /** Returns the signed params of a logon or signature subscription, timestamped in server time. */
  #signed(): Record<string, unknown> {
    const params = this.#recvWindowMs === undefined ? {} : { recvWindow: this.#recvWindowMs };
    return signWsApiParams(params, this.#credentials, this.#nowMs() + this.#timeOffsetMs());
  }

  #onFrame(ws: WebSocket, requests: WsApiRequests, text: string): void {
    const frame = parseUserFrame(text);
    if (frame.kind === "invalid") {
      this.#parseError(frame.reason);
      return;
    }
    if (frame.kind === "response") {
      if (!requests.settle(frame.response)) {
        this.#logger?.warn({ id: frame.response.id }, "user data stream: response to no pending request");
      }
      return;
    }
    this.#onEvent(ws, frame.subscriptionId, frame.event);
  }

  #onEvent(ws: WebSocket, subscriptionId: number | undefined, event: UserEventMsg): void {
    if (event.e === "serverShutdown") {
      this.#logger?.info({}, "user data stream: serverShutdown, reconnecting at once");
      this.#reconnectAtOnce = true;
      ws.terminate();
      return;
    }
    if (subscriptionId === undefined || subscriptionId !== this.#subscriptionId) {
      this.#stats.unroutedEvents++;
      return;
    }
    if (event.e === "eventStreamTerminated") {
      this.#logger?.warn({ subscriptionId }, "user data stream: eventStreamTerminated, reconnecting at once");
      this.#reconnectAtOnce = true;
      ws.terminate();
      return;
    }
    if (event.e === "other") {
      this.#stats.ignoredEvents++;
      return;
    }
    this.#stats.events++;
    for (const listener of this.#eventListeners) {
      try {
        listener(event);
      } catch (err) {
        this.#stats.listenerFailures++;
        this.#logger?.error(
          { err: toError(err).message, event: event.e },
          "user data stream: listener failed",
        );
      }
    }
  }

  #notifyReconnected(): void {
    for (const listener of this.#reconnectListeners) {
      try {
        listener();
      } catch (err) {
        this.#stats.listenerFailures++;
        this.#logger?.error({ err: toError(err).message }, "user data stream: reconnect listener failed");
      }
    }
  }

  #onClosed(code: number, reason: string): void {
    const wasSubscribed = this.#subscriptionId !== undefined;
    this.#dropConnection(`connection closed (${code})`);
    if (!this.#running) return;
    const atOnce = this.#reconnectAtOnce && wasSubscribed;
    this.#reconnectAtOnce = false;
    // The back-off grows with each attempt that does not reach a subscription; a subscription resets it.
    const delayMs = atOnce ? 0 : this.#backoff.next();
    this.#logger?.warn({ code, reason: reason.slice(0, 100), delayMs }, "user data stream: disconnected");
    this.#schedule(delayMs);
  }

  /** Forgets the current connection: pending requests fail, the subscription is gone. */
  #dropConnection(reason: string): void {
    this.#generation++;
    this.#ws = undefined;
    this.#subscriptionId = undefined;
    clearTimeout(this.#silenceTimer);
    this.#silenceTimer = undefined;
    this.#requests?.rejectAll(reason);
    this.#requests = undefined;
  }

  #schedule(delayMs: number): void {
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = setTimeout(() => this.#connect(), delayMs);
  }

  #armSilenceTimer(): void {
    clearTimeout(this.#silenceTimer);
    const ws = this.#ws;
    this.#silenceTimer = setTimeout(() => {
      if (ws === undefined || ws !== this.#ws) return;
      this.#stats.silenceTimeouts++;
      this.#logger?.warn(
        { silenceTimeoutMs: this.#silenceTimeoutMs },
        "user data stream: silent, reconnecting",
      );
      ws.terminate();
    }, this.#silenceTimeoutMs);
    this.#silenceTimer.unref();
  }

  #parseError(reason: string): void {
    this.#stats.parseErrors++;
    this.#unloggedParseErrors++;
    const now = this.#nowMs();
    // At most one log line per second, carrying how many errors it stands for.
    if (now - this.#lastParseErrorLogMs < PARSE_ERROR_LOG_INTERVAL_MS) return;
    this.#lastParseErrorLogMs = now;
    this.#logger?.warn(
      { reason, count: this.#unloggedParseErrors, total: this.#stats.parseErrors },
      "user data stream: unreadable frame",
    );
    this.#unloggedParseErrors = 0;
  }
}
