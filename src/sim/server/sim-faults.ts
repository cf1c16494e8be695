import type { SimClock } from "./sim-clock.ts";
import type { SimStreamFaults } from "./sim-market-ports.ts";
import type { SimRateLimiter } from "./sim-rate-limiter.ts";

/** A pending failRest fault. */
export interface FailRestFault {
  /** HTTP status to answer (e.g. 500, 502, 503, 504). */
  readonly status: number;
  /** How many matching requests still fail. */
  remaining: number;
  /** Only requests to this exact path fail (e.g. "/api/v3/order"); every /api path when absent. */
  readonly path: string | undefined;
  /** Only requests with this HTTP method fail; any method when absent. */
  readonly method: string | undefined;
  /** "html": a small HTML error page like a proxy sends; "empty": no body. */
  readonly body: "html" | "empty";
  /** When true the request is processed by the exchange first and only the answer is replaced. */
  readonly process: boolean;
}

/** Options of failRest. */
export interface FailRestOptions {
  readonly status?: number;
  readonly count?: number;
  readonly path?: string;
  readonly method?: string;
  readonly body?: "html" | "empty";
  readonly process?: boolean;
}

/** What the faults act on; supplied by the simulator that owns the servers. */
export interface SimFaultTargets {
  readonly clock: SimClock;
  readonly limiter: SimRateLimiter;
  readonly streams: SimStreamFaults | undefined;
  /** Destroys every socket: HTTP keep-alive, WebSocket API and market streams. */
  killConnections(): void;
  /** Sends {"event":{"e":"serverShutdown","E":now}} to every WebSocket API connection. */
  wsApiServerShutdown(): void;
}

/**
 * Programmatic faults of the simulator. Every fault is off until called; `reset()` turns all REST/rate
 * faults off again (clock skew back to 0). The REST server reads the pending state on each request.
 */
export class SimFaults {
  readonly #targets: SimFaultTargets;
  #restDelayMs = 0;
  #failRest: FailRestFault | undefined;
  #timeoutAfterAccept = 0;

  constructor(targets: SimFaultTargets) {
    this.#targets = targets;
  }

  /** Destroys every open socket abruptly (no close frame, no HTTP response): streams, WS API, keep-alive. */
  killConnections(): void {
    this.#targets.killConnections();
  }

  /** Delays every /api request by `ms` before it is processed (0 turns it off). */
  delayRest(ms: number): void {
    this.#restDelayMs = nonNegative(ms, "delayRest ms");
  }

  /** Answers the next `count` (default 1) matching /api requests with a 5xx and an empty or HTML body. */
  failRest(options: FailRestOptions = {}): void {
    const status = options.status ?? 503;
    if (!Number.isInteger(status) || status < 100 || status > 599) throw new RangeError("failRest status");
    this.#failRest = {
      status,
      remaining: nonNegative(options.count ?? 1, "failRest count"),
      path: options.path,
      method: options.method?.toUpperCase(),
      body: options.body ?? "html",
      process: options.process ?? false,
    };
  }

  /**
   * The next `count` POST /api/v3/order requests are processed by the exchange (the order exists) but
   * never answered: the socket stays open until the client gives up (or the simulator stops).
   */
  timeoutAfterAccept(options: { count?: number } = {}): void {
    this.#timeoutAfterAccept = nonNegative(options.count ?? 1, "timeoutAfterAccept count");
  }

  /** Sets the server clock's skew in ms (positive: the server runs ahead of real time). */
  clockSkewMs(ms: number): void {
    if (!Number.isFinite(ms)) throw new RangeError("clockSkewMs must be finite");
    this.#targets.clock.setSkewMs(ms);
  }

  /**
   * Answers 429 -1003 with Retry-After `retryAfterS`: to the next `count` requests when given, else to
   * every request for `retryAfterS` seconds (sending on during that block leads to the 418 ban).
   */
  rateLimit429(options: { retryAfterS: number; count?: number }): void {
    const retryAfterS = nonNegative(options.retryAfterS, "rateLimit429 retryAfterS");
    const count = options.count === undefined ? undefined : nonNegative(options.count, "rateLimit429 count");
    this.#targets.limiter.force429(retryAfterS, count);
  }

  /** Bans the client for `retryAfterS` seconds: every request gets 418 -1003 "IP banned until ...". */
  ban418(options: { retryAfterS: number }): void {
    this.#targets.limiter.ban(nonNegative(options.retryAfterS, "ban418 retryAfterS"));
  }

  /** Sends the serverShutdown event to every market stream and WebSocket API connection (they stay open). */
  serverShutdown(): void {
    this.#targets.wsApiServerShutdown();
    this.#targets.streams?.serverShutdown();
  }

  /** The market stream server's own faults (stall, killAll, malformed, serverShutdown). */
  get streams(): SimStreamFaults {
    const streams = this.#targets.streams;
    if (streams === undefined) throw new Error("this simulator has no market stream server");
    return streams;
  }

  /** Turns every REST, rate-limit and clock fault off. */
  reset(): void {
    this.#restDelayMs = 0;
    this.#failRest = undefined;
    this.#timeoutAfterAccept = 0;
    this.#targets.clock.setSkewMs(0);
    this.#targets.limiter.reset();
    this.#targets.streams?.stall(false);
  }

  /** Current REST delay, ms. */
  get restDelayMs(): number {
    return this.#restDelayMs;
  }

  /** Returns and consumes the failRest fault when it applies to this request. */
  takeFailRest(method: string, path: string): FailRestFault | undefined {
    const f = this.#failRest;
    if (f === undefined || f.remaining <= 0) return undefined;
    if (f.path !== undefined && f.path !== path) return undefined;
    if (f.method !== undefined && f.method !== method) return undefined;
    f.remaining--;
    return f;
  }

  /** Returns true (consuming one) when this new order's response must be withheld. */
  takeTimeoutAfterAccept(): boolean {
    if (this.#timeoutAfterAccept <= 0) return false;
    this.#timeoutAfterAccept--;
    return true;
  }

  /** A JSON view of the pending faults, for GET /sim/state. */
  state(): Record<string, unknown> {
    return {
      restDelayMs: this.#restDelayMs,
      failRest: this.#failRest?.remaining ? { ...this.#failRest } : null,
      timeoutAfterAccept: this.#timeoutAfterAccept,
      clockSkewMs: this.#targets.clock.skewMs,
    };
  }
}

function nonNegative(value: number, what: string): number {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${what} must be a number >= 0`);
  return value;
}
