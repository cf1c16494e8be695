import { MICROS_PER_MS, type UnixMicros } from "./time.ts";

/** A handle to a timer set on a Clock: opaque, only for the clearTimer of the clock that set it. */
export type TimerId = { readonly __brand: "TimerId" };

/**
 * The source of time. Only LiveClock reads the wall clock; everything else receives a Clock,
 * so tests and backtests are deterministic.
 */
export interface Clock {
  /** Returns the current time. */
  now(): UnixMicros;
  /** Calls back once after delayMs of this clock's time. */
  setTimeout(callback: () => void, delayMs: number): TimerId;
  /** Calls back every intervalMs of this clock's time until cleared. */
  setInterval(callback: () => void, intervalMs: number): TimerId;
  /** Cancels a timer; unknown or fired ids are ignored. */
  clearTimer(id: TimerId): void;
}

/**
 * The wall clock, with microsecond resolution from the high-resolution timer. Its TimerIds are Node's
 * timer objects themselves: no table of its own to keep (a timer per order in flight is set and cleared
 * on the order path, and a map of them churned allocations for the garbage collector).
 */
export class LiveClock implements Clock {
  /** Cached: reading performance.timeOrigin costs more than the rest of now(). */
  readonly #originMs = performance.timeOrigin;

  now(): UnixMicros {
    return Math.floor((this.#originMs + performance.now()) * MICROS_PER_MS) as UnixMicros;
  }

  setTimeout(callback: () => void, delayMs: number): TimerId {
    return setTimeout(callback, delayMs) as unknown as TimerId;
  }

  setInterval(callback: () => void, intervalMs: number): TimerId {
    return setInterval(callback, intervalMs) as unknown as TimerId;
  }

  clearTimer(id: TimerId): void {
    // Clearing a timer that already fired or was cleared is a no-op in Node.
    if (typeof id === "object" && id !== null) clearTimeout(id as unknown as NodeJS.Timeout);
  }
}

interface PendingTimer {
  id: number;
  dueUs: number;
  intervalUs: number | undefined;
  callback: () => void;
  seq: number;
}

/** A clock that moves only when told to; timers fire in due-time order as it advances. */
export class TestClock implements Clock {
  #nowUs: number;
  #timers: PendingTimer[] = [];
  #nextId = 1;
  #seq = 0;

  constructor(startUs: number = Date.UTC(2024, 0, 1) * MICROS_PER_MS) {
    this.#nowUs = startUs;
  }

  now(): UnixMicros {
    return this.#nowUs as UnixMicros;
  }

  setTimeout(callback: () => void, delayMs: number): TimerId {
    return this.#add(callback, delayMs, undefined);
  }

  setInterval(callback: () => void, intervalMs: number): TimerId {
    return this.#add(callback, intervalMs, Math.max(1, intervalMs * MICROS_PER_MS));
  }

  clearTimer(id: TimerId): void {
    const wanted = id as unknown as number;
    this.#timers = this.#timers.filter((t) => t.id !== wanted);
  }

  /** Returns how many timers are pending. */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** Moves time forward by ms, firing every timer that falls due, in order. */
  advance(ms: number): void {
    this.advanceTo(this.#nowUs + ms * MICROS_PER_MS);
  }

  /** Moves time to the given instant (never backwards), firing due timers in order. */
  advanceTo(targetUs: number): void {
    if (targetUs < this.#nowUs)
      throw new RangeError(`TestClock cannot go back: ${targetUs} < ${this.#nowUs}`);
    for (;;) {
      const next = this.#nextDue();
      if (next === undefined || next.dueUs > targetUs) break;
      this.#nowUs = next.dueUs;
      if (next.intervalUs === undefined) {
        this.#timers.splice(this.#timers.indexOf(next), 1);
      } else {
        next.dueUs += next.intervalUs;
        next.seq = this.#seq++;
      }
      next.callback();
    }
    this.#nowUs = targetUs;
  }

  /** Sets the time without firing timers (for replaying data with its own timestamps). */
  set(nowUs: number): void {
    this.#nowUs = nowUs;
  }

  #nextDue(): PendingTimer | undefined {
    let best: PendingTimer | undefined;
    for (const t of this.#timers) {
      if (best === undefined || t.dueUs < best.dueUs || (t.dueUs === best.dueUs && t.seq < best.seq))
        best = t;
    }
    return best;
  }

  #add(callback: () => void, delayMs: number, intervalUs: number | undefined): TimerId {
    const id = this.#nextId++;
    this.#timers.push({
      id,
      dueUs: this.#nowUs + Math.max(0, delayMs) * MICROS_PER_MS,
      intervalUs,
      callback,
      seq: this.#seq++,
    });
    return id as unknown as TimerId;
  }
}
