import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type ClientOrderId,
  dec,
  type InstrumentId,
  TestClock,
  type UnixMicros,
  type VenueOrderId,
} from "../core/index.ts";
import type { SubmitResult, VenueOrderRequest } from "../model/index.ts";
import { AsyncExecutor } from "./async-executor.ts";
import type {
  ExecutionDenied,
  ExecutionResult,
  ExecutorVenueConfig,
  VenueOrderLookupStatus,
} from "./async-executor-types.ts";
import { TokenBucketRateLimiter } from "./venue-rate-limiter.ts";

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const INSTRUMENT = "BTCUSDT" as InstrumentId;
const QTY = dec("0.01");

function request(i: number): VenueOrderRequest {
  return {
    clientOrderId: `c${i}` as ClientOrderId,
    instrumentId: INSTRUMENT,
    side: "BUY",
    type: "MARKET",
    quantity: QTY,
  };
}

/** A deterministic PRNG (mulberry32) for the schedules. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A venue whose answers the test releases: "manual" holds each answer until release, "immediate"
 * answers at once, "silent" places the order but never answers, "dropFirst" loses the first request
 * of each order (never placed, never answered) and answers later ones at once.
 */
class FakeVenue {
  mode: "manual" | "immediate" | "silent" | "dropFirst";
  readonly book = new Set<string>();
  readonly seen = new Set<string>();
  readonly pending: (() => void)[] = [];
  readonly clock: TestClock;
  submits = 0;
  inFlight = 0;
  maxInFlight = 0;
  lookups = 0;

  constructor(clock: TestClock, mode: FakeVenue["mode"]) {
    this.clock = clock;
    this.mode = mode;
  }

  submit(req: VenueOrderRequest): Promise<SubmitResult> {
    this.submits++;
    const id = req.clientOrderId;
    const first = !this.seen.has(id);
    this.seen.add(id);
    if (this.mode === "dropFirst" && first) return new Promise(() => {});
    if (this.book.has(id)) {
      return Promise.resolve({ kind: "rejected", reason: "Duplicate order sent.", ts: this.clock.now() });
    }
    this.book.add(id);
    const accepted: SubmitResult = {
      kind: "accepted",
      venueOrderId: `v-${id}` as VenueOrderId,
      fills: [],
      ts: this.clock.now(),
    };
    if (this.mode === "silent") return new Promise(() => {});
    if (this.mode !== "manual") return Promise.resolve(accepted);
    this.inFlight++;
    if (this.inFlight > this.maxInFlight) this.maxInFlight = this.inFlight;
    return new Promise((resolve) => {
      this.pending.push(() => {
        this.inFlight--;
        resolve(accepted);
      });
    });
  }

  /** Answers one held request, chosen by index. */
  release(index: number): void {
    const [answer] = this.pending.splice(index, 1);
    answer?.();
  }

  queryOrder(id: ClientOrderId, _instrument: InstrumentId): Promise<VenueOrderLookupStatus> {
    this.lookups++;
    return Promise.resolve(this.book.has(id) ? "open" : "absent");
  }
}

function setup(
  mode: FakeVenue["mode"],
  venueConfig: Partial<ExecutorVenueConfig> = {},
): {
  clock: TestClock;
  venue: FakeVenue;
  executor: AsyncExecutor;
  results: ExecutionResult[];
  denied: ExecutionDenied[];
} {
  const clock = new TestClock();
  const venue = new FakeVenue(clock, mode);
  const results: ExecutionResult[] = [];
  const denied: ExecutionDenied[] = [];
  const executor = new AsyncExecutor({
    clock,
    onResult: (r) => results.push(r),
    onDenied: (d) => denied.push(d),
  });
  executor.addVenue("fake", { venue, lookup: venue, ...venueConfig });
  return { clock, venue, executor, results, denied };
}

describe("AsyncExecutor", () => {
  it("executes or denies each of 100,000 orders pushed into a small full queue, and the counts add up", async () => {
    const { venue, executor, results, denied } = setup("manual", {
      maxInFlight: 3,
      priorityCapacity: 4,
      mainCapacity: 8,
      overflowCapacity: 16,
      drainBatchSize: 4,
    });
    const random = rng(42);
    const total = 100_000;
    let pushed = 0;
    while (pushed < total) {
      const burst = Math.min(total - pushed, Math.floor(random() * 7));
      for (let k = 0; k < burst; k++) {
        executor.submit({ venueId: "fake", request: request(pushed), protective: random() < 0.1 });
        pushed++;
      }
      const answers = Math.floor(random() * 4);
      for (let k = 0; k < answers && venue.pending.length > 0; k++)
        venue.release(Math.floor(random() * venue.pending.length));
      await flush();
    }
    while (venue.pending.length > 0 || executor.queued > 0 || executor.inFlight > 0) {
      venue.release(0);
      await flush();
    }
    const stats = executor.stats("fake")!;
    assert.equal(results.length + denied.length, total);
    assert.ok(
      denied.length > 0 && results.length > 0,
      `both paths taken: ${results.length} / ${denied.length}`,
    );
    assert.ok(denied.every((d) => d.reason === "QUEUE_FULL"));
    assert.equal(stats.queue.enqueued, results.length);
    assert.equal(stats.queue.dequeued, results.length);
    assert.equal(stats.queue.denied, denied.length);
    assert.equal(executor.queued, 0);
    assert.equal(venue.submits, results.length); // nothing resent
    assert.equal(new Set(results.map((r) => r.order.request.clientOrderId)).size, results.length);
    assert.ok(results.every((r) => r.outcome.kind === "accepted" && r.sends === 1));
    assert.ok(stats.maxInFlightSeen <= 3 && venue.maxInFlight <= 3);
    assert.equal(stats.maxInFlightSeen, 3);
  });

  it("never exceeds the concurrency bound under a random answer schedule", async () => {
    const { venue, executor, results } = setup("manual", { maxInFlight: 4 });
    const random = rng(7);
    for (let i = 0; i < 2000; i++) {
      executor.submit({ venueId: "fake", request: request(i) });
      if (random() < 0.6 && venue.pending.length > 0)
        venue.release(Math.floor(random() * venue.pending.length));
      if (i % 10 === 0) await flush();
      assert.ok(executor.inFlight <= 4);
    }
    while (results.length < 2000) {
      if (venue.pending.length > 0) venue.release(Math.floor(random() * venue.pending.length));
      await flush();
    }
    assert.equal(venue.maxInFlight, 4);
    assert.equal(executor.stats("fake")!.maxInFlightSeen, 4);
  });

  it("sends protective orders first", async () => {
    const { venue, executor, results } = setup("manual", { maxInFlight: 1 });
    executor.submit({ venueId: "fake", request: request(0) });
    executor.submit({ venueId: "fake", request: request(1) });
    executor.submit({ venueId: "fake", request: request(2), protective: true });
    while (results.length < 3) {
      venue.release(0);
      await flush();
    }
    assert.deepEqual(
      results.map((r) => r.order.request.clientOrderId),
      ["c0", "c2", "c1"],
    );
  });

  it("after a timeout on an order the venue accepted, finds it by look-up and never resends", async () => {
    const { clock, venue, executor, results } = setup("silent", { timeoutMs: 100, settleMs: 1000 });
    executor.submit({ venueId: "fake", request: request(1) });
    await flush();
    assert.equal(venue.submits, 1);
    clock.advance(100);
    await flush();
    await flush();
    assert.equal(results.length, 1);
    const r = results[0]!;
    assert.deepEqual([r.outcome.kind, r.sends, r.lookups], ["found", 1, 1]);
    assert.equal(r.outcome.kind === "found" ? r.outcome.status : "", "open");
    clock.advance(60_000);
    await flush();
    assert.equal(venue.submits, 1);
    assert.equal(venue.book.size, 1);
    assert.equal(executor.stats("fake")!.timeouts, 1);
  });

  it("resends exactly once an order still absent after the settle time, and not before", async () => {
    const { clock, venue, executor, results } = setup("dropFirst", { timeoutMs: 100, settleMs: 1000 });
    executor.submit({ venueId: "fake", request: request(1) });
    await flush();
    clock.advance(100); // timeout; look-up says absent, too early to trust
    await flush();
    await flush();
    assert.equal(venue.submits, 1);
    assert.equal(results.length, 0);
    clock.advance(899);
    await flush();
    assert.equal(venue.submits, 1);
    clock.advance(1); // settle time reached: look-up absent again, resend
    for (let i = 0; i < 5; i++) await flush();
    assert.equal(venue.submits, 2);
    assert.equal(venue.book.size, 1);
    assert.equal(results.length, 1);
    const r = results[0]!;
    assert.deepEqual([r.outcome.kind, r.sends, r.lookups], ["accepted", 2, 2]);
    assert.equal(executor.stats("fake")!.resends, 1);
  });

  it("reports notPlaced instead of resending when no send is left", async () => {
    const { clock, venue, executor, results } = setup("dropFirst", {
      timeoutMs: 100,
      settleMs: 1000,
      maxSends: 1,
    });
    executor.submit({ venueId: "fake", request: request(1) });
    await flush();
    clock.advance(100);
    await flush();
    clock.advance(900);
    for (let i = 0; i < 5; i++) await flush();
    assert.equal(venue.submits, 1);
    assert.equal(results[0]?.outcome.kind, "notPlaced");
  });

  it("gives up as unresolved, without resending, when look-ups keep failing", async () => {
    const { clock, venue, executor, results } = setup("silent", {
      timeoutMs: 100,
      maxLookups: 3,
      lookupRetryMs: 50,
    });
    venue.queryOrder = () => Promise.reject(new Error("venue down"));
    executor.submit({ venueId: "fake", request: request(1) });
    await flush();
    for (let i = 0; i < 10 && results.length === 0; i++) {
      clock.advance(100);
      await flush();
      await flush();
    }
    assert.equal(results[0]?.outcome.kind, "unresolved");
    assert.equal(results[0]?.lookups, 3);
    assert.equal(venue.submits, 1);
    assert.equal(executor.stats("fake")!.lookupFailures, 3);
    assert.equal(executor.problems, 3);
  });

  it("holds the send rate to the venue's rate limiter", async () => {
    const { clock, venue, executor, results } = setup("immediate", {
      rateLimiter: new TokenBucketRateLimiter({ capacity: 2, ratePerSecond: 10 }),
    });
    for (let i = 0; i < 30; i++) executor.submit({ venueId: "fake", request: request(i) });
    await flush();
    assert.equal(venue.submits, 2);
    for (let ms = 10; ms <= 3000; ms += 10) {
      clock.advance(10);
      await flush();
      assert.ok(venue.submits <= 2 + Math.floor(ms / 100), `${venue.submits} sends after ${ms} ms`);
    }
    assert.equal(results.length, 30);
    assert.ok(executor.stats("fake")!.rateLimitWaits > 0);
  });

  it("denies an order for an unknown venue and reports latencies", async () => {
    const clock = new TestClock();
    const venue = new FakeVenue(clock, "immediate");
    const denied: ExecutionDenied[] = [];
    const latencies: Record<string, number[]> = { queueWait: [], roundTrip: [], total: [] };
    const results: ExecutionResult[] = [];
    const executor = new AsyncExecutor({
      clock,
      onResult: (r) => results.push(r),
      onDenied: (d) => denied.push(d),
      latency: {
        queueWait: (us) => latencies.queueWait!.push(us),
        roundTrip: (us) => latencies.roundTrip!.push(us),
        total: (us) => latencies.total!.push(us),
      },
    });
    executor.addVenue("fake", { venue, lookup: venue });
    assert.equal(executor.submit({ venueId: "nope", request: request(0) }), "denied");
    assert.equal(denied[0]?.reason, "UNKNOWN_VENUE");
    assert.equal(executor.submit({ venueId: "fake", request: request(1) }), "main");
    await flush();
    assert.equal(results.length, 1);
    assert.deepEqual(latencies, { queueWait: [0], roundTrip: [0], total: [0] });
    assert.equal(results[0]!.totalUs, 0 as UnixMicros);
    assert.throws(() => executor.addVenue("fake", { venue, lookup: venue }), /already registered/);
  });
});
