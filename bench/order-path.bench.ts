/**
 * Order path benchmark, in process on the live clock: SubmitOrder on the bus -> validation -> risk
 * check (every limit configured, context from the Portfolio) -> order queue -> async executor ->
 * paper venue (accepted) -> next trade tick -> paper fill -> OrderFilled -> Portfolio ->
 * PositionChanged -> risk onFill. One order at a time, BUY and SELL alternating so the position stays
 * inside its limit; latency is from publishing the command to its PositionChanged. Throughput is
 * measured separately with the path pipelined: batches of BATCH orders (half BUY, half SELL) queued
 * at once, the executor's concurrency bound applies, then one trade fills them all.
 * Targets: p99 <= 100 us (one at a time) and >= 50 000 orders/s (pipelined).
 *
 * Run: node_modules/.bin/node bench/order-path.bench.ts   (prints one JSON line last)
 */
import { portfolioRiskView } from "../src/app/portfolio-risk-view.ts";
import { MessageBus, Topic } from "../src/bus/index.ts";
import {
  asMicros,
  clientOrderId,
  dec,
  instrumentId,
  LiveClock,
  strategyId,
  tradeId,
} from "../src/core/index.ts";
import { ExecutionEngine } from "../src/execution/index.ts";
import { parseInstrument, type SubmitOrder } from "../src/model/index.ts";
import { Portfolio } from "../src/portfolio/index.ts";
import { RiskEngine } from "../src/risk/index.ts";
import { PaperVenue } from "../src/venues/paper/index.ts";
import { benchRiskConfig } from "./support/bench-risk-config.ts";

const N = Number(process.env.ORDERS ?? 50_000);
const WARMUP = 5_000;
const BATCH = 256;
const BTC = instrumentId("BTCUSDT");
const S1 = strategyId("bench");
const instrument = parseInstrument({
  symbol: "BTCUSDT",
  status: "TRADING",
  baseAsset: "BTC",
  quoteAsset: "USDT",
  filters: [
    { filterType: "PRICE_FILTER", minPrice: "0.01", maxPrice: "1000000.00", tickSize: "0.01" },
    { filterType: "LOT_SIZE", minQty: "0.00001", maxQty: "9000.00000", stepSize: "0.00001" },
    { filterType: "NOTIONAL", minNotional: "5.00" },
  ],
});

const clock = new LiveClock();
const bus = new MessageBus();
const venue = new PaperVenue({
  clock,
  instruments: [instrument],
  initialBalances: { USDT: "100000000", BTC: "1000" },
});
const risk = new RiskEngine({
  clock,
  config: benchRiskConfig(),
});
let portfolio: Portfolio | undefined;
const execution = new ExecutionEngine({
  bus,
  clock,
  venue,
  maxClosedOrders: 1000,
  risk: {
    engine: risk,
    // The app's own view (DesApp uses the same function), so the bench measures what runs.
    view: portfolioRiskView(() => portfolio!, venue.accountId, new Map([[BTC, instrument]])),
  },
  executor: { maxInFlight: 8 },
  onProblem: (p) => {
    throw p;
  },
});
portfolio = new Portfolio({
  bus,
  clock,
  instruments: [instrument],
  initialCash: { [venue.accountId]: { USDT: "100000000", BTC: "1000" } },
});
execution.start();
portfolio.start();
// A market order is valued at the mark: give the portfolio one before the first order.
portfolio.updateMark(BTC, dec("50000"), clock.now());

let done: (() => void) | undefined;
let endedAt = 0;
let positionChanges = 0;
bus.subscribe(Topic.PositionChanged, () => {
  endedAt = performance.now();
  positionChanges++;
  done?.();
});
let refused = 0;
bus.subscribe(Topic.OrderEvent, (e) => {
  // A refused order ends its round too (counted), so the bench never waits for a fill that cannot come.
  if (e.kind === "OrderDenied" || e.kind === "OrderRejected") {
    refused++;
    endedAt = performance.now();
    done?.();
  }
});

const qty = dec("0.01");
let seq = 0;
async function oneOrder(): Promise<number> {
  const i = seq++;
  const cmd: SubmitOrder = {
    kind: "SubmitOrder",
    clientOrderId: clientOrderId(`b${i}`),
    strategyId: S1,
    instrumentId: BTC,
    side: i % 2 === 0 ? "BUY" : "SELL",
    type: "MARKET",
    quantity: qty,
    createdAt: clock.now(),
  };
  const filled = new Promise<void>((r) => {
    done = r;
  });
  const t0 = performance.now();
  bus.publish(Topic.SubmitOrder, cmd);
  await execution.idle();
  const now = clock.now();
  bus.publish(Topic.Trade, {
    kind: "trade",
    instrumentId: BTC,
    tradeId: tradeId(i),
    price: dec("50000"),
    quantity: dec("1"),
    aggressor: "SELL",
    eventTime: asMicros(now),
    receivedAt: asMicros(now),
  });
  await filled;
  return (endedAt - t0) * 1000;
}

for (let i = 0; i < WARMUP; i++) await oneOrder();
const samples = new Float64Array(N);
const t0 = performance.now();
for (let i = 0; i < N; i++) samples[i] = await oneOrder();
const totalMs = performance.now() - t0;

function trade(i: number): void {
  const now = clock.now();
  bus.publish(Topic.Trade, {
    kind: "trade",
    instrumentId: BTC,
    tradeId: tradeId(`t${i}`),
    price: dec("50000"),
    quantity: dec("1000"),
    aggressor: "SELL",
    eventTime: asMicros(now),
    receivedAt: asMicros(now),
  });
}

/** Queues BATCH orders at once, lets the executor send them, fills them with one trade. */
async function oneBatch(b: number): Promise<void> {
  const target = positionChanges + BATCH;
  const filled = new Promise<void>((r) => {
    done = () => {
      if (positionChanges >= target) r();
    };
  });
  for (let k = 0; k < BATCH; k++) {
    const i = seq++;
    bus.publish(Topic.SubmitOrder, {
      kind: "SubmitOrder",
      clientOrderId: clientOrderId(`b${i}`),
      strategyId: S1,
      instrumentId: BTC,
      side: k % 2 === 0 ? "BUY" : "SELL",
      type: "MARKET",
      quantity: qty,
      createdAt: clock.now(),
    });
  }
  await execution.idle();
  trade(b);
  await filled;
}
const batches = Math.max(1, Math.floor(N / BATCH));
const b0 = performance.now();
for (let b = 0; b < batches; b++) await oneBatch(b);
const batchMs = performance.now() - b0;
execution.stop();
portfolio.stop();
samples.sort();
const pct = (p: number) => Number((samples[Math.min(N - 1, Math.floor(p * N))] ?? 0).toFixed(2));
const stats = execution.stats();
const p99Us = pct(0.99);
const sequentialOrdersPerSecond = Math.round(N / (totalMs / 1000));
const ordersPerSecond = Math.round((batches * BATCH) / (batchMs / 1000));
console.log(
  JSON.stringify({
    bench: "order-path",
    orders: N,
    filled: stats.ordersFilled,
    denied: stats.ordersDenied,
    refused,
    positionChanges,
    riskTradesToday: risk.dailyCounters().trades,
    p50Us: pct(0.5),
    p99Us,
    p999Us: pct(0.999),
    maxUs: pct(1),
    sequentialOrdersPerSecond,
    pipelinedOrders: batches * BATCH,
    ordersPerSecond,
    maxInFlightSeen: execution.executorStats().maxInFlightSeen,
    targets: { p99Us: 100, ordersPerSecond: 50_000 },
    meetsTargets: p99Us <= 100 && ordersPerSecond >= 50_000,
  }),
);
