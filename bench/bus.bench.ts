/**
 * MessageBus throughput: messages published per second to one subscriber (target >= 5M/s) and to
 * ten, plus a re-entrant case (each message makes its handler publish one more, which goes through
 * the pending queue). Messages are pre-built TradeTicks, so the figure is the bus's own cost.
 * Run: node_modules/.bin/node bench/bus.bench.ts   (last line of stdout: one JSON object)
 */
import { MessageBus, Topic } from "../src/bus/index.ts";
import { Decimal, instrumentId, type StrategyId, tradeId, type UnixMicros } from "../src/core/index.ts";
import type { Signal, TradeTick } from "../src/model/index.ts";

const TARGET_ONE_SUBSCRIBER_PER_S = 5_000_000;
const MESSAGES_PER_ROUND = 5_000_000;
const ROUNDS = 7;
const POOL_SIZE = 1024; // a power of two, indexed with a mask

const btc = instrumentId("BTCUSDT");
const trades: TradeTick[] = [];
for (let i = 0; i < POOL_SIZE; i++) {
  trades.push({
    kind: "trade",
    instrumentId: btc,
    tradeId: tradeId(1_000_000 + i),
    price: Decimal.from(`${60_000 + (i % 100)}.${i % 10}`),
    quantity: Decimal.from(`0.00${(i % 9) + 1}`),
    aggressor: i % 2 === 0 ? "BUY" : "SELL",
    eventTime: (1_700_000_000_000_000 + i) as UnixMicros,
    receivedAt: (1_700_000_000_000_100 + i) as UnixMicros,
  });
}
const signal: Signal = {
  kind: "Signal",
  strategyId: "bench" as StrategyId,
  instrumentId: btc,
  action: "HOLD",
  reason: "bench",
  ts: 0 as UnixMicros,
};

// Subscribers do a little real work (read a field) so nothing is optimised away.
let sink = 0;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

// Ten handlers with distinct code, as ten different components would be: the bus's call site
// then sees many targets (megamorphic), which is the realistic case.
const distinctHandlers: Array<(t: TradeTick) => void> = [
  (t) => {
    sink += t.eventTime;
  },
  (t) => {
    sink += t.receivedAt;
  },
  (t) => {
    sink += t.aggressor === "BUY" ? 1 : 2;
  },
  (t) => {
    sink += t.tradeId.length;
  },
  (t) => {
    sink += t.instrumentId.length;
  },
  (t) => {
    sink += t.receivedAt - t.eventTime;
  },
  (t) => {
    if (t.kind === "trade") sink++;
  },
  (t) => {
    sink += t.price.units > 0n ? 3 : 4;
  },
  (t) => {
    sink += t.quantity.isZero() ? 5 : 6;
  },
  (t) => {
    sink ^= t.eventTime & 0xff;
  },
];

/** Returns the median messages/s over the rounds for a bus with these trade subscribers. */
function measurePublish(handlers: ReadonlyArray<(t: TradeTick) => void>): number {
  const bus = new MessageBus();
  handlers.forEach((handler, s) => {
    bus.subscribe(Topic.Trade, handler, `sub-${s}`);
  });
  const rates: number[] = [];
  for (let round = -1; round < ROUNDS; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < MESSAGES_PER_ROUND; i++) bus.publish(Topic.Trade, trades[i & (POOL_SIZE - 1)]!);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (round >= 0) rates.push(MESSAGES_PER_ROUND / seconds); // round -1 warms up the JIT
  }
  return median(rates);
}

/** Returns the median trades/s when each trade's handler publishes one Signal (re-entrant). */
function measureReentrant(): number {
  const bus = new MessageBus();
  bus.subscribe(Topic.Trade, (t) => {
    sink += t.eventTime;
    bus.publish(Topic.Signal, signal);
  });
  bus.subscribe(Topic.Signal, (s) => {
    sink += s.ts;
  });
  const rates: number[] = [];
  const n = MESSAGES_PER_ROUND / 2;
  for (let round = -1; round < ROUNDS; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) bus.publish(Topic.Trade, trades[i & (POOL_SIZE - 1)]!);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (round >= 0) rates.push(n / seconds);
  }
  return median(rates);
}

const one = measurePublish(distinctHandlers.slice(0, 1));
const ten = measurePublish(distinctHandlers);
const reentrant = measureReentrant();

const result = {
  bench: "bus",
  node: process.version,
  messages_per_round: MESSAGES_PER_ROUND,
  rounds: ROUNDS,
  publish_1_sub_per_s: Math.round(one),
  publish_10_subs_per_s: Math.round(ten),
  deliveries_10_subs_per_s: Math.round(ten * 10),
  reentrant_trade_plus_signal_per_s: Math.round(reentrant),
  target_1_sub_per_s: TARGET_ONE_SUBSCRIBER_PER_S,
  target_met: one >= TARGET_ONE_SUBSCRIBER_PER_S,
  sink_check: sink > 0,
};
console.log(`publish to 1 subscriber:   ${(one / 1e6).toFixed(1)} M msg/s`);
console.log(
  `publish to 10 subscribers: ${(ten / 1e6).toFixed(1)} M msg/s (${((ten * 10) / 1e6).toFixed(1)} M deliveries/s)`,
);
console.log(`re-entrant trade -> signal: ${(reentrant / 1e6).toFixed(1)} M trades/s`);
console.log(JSON.stringify(result));
