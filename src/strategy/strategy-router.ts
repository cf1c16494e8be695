import type { InstrumentId } from "../core/index.ts";
import type { BarInterval } from "../model/index.ts";
import type { StrategyInstance } from "./strategy-instance.ts";

const NONE: readonly StrategyInstance[] = [];

/**
 * The routing index: which running instances receive bars of an instrument and interval, and
 * trades and quotes of an instrument. Looking subscribers up costs two map reads, so an event
 * costs O(its subscribers), never a scan of all strategies.
 *
 * Lists are mutated in place unless a routing loop is iterating (enter/leave), in which case the
 * list is replaced (copy-on-write): a loop in progress keeps the list it started with, and starting
 * 10,000 instances stays linear.
 */
export class StrategyRouter {
  readonly #bars = new Map<InstrumentId, Map<BarInterval, readonly StrategyInstance[]>>();
  readonly #trades = new Map<InstrumentId, readonly StrategyInstance[]>();
  readonly #quotes = new Map<InstrumentId, readonly StrategyInstance[]>();
  #iterating = 0;

  /** Returns the instances subscribed to closed bars of the instrument and interval. */
  bars(instrumentId: InstrumentId, interval: BarInterval): readonly StrategyInstance[] {
    return this.#bars.get(instrumentId)?.get(interval) ?? NONE;
  }

  /** Returns the instances subscribed to the instrument's trades. */
  trades(instrumentId: InstrumentId): readonly StrategyInstance[] {
    return this.#trades.get(instrumentId) ?? NONE;
  }

  /** Returns the instances subscribed to the instrument's quotes. */
  quotes(instrumentId: InstrumentId): readonly StrategyInstance[] {
    return this.#quotes.get(instrumentId) ?? NONE;
  }

  /** Marks the start of a loop over a returned list (lists are then copied, not mutated). */
  enter(): void {
    this.#iterating++;
  }

  /** Marks the end of a loop started with enter(). */
  leave(): void {
    this.#iterating--;
  }

  /** Subscribes an instance to what its subscriptions and hooks ask for. */
  add(inst: StrategyInstance): void {
    const s = inst.strategy;
    if (s === undefined) return;
    const instrument = inst.config.instrument;
    if (typeof s.onBar === "function") {
      let byInterval = this.#bars.get(instrument);
      if (byInterval === undefined) {
        byInterval = new Map();
        this.#bars.set(instrument, byInterval);
      }
      for (const interval of new Set(inst.subscriptions.bars)) this.#addTo(byInterval, interval, inst);
    }
    if (inst.subscriptions.trades === true && typeof s.onTrade === "function") {
      this.#addTo(this.#trades, instrument, inst);
    }
    if (inst.subscriptions.quotes === true && typeof s.onQuote === "function") {
      this.#addTo(this.#quotes, instrument, inst);
    }
  }

  /** Unsubscribes an instance from everything. */
  remove(inst: StrategyInstance): void {
    const instrument = inst.config.instrument;
    const byInterval = this.#bars.get(instrument);
    if (byInterval !== undefined) {
      for (const interval of [...byInterval.keys()]) this.#removeFrom(byInterval, interval, inst);
      if (byInterval.size === 0) this.#bars.delete(instrument);
    }
    this.#removeFrom(this.#trades, instrument, inst);
    this.#removeFrom(this.#quotes, instrument, inst);
  }

  /** Unsubscribes every instance. */
  clear(): void {
    this.#bars.clear();
    this.#trades.clear();
    this.#quotes.clear();
  }

  #addTo<K>(index: Map<K, readonly StrategyInstance[]>, key: K, inst: StrategyInstance): void {
    const list = index.get(key);
    if (list === undefined) index.set(key, [inst]);
    else if (list.includes(inst)) return;
    else if (this.#iterating === 0) (list as StrategyInstance[]).push(inst);
    else index.set(key, [...list, inst]);
  }

  #removeFrom<K>(index: Map<K, readonly StrategyInstance[]>, key: K, inst: StrategyInstance): void {
    const list = index.get(key);
    if (list === undefined) return;
    const at = list.indexOf(inst);
    if (at < 0) return;
    if (list.length === 1) index.delete(key);
    else if (this.#iterating === 0) (list as StrategyInstance[]).splice(at, 1);
    else
      index.set(
        key,
        list.filter((i) => i !== inst),
      );
  }
}
