import type { MessageBus } from "../bus/index.ts";
import {
  type Clock,
  DesError,
  ErrorCode,
  MICROS_PER_MS,
  TestClock,
  type TimerId,
  toError,
  tradeId,
  type UnixMicros,
} from "../core/index.ts";
import { intervalMicros, type MarketEvent } from "../model/index.ts";
import { busSink, type MarketDataSink } from "./market-data-sink.ts";
import { assertTimeOrdered, marketEventTime } from "./merge-market-events.ts";

/** "max": as fast as possible (yielding to the event loop); a number: that many times real time. */
export type ReplaySpeed = "max" | number;

/** Options for a ReplayFeed. */
export interface ReplayFeedOptions {
  /** The events, ordered by marketEventTime (use mergeMarketEvents for several instruments). */
  readonly events: readonly MarketEvent[];
  /** Paces the replay and stamps receivedAt. */
  readonly clock: Clock;
  /** Publishes on Topic.Bar / Topic.Trade / Topic.Quote. Give this or sink. */
  readonly bus?: MessageBus | undefined;
  /** Receives the events instead of the bus (a MarketDataEngine, which publishes derived bars too). */
  readonly sink?: MarketDataSink | undefined;
  /** Default "max". */
  readonly speed?: ReplaySpeed | undefined;
  /** Events delivered before yielding to the event loop (setImmediate), so I/O and timers still run. Default 1000. */
  readonly yieldEvery?: number | undefined;
  /** Replay again from the start at the end: true forever, a number for that many passes in total. */
  readonly loop?: boolean | number | undefined;
  /**
   * How far each pass is shifted in time so time keeps increasing. Default: the data's span rounded
   * up to a whole multiple of its bar intervals (a day of 1m bars shifts by exactly one day), or
   * span + 1 ms for ticks only.
   */
  readonly loopShiftMicros?: number | undefined;
  /**
   * With speed "max" and a TestClock: move the clock to each event's time before delivering it, so
   * clock-driven code (timers, receivedAt) runs in data time, as in a backtest.
   */
  readonly followDataTime?: boolean | undefined;
}

export type ReplayState = "idle" | "running" | "paused" | "completed" | "stopped" | "failed";

/** Counters of a replay. */
export interface ReplayStats {
  readonly state: ReplayState;
  readonly eventsReplayed: number;
  readonly barsReplayed: number;
  readonly tradesReplayed: number;
  readonly quotesReplayed: number;
  /** Complete passes through the data. */
  readonly loopsCompleted: number;
  /** The data time (shifted) of the last event delivered, or undefined before the first. */
  readonly dataTime: UnixMicros | undefined;
}

/** How a replay ended. */
export interface ReplayResult extends ReplayStats {
  readonly reason: "completed" | "stopped" | "failed";
  /** Set when reason is "failed": what the sink threw. */
  readonly error?: Error | undefined;
}

const DEFAULT_YIELD_EVERY = 1000;

/**
 * Replays a time-ordered list of market events through the bus (or a sink) with receivedAt set to
 * the clock's time at delivery. Paced replays (speed N) deliver each event when the clock reaches
 * its data time divided by N from the start; with a TestClock the test moves time with advance().
 * start() delivers the events already due synchronously.
 */
export class ReplayFeed {
  readonly #events: readonly MarketEvent[];
  readonly #times: Float64Array;
  readonly #clock: Clock;
  readonly #sink: MarketDataSink;
  readonly #speed: ReplaySpeed;
  readonly #yieldEvery: number;
  readonly #passes: number;
  readonly #loopShift: number;
  readonly #follow: TestClock | undefined;
  #state: ReplayState = "idle";
  #index = 0;
  #pass = 0;
  #shift = 0;
  #anchorClock = 0;
  #anchorData = 0;
  #timer: TimerId | undefined;
  #immediate: NodeJS.Immediate | undefined;
  #replayed = 0;
  #bars = 0;
  #trades = 0;
  #quotes = 0;
  #dataTime: number | undefined;
  #resolve!: (result: ReplayResult) => void;
  /** Resolves when the replay completes, is stopped or fails; it never rejects. */
  readonly done: Promise<ReplayResult>;

  constructor(opts: ReplayFeedOptions) {
    if ((opts.bus === undefined) === (opts.sink === undefined)) {
      throw new DesError(ErrorCode.InvalidConfig, "ReplayFeed needs exactly one of bus or sink");
    }
    const speed = opts.speed ?? "max";
    if (speed !== "max" && !(typeof speed === "number" && Number.isFinite(speed) && speed > 0)) {
      throw new DesError(
        ErrorCode.InvalidConfig,
        `replay speed must be "max" or a positive number, got ${speed}`,
        {
          speed,
        },
      );
    }
    const yieldEvery = opts.yieldEvery ?? DEFAULT_YIELD_EVERY;
    if (!Number.isInteger(yieldEvery) || yieldEvery < 1) {
      throw new DesError(ErrorCode.InvalidConfig, `yieldEvery must be a positive integer, got ${yieldEvery}`);
    }
    const loop = opts.loop ?? false;
    const passes = loop === true ? Number.POSITIVE_INFINITY : loop === false ? 1 : loop;
    if (!(passes >= 1) || (Number.isFinite(passes) && !Number.isInteger(passes))) {
      throw new DesError(
        ErrorCode.InvalidConfig,
        `loop must be a boolean or a positive integer, got ${loop}`,
      );
    }
    if (opts.followDataTime === true && !(opts.clock instanceof TestClock)) {
      throw new DesError(ErrorCode.InvalidConfig, "followDataTime needs a TestClock");
    }
    assertTimeOrdered(opts.events, "replay events");
    this.#events = opts.events;
    this.#times = Float64Array.from(opts.events, marketEventTime);
    this.#clock = opts.clock;
    this.#sink = opts.sink ?? busSink(opts.bus!);
    this.#speed = speed;
    this.#yieldEvery = yieldEvery;
    this.#passes = passes;
    this.#loopShift = opts.loopShiftMicros ?? defaultLoopShift(opts.events, this.#times);
    if (!(this.#loopShift > 0)) {
      throw new DesError(ErrorCode.InvalidConfig, `loopShiftMicros must be positive, got ${this.#loopShift}`);
    }
    this.#follow = opts.followDataTime === true ? (opts.clock as TestClock) : undefined;
    this.done = new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }

  /** Returns the state. */
  get state(): ReplayState {
    return this.#state;
  }

  /** Starts the replay; delivers the events already due before returning. */
  start(): void {
    if (this.#state !== "idle") {
      throw new DesError(ErrorCode.InvalidConfig, `ReplayFeed.start() called in state ${this.#state}`);
    }
    this.#state = "running";
    if (this.#events.length === 0) {
      this.#finish("completed");
      return;
    }
    this.#anchor(this.#times[0]!);
    this.#pump(false);
  }

  /** Pauses delivery; data time stands still until resume(). */
  pause(): void {
    if (this.#state !== "running") return;
    this.#state = "paused";
    this.#cancelWakeUps();
    if (this.#speed !== "max") {
      // Remember how far data time had got, so resume() continues from there.
      this.#anchor(this.#anchorData + (this.#clock.now() - this.#anchorClock) * this.#speed);
    }
  }

  /** Resumes a paused replay. */
  resume(): void {
    if (this.#state !== "paused") return;
    this.#state = "running";
    this.#anchor(this.#anchorData);
    this.#pump(false);
  }

  /** Stops the replay for good; done resolves with reason "stopped". */
  stop(): void {
    if (this.#state === "idle" || this.#state === "running" || this.#state === "paused")
      this.#finish("stopped");
  }

  /** Returns the counters. */
  stats(): ReplayStats {
    return {
      state: this.#state,
      eventsReplayed: this.#replayed,
      barsReplayed: this.#bars,
      tradesReplayed: this.#trades,
      quotesReplayed: this.#quotes,
      loopsCompleted: this.#pass,
      dataTime: this.#dataTime as UnixMicros | undefined,
    };
  }

  #anchor(dataTime: number): void {
    this.#anchorClock = this.#clock.now();
    this.#anchorData = dataTime;
  }

  #cancelWakeUps(): void {
    if (this.#timer !== undefined) {
      this.#clock.clearTimer(this.#timer);
      this.#timer = undefined;
    }
    if (this.#immediate !== undefined) {
      clearImmediate(this.#immediate);
      this.#immediate = undefined;
    }
  }

  /**
   * Delivers events until one is not yet due (then sets a clock timer), the yield budget is spent
   * (then continues on setImmediate), or the data ends. `due` is true when a timer fired for the
   * next event: it is delivered even if float rounding puts the clock a hair before its due time.
   */
  #pump(due: boolean): void {
    let budget = this.#yieldEvery;
    let forced = due;
    try {
      while (this.#state === "running") {
        if (this.#index >= this.#events.length && !this.#nextPass()) {
          this.#finish("completed");
          return;
        }
        const t = this.#times[this.#index]! + this.#shift;
        if (this.#speed !== "max") {
          const dueAt = this.#anchorClock + (t - this.#anchorData) / this.#speed;
          const now = this.#clock.now();
          if (!forced && dueAt > now) {
            this.#timer = this.#clock.setTimeout(
              () => {
                this.#timer = undefined;
                this.#pump(true);
              },
              (dueAt - now) / MICROS_PER_MS,
            );
            return;
          }
          forced = false;
        } else if (this.#follow !== undefined && t > this.#follow.now()) {
          this.#follow.advanceTo(t);
          if (this.#state !== "running") return;
        }
        const event = this.#events[this.#index]!;
        this.#index++;
        this.#deliver(event, t);
        if (--budget === 0 && this.#state === "running") {
          this.#immediate = setImmediate(() => {
            this.#immediate = undefined;
            this.#pump(false);
          });
          return;
        }
      }
    } catch (thrown) {
      this.#finish("failed", toError(thrown));
    }
  }

  #nextPass(): boolean {
    if (this.#pass + 1 >= this.#passes) return false;
    this.#pass++;
    this.#index = 0;
    this.#shift += this.#loopShift;
    return true;
  }

  #deliver(event: MarketEvent, time: number): void {
    const now = this.#clock.now();
    const shift = this.#shift;
    this.#replayed++;
    this.#dataTime = time;
    switch (event.kind) {
      case "bar":
        this.#bars++;
        this.#sink.onBar({
          ...event,
          openTime: (event.openTime + shift) as UnixMicros,
          closeTime: (event.closeTime + shift) as UnixMicros,
          receivedAt: now,
        });
        break;
      case "trade":
        this.#trades++;
        this.#sink.onTrade({
          ...event,
          // A later pass gets its own trade ids, so de-duplication by id never drops replayed trades.
          tradeId: shift === 0 ? event.tradeId : tradeId(`${event.tradeId}~${this.#pass}`),
          eventTime: (event.eventTime + shift) as UnixMicros,
          receivedAt: now,
        });
        break;
      case "quote":
        this.#quotes++;
        this.#sink.onQuote({ ...event, eventTime: (event.eventTime + shift) as UnixMicros, receivedAt: now });
        break;
    }
  }

  #finish(reason: ReplayResult["reason"], error?: Error): void {
    this.#cancelWakeUps();
    this.#state = reason;
    this.#resolve({ ...this.stats(), reason, error });
  }
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function defaultLoopShift(events: readonly MarketEvent[], times: Float64Array): number {
  if (events.length === 0) return MICROS_PER_MS;
  const span = times[times.length - 1]! - times[0]!;
  let unit = 0;
  for (const e of events) {
    if (e.kind !== "bar") continue;
    const len = intervalMicros(e.interval);
    unit = unit === 0 ? len : (unit / gcd(unit, len)) * len;
  }
  if (unit === 0) return span + MICROS_PER_MS;
  return Math.floor(span / unit + 1) * unit;
}
