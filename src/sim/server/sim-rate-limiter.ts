import { bannedError, orderLimitError, type SimFailure, weightLimitError } from "./sim-errors.ts";

/** The simulator's rate limits (reference section 4.2). */
export interface SimRateLimits {
  /** REQUEST_WEIGHT per 1 MINUTE, shared by REST and the WebSocket API (one client IP). Default 6000. */
  readonly weightPerMinute: number;
  /** ORDERS per 10 SECOND, per account. Default 50. */
  readonly ordersPer10s: number;
  /** ORDERS per 1 DAY, per account. Default 160000. */
  readonly ordersPerDay: number;
  /** Requests sent while a 429 block lasts before the client is banned with 418. Default 10. */
  readonly banAfterIgnored429: number;
  /** How long a 418 ban lasts, seconds (Binance: 2 minutes for a first offence). Default 120. */
  readonly banDurationS: number;
}

/** Binance's current production limits. */
export const DEFAULT_SIM_RATE_LIMITS: SimRateLimits = Object.freeze({
  weightPerMinute: 6000,
  ordersPer10s: 50,
  ordersPerDay: 160_000,
  banAfterIgnored429: 10,
  banDurationS: 120,
});

/** Admission of one request: allowed, or Binance's 429/418 failure with its Retry-After in seconds. */
export type RateDecision =
  | { readonly ok: true }
  | { readonly ok: false; readonly failure: SimFailure; readonly retryAfterS: number };

const ALLOWED: RateDecision = Object.freeze({ ok: true });
const MINUTE_MS = 60_000;
const TEN_SECONDS_MS = 10_000;
const DAY_MS = 86_400_000;

interface OrderCounters {
  tenSecondsWindow: number;
  tenSeconds: number;
  dayWindow: number;
  day: number;
  blockedUntilMs: number;
  blockFailure: SimFailure | undefined;
}

/**
 * Binance-style fixed-window rate limiting: request weight per minute (client IP; the simulator serves one
 * IP, so all clients share it), orders per 10 s and per day (per account). Windows start at whole
 * minutes / 10 s / UTC days as on Binance. Exceeding a limit answers 429 until the window ends; a client
 * that keeps sending during that block is banned (418) for banDurationS.
 */
export class SimRateLimiter {
  readonly limits: SimRateLimits;
  readonly #now: () => number;
  #minuteWindow = -1;
  #usedWeight = 0;
  #blockedUntilMs = 0;
  #blockFailure: SimFailure | undefined;
  #ignored = 0;
  #bannedUntilMs = 0;
  #forced429 = 0;
  #forcedRetryAfterS = 0;
  readonly #orders = new Map<string, OrderCounters>();

  constructor(limits: Partial<SimRateLimits> | undefined, now: () => number) {
    this.limits = { ...DEFAULT_SIM_RATE_LIMITS, ...limits };
    this.#now = now;
  }

  /** Admits a request of `weight` (IP level): ban, forced 429, an active block, then the weight limit. */
  admit(weight: number): RateDecision {
    const now = this.#now();
    if (now < this.#bannedUntilMs) return banned(this.#bannedUntilMs, now);
    if (this.#forced429 > 0) {
      this.#forced429--;
      return {
        ok: false,
        failure: weightLimitError(this.limits.weightPerMinute),
        retryAfterS: this.#forcedRetryAfterS,
      };
    }
    if (now < this.#blockedUntilMs && this.#blockFailure !== undefined) {
      return this.#ignoredBlock(now, this.#blockedUntilMs, this.#blockFailure);
    }
    this.#rollMinute(now);
    this.#usedWeight += weight;
    if (this.#usedWeight > this.limits.weightPerMinute) {
      this.#blockedUntilMs = (this.#minuteWindow + 1) * MINUTE_MS;
      this.#blockFailure = weightLimitError(this.limits.weightPerMinute);
      this.#ignored = 0;
      return { ok: false, failure: this.#blockFailure, retryAfterS: secondsUntil(this.#blockedUntilMs, now) };
    }
    return ALLOWED;
  }

  /** Admits one new order of an account against ORDERS per 10 s and per day; counts it when allowed. */
  admitOrder(accountId: string): RateDecision {
    const now = this.#now();
    const c = this.#countersOf(accountId, now);
    if (now < c.blockedUntilMs && c.blockFailure !== undefined) {
      return this.#ignoredBlock(now, c.blockedUntilMs, c.blockFailure);
    }
    if (c.tenSeconds + 1 > this.limits.ordersPer10s) {
      return this.#blockOrders(
        c,
        now,
        (c.tenSecondsWindow + 1) * TEN_SECONDS_MS,
        "10 SECOND",
        this.limits.ordersPer10s,
      );
    }
    if (c.day + 1 > this.limits.ordersPerDay) {
      return this.#blockOrders(c, now, (c.dayWindow + 1) * DAY_MS, "1 DAY", this.limits.ordersPerDay);
    }
    c.tenSeconds++;
    c.day++;
    return ALLOWED;
  }

  /** Request weight used in the current minute. */
  usedWeight(): number {
    this.#rollMinute(this.#now());
    return this.#usedWeight;
  }

  /** Orders an account placed in the current 10 s window and UTC day. */
  orderCounts(accountId: string): { tenSeconds: number; day: number } {
    const c = this.#countersOf(accountId, this.#now());
    return { tenSeconds: c.tenSeconds, day: c.day };
  }

  /** Fault: the next `count` requests get 429 with Retry-After `retryAfterS`; without count, block for that long. */
  force429(retryAfterS: number, count?: number): void {
    if (count !== undefined) {
      this.#forced429 = count;
      this.#forcedRetryAfterS = retryAfterS;
      return;
    }
    this.#blockedUntilMs = this.#now() + retryAfterS * 1000;
    this.#blockFailure = weightLimitError(this.limits.weightPerMinute);
    this.#ignored = 0;
  }

  /** Fault: bans the client for `retryAfterS` seconds from now (every request gets 418). */
  ban(retryAfterS: number): void {
    this.#bannedUntilMs = this.#now() + retryAfterS * 1000;
  }

  /** Lifts bans, blocks and forced 429s, and zeroes every counter. */
  reset(): void {
    this.#minuteWindow = -1;
    this.#usedWeight = 0;
    this.#blockedUntilMs = 0;
    this.#blockFailure = undefined;
    this.#ignored = 0;
    this.#bannedUntilMs = 0;
    this.#forced429 = 0;
    this.#orders.clear();
  }

  /** The limits in exchangeInfo `rateLimits` form. */
  rateLimitsInfo(): Record<string, unknown>[] {
    return [
      {
        rateLimitType: "REQUEST_WEIGHT",
        interval: "MINUTE",
        intervalNum: 1,
        limit: this.limits.weightPerMinute,
      },
      { rateLimitType: "ORDERS", interval: "SECOND", intervalNum: 10, limit: this.limits.ordersPer10s },
      { rateLimitType: "ORDERS", interval: "DAY", intervalNum: 1, limit: this.limits.ordersPerDay },
      { rateLimitType: "RAW_REQUESTS", interval: "MINUTE", intervalNum: 5, limit: 61000 },
    ];
  }

  #ignoredBlock(now: number, until: number, failure: SimFailure): RateDecision {
    this.#ignored++;
    if (this.#ignored > this.limits.banAfterIgnored429) {
      this.#bannedUntilMs = now + this.limits.banDurationS * 1000;
      return banned(this.#bannedUntilMs, now);
    }
    return { ok: false, failure, retryAfterS: secondsUntil(until, now) };
  }

  #blockOrders(c: OrderCounters, now: number, until: number, interval: string, limit: number): RateDecision {
    c.blockedUntilMs = until;
    c.blockFailure = orderLimitError(limit, interval);
    this.#ignored = 0;
    return { ok: false, failure: c.blockFailure, retryAfterS: secondsUntil(until, now) };
  }

  #rollMinute(now: number): void {
    const window = Math.floor(now / MINUTE_MS);
    if (window !== this.#minuteWindow) {
      this.#minuteWindow = window;
      this.#usedWeight = 0;
    }
  }

  #countersOf(accountId: string, now: number): OrderCounters {
    let c = this.#orders.get(accountId);
    if (c === undefined) {
      c = {
        tenSecondsWindow: -1,
        tenSeconds: 0,
        dayWindow: -1,
        day: 0,
        blockedUntilMs: 0,
        blockFailure: undefined,
      };
      this.#orders.set(accountId, c);
    }
    const ten = Math.floor(now / TEN_SECONDS_MS);
    if (ten !== c.tenSecondsWindow) {
      c.tenSecondsWindow = ten;
      c.tenSeconds = 0;
    }
    const day = Math.floor(now / DAY_MS);
    if (day !== c.dayWindow) {
      c.dayWindow = day;
      c.day = 0;
    }
    return c;
  }
}

function banned(untilMs: number, now: number): RateDecision {
  return { ok: false, failure: bannedError(untilMs), retryAfterS: secondsUntil(untilMs, now) };
}

function secondsUntil(untilMs: number, now: number): number {
  return Math.max(1, Math.ceil((untilMs - now) / 1000));
}
