import {
  type Clock,
  DesError,
  ErrorCode,
  MICROS_PER_MS,
  type TimerId,
  toError,
  type UnixMicros,
} from "../core/index.ts";
import type { SubmitResult } from "../model/index.ts";
import type {
  ExecutionDenied,
  ExecutionOrder,
  ExecutionOutcome,
  ExecutionResult,
  ExecutorLatencyHooks,
  ExecutorVenue,
  ExecutorVenueConfig,
  ExecutorVenueStats,
  VenueOrderLookup,
  VenueOrderLookupStatus,
} from "./async-executor-types.ts";
import { type EnqueueOutcome, OrderQueue, QUEUE_FULL } from "./order-queue.ts";
import type { VenueRateLimiter } from "./venue-rate-limiter.ts";

/** How an executor is set up. */
export interface AsyncExecutorConfig {
  readonly clock: Clock;
  /** The result stream: one result per executed order, in the order outcomes become known. */
  readonly onResult: (result: ExecutionResult) => void;
  /** Receives every order refused before sending (QUEUE_FULL, UNKNOWN_VENUE). */
  readonly onDenied?: ((denied: ExecutionDenied) => void) | undefined;
  readonly latency?: ExecutorLatencyHooks | undefined;
  /** Receives every problem (a venue call that threw, a callback that threw, a malformed look-up answer). */
  readonly onProblem?: ((problem: DesError) => void) | undefined;
}

const RESEND = Symbol("resend");
const LOOKUP_STATUSES: ReadonlySet<string> = new Set<VenueOrderLookupStatus>([
  "open",
  "filled",
  "canceled",
  "expired",
  "rejected",
  "absent",
]);

/** One order being executed: created at dequeue, so a denied order costs nothing here. */
interface Job {
  readonly order: ExecutionOrder;
  readonly queueWaitUs: number;
  readonly dequeuedAt: number;
  sends: number;
  lookups: number;
  lastSentAt: number;
  roundTripUs: number;
  /** The answer to the latest send, when it came after the executor stopped waiting for it. */
  late: ExecutionOutcome | undefined;
}

/** The executor's state for one venue. */
class VenueLane {
  readonly id: string;
  readonly venue: ExecutorVenue;
  readonly lookup: VenueOrderLookup;
  readonly limiter: VenueRateLimiter | undefined;
  readonly queue: OrderQueue<ExecutionOrder>;
  readonly maxInFlight: number;
  readonly timeoutMs: number;
  readonly settleUs: number;
  readonly maxSends: number;
  readonly maxLookups: number;
  readonly lookupRetryMs: number;
  inFlight = 0;
  pumping = false;
  limiterTimer: TimerId | undefined = undefined;
  readonly counts = {
    maxInFlightSeen: 0,
    sends: 0,
    resends: 0,
    timeouts: 0,
    unknownOutcomes: 0,
    submitErrors: 0,
    lookups: 0,
    lookupFailures: 0,
    lateAnswers: 0,
    rateLimitWaits: 0,
    accepted: 0,
    rejected: 0,
    found: 0,
    notPlaced: 0,
    unresolved: 0,
  };

  constructor(id: string, config: ExecutorVenueConfig, queue: OrderQueue<ExecutionOrder>) {
    this.id = id;
    this.venue = config.venue;
    this.lookup = config.lookup;
    this.limiter = config.rateLimiter;
    this.queue = queue;
    this.maxInFlight = positiveInt("maxInFlight", config.maxInFlight ?? 8);
    this.timeoutMs = positive("timeoutMs", config.timeoutMs ?? 10_000);
    this.settleUs = positive("settleMs", config.settleMs ?? 6_000) * MICROS_PER_MS;
    this.maxSends = positiveInt("maxSends", config.maxSends ?? 2);
    this.maxLookups = positiveInt("maxLookups", config.maxLookups ?? 10);
    this.lookupRetryMs = positive("lookupRetryMs", config.lookupRetryMs ?? 1_000);
  }
}

/**
 * Sends queued orders to venues: per venue an OrderQueue, at most `maxInFlight` orders in flight,
 * a rate limiter waited on before every submit, a timeout on every venue call.
 *
 * One intent never becomes two live orders: after a timeout, an "unknown" answer or a failed call,
 * nothing is resent until the venue, asked about the client order id, answers "absent" at least
 * `settleMs` after the last send (by then the venue refuses the old request if it ever arrives);
 * the resend keeps the client order id, so a venue that enforces unique ids refuses a duplicate too.
 * An order stays in flight (holding its slot) until its outcome is settled or given up as unresolved.
 * `stop` stops taking orders from the queues; orders in flight still settle.
 */
export class AsyncExecutor {
  readonly #clock: Clock;
  readonly #onResult: (result: ExecutionResult) => void;
  readonly #onDenied: ((denied: ExecutionDenied) => void) | undefined;
  readonly #onProblem: ((problem: DesError) => void) | undefined;
  readonly #hookQueueWait: ((us: number) => void) | undefined;
  readonly #hookRoundTrip: ((us: number) => void) | undefined;
  readonly #hookTotal: ((us: number) => void) | undefined;
  readonly #lanes = new Map<string, VenueLane>();
  #stopped = false;
  #problems = 0;

  constructor(config: AsyncExecutorConfig) {
    this.#clock = config.clock;
    this.#onResult = config.onResult;
    this.#onDenied = config.onDenied;
    this.#onProblem = config.onProblem;
    this.#hookQueueWait = config.latency?.queueWait;
    this.#hookRoundTrip = config.latency?.roundTrip;
    this.#hookTotal = config.latency?.total;
  }

  /** Registers a venue orders can be sent to; throws DES_ERR_INVALID_CONFIG on a bad setting or a reused id. */
  addVenue(venueId: string, config: ExecutorVenueConfig): void {
    if (this.#lanes.has(venueId)) {
      throw new DesError(ErrorCode.InvalidConfig, `executor venue ${venueId} is already registered`, {
        venueId,
      });
    }
    const queue = new OrderQueue<ExecutionOrder>({
      clock: this.#clock,
      priorityCapacity: config.priorityCapacity ?? 256,
      mainCapacity: config.mainCapacity ?? 4096,
      overflowCapacity: config.overflowCapacity ?? 16_384,
      drainBatchSize: config.drainBatchSize ?? Math.min(256, config.mainCapacity ?? 4096),
      onDenied: (d) => this.#deny(d.item, QUEUE_FULL, d.ts),
    });
    this.#lanes.set(venueId, new VenueLane(venueId, config, queue));
  }

  /** Queues an order for its venue and starts sending; returns its lane or "denied" (also reported to onDenied). */
  submit(order: ExecutionOrder): EnqueueOutcome {
    const lane = this.#lanes.get(order.venueId);
    if (lane === undefined) {
      this.#deny(order, "UNKNOWN_VENUE", this.#clock.now());
      return "denied";
    }
    const outcome = lane.queue.enqueue(order, order.protective === true);
    if (outcome !== "denied") this.#pump(lane);
    return outcome;
  }

  /** Returns how many orders wait in the queues. */
  get queued(): number {
    let n = 0;
    for (const lane of this.#lanes.values()) n += lane.queue.size;
    return n;
  }

  /** Returns how many orders are in flight (sent, outcome not settled yet). */
  get inFlight(): number {
    let n = 0;
    for (const lane of this.#lanes.values()) n += lane.inFlight;
    return n;
  }

  /** Returns the counters of one venue, or undefined for an unknown venue. */
  stats(venueId: string): ExecutorVenueStats | undefined {
    const lane = this.#lanes.get(venueId);
    if (lane === undefined) return undefined;
    return { queue: lane.queue.stats(), inFlight: lane.inFlight, ...lane.counts };
  }

  /** Returns how many problems were reported. */
  get problems(): number {
    return this.#problems;
  }

  /** Stops taking orders from the queues and clears the rate-limit timers; orders in flight still settle. */
  stop(): void {
    this.#stopped = true;
    for (const lane of this.#lanes.values()) {
      if (lane.limiterTimer !== undefined) this.#clock.clearTimer(lane.limiterTimer);
      lane.limiterTimer = undefined;
    }
  }

  #pump(lane: VenueLane): void {
    if (lane.pumping || this.#stopped) return;
    lane.pumping = true;
    try {
      while (lane.inFlight < lane.maxInFlight && lane.queue.size > 0) {
        const now = this.#clock.now();
        if (lane.limiter !== undefined) {
          const waitUs = lane.limiter.tryAcquire(now);
          if (waitUs > 0) {
            lane.counts.rateLimitWaits++;
            if (lane.limiterTimer === undefined) {
              lane.limiterTimer = this.#clock.setTimeout(() => {
                lane.limiterTimer = undefined;
                this.#pump(lane);
              }, waitUs / MICROS_PER_MS);
            }
            return;
          }
        }
        const order = lane.queue.dequeue()!;
        const job: Job = {
          order,
          queueWaitUs: lane.queue.lastWaitUs,
          dequeuedAt: now,
          sends: 0,
          lookups: 0,
          lastSentAt: now,
          roundTripUs: -1,
          late: undefined,
        };
        if (++lane.inFlight > lane.counts.maxInFlightSeen) lane.counts.maxInFlightSeen = lane.inFlight;
        if (this.#hookQueueWait !== undefined) this.#hook(this.#hookQueueWait, job.queueWaitUs);
        void this.#run(lane, job);
      }
    } finally {
      lane.pumping = false;
    }
  }

  async #run(lane: VenueLane, job: Job): Promise<void> {
    let outcome: ExecutionOutcome;
    try {
      outcome = await this.#execute(lane, job);
    } catch (thrown) {
      // A bug, not a venue answer: nothing is resent; reconciliation settles the order.
      const err = toError(thrown);
      this.#report(
        new DesError(
          ErrorCode.Internal,
          `executor failed on ${job.order.request.clientOrderId}: ${err.message}`,
          {},
          { cause: err },
        ),
      );
      outcome = { kind: "unresolved", reason: `executor failed: ${err.message}`, ts: this.#clock.now() };
    }
    this.#finish(lane, job, outcome);
  }

  async #execute(lane: VenueLane, job: Job): Promise<ExecutionOutcome> {
    let answer = await this.#send(lane, job);
    for (;;) {
      if (answer !== undefined && answer.kind !== "unknown") return answer;
      const settled = await this.#resolve(lane, job);
      if (settled !== RESEND) return settled;
      await this.#acquirePermit(lane);
      if (job.late !== undefined) return job.late;
      answer = await this.#send(lane, job);
    }
  }

  /** Sends the order once; resolves with the venue's answer, or undefined after a timeout or a failed call. */
  #send(lane: VenueLane, job: Job): Promise<SubmitResult | undefined> {
    const clock = this.#clock;
    const seq = ++job.sends;
    lane.counts.sends++;
    if (seq > 1) lane.counts.resends++;
    const sentAt = clock.now();
    job.lastSentAt = sentAt;
    let call: Promise<SubmitResult>;
    try {
      call = lane.venue.submit(job.order.request);
    } catch (thrown) {
      call = Promise.reject(thrown);
    }
    return new Promise((resolve) => {
      let done = false;
      const timer = clock.setTimeout(() => {
        if (done) return;
        done = true;
        lane.counts.timeouts++;
        resolve(undefined);
      }, lane.timeoutMs);
      call.then(
        (result) => {
          if (done) {
            // Too late to wait for, but still the truth about the latest send: the look-up loop uses it.
            lane.counts.lateAnswers++;
            if (seq === job.sends && (result.kind === "accepted" || result.kind === "rejected"))
              job.late = result;
            return;
          }
          done = true;
          clock.clearTimer(timer);
          job.roundTripUs = clock.now() - sentAt;
          if (this.#hookRoundTrip !== undefined) this.#hook(this.#hookRoundTrip, job.roundTripUs);
          if (result.kind === "unknown") lane.counts.unknownOutcomes++;
          resolve(result);
        },
        (thrown: unknown) => {
          if (done) {
            lane.counts.lateAnswers++;
            return;
          }
          done = true;
          clock.clearTimer(timer);
          lane.counts.submitErrors++;
          const err = toError(thrown);
          this.#report(
            new DesError(
              ErrorCode.VenueFailed,
              `submit of ${job.order.request.clientOrderId} to ${lane.id} failed: ${err.message}`,
              { venueId: lane.id, clientOrderId: job.order.request.clientOrderId },
              { cause: err },
            ),
          );
          resolve(undefined);
        },
      );
    });
  }

  /** Asks the venue until the outcome is known; returns it, or RESEND when absence is proven and a send is left. */
  async #resolve(lane: VenueLane, job: Job): Promise<ExecutionOutcome | typeof RESEND> {
    const id = job.order.request.clientOrderId;
    for (;;) {
      if (job.late !== undefined) return job.late;
      if (job.lookups >= lane.maxLookups) {
        return {
          kind: "unresolved",
          reason: `outcome of ${id} still unknown after ${job.lookups} look-ups`,
          ts: this.#clock.now(),
        };
      }
      job.lookups++;
      lane.counts.lookups++;
      const status = await this.#lookup(lane, job);
      if (job.late !== undefined) return job.late;
      const now = this.#clock.now();
      if (status === undefined) {
        lane.counts.lookupFailures++;
        await this.#sleep(lane.lookupRetryMs);
        continue;
      }
      if (status === "absent") {
        const waitUs = job.lastSentAt + lane.settleUs - now;
        if (waitUs > 0) {
          await this.#sleep(waitUs / MICROS_PER_MS);
          continue;
        }
        if (job.sends >= lane.maxSends) {
          return {
            kind: "notPlaced",
            reason: `${id} absent at the venue after ${job.sends} send(s)`,
            ts: now,
          };
        }
        return RESEND;
      }
      if (status === "rejected")
        return { kind: "rejected", reason: "the venue reports the order rejected", ts: now };
      return { kind: "found", status, ts: now };
    }
  }

  /** Looks the order up once; resolves undefined after a timeout, a failed call or a malformed answer. */
  #lookup(lane: VenueLane, job: Job): Promise<VenueOrderLookupStatus | undefined> {
    const request = job.order.request;
    let call: Promise<VenueOrderLookupStatus>;
    try {
      call = lane.lookup.queryOrder(request.clientOrderId, request.instrumentId);
    } catch (thrown) {
      call = Promise.reject(thrown);
    }
    return new Promise((resolve) => {
      let done = false;
      const timer = this.#clock.setTimeout(() => {
        done = true;
        resolve(undefined);
      }, lane.timeoutMs);
      call.then(
        (status) => {
          if (done) return;
          done = true;
          this.#clock.clearTimer(timer);
          if (typeof status === "string" && LOOKUP_STATUSES.has(status)) {
            resolve(status);
            return;
          }
          this.#report(
            new DesError(
              ErrorCode.VenueProtocolError,
              `look-up of ${request.clientOrderId} answered ${String(status)}`,
              {
                venueId: lane.id,
                clientOrderId: request.clientOrderId,
              },
            ),
          );
          resolve(undefined);
        },
        (thrown: unknown) => {
          if (done) return;
          done = true;
          this.#clock.clearTimer(timer);
          const err = toError(thrown);
          this.#report(
            new DesError(
              ErrorCode.VenueFailed,
              `look-up of ${request.clientOrderId} at ${lane.id} failed: ${err.message}`,
              { venueId: lane.id, clientOrderId: request.clientOrderId },
              { cause: err },
            ),
          );
          resolve(undefined);
        },
      );
    });
  }

  /** Waits for a send permit of the venue's rate limiter (resends go through it too). */
  async #acquirePermit(lane: VenueLane): Promise<void> {
    if (lane.limiter === undefined) return;
    for (;;) {
      const waitUs = lane.limiter.tryAcquire(this.#clock.now());
      if (waitUs === 0) return;
      lane.counts.rateLimitWaits++;
      await this.#sleep(waitUs / MICROS_PER_MS);
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.#clock.setTimeout(resolve, ms);
    });
  }

  #finish(lane: VenueLane, job: Job, outcome: ExecutionOutcome): void {
    lane.inFlight--;
    lane.counts[outcome.kind]++;
    const totalUs = job.queueWaitUs + (this.#clock.now() - job.dequeuedAt);
    if (this.#hookTotal !== undefined) this.#hook(this.#hookTotal, totalUs);
    try {
      this.#onResult({
        order: job.order,
        outcome,
        sends: job.sends,
        lookups: job.lookups,
        queueWaitUs: job.queueWaitUs,
        roundTripUs: job.roundTripUs,
        totalUs,
      });
    } catch (thrown) {
      this.#report(asCallbackError(thrown, "onResult"));
    }
    this.#pump(lane);
  }

  #deny(order: ExecutionOrder, reason: ExecutionDenied["reason"], ts: UnixMicros): void {
    if (this.#onDenied === undefined) return;
    try {
      this.#onDenied({ kind: "ExecutionDenied", reason, order, ts });
    } catch (thrown) {
      this.#report(asCallbackError(thrown, "onDenied"));
    }
  }

  #hook(hook: (us: number) => void, us: number): void {
    try {
      hook(us);
    } catch (thrown) {
      this.#report(asCallbackError(thrown, "a latency hook"));
    }
  }

  #report(problem: DesError): void {
    this.#problems++;
    try {
      this.#onProblem?.(problem);
    } catch {
      // Already counted; a failing reporter changes nothing.
    }
  }
}

function asCallbackError(thrown: unknown, which: string): DesError {
  const err = toError(thrown);
  return new DesError(
    ErrorCode.Internal,
    `executor ${which} callback threw: ${err.message}`,
    {},
    { cause: err },
  );
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new DesError(ErrorCode.InvalidConfig, `executor ${name} must be positive, got ${value}`, {
      [name]: value,
    });
  }
  return value;
}

function positiveInt(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new DesError(ErrorCode.InvalidConfig, `executor ${name} must be a positive integer, got ${value}`, {
      [name]: value,
    });
  }
  return value;
}
