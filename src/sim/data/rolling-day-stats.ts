import type { Decimal } from "../../core/index.ts";
import type { KlineValues } from "./kline-series.ts";

/** Open, high, low and volumes over a window. */
export interface WindowStats {
  readonly o: Decimal;
  readonly h: Decimal;
  readonly l: Decimal;
  readonly v: Decimal;
  readonly q: Decimal;
}

/** A FIFO of klines with a moving head (shift() on a long array would copy it each time). */
class Queue {
  items: KlineValues[] = [];
  head = 0;
  get size(): number {
    return this.items.length - this.head;
  }
  first(): KlineValues | undefined {
    return this.items[this.head];
  }
  last(): KlineValues | undefined {
    return this.items[this.items.length - 1];
  }
  push(k: KlineValues): void {
    this.items.push(k);
  }
  shift(): KlineValues | undefined {
    const k = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return k;
  }
  pop(): void {
    this.items.pop();
  }
}

/**
 * Rolling statistics over closed 1m klines (the 24h window of the miniTicker): sums kept incrementally
 * and high/low through monotonic queues, so each update and each read is O(1) amortised. Bounded by
 * the window: klines older than the window start are evicted.
 */
export class RollingDayStats {
  readonly #window = new Queue();
  readonly #highs = new Queue();
  readonly #lows = new Queue();
  #v: Decimal | undefined;
  #q: Decimal | undefined;

  /** Adds a closed kline (oldest first). */
  push(k: KlineValues): void {
    this.#window.push(k);
    this.#v = this.#v === undefined ? k.v : this.#v.add(k.v);
    this.#q = this.#q === undefined ? k.q : this.#q.add(k.q);
    while (this.#highs.size > 0 && (this.#highs.last() as KlineValues).h.lte(k.h)) this.#highs.pop();
    this.#highs.push(k);
    while (this.#lows.size > 0 && (this.#lows.last() as KlineValues).l.gte(k.l)) this.#lows.pop();
    this.#lows.push(k);
  }

  /** Drops klines that opened before the time. */
  evictBefore(timeMs: number): void {
    for (;;) {
      const k = this.#window.first();
      if (k === undefined || k.t >= timeMs) return;
      this.#window.shift();
      this.#v = (this.#v as Decimal).sub(k.v);
      this.#q = (this.#q as Decimal).sub(k.q);
      if (this.#highs.first() === k) this.#highs.shift();
      if (this.#lows.first() === k) this.#lows.shift();
    }
  }

  /** Returns the window's statistics including the open kline, or undefined when both are empty. */
  stats(open: KlineValues | undefined): WindowStats | undefined {
    const first = this.#window.first();
    if (first === undefined) {
      return open === undefined ? undefined : { o: open.o, h: open.h, l: open.l, v: open.v, q: open.q };
    }
    let h = (this.#highs.first() as KlineValues).h;
    let l = (this.#lows.first() as KlineValues).l;
    let v = this.#v as Decimal;
    let q = this.#q as Decimal;
    if (open !== undefined && open.n > 0) {
      if (open.h.gt(h)) h = open.h;
      if (open.l.lt(l)) l = open.l;
      v = v.add(open.v);
      q = q.add(open.q);
    }
    return { o: first.o, h, l, v, q };
  }
}
