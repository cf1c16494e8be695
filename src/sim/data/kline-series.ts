import { Decimal } from "../../core/index.ts";
import { type KlineInterval, klineIntervalMs, klineOpenTime, nextKlineOpenTime } from "./kline-interval.ts";

/** Decimals of every price and quantity the simulator prints (Binance spot prints 8). */
export const WIRE_DECIMALS = 8;

/** One kline as the simulator publishes it: numbers for times/ids/counts, 8-decimal strings for amounts. */
export interface KlineRecord {
  /** Open time, ms. */
  readonly t: number;
  /** Close time: the last ms inside the kline. */
  readonly T: number;
  /** First and last trade id; -1 when the kline has no trade. */
  readonly f: number;
  readonly L: number;
  readonly n: number;
  readonly o: string;
  readonly h: string;
  readonly l: string;
  readonly c: string;
  readonly v: string;
  readonly q: string;
  readonly V: string;
  readonly Q: string;
  readonly x: boolean;
}

/** The values a captured kline frame carries, used to seed the current kline. */
export interface KlineSeed {
  readonly o: Decimal;
  readonly h: Decimal;
  readonly l: Decimal;
  readonly c: Decimal;
  readonly v: Decimal;
  readonly q: Decimal;
  readonly V: Decimal;
  readonly Q: Decimal;
  readonly n: number;
  readonly f: number;
  readonly L: number;
}

/** A kline's values (exact decimals); formatted into a KlineRecord only when published or queried. */
export interface KlineValues extends KlineSeed {
  readonly t: number;
  /** Open time of the next kline. */
  readonly end: number;
}

/** The open kline: the same values, updated in place as trades arrive. */
type OpenKline = { -readonly [K in keyof KlineValues]: KlineValues[K] };

const NONE: readonly KlineValues[] = Object.freeze([]);

/**
 * The klines of one symbol and one interval, built from trades: the open kline plus the most recent
 * closed ones. Bounded: it keeps at most `capacity` closed klines and drops the oldest when full
 * (REST queries older than that return nothing). A kline with no trade repeats the previous close
 * (volume 0, n 0, f = L = -1), so the series has no holes once it has a price.
 */
export class KlineSeries {
  readonly interval: KlineInterval;
  readonly #capacity: number;
  readonly #closed: KlineValues[] = [];
  #current: OpenKline | undefined;
  #lastTradeId = -1;

  constructor(interval: KlineInterval, capacity: number) {
    this.interval = interval;
    this.#capacity = Math.max(1, capacity);
  }

  /** Closes every kline that ended at or before the time; returns them oldest first (often none). */
  advanceTo(timeMs: number): readonly KlineValues[] {
    const cur = this.#current;
    if (cur === undefined || timeMs < cur.end) return NONE;
    const closed: KlineValues[] = [this.#close(cur)];
    let open = cur.end;
    // After a long pause only the most recent empty klines matter: the series keeps `capacity`.
    const length = klineIntervalMs(this.interval);
    if (length !== undefined) {
      const latest = klineOpenTime(this.interval, timeMs);
      open = Math.max(open, latest - this.#capacity * length);
    }
    let next = nextKlineOpenTime(this.interval, open);
    while (next <= timeMs) {
      closed.push(this.#close(this.#empty(open, next, cur.c)));
      open = next;
      next = nextKlineOpenTime(this.interval, open);
    }
    this.#current = this.#empty(open, next, cur.c);
    return closed;
  }

  /**
   * Adds a trade (or an aggregated trade covering ids firstId..lastId) to the open kline; call
   * advanceTo(time) first. Returns false when the ids were already counted (a captured kline frame
   * can include a trade that arrives after it).
   */
  addTrade(
    price: Decimal,
    qty: Decimal,
    quoteQty: Decimal,
    buyerIsMaker: boolean,
    firstId: number,
    lastId: number,
    timeMs: number,
  ): boolean {
    if (lastId <= this.#lastTradeId) return false;
    this.#lastTradeId = lastId;
    let k = this.#current;
    if (k === undefined) {
      const t = klineOpenTime(this.interval, timeMs);
      k = this.#empty(t, nextKlineOpenTime(this.interval, t), price);
      this.#current = k;
    }
    if (k.n === 0) {
      // The open is the first trade's price; an empty kline only repeats the previous close.
      k.o = price;
      k.h = price;
      k.l = price;
      k.f = firstId;
    } else {
      if (price.gt(k.h)) k.h = price;
      if (price.lt(k.l)) k.l = price;
    }
    k.c = price;
    k.v = k.v.add(qty);
    k.q = k.q.add(quoteQty);
    if (!buyerIsMaker) {
      k.V = k.V.add(qty);
      k.Q = k.Q.add(quoteQty);
    }
    k.n += lastId - firstId + 1;
    k.L = lastId;
    return true;
  }

  /** Replaces the open kline containing the time with captured values, unless it already knows more trades. */
  seed(seed: KlineSeed, timeMs: number): boolean {
    const t = klineOpenTime(this.interval, timeMs);
    const cur = this.#current;
    if (cur !== undefined && (cur.t !== t || cur.n >= seed.n)) return false;
    this.#current = { t, end: nextKlineOpenTime(this.interval, t), ...seed };
    if (seed.L > this.#lastTradeId) this.#lastTradeId = seed.L;
    return true;
  }

  /** Returns the open kline, if the series has a price yet. */
  current(): KlineRecord | undefined {
    const k = this.#current;
    return k === undefined ? undefined : klineRecord(k, false);
  }

  /** Returns the open kline's values (do not modify), if the series has a price yet. */
  currentValues(): KlineValues | undefined {
    return this.#current;
  }

  /** Returns the closed klines kept, oldest first (do not modify). */
  closedKlines(): readonly KlineValues[] {
    return this.#closed;
  }

  /**
   * Returns klines by Binance's paging rule: with `startTime` the oldest from there (not past
   * `endTime`), with only `endTime` the most recent up to it, with neither the most recent; the open
   * kline is included last.
   */
  query(startTime: number | undefined, endTime: number | undefined, limit: number): KlineRecord[] {
    const closed = this.#closed;
    const cur = this.#current;
    const count = closed.length + (cur === undefined ? 0 : 1);
    const at = (i: number): KlineRecord =>
      i < closed.length ? klineRecord(closed[i] as KlineValues, true) : klineRecord(cur as OpenKline, false);
    const openTime = (i: number): number =>
      i < closed.length ? (closed[i] as KlineValues).t : (cur as OpenKline).t;
    const lowerBound = (t: number): number => {
      let lo = 0;
      let hi = count;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (openTime(mid) < t) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    const out: KlineRecord[] = [];
    if (startTime !== undefined) {
      for (let i = lowerBound(startTime); i < count && out.length < limit; i++) {
        if (endTime !== undefined && openTime(i) > endTime) break;
        out.push(at(i));
      }
      return out;
    }
    const last = endTime === undefined ? count : lowerBound(endTime + 1);
    for (let i = Math.max(0, last - limit); i < last; i++) out.push(at(i));
    return out;
  }

  #close(k: OpenKline): KlineValues {
    // The open kline object is never mutated after this: a new one replaces it.
    const closed: KlineValues = k;
    this.#closed.push(closed);
    if (this.#closed.length > this.#capacity) this.#closed.shift();
    return closed;
  }

  #empty(t: number, end: number, price: Decimal): OpenKline {
    const z = Decimal.ZERO;
    return { t, end, o: price, h: price, l: price, c: price, v: z, q: z, V: z, Q: z, n: 0, f: -1, L: -1 };
  }
}

/** Formats kline values the way the simulator publishes them (8-decimal strings). */
export function klineRecord(k: KlineValues, closed: boolean): KlineRecord {
  return {
    t: k.t,
    T: k.end - 1,
    f: k.f,
    L: k.L,
    n: k.n,
    o: k.o.toFixed(WIRE_DECIMALS),
    h: k.h.toFixed(WIRE_DECIMALS),
    l: k.l.toFixed(WIRE_DECIMALS),
    c: k.c.toFixed(WIRE_DECIMALS),
    v: k.v.toFixed(WIRE_DECIMALS),
    q: k.q.toFixed(WIRE_DECIMALS),
    V: k.V.toFixed(WIRE_DECIMALS),
    Q: k.Q.toFixed(WIRE_DECIMALS),
    x: closed,
  };
}
