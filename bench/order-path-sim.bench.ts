/**
 * Order path through the real Binance adapter against the simulator on loopback (issue 5): SubmitOrder
 * on the bus -> ExecutionEngine (validation, RiskEngine, order queue, AsyncExecutor) -> BinanceVenue
 * -> signed POST /api/v3/order over HTTP (undici pool) -> simulator fills the MARKET order -> FULL
 * response (and the executionReport on the WebSocket API user stream, dropped as a duplicate) ->
 * OrderFilled -> Portfolio -> PositionChanged. The venue is built as the app builds it
 * (openBinanceConnection + binanceVenueSetup, see bench/support/des-binance-stack.ts).
 * Targets: >= 2,000 orders/s, p99 <= 5 ms.
 *
 * The simulator runs in a child process (its CPU does not count against DES). Orders are MARKET,
 * BUY and SELL alternating, 0.001 BTCBUSD, on an account with large balances. Latency is from the
 * publish of the SubmitOrder to the PositionChanged of its last fill (HDR histogram). Phases:
 *   1. floor: bare BinanceRestClient.newOrder (same MARKET order, FULL), one at a time, and the
 *      throughput of 8 such loops at once (the pool's 8 connections);
 *   2. open loop: orders published on a schedule at --rate for --seconds (never waiting for the
 *      previous one), executor bound 8 (DES_EXECUTOR_CONCURRENCY's default);
 *   3. max throughput: a closed loop keeping --window orders outstanding for --throughput-seconds,
 *      once per executor bound in --concurrency (each on a fresh stack).
 *
 * Run: node_modules/.bin/node bench/order-path-sim.bench.ts [--rate 2000] [--seconds 10]
 *      [--concurrency 8,16,32] [--window 512] [--throughput-seconds 5] [--floor-orders 2000]
 * Profile the simulator too: SIM_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" (and node --cpu-prof).
 * Last line of stdout: one JSON object.
 */
import { parseArgs } from "node:util";
import { type Decimal, dec, strategyId } from "../src/core/index.ts";
import type { BinanceSimulatorOptions } from "../src/sim/index.ts";
import { DOCS_HMAC_API_KEY, DOCS_HMAC_SECRET_KEY } from "../src/sim/index.ts";
import { BinanceRestClient, loadBinanceCredentials } from "../src/venues/binance/index.ts";
import { benchMachine } from "./bench-machine.ts";
import { DesBinanceStack, type OrderEnd } from "./support/des-binance-stack.ts";
import { formatLatency, LatencyHistogram, type LatencySummaryMs } from "./support/latency-histogram.ts";
import { cpuMeter } from "./support/process-cpu.ts";
import { startSimProcess, stopSimProcess } from "./support/sim-process.ts";

const TARGET_ORDERS_PER_SECOND = 2000;
const TARGET_P99_MS = 5;
const DEFAULT_CONCURRENCY = 8;
const SYMBOL = "BTCBUSD";
const QUANTITY = "0.001";
const STRATEGY = strategyId("bench-sim");
const HIGH_LIMITS = { weightPerMinute: 100_000_000, ordersPer10s: 100_000_000, ordersPerDay: 100_000_000 };
const SIM_OPTIONS: BinanceSimulatorOptions = {
  sources: [{ kind: "klines", ids: ["btcbusd-1m-2022-12-13"] }],
  limits: HIGH_LIMITS,
  accounts: [
    {
      accountId: "hmac",
      apiKey: DOCS_HMAC_API_KEY,
      hmacSecret: DOCS_HMAC_SECRET_KEY,
      balances: { BUSD: "1000000000", BTC: "100000" },
    },
  ],
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until the stack has no order outstanding, for at most boundMs; returns whether it drained. */
async function drain(stack: DesBinanceStack, boundMs: number): Promise<boolean> {
  const deadline = performance.now() + boundMs;
  while (stack.outstanding > 0) {
    if (performance.now() > deadline) return false;
    await sleep(5);
  }
  return true;
}

/** Bare client orders: one at a time (latency) and `workers` loops at once (throughput). */
async function floor(
  restUrl: string,
  simPid: number | undefined,
  orders: number,
  workers: number,
  seconds: number,
) {
  const client = new BinanceRestClient({
    baseUrl: restUrl,
    forbidProductionHosts: true,
    rateLimits: HIGH_LIMITS,
    credentials: loadBinanceCredentials({ apiKey: DOCS_HMAC_API_KEY, secretKey: DOCS_HMAC_SECRET_KEY }),
  });
  let seq = 0;
  let lastPrice = "";
  const order = async (): Promise<void> => {
    const i = seq++;
    const res = await client.newOrder({
      symbol: SYMBOL,
      side: i % 2 === 0 ? "BUY" : "SELL",
      type: "MARKET",
      quantity: QUANTITY,
      newClientOrderId: `floor${i}`,
      newOrderRespType: "FULL",
    });
    if (res.status !== "FILLED") throw new Error(`floor order ${i} ended ${res.status}`);
    lastPrice = res.fills?.at(-1)?.price ?? lastPrice;
  };
  const latency = new LatencyHistogram();
  try {
    for (let i = 0; i < 300; i++) await order();
    for (let i = 0; i < orders; i++) {
      const t0 = performance.now();
      await order();
      latency.recordMs(performance.now() - t0);
    }
    let done = 0;
    const endAt = performance.now() + seconds * 1000;
    const loop = async (): Promise<void> => {
      while (performance.now() < endAt) {
        await order();
        done++;
      }
    };
    const t0 = performance.now();
    const cpu = cpuMeter(simPid);
    await Promise.all(Array.from({ length: workers }, loop));
    const ordersPerSecond = Math.round(done / ((performance.now() - t0) / 1000));
    return {
      latency: latency.summary(),
      workers,
      ordersPerSecond,
      cpuUsPerOrder: cpu.perOpUs(done),
      markPrice: dec(lastPrice),
    };
  } finally {
    await client.close();
  }
}

/** What one measured phase of a stack produced. */
interface PhaseCounts {
  filled: number;
  refused: number;
  readonly latency: LatencyHistogram;
}

function newCounts(): PhaseCounts {
  return { filled: 0, refused: 0, latency: new LatencyHistogram() };
}

/** Opens a stack whose order ends go to `sink()` (phases swap the sink), marked at the price. */
async function openStack(restUrl: string, concurrency: number, tag: string, mark: Decimal) {
  let sink: (end: OrderEnd, ms: number) => void = () => {};
  const stack = await DesBinanceStack.open({
    restUrl,
    symbol: SYMBOL,
    concurrency,
    idPrefix: `${tag}x`,
    onEnd: (end, ms) => sink(end, ms),
  });
  stack.mark(mark);
  return { stack, setSink: (s: typeof sink) => (sink = s) };
}

/** Publishes orders on a fixed schedule (rate per second) for `seconds`; records into counts. */
async function openLoop(
  stack: DesBinanceStack,
  simPid: number | undefined,
  rate: number,
  seconds: number,
  counts: PhaseCounts,
) {
  const qty = dec(QUANTITY);
  const cpu = cpuMeter(simPid);
  const total = Math.round(rate * seconds);
  let sent = 0;
  let maxBurst = 0;
  const t0 = performance.now();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - t0) * rate) / 1000));
      maxBurst = Math.max(maxBurst, due - sent);
      while (sent < due) {
        stack.submit(STRATEGY, sent % 2 === 0 ? "BUY" : "SELL", qty);
        sent++;
      }
      if (sent >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  const sendSeconds = (performance.now() - t0) / 1000;
  const drained = await drain(stack, 15_000);
  const allSeconds = (performance.now() - t0) / 1000;
  return {
    offeredPerSecond: rate,
    sent,
    filled: counts.filled,
    refused: counts.refused,
    drained,
    sendSeconds: Math.round(sendSeconds * 100) / 100,
    filledPerSecond: Math.round(counts.filled / allSeconds),
    maxBurst,
    cpuUsPerOrder: cpu.perOpUs(sent),
  };
}

/** Keeps `window` orders outstanding for `seconds`; returns fully filled orders per second. */
async function closedLoop(
  stack: DesBinanceStack,
  simPid: number | undefined,
  setSink: (s: (end: OrderEnd, ms: number) => void) => void,
  window: number,
  seconds: number,
  counts: PhaseCounts | undefined,
): Promise<{ ordersPerSecond: number; cpuUsPerOrder: { des: number; sim?: number } }> {
  const qty = dec(QUANTITY);
  let running = true;
  let side = 0;
  let filled = 0;
  const send = (): void => stack.submit(STRATEGY, side++ % 2 === 0 ? "BUY" : "SELL", qty);
  setSink((end, ms) => {
    if (end === "filled") {
      filled++;
      if (counts !== undefined) {
        counts.filled++;
        counts.latency.recordMs(ms);
      }
    } else if (counts !== undefined) counts.refused++;
    if (running) send();
  });
  const t0 = performance.now();
  const cpu = cpuMeter(simPid);
  for (let i = 0; i < window; i++) send();
  await sleep(seconds * 1000);
  const elapsed = (performance.now() - t0) / 1000;
  const filledInWindow = filled;
  const cpuUsPerOrder = cpu.perOpUs(filledInWindow);
  running = false;
  await drain(stack, 15_000);
  return { ordersPerSecond: Math.round(filledInWindow / elapsed), cpuUsPerOrder };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rate: { type: "string", default: String(TARGET_ORDERS_PER_SECOND) },
      seconds: { type: "string", default: "10" },
      concurrency: { type: "string", default: "8,16,32" },
      window: { type: "string", default: "512" },
      "throughput-seconds": { type: "string", default: "5" },
      "floor-orders": { type: "string", default: "2000" },
    },
  });
  const rate = Number(values.rate);
  const seconds = Number(values.seconds);
  const bounds = values.concurrency.split(",").map(Number);
  const window = Number(values.window);
  const throughputSeconds = Number(values["throughput-seconds"]);
  const floorOrders = Number(values["floor-orders"]);
  if (![rate, seconds, window, throughputSeconds, floorOrders, ...bounds].every((x) => x > 0)) {
    throw new Error(
      "--rate, --seconds, --concurrency, --window, --throughput-seconds, --floor-orders: positive",
    );
  }
  const loadBefore = benchMachine().loadAvg;
  const simArgs = (process.env["SIM_NODE_ARGS"] ?? "").split(" ").filter((a) => a !== "");
  const sim = await startSimProcess(SIM_OPTIONS, simArgs);
  const restUrl = `http://127.0.0.1:${sim.port}`;
  console.log(`simulator process ${sim.child.pid} on ${restUrl}`);
  try {
    const simPid = sim.child.pid;
    const fl = await floor(restUrl, simPid, floorOrders, DEFAULT_CONCURRENCY, 3);
    console.log(`floor (bare newOrder MARKET FULL, one at a time): ${formatLatency(fl.latency)}`);
    console.log(
      `floor throughput (${fl.workers} loops): ${fl.ordersPerSecond} orders/s, ` +
        `CPU per order us: ${JSON.stringify(fl.cpuUsPerOrder)}`,
    );

    // Open loop at the target rate, executor bound as DES runs by default.
    const open = await openStack(restUrl, DEFAULT_CONCURRENCY, "o", fl.markPrice);
    let openResult: Awaited<ReturnType<typeof openLoop>>;
    let openLatency: LatencySummaryMs;
    let openStackCounts: Record<string, unknown>;
    try {
      const warm = newCounts();
      const record = (c: PhaseCounts) => (end: OrderEnd, ms: number) => {
        if (end === "filled") {
          c.filled++;
          c.latency.recordMs(ms);
        } else c.refused++;
      };
      open.setSink(record(warm));
      await openLoop(open.stack, simPid, rate, 2, warm);
      const measured = newCounts();
      open.setSink(record(measured));
      openResult = await openLoop(open.stack, simPid, rate, seconds, measured);
      openLatency = measured.latency.summary();
      openStackCounts = open.stack.counts();
    } finally {
      await open.stack.close();
    }
    console.log(
      `open loop ${rate}/s for ${seconds} s (bound ${DEFAULT_CONCURRENCY}): ${formatLatency(openLatency)}; ` +
        `filled ${openResult.filled}/${openResult.sent}, refused ${openResult.refused}, ${openResult.filledPerSecond}/s, ` +
        `CPU per order us: ${JSON.stringify(openResult.cpuUsPerOrder)}`,
    );

    const throughput: Record<string, unknown> = {};
    const rates = new Map<number, number>();
    for (const bound of bounds) {
      const s = await openStack(restUrl, bound, `t${bound}`, fl.markPrice);
      try {
        await closedLoop(s.stack, simPid, s.setSink, window, 1, undefined);
        const counts = newCounts();
        const run = await closedLoop(s.stack, simPid, s.setSink, window, throughputSeconds, counts);
        const perSecond = run.ordersPerSecond;
        rates.set(bound, perSecond);
        throughput[`concurrency_${bound}`] = {
          ordersPerSecond: perSecond,
          cpuUsPerOrder: run.cpuUsPerOrder,
          refused: counts.refused,
          latencyMs: counts.latency.summary(),
          stack: s.stack.counts(),
        };
        console.log(
          `max throughput, bound ${bound}, ${window} outstanding: ${perSecond} orders/s, ` +
            `CPU per order us: ${JSON.stringify(run.cpuUsPerOrder)} ` +
            `(latency under saturation: ${formatLatency(counts.latency.summary())})`,
        );
      } finally {
        await s.stack.close();
      }
    }
    const best = [...rates.entries()].sort((a, b) => b[1] - a[1])[0] ?? [DEFAULT_CONCURRENCY, 0];
    const defaultRate = rates.get(DEFAULT_CONCURRENCY);
    const p99Met = openLatency.p99 <= TARGET_P99_MS && openResult.refused === 0 && openResult.drained;
    const throughputMet = (defaultRate ?? best[1]) >= TARGET_ORDERS_PER_SECOND;
    console.log(
      `targets: p99 <= ${TARGET_P99_MS} ms at ${rate}/s ${p99Met ? "met" : "MISSED"}; ` +
        `>= ${TARGET_ORDERS_PER_SECOND} orders/s ${throughputMet ? "met" : "MISSED"}`,
    );
    console.log(
      JSON.stringify({
        bench: "order-path-sim",
        machine: benchMachine(),
        load_before: loadBefore,
        // DES and the simulator run with these node flags (the simulator inherits them).
        nodeFlags: process.execArgv,
        order: `MARKET ${QUANTITY} ${SYMBOL}, BUY/SELL alternating, FULL response; simulator in a child process`,
        floor: {
          latencyMs: fl.latency,
          throughputWorkers: fl.workers,
          throughputPerSecond: fl.ordersPerSecond,
          cpuUsPerOrder: fl.cpuUsPerOrder,
        },
        open_loop: {
          concurrency: DEFAULT_CONCURRENCY,
          seconds,
          ...openResult,
          latencyMs: openLatency,
          stack: openStackCounts,
        },
        throughput: { window, seconds: throughputSeconds, ...throughput },
        best_concurrency: best[0],
        best_orders_per_second: best[1],
        targets: { ordersPerSecond: TARGET_ORDERS_PER_SECOND, p99Ms: TARGET_P99_MS },
        met: { p99: p99Met, throughput: throughputMet },
        meetsTargets: p99Met && throughputMet,
      }),
    );
  } finally {
    await stopSimProcess(sim.child);
  }
}

await main();
