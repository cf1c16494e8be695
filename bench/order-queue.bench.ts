/**
 * Order queue + async executor in process: enqueue -> dequeue -> fake venue acknowledgement ->
 * result, with the real LiveClock (a timeout timer per order, as in production). The fake venue
 * answers each submit with an already-resolved acknowledgement, so what is measured is the queue and
 * executor overhead. Orders are pushed in chunks (each chunk waits for the previous one's results) so
 * the queue never denies; the default chunk of 1 measures the path itself, larger chunks add the
 * queue wait of the chunk (chunk 32: p99 about 90 us, chunk 1000: about 5 ms). Latency is the executor's `total` hook (enqueue to result, microseconds).
 *
 * Run: node_modules/.bin/node bench/order-queue.bench.ts [--orders 200000] [--chunk 1] [--inflight 64]
 * Last line of stdout: one JSON object.
 */
import { parseArgs } from "node:util";
import {
  type ClientOrderId,
  dec,
  type InstrumentId,
  LiveClock,
  type VenueOrderId,
} from "../src/core/index.ts";
import { AsyncExecutor } from "../src/execution/async-executor.ts";
import type { SubmitResult, VenueOrderRequest } from "../src/model/index.ts";
import { benchMachine } from "./bench-machine.ts";

const { values } = parseArgs({
  options: {
    orders: { type: "string", default: "200000" },
    chunk: { type: "string", default: "1" },
    inflight: { type: "string", default: "64" },
  },
});
const ORDERS = Number(values.orders);
const CHUNK = Number(values.chunk);
const INFLIGHT = Number(values.inflight);
const TARGET_P99_US = 100;
const TARGET_ORDERS_PER_S = 50_000;

const clock = new LiveClock();
const ack: SubmitResult = { kind: "accepted", venueOrderId: "1" as VenueOrderId, fills: [], ts: clock.now() };
const venue = { submit: (_r: VenueOrderRequest): Promise<SubmitResult> => Promise.resolve(ack) };
const lookup = { queryOrder: () => Promise.resolve("open" as const) };

const totals = new Float64Array(ORDERS);
let done = 0;
let waiter: (() => void) | undefined;
let target = 0;
const executor = new AsyncExecutor({
  clock,
  onResult: () => {
    done++;
    if (done >= target && waiter !== undefined) {
      const w = waiter;
      waiter = undefined;
      w();
    }
  },
  latency: {
    total: (us) => {
      if (done < ORDERS) totals[done] = us;
    },
  },
});
executor.addVenue("fake", {
  venue,
  lookup,
  maxInFlight: INFLIGHT,
  mainCapacity: CHUNK,
  drainBatchSize: Math.min(256, CHUNK),
});

const requests: VenueOrderRequest[] = [];
for (let i = 0; i < ORDERS; i++) {
  requests.push({
    clientOrderId: `b${i}` as ClientOrderId,
    instrumentId: "BTCUSDT" as InstrumentId,
    side: "BUY",
    type: "MARKET",
    quantity: dec("0.01"),
  });
}

async function run(from: number, to: number): Promise<void> {
  for (let start = from; start < to; start += CHUNK) {
    const end = Math.min(to, start + CHUNK);
    target = end;
    const settled = new Promise<void>((resolve) => {
      waiter = resolve;
    });
    for (let i = start; i < end; i++) executor.submit({ venueId: "fake", request: requests[i]! });
    await settled;
  }
}

const warmup = Math.min(20_000, Math.floor(ORDERS / 5));
await run(0, warmup);
const t0 = performance.now();
await run(warmup, ORDERS);
const elapsedMs = performance.now() - t0;
const measured = Array.from(totals.subarray(warmup, ORDERS)).sort((a, b) => a - b);
const at = (q: number): number =>
  measured[Math.min(measured.length - 1, Math.ceil(q * measured.length) - 1)]!;
const throughput = Math.round(((ORDERS - warmup) / elapsedMs) * 1000);
const stats = executor.stats("fake")!;
const result = {
  bench: "order-queue",
  orders: ORDERS - warmup,
  chunk: CHUNK,
  maxInFlight: INFLIGHT,
  ordersPerSecond: throughput,
  totalUs: { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: measured[measured.length - 1] },
  denied: stats.queue.denied,
  maxInFlightSeen: stats.maxInFlightSeen,
  targets: { p99Us: TARGET_P99_US, ordersPerSecond: TARGET_ORDERS_PER_S },
  pass: at(0.99) <= TARGET_P99_US && throughput >= TARGET_ORDERS_PER_S,
  machine: benchMachine(),
};
console.log(JSON.stringify(result));
