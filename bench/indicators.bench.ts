import { cpus, platform, totalmem } from "node:os";
import {
  Atr,
  BollingerBands,
  Ema,
  Macd,
  Rsi,
  Sma,
  StdDev,
  Stochastic,
  Wma,
} from "../src/indicators/index.ts";

// Updates per second of each streaming indicator over a pre-generated random walk. Each loop is
// its own function literal so every update call site stays monomorphic, as in a real strategy.
// Run: node_modules/.bin/node bench/indicators.bench.ts

const SIZE = 1 << 20;
const WARMUP_MS = 300;
const RUN_MS = 1000;

function randomWalk(
  size: number,
  seed: number,
): { close: Float64Array; high: Float64Array; low: Float64Array } {
  let s = seed >>> 0;
  const rnd = (): number => {
    // xorshift32: deterministic data so runs are comparable.
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x1_0000_0000;
  };
  const close = new Float64Array(size);
  const high = new Float64Array(size);
  const low = new Float64Array(size);
  let p = 60_000;
  for (let i = 0; i < size; i++) {
    p = Math.max(1, p * (1 + (rnd() - 0.5) * 0.004));
    close[i] = p;
    high[i] = p * (1 + rnd() * 0.002);
    low[i] = p * (1 - rnd() * 0.002);
  }
  return { close, high, low };
}

const { close, high, low } = randomWalk(SIZE, 42);
let sink = 0;

/** Calls `chunk` with n = SIZE for about `ms` milliseconds; returns updates per second. */
function measure(chunk: (n: number) => number, ms: number): number {
  let updates = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    sink += chunk(SIZE);
    updates += SIZE;
    elapsed = performance.now() - start;
  } while (elapsed < ms);
  return updates / (elapsed / 1000);
}

/**
 * Warms a chunk up with many short calls first: every statement collects type feedback before
 * the optimiser sees it, else a loop optimised mid-flight (OSR) deoptimises on the unvisited
 * `return` after each chunk, which measures the deoptimiser instead of the indicator.
 */
function warmUp(chunk: (n: number) => number, ms: number): void {
  for (let i = 0; i < 2000; i++) sink += chunk(256);
  measure(chunk, ms);
}

const sma = new Sma(20);
const ema = new Ema(20);
const wma = new Wma(20);
const rsi = new Rsi(14);
const macd = new Macd(12, 26, 9);
const bands = new BollingerBands(20, 2);
const atr = new Atr(14);
const stoch = new Stochastic(14, 3, 3);
const stdDev = new StdDev(20);

// Each chunk reads the output once at the end so the work cannot be dropped.
const benches: [string, (n: number) => number][] = [
  [
    "sma",
    (n) => {
      for (let i = 0; i < n; i++) sma.update(close[i]!);
      return sma.value;
    },
  ],
  [
    "ema",
    (n) => {
      for (let i = 0; i < n; i++) ema.update(close[i]!);
      return ema.value;
    },
  ],
  [
    "wma",
    (n) => {
      for (let i = 0; i < n; i++) wma.update(close[i]!);
      return wma.value;
    },
  ],
  [
    "rsi",
    (n) => {
      for (let i = 0; i < n; i++) rsi.update(close[i]!);
      return rsi.value;
    },
  ],
  [
    "macd",
    (n) => {
      for (let i = 0; i < n; i++) macd.update(close[i]!);
      return macd.histogram;
    },
  ],
  [
    "bollinger",
    (n) => {
      for (let i = 0; i < n; i++) bands.update(close[i]!);
      return bands.upper;
    },
  ],
  [
    "stddev",
    (n) => {
      for (let i = 0; i < n; i++) stdDev.update(close[i]!);
      return stdDev.value;
    },
  ],
  [
    "atr",
    (n) => {
      for (let i = 0; i < n; i++) atr.update(high[i]!, low[i]!, close[i]!);
      return atr.value;
    },
  ],
  [
    "stochastic",
    (n) => {
      for (let i = 0; i < n; i++) stoch.update(high[i]!, low[i]!, close[i]!);
      return stoch.d;
    },
  ],
];

const TARGETS: Record<string, number> = {
  sma_updates_per_s: 10_000_000,
  ema_updates_per_s: 10_000_000,
  rsi_updates_per_s: 3_000_000,
  macd_updates_per_s: 3_000_000,
  bollinger_updates_per_s: 3_000_000,
};

const results: Record<string, number> = {};
for (const [, chunk] of benches) warmUp(chunk, WARMUP_MS);
for (const [name, chunk] of benches) {
  const rate = measure(chunk, RUN_MS);
  results[`${name}_updates_per_s`] = Math.round(rate);
  console.log(`${name.padEnd(11)} ${(rate / 1e6).toFixed(1).padStart(7)} M updates/s`);
}

const allMet = Object.entries(TARGETS).every(([key, target]) => (results[key] ?? 0) >= target);
const cpu = cpus();
console.log(
  JSON.stringify({
    bench: "indicators",
    machine: {
      cpu: cpu[0]?.model ?? "unknown",
      cores: cpu.length,
      memoryGb: Math.round(totalmem() / 2 ** 30),
      platform: platform(),
      node: process.version,
    },
    ...results,
    targets: TARGETS,
    all_targets_met: allMet,
    checksum: Number.isFinite(sink) ? 1 : 0,
  }),
);
