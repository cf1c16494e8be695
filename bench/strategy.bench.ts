/**
 * Strategy engine benchmark.
 *
 * (a) 20 strategies on one symbol (built-ins ma_cross / rsi / bollinger / grid / dca plus two small
 *     indicator strategies using Macd, Ema and Sma): time from publishing a closed bar on the bus to
 *     every strategy having handled it and its signals and orders being published (the bus delivers
 *     synchronously, so that is the duration of the publish call), over >= 100,000 bars.
 * (b) 10,000 strategies on one symbol: time per bar until all have handled it, and the heap before
 *     and after, to show that memory stays bounded. Also the same with 10,000 async strategies,
 *     which go through the permits and the ready queue.
 *
 * Run: node_modules/.bin/node bench/strategy.bench.ts   (prints one JSON line last)
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { z } from "zod";
import { MessageBus, Topic } from "../src/bus/index.ts";
import {
  Decimal,
  type InstrumentId,
  LiveClock,
  type StrategyId,
  type UnixMicros,
} from "../src/core/index.ts";
import { BollingerBands, Ema, Macd, Rsi, Sma } from "../src/indicators/index.ts";
import type { Bar, Instrument } from "../src/model/index.ts";
import {
  builtinRegistry,
  type OpenOrderView,
  type Strategy,
  type StrategyContext,
  type StrategyDefinition,
  StrategyEngine,
  type StrategyRegistry,
} from "../src/strategy/index.ts";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const SYMBOL = "BTCUSDT" as InstrumentId;
const MINUTE_US = 60_000_000;
const BARS_A = Number(process.env.BARS_A ?? 100_000);
const WARM_A = 5_000;
const BARS_B = Number(process.env.BARS_B ?? 1000);
const WARM_B = 60;
const STRATEGIES_B = 10_000;

// ---------------------------------------------------------------- bench strategies (indicators)

const sizeParams = z.object({ size: z.string().default("0.01") });
type SizeParams = z.infer<typeof sizeParams>;

/** Buys when the MACD histogram turns positive, sells when it turns negative. */
const macdDefinition: StrategyDefinition<SizeParams> = {
  name: "bench_macd",
  description: "MACD histogram sign change",
  params: sizeParams as unknown as z.ZodType<SizeParams>,
  subscriptions: (_p, interval) => ({ bars: [interval] }),
  create: (p) => {
    const macd = new Macd(12, 26, 9);
    const size = Decimal.from(p.size);
    let last = 0;
    return {
      onBar(bar: Bar, ctx: StrategyContext) {
        macd.update(bar.close.toNumber());
        if (!macd.isReady) return;
        const h = macd.histogram;
        if (last <= 0 && h > 0)
          ctx.signal({ instrumentId: bar.instrumentId, action: "BUY", quantity: size, reason: "macd up" });
        else if (last >= 0 && h < 0)
          ctx.signal({ instrumentId: bar.instrumentId, action: "SELL", quantity: size, reason: "macd down" });
        last = h;
      },
    };
  },
};

/** Trend filter: EMA above SMA and RSI not overbought, inside the Bollinger band. HOLD otherwise. */
const trendDefinition: StrategyDefinition<SizeParams> = {
  name: "bench_trend",
  description: "EMA/SMA trend with RSI and Bollinger filters",
  params: sizeParams as unknown as z.ZodType<SizeParams>,
  subscriptions: (_p, interval) => ({ bars: [interval] }),
  create: (p) => {
    const ema = new Ema(20);
    const sma = new Sma(50);
    const rsi = new Rsi(14);
    const bb = new BollingerBands(20, 2);
    const size = Decimal.from(p.size);
    let long = false;
    return {
      onBar(bar: Bar, ctx: StrategyContext) {
        const x = bar.close.toNumber();
        ema.update(x);
        sma.update(x);
        rsi.update(x);
        bb.update(x);
        if (!sma.isReady || !rsi.isReady || !bb.isReady) return;
        const up = ema.value > sma.value && rsi.value < 70 && x < bb.upper;
        if (up && !long) {
          long = true;
          ctx.signal({ instrumentId: bar.instrumentId, action: "BUY", quantity: size, reason: "trend up" });
        } else if (!up && long && x < bb.middle) {
          long = false;
          ctx.signal({
            instrumentId: bar.instrumentId,
            action: "SELL",
            quantity: size,
            reason: "trend down",
          });
        }
      },
    };
  },
};

/** Async onBar calls completed (counted by the wrapper below). */
let asyncDone = 0;

/** Wraps a definition so every onBar is async (awaits once before the real work). */
function asyncVersion<P>(def: StrategyDefinition<P>): StrategyDefinition<P> {
  return {
    ...def,
    name: `${def.name}_async`,
    create: (params: P) => {
      const inner: Strategy<P> = def.create(params);
      return {
        ...inner,
        async onBar(bar: Bar, ctx: StrategyContext) {
          await null;
          inner.onBar?.(bar, ctx);
          asyncDone++;
        },
      };
    },
  };
}

function registry(): StrategyRegistry {
  const r = builtinRegistry();
  r.register(macdDefinition);
  r.register(trendDefinition);
  r.register(asyncVersion(trendDefinition));
  return r;
}

// ---------------------------------------------------------------- market and positions

/** A random walk of closes (seeded), as decimal strings with 2 decimals. */
function closes(n: number, seed = 1): string[] {
  let x = seed;
  let price = 30_000;
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    price = Math.max(1000, price + ((x % 4001) - 2000) / 100);
    out[i] = price.toFixed(2);
  }
  return out;
}

function bar(i: number, close: string, receivedAt: number): Bar {
  const px = Decimal.from(close);
  const openTime = Date.UTC(2024, 0, 1) * 1000 + i * MINUTE_US;
  return {
    kind: "bar",
    instrumentId: SYMBOL,
    interval: "1m",
    openTime: openTime as UnixMicros,
    closeTime: (openTime + MINUTE_US - 1) as UnixMicros,
    open: px,
    high: px,
    low: px,
    close: px,
    volume: Decimal.ONE,
    quoteVolume: px,
    tradeCount: 1,
    closed: true,
    receivedAt: receivedAt as UnixMicros,
  };
}

/** Positions filled instantly from market orders (the bench stands in for execution and portfolio). */
function positionBook(bus: MessageBus): { position(s: StrategyId, i: InstrumentId): Decimal } {
  const book = new Map<string, Decimal>();
  bus.subscribe(Topic.SubmitOrder, (o) => {
    if (o.type !== "MARKET") return;
    const key = o.strategyId;
    const q = book.get(key) ?? Decimal.ZERO;
    book.set(key, o.side === "BUY" ? q.add(o.quantity) : q.sub(o.quantity));
  });
  return { position: (s) => book.get(s) ?? Decimal.ZERO };
}

/** Limit orders stay open until cancelled (the bench has no matching engine). */
function openOrderBook(bus: MessageBus): {
  openOrders(s: StrategyId, i: InstrumentId): readonly OpenOrderView[];
} {
  const book = new Map<string, Map<string, OpenOrderView>>();
  bus.subscribe(Topic.SubmitOrder, (o) => {
    if (o.type === "MARKET") return;
    let mine = book.get(o.strategyId);
    if (mine === undefined) {
      mine = new Map();
      book.set(o.strategyId, mine);
    }
    mine.set(o.clientOrderId, {
      clientOrderId: o.clientOrderId,
      side: o.side,
      type: o.type,
      quantity: o.quantity,
      price: o.price,
    });
  });
  bus.subscribe(Topic.CancelOrder, (c) => void book.get(c.strategyId)?.delete(c.clientOrderId));
  const none: readonly OpenOrderView[] = [];
  return { openOrders: (s) => (book.has(s) ? [...book.get(s)!.values()] : none) };
}

const BTCUSDT: Instrument = {
  id: SYMBOL,
  baseAsset: "BTC",
  quoteAsset: "USDT",
  tickSize: Decimal.from("0.01"),
  minPrice: Decimal.from("0.01"),
  maxPrice: Decimal.from("1000000"),
  stepSize: Decimal.from("0.00001"),
  minQty: Decimal.from("0.00001"),
  maxQty: Decimal.from("9000"),
  minNotional: Decimal.from("5"),
  maxNotional: undefined,
  status: "TRADING",
};
const instruments = { instrument: (id: InstrumentId) => (id === SYMBOL ? BTCUSDT : undefined) };

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));
const heapMb = () => {
  gc();
  return round(process.memoryUsage().heapUsed / 1_048_576, 1);
};

// ---------------------------------------------------------------- (a) 20 strategies

const TWENTY: Array<{ strategy: string; params: Record<string, unknown> }> = [
  { strategy: "ma_cross", params: { fast: 5, slow: 20, size: "0.01" } },
  { strategy: "ma_cross", params: { fast: 10, slow: 30, size: "0.01" } },
  { strategy: "ma_cross", params: { fast: 20, slow: 50, size: "0.01" } },
  { strategy: "ma_cross", params: { fast: 5, slow: 20, maType: "ema", size: "0.01" } },
  { strategy: "ma_cross", params: { fast: 12, slow: 26, maType: "ema", size: "0.01" } },
  { strategy: "ma_cross", params: { fast: 9, slow: 21, maType: "ema", size: "0.01" } },
  { strategy: "rsi", params: { period: 14, size: "0.01" } },
  { strategy: "rsi", params: { period: 7, oversold: 25, overbought: 75, size: "0.01" } },
  { strategy: "rsi", params: { period: 21, oversold: 35, overbought: 65, size: "0.01" } },
  { strategy: "bollinger", params: { period: 20, k: 2, size: "0.01" } },
  { strategy: "bollinger", params: { period: 20, k: 2.5, exit: "middle", size: "0.01" } },
  { strategy: "bollinger", params: { period: 30, k: 2, size: "0.01" } },
  { strategy: "grid", params: { lower: "25000", upper: "35000", levels: 20, sizePerLevel: "0.001" } },
  { strategy: "dca", params: { interval: 60, amount: "100" } },
  { strategy: "bench_macd", params: {} },
  { strategy: "bench_macd", params: { size: "0.02" } },
  { strategy: "bench_macd", params: { size: "0.03" } },
  { strategy: "bench_trend", params: {} },
  { strategy: "bench_trend", params: { size: "0.02" } },
  { strategy: "bench_trend", params: { size: "0.03" } },
];

async function benchTwenty() {
  const bus = new MessageBus();
  const clock = new LiveClock();
  const tickToSignal: number[] = [];
  const engine = new StrategyEngine({
    bus,
    clock,
    registry: registry(),
    positions: positionBook(bus),
    openOrders: openOrderBook(bus),
    instruments,
    onTickToSignal: (us) => void tickToSignal.push(us),
  });
  let signals = 0;
  let orders = 0;
  bus.subscribe(Topic.Signal, () => void signals++);
  bus.subscribe(Topic.SubmitOrder, () => void orders++);
  TWENTY.forEach((s, i) => {
    engine.add({
      id: `s${i}-${s.strategy}`,
      strategy: s.strategy,
      instrument: SYMBOL,
      interval: "1m",
      params: s.params,
    });
  });
  const failures = await engine.startAll();
  if (failures.length > 0) throw failures[0]!.error;

  const path = closes(WARM_A + BARS_A, 7);
  const lat = new Float64Array(BARS_A);
  for (let i = 0; i < path.length; i++) {
    const b = bar(i, path[i]!, clock.now());
    const t0 = performance.now();
    bus.publish(Topic.Bar, b);
    const t1 = performance.now();
    if (i >= WARM_A) lat[i - WARM_A] = (t1 - t0) * 1000;
    if (i === WARM_A) {
      signals = 0;
      orders = 0;
      tickToSignal.length = 0;
    }
    if (i % 256 === 255) await yieldToLoop(); // let timers and state saves run, as between live bars
  }
  lat.sort();
  const t2s = Float64Array.from(tickToSignal).sort();
  const stats = engine.stats();
  for (const st of stats.strategies) {
    if (st.errors > 0) console.log(`(a) ${st.strategyId} failed: ${st.lastError}`);
  }
  await engine.close();
  return {
    a_strategies: TWENTY.length,
    a_bars: BARS_A,
    a_p50_us: round(percentile(lat, 50)),
    a_p99_us: round(percentile(lat, 99)),
    a_p999_us: round(percentile(lat, 99.9)),
    a_max_us: round(lat[lat.length - 1]!),
    a_per_strategy_p50_us: round(percentile(lat, 50) / TWENTY.length, 3),
    a_tick_to_signal_p50_us: round(percentile(t2s, 50)),
    a_tick_to_signal_p99_us: round(percentile(t2s, 99)),
    a_signals: signals,
    a_orders: orders,
    a_errors: stats.strategies.reduce((n, s) => n + s.errors, 0),
  };
}

// ---------------------------------------------------------------- (b) 10,000 strategies

const TEN_K_KINDS: Array<(i: number) => { strategy: string; params: Record<string, unknown> }> = [
  (i) => ({ strategy: "ma_cross", params: { fast: 2 + (i % 10), slow: 15 + (i % 20), size: "0.01" } }),
  (i) => ({
    strategy: "ma_cross",
    params: { fast: 3 + (i % 8), slow: 20 + (i % 15), maType: "ema", size: "0.01" },
  }),
  (i) => ({ strategy: "rsi", params: { period: 7 + (i % 14), size: "0.01" } }),
  (i) => ({ strategy: "bollinger", params: { period: 10 + (i % 20), k: 1.5 + (i % 3) / 2, size: "0.01" } }),
  () => ({ strategy: "bench_trend", params: {} }),
];

async function benchTenThousand(asyncHandlers: boolean) {
  const bus = new MessageBus();
  const clock = new LiveClock();
  const engine = new StrategyEngine({
    bus,
    clock,
    registry: registry(),
    positions: positionBook(bus),
    instruments,
  });
  let signals = 0;
  bus.subscribe(Topic.Signal, () => void signals++);
  const heapEmpty = heapMb();
  for (let i = 0; i < STRATEGIES_B; i++) {
    const { strategy, params } = asyncHandlers
      ? { strategy: "bench_trend_async", params: {} }
      : TEN_K_KINDS[i % TEN_K_KINDS.length]!(i);
    engine.add({ id: `k${i}`, strategy, instrument: SYMBOL, interval: "1m", params });
  }
  const t0 = performance.now();
  const failures = await engine.startAll();
  const startMs = performance.now() - t0;
  if (failures.length > 0) throw failures[0]!.error;
  const heapBefore = heapMb();

  const path = closes(WARM_B + BARS_B, 3);
  const perBar = new Float64Array(BARS_B);
  let heapAfterWarm = heapBefore;
  for (let i = 0; i < path.length; i++) {
    const b = bar(i, path[i]!, clock.now());
    const expected = (i + 1) * STRATEGIES_B;
    if (i === 0) asyncDone = 0;
    const start = performance.now();
    bus.publish(Topic.Bar, b);
    if (asyncHandlers) {
      // Async handlers finish in later microtasks: wait until every strategy has handled the bar.
      while (asyncDone < expected) await yieldToLoop();
    }
    const ms = performance.now() - start;
    if (i >= WARM_B) perBar[i - WARM_B] = ms;
    if (i === WARM_B) heapAfterWarm = heapMb();
    await yieldToLoop();
  }
  const heapAfter = heapMb();
  if (process.env.BENCH_DEBUG) {
    const top = [...perBar.entries()].sort((x, y) => y[1] - x[1]).slice(0, 12);
    console.log("slowest bars", top.map(([i, ms]) => `${i}:${ms.toFixed(1)}`).join(" "));
  }
  perBar.sort();
  const stats = engine.stats();
  await engine.close();
  const prefix = asyncHandlers ? "b_async" : "b";
  return {
    [`${prefix}_strategies`]: STRATEGIES_B,
    [`${prefix}_bars`]: BARS_B,
    [`${prefix}_start_all_ms`]: round(startMs),
    [`${prefix}_p50_ms`]: round(percentile(perBar, 50), 3),
    [`${prefix}_p99_ms`]: round(percentile(perBar, 99), 3),
    [`${prefix}_max_ms`]: round(perBar[perBar.length - 1]!, 3),
    [`${prefix}_signals`]: signals,
    [`${prefix}_max_permits_in_use`]: stats.maxPermitsInUse,
    [`${prefix}_heap_empty_mb`]: heapEmpty,
    [`${prefix}_heap_before_mb`]: heapBefore,
    [`${prefix}_heap_after_warmup_mb`]: heapAfterWarm,
    [`${prefix}_heap_after_mb`]: heapAfter,
  };
}

const PARTS = process.env.BENCH_PARTS ?? "a,b,async";
const a = PARTS.includes("a") ? await benchTwenty() : ({} as Awaited<ReturnType<typeof benchTwenty>>);
console.log(
  `(a) 20 strategies, ${a.a_bars} bars: p50 ${a.a_p50_us} µs, p99 ${a.a_p99_us} µs, max ${a.a_max_us} µs`,
);
const b = PARTS.includes("b") ? await benchTenThousand(false) : {};
console.log(
  `(b) 10,000 strategies: per bar p50 ${b.b_p50_ms} ms, p99 ${b.b_p99_ms} ms; heap ${b.b_heap_before_mb} -> ${b.b_heap_after_mb} MB`,
);
const ba = PARTS.includes("async") ? await benchTenThousand(true) : {};
console.log(`(b) 10,000 async strategies: per bar p50 ${ba.b_async_p50_ms} ms, p99 ${ba.b_async_p99_ms} ms`);
console.log(
  JSON.stringify({
    bench: "strategy",
    node: process.version,
    ...a,
    ...b,
    ...ba,
    target_a_p99_us: 50,
    target_b_p99_ms: 20,
    target_a_met: a.a_p99_us <= 50,
    target_b_met: (b.b_p99_ms as number) <= 20,
  }),
);
