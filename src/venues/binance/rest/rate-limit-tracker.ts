import type { IncomingHttpHeaders } from "node:http";
import type { RateLimitMsg } from "../wire/rest-msgs.ts";
import type { RateLimitSnapshot } from "./binance-rest-api.ts";

/** The limits the tracker keeps requests under. */
export interface RateLimits {
  /** REQUEST_WEIGHT per 1 MINUTE (per IP). */
  weightPerMinute: number;
  /** ORDERS per 10 SECOND (per account). */
  ordersPer10s: number;
  /** ORDERS per 1 DAY (per account). */
  ordersPerDay: number;
}

/** Binance's current limits (reference section 4.2), used until exchangeInfo says otherwise. */
export const DEFAULT_RATE_LIMITS: RateLimits = Object.freeze({
  weightPerMinute: 6000,
  ordersPer10s: 50,
  ordersPerDay: 160_000,
});

const MINUTE_MS = 60_000;
const TEN_SECONDS_MS = 10_000;
const DAY_MS = 86_400_000;
/** Waits end this long after the window boundary: our estimate of server time is only that. */
const ROLLOVER_SLACK_MS = 100;

/** Why a request must wait, and until when (server-time window boundary, as a delay from now). */
export interface ThrottleDecision {
  waitMs: number;
  reason: string;
}

/**
 * Keeps the REST client under Binance's limits. Used weight and order counts come from the response
 * headers (X-MBX-USED-WEIGHT-1M, X-MBX-ORDER-COUNT-10S/-1D, matched case-insensitively), each reading
 * valid until its server-time window (minute, 10 s, UTC day) rolls over; requests in flight are added on
 * top. A 429/418 blocks every request until Retry-After has passed.
 */
export class RateLimitTracker {
  #limits: RateLimits;
  readonly #marginFraction: number;
  #weight = 0;
  #weightWindow = -1;
  #orders10s = 0;
  #orders10sWindow = -1;
  #ordersDay = 0;
  #ordersDayWindow = -1;
  #inFlightWeight = 0;
  #inFlightOrders = 0;
  #lastWeightHeader = 0;
  #lastOrders10sHeader = 0;
  #lastOrdersDayHeader = 0;
  #blockedUntilMs = 0;
  #banned = false;

  /** `safetyMargin` is the fraction of each limit kept free (default 0.05: 300 of 6000 weight, 3 of 50 orders). */
  constructor(options: { limits?: Partial<RateLimits>; safetyMargin?: number } = {}) {
    this.#limits = { ...DEFAULT_RATE_LIMITS, ...options.limits };
    this.#marginFraction = options.safetyMargin ?? 0.05;
  }

  get limits(): RateLimits {
    return { ...this.#limits };
  }

  /** Takes REQUEST_WEIGHT per 1 MINUTE and ORDERS per 10 SECOND / 1 DAY from exchangeInfo's rateLimits. */
  applyExchangeLimits(rateLimits: readonly RateLimitMsg[]): void {
    for (const r of rateLimits) {
      if (!(r.limit > 0)) continue;
      if (r.rateLimitType === "REQUEST_WEIGHT" && r.interval === "MINUTE" && r.intervalNum === 1) {
        this.#limits.weightPerMinute = r.limit;
      } else if (r.rateLimitType === "ORDERS" && r.interval === "SECOND" && r.intervalNum === 10) {
        this.#limits.ordersPer10s = r.limit;
      } else if (r.rateLimitType === "ORDERS" && r.interval === "DAY" && r.intervalNum === 1) {
        this.#limits.ordersPerDay = r.limit;
      }
    }
  }

  /** Returns the block in force at `nowMs` (local epoch ms), or undefined when requests may go. */
  blockedAt(nowMs: number): { untilMs: number; banned: boolean } | undefined {
    return nowMs < this.#blockedUntilMs ? { untilMs: this.#blockedUntilMs, banned: this.#banned } : undefined;
  }

  /** Records a 429 (banned false) or 418 (banned true): nothing is sent before `untilMs`. */
  block(untilMs: number, banned: boolean): void {
    if (untilMs >= this.#blockedUntilMs) {
      this.#blockedUntilMs = untilMs;
      this.#banned = banned;
    } else if (banned) this.#banned = true;
  }

  /**
   * Returns how long a request of `weight` that places `orders` orders must wait so that the used weight
   * and order counts stay below (limit - safety margin), or undefined when it may go now. `serverNowMs`
   * is the estimated server time, which defines the windows.
   */
  check(weight: number, orders: number, serverNowMs: number): ThrottleDecision | undefined {
    const used = this.#usedWeight(serverNowMs);
    const weightCap = this.#limits.weightPerMinute - this.#margin(this.#limits.weightPerMinute);
    // A request alone heavier than the cap still goes when nothing else is counted, else it never would.
    if (used > 0 && used + weight > weightCap) {
      return {
        waitMs: untilNextWindow(serverNowMs, MINUTE_MS),
        reason: `used weight ${used} + ${weight} would pass ${weightCap} of ${this.#limits.weightPerMinute} per minute`,
      };
    }
    if (orders > 0) {
      const used10s = this.#usedOrders10s(serverNowMs);
      const cap10s = this.#limits.ordersPer10s - this.#margin(this.#limits.ordersPer10s);
      if (used10s > 0 && used10s + orders > cap10s) {
        return {
          waitMs: untilNextWindow(serverNowMs, TEN_SECONDS_MS),
          reason: `order count ${used10s} + ${orders} would pass ${cap10s} of ${this.#limits.ordersPer10s} per 10 s`,
        };
      }
      const usedDay = this.#usedOrdersDay(serverNowMs);
      const capDay = this.#limits.ordersPerDay - this.#margin(this.#limits.ordersPerDay);
      if (usedDay > 0 && usedDay + orders > capDay) {
        return {
          waitMs: untilNextWindow(serverNowMs, DAY_MS),
          reason: `order count ${usedDay} + ${orders} would pass ${capDay} of ${this.#limits.ordersPerDay} per day`,
        };
      }
    }
    return undefined;
  }

  /** Counts a request as in flight until `end` (its weight is not yet in any header). */
  begin(weight: number, orders: number): void {
    this.#inFlightWeight += weight;
    this.#inFlightOrders += orders;
  }

  /** Ends what `begin` started. */
  end(weight: number, orders: number): void {
    this.#inFlightWeight -= weight;
    this.#inFlightOrders -= orders;
  }

  /** Reads the rate-limit headers of a response received at `serverNowMs`. */
  observe(headers: IncomingHttpHeaders, serverNowMs: number): void {
    const weight =
      headerNumber(headers, "x-mbx-used-weight-1m") ?? headerNumber(headers, "x-mbx-used-weight");
    if (weight !== undefined) {
      this.#lastWeightHeader = weight;
      const window = Math.floor(serverNowMs / MINUTE_MS);
      // Within one window the count only grows; max() keeps a late, older answer from lowering it.
      this.#weight = window === this.#weightWindow ? Math.max(this.#weight, weight) : weight;
      this.#weightWindow = window;
    }
    const orders10s = headerNumber(headers, "x-mbx-order-count-10s");
    if (orders10s !== undefined) {
      this.#lastOrders10sHeader = orders10s;
      const window = Math.floor(serverNowMs / TEN_SECONDS_MS);
      this.#orders10s = window === this.#orders10sWindow ? Math.max(this.#orders10s, orders10s) : orders10s;
      this.#orders10sWindow = window;
    }
    const ordersDay = headerNumber(headers, "x-mbx-order-count-1d");
    if (ordersDay !== undefined) {
      this.#lastOrdersDayHeader = ordersDay;
      const window = Math.floor(serverNowMs / DAY_MS);
      this.#ordersDay = window === this.#ordersDayWindow ? Math.max(this.#ordersDay, ordersDay) : ordersDay;
      this.#ordersDayWindow = window;
    }
  }

  /** Returns the last header readings and the block state at `nowMs` (local epoch ms). */
  snapshot(nowMs: number): RateLimitSnapshot {
    const blocked = nowMs < this.#blockedUntilMs;
    return {
      usedWeight1m: this.#lastWeightHeader,
      orderCount10s: this.#lastOrders10sHeader,
      orderCount1d: this.#lastOrdersDayHeader,
      blockedUntilMs: blocked ? this.#blockedUntilMs : 0,
      banned: blocked && this.#banned,
    };
  }

  #margin(limit: number): number {
    return Math.ceil(limit * this.#marginFraction);
  }

  #usedWeight(serverNowMs: number): number {
    const inWindow = Math.floor(serverNowMs / MINUTE_MS) === this.#weightWindow ? this.#weight : 0;
    return inWindow + this.#inFlightWeight;
  }

  #usedOrders10s(serverNowMs: number): number {
    const inWindow = Math.floor(serverNowMs / TEN_SECONDS_MS) === this.#orders10sWindow ? this.#orders10s : 0;
    return inWindow + this.#inFlightOrders;
  }

  #usedOrdersDay(serverNowMs: number): number {
    const inWindow = Math.floor(serverNowMs / DAY_MS) === this.#ordersDayWindow ? this.#ordersDay : 0;
    return inWindow + this.#inFlightOrders;
  }
}

function untilNextWindow(serverNowMs: number, windowMs: number): number {
  return (Math.floor(serverNowMs / windowMs) + 1) * windowMs - serverNowMs + ROLLOVER_SLACK_MS;
}

/** Returns a header as a non-negative number, looking the name up case-insensitively. */
export function headerNumber(headers: IncomingHttpHeaders, lowerName: string): number | undefined {
  let raw = headers[lowerName];
  if (raw === undefined) {
    for (const key in headers) {
      if (key.toLowerCase() === lowerName) {
        raw = headers[key];
        break;
      }
    }
  }
  const text = Array.isArray(raw) ? raw[0] : raw;
  if (text === undefined || !/^\s*\d+(\.\d+)?\s*$/.test(text)) return undefined;
  return Number(text);
}
