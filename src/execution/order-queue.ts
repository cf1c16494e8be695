import { type Clock, DesError, ErrorCode, type UnixMicros } from "../core/index.ts";
import { OrderQueueRing } from "./order-queue-ring.ts";

/** Why the queue refused an order: every lane it could go to was full. */
export const QUEUE_FULL = "QUEUE_FULL";

/** Where an enqueued order went, or "denied" when it was refused with QUEUE_FULL. */
export type EnqueueOutcome = "priority" | "main" | "overflow" | "denied";

/** The lane an order was dequeued from (overflow orders reach the main lane first). */
export type DequeueLane = "priority" | "main";

/** An order the queue refused: handed to `onDenied`, never dropped silently. */
export interface QueueDenied<T> {
  readonly kind: "QueueDenied";
  readonly reason: typeof QUEUE_FULL;
  readonly item: T;
  /** True when the order asked for the priority lane. */
  readonly priority: boolean;
  readonly ts: UnixMicros;
}

/** How an order queue is set up; every capacity is a positive integer. */
export interface OrderQueueConfig<T> {
  readonly clock: Clock;
  /** Protective orders (stop-loss, take-profit, reduce-only, panic): always dequeued first. */
  readonly priorityCapacity: number;
  /** The main lane: normal orders ready to be dequeued, FIFO. */
  readonly mainCapacity: number;
  /** Normal orders waiting for room in the main lane, FIFO behind it. */
  readonly overflowCapacity: number;
  /** How many overflow orders move to the main lane at once; at most mainCapacity. */
  readonly drainBatchSize: number;
  /** Receives every refused order (QUEUE_FULL). */
  readonly onDenied?: ((denial: QueueDenied<T>) => void) | undefined;
  /** Receives the queue wait of every dequeued order, microseconds, and its lane. */
  readonly onWait?: ((waitUs: number, lane: DequeueLane) => void) | undefined;
}

/** Counters and depths of an order queue. */
export interface OrderQueueStats {
  /** Orders accepted into any lane (overflow included). */
  readonly enqueued: number;
  readonly dequeued: number;
  /** Orders that went to the overflow buffer because the main lane was full or not empty of older ones. */
  readonly overflowed: number;
  /** Orders moved from overflow to the main lane, and in how many batches. */
  readonly drained: number;
  readonly drainBatches: number;
  /** Orders refused with QUEUE_FULL (priority ones included). */
  readonly denied: number;
  readonly deniedPriority: number;
  /** onDenied / onWait callbacks that threw: counted, the queue carries on. */
  readonly callbackFailures: number;
  readonly depthPriority: number;
  readonly depthMain: number;
  readonly depthOverflow: number;
  /** The longest queue wait seen, microseconds. */
  readonly maxWaitUs: number;
}

/**
 * A bounded order queue with three lanes: priority, main and overflow.
 *
 * Full-policy (nothing is ever dropped silently, nothing is overwritten):
 * - a protective order goes to the priority lane; when that lane is full it is denied with
 *   QUEUE_FULL (it never waits behind normal orders, where it would be too late anyway);
 * - a normal order goes to the main lane when it has room and no older order waits in overflow
 *   (FIFO is kept); otherwise to the overflow buffer; when the overflow buffer is full, whatever
 *   fits of it is first moved to the main lane; when both are full the order is denied with QUEUE_FULL;
 * - overflow drains into the main lane in batches of `drainBatchSize` (or all of it when fewer wait)
 *   as soon as the whole batch fits, keeping the order of arrival.
 * Every denial is handed to `onDenied` as a QueueDenied value and counted; `enqueue` returns it too.
 */
export class OrderQueue<T> {
  readonly #clock: Clock;
  readonly #priority: OrderQueueRing<T>;
  readonly #main: OrderQueueRing<T>;
  readonly #overflow: OrderQueueRing<T>;
  readonly #batch: number;
  readonly #onDenied: ((denial: QueueDenied<T>) => void) | undefined;
  readonly #onWait: ((waitUs: number, lane: DequeueLane) => void) | undefined;
  #enqueued = 0;
  #dequeued = 0;
  #overflowed = 0;
  #drained = 0;
  #drainBatches = 0;
  #denied = 0;
  #deniedPriority = 0;
  #callbackFailures = 0;
  #maxWaitUs = 0;
  #lastWaitUs = 0;

  constructor(config: OrderQueueConfig<T>) {
    for (const key of ["priorityCapacity", "mainCapacity", "overflowCapacity", "drainBatchSize"] as const) {
      const value = config[key];
      if (!Number.isSafeInteger(value) || value < 1) {
        throw new DesError(
          ErrorCode.InvalidConfig,
          `order queue ${key} must be a positive integer, got ${value}`,
          {
            [key]: value,
          },
        );
      }
    }
    if (config.drainBatchSize > config.mainCapacity) {
      throw new DesError(
        ErrorCode.InvalidConfig,
        `order queue drainBatchSize ${config.drainBatchSize} exceeds mainCapacity ${config.mainCapacity}`,
        { drainBatchSize: config.drainBatchSize, mainCapacity: config.mainCapacity },
      );
    }
    this.#clock = config.clock;
    this.#priority = new OrderQueueRing<T>(config.priorityCapacity);
    this.#main = new OrderQueueRing<T>(config.mainCapacity);
    this.#overflow = new OrderQueueRing<T>(config.overflowCapacity);
    this.#batch = config.drainBatchSize;
    this.#onDenied = config.onDenied;
    this.#onWait = config.onWait;
  }

  /** Returns how many orders wait in all lanes. */
  get size(): number {
    return this.#priority.length + this.#main.length + this.#overflow.length;
  }

  /** Returns the queue wait of the order the last `dequeue` returned, microseconds. */
  get lastWaitUs(): number {
    return this.#lastWaitUs;
  }

  /** Queues an order (protective ones in the priority lane); returns its lane, or "denied" (QUEUE_FULL). */
  enqueue(item: T, priority = false): EnqueueOutcome {
    const now = this.#clock.now();
    if (priority) {
      if (this.#priority.push(item, now)) {
        this.#enqueued++;
        return "priority";
      }
      this.#deniedPriority++;
      return this.#deny(item, true, now);
    }
    if (this.#overflow.length === 0 && this.#main.push(item, now)) {
      this.#enqueued++;
      return "main";
    }
    if (this.#overflow.free === 0) this.#move(Math.min(this.#main.free, this.#overflow.length));
    if (this.#overflow.push(item, now)) {
      this.#enqueued++;
      this.#overflowed++;
      this.#drain();
      return "overflow";
    }
    return this.#deny(item, false, now);
  }

  /** Removes and returns the next order (priority lane first), or undefined when all lanes are empty. */
  dequeue(): T | undefined {
    let lane: DequeueLane = "priority";
    let ring = this.#priority;
    if (ring.length === 0) {
      lane = "main";
      ring = this.#main;
      if (ring.length === 0) {
        if (this.#overflow.length === 0) return undefined;
        this.#drain();
      }
    }
    const waitUs = this.#clock.now() - ring.peekTime();
    const item = ring.shift();
    if (lane === "main") this.#drain();
    this.#dequeued++;
    this.#lastWaitUs = waitUs;
    if (waitUs > this.#maxWaitUs) this.#maxWaitUs = waitUs;
    if (this.#onWait !== undefined) {
      try {
        this.#onWait(waitUs, lane);
      } catch {
        this.#callbackFailures++;
      }
    }
    return item;
  }

  /** Returns a snapshot of the counters and depths. */
  stats(): OrderQueueStats {
    return {
      enqueued: this.#enqueued,
      dequeued: this.#dequeued,
      overflowed: this.#overflowed,
      drained: this.#drained,
      drainBatches: this.#drainBatches,
      denied: this.#denied,
      deniedPriority: this.#deniedPriority,
      callbackFailures: this.#callbackFailures,
      depthPriority: this.#priority.length,
      depthMain: this.#main.length,
      depthOverflow: this.#overflow.length,
      maxWaitUs: this.#maxWaitUs,
    };
  }

  /** Moves one batch from overflow to the main lane when the whole batch fits. */
  #drain(): void {
    const n = Math.min(this.#batch, this.#overflow.length);
    if (n > 0 && this.#main.free >= n) this.#move(n);
  }

  #move(n: number): void {
    if (n <= 0) return;
    for (let i = 0; i < n; i++) {
      const time = this.#overflow.peekTime();
      this.#main.push(this.#overflow.shift() as T, time);
    }
    this.#drained += n;
    this.#drainBatches++;
  }

  #deny(item: T, priority: boolean, now: UnixMicros): "denied" {
    this.#denied++;
    if (this.#onDenied !== undefined) {
      try {
        this.#onDenied({ kind: "QueueDenied", reason: QUEUE_FULL, item, priority, ts: now });
      } catch {
        this.#callbackFailures++;
      }
    }
    return "denied";
  }
}
