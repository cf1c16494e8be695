import { DesError, ErrorCode, type InstrumentId, type UnixMicros } from "../core/index.ts";
import { type Bar, type BarInterval, intervalMicros } from "../model/index.ts";
import { resampleBars } from "./bar-resampler.ts";

/**
 * Closed bars of a loaded dataset, for warming strategies up: the last N closed bars of any interval
 * before a given time. Intervals the data does not hold are resampled once from the largest held
 * interval that divides them, and cached.
 */
export class HistoricalBars {
  /** instrument -> interval -> bars ordered by openTime. */
  readonly #series = new Map<InstrumentId, Map<BarInterval, Bar[]>>();
  readonly #native = new Map<InstrumentId, Set<BarInterval>>();

  /** Takes bars of any instruments and intervals; bars that are not closed are left out. */
  constructor(bars: Iterable<Bar>) {
    for (const bar of bars) {
      if (!bar.closed) continue;
      let byInterval = this.#series.get(bar.instrumentId);
      if (byInterval === undefined) {
        byInterval = new Map();
        this.#series.set(bar.instrumentId, byInterval);
        this.#native.set(bar.instrumentId, new Set());
      }
      let list = byInterval.get(bar.interval);
      if (list === undefined) {
        list = [];
        byInterval.set(bar.interval, list);
        this.#native.get(bar.instrumentId)!.add(bar.interval);
      }
      list.push(bar);
    }
    for (const byInterval of this.#series.values()) {
      for (const list of byInterval.values()) list.sort((a, b) => a.openTime - b.openTime);
    }
  }

  /** Returns the instruments held. */
  instruments(): InstrumentId[] {
    return [...this.#series.keys()];
  }

  /**
   * Returns up to `count` bars of the interval that had closed by `closedBy` (openTime + interval
   * <= closedBy), oldest first. A bar closing exactly at closedBy is included, so live data should
   * continue with events after closedBy (marketEventTime > closedBy).
   */
  lastClosed(instrumentId: InstrumentId, interval: BarInterval, count: number, closedBy: UnixMicros): Bar[] {
    if (!Number.isInteger(count) || count < 0) {
      throw new DesError(
        ErrorCode.InvalidConfig,
        `warm-up bar count must be a non-negative integer, got ${count}`,
      );
    }
    const list = this.#bars(instrumentId, interval);
    // Binary search: the first bar that closes after closedBy.
    const lengthUs = intervalMicros(interval);
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid]!.openTime + lengthUs <= closedBy) lo = mid + 1;
      else hi = mid;
    }
    return list.slice(Math.max(0, lo - count), lo);
  }

  #bars(instrumentId: InstrumentId, interval: BarInterval): Bar[] {
    const byInterval = this.#series.get(instrumentId);
    if (byInterval === undefined) {
      throw new DesError(ErrorCode.UnknownInstrument, `no historical bars of ${instrumentId}`, {
        instrumentId,
      });
    }
    const cached = byInterval.get(interval);
    if (cached !== undefined) return cached;
    const targetUs = intervalMicros(interval);
    let base: BarInterval | undefined;
    for (const held of this.#native.get(instrumentId)!) {
      const heldUs = intervalMicros(held);
      if (
        heldUs < targetUs &&
        targetUs % heldUs === 0 &&
        (base === undefined || heldUs > intervalMicros(base))
      ) {
        base = held;
      }
    }
    if (base === undefined) {
      throw new DesError(
        ErrorCode.InvalidInterval,
        `cannot make ${interval} bars of ${instrumentId} from the held intervals ${[...byInterval.keys()].join(", ")}`,
        { instrumentId, interval },
      );
    }
    const built = resampleBars(byInterval.get(base)!, interval);
    byInterval.set(interval, built);
    return built;
  }
}
