/**
 * Replay throughput: closed 1m bars per second through the engine with one ma_cross strategy at
 * replay speed "max" (target >= 1,000,000 bars/s). The bundled real day of BTCBUSD 1m bars (1440
 * bars) is looped by the ReplayFeed itself (each pass shifted one day on), so one measurement is
 * >= 2M bars and uses the same code as `des run` with DES_REPLAY_SPEED=max.
 *
 * Two paths, each built fresh per measurement on a LiveClock, as the app builds them:
 * - strategy: ReplayFeed -> MarketDataEngine -> bus -> StrategyEngine -> ma_cross; its signals
 *   become SubmitOrder commands on the bus, each answered at once by a bench stub with an
 *   OrderRejected (the final event execution would send), so positions stay flat.
 * - full: the same plus ExecutionEngine + PaperVenue + Portfolio, so commands become paper orders
 *   that fill on the next bar, fills move positions, and ma_cross sees them (it sells its long).
 * Wall time runs from feed.start() until `done` resolves and execution is idle. The first
 * measurement of each path warms the JIT up and is not counted; the rounds then alternate paths.
 * What the app adds on top (SQLite writes of signals and order events, metrics) is not included.
 *
 * Run: node_modules/.bin/node bench/replay.bench.ts [--bars 2000000] [--rounds 3] [--path both|strategy|full]
 * Last line of stdout: one JSON object.
 */
import { parseArgs } from "node:util";
import { MessageBus, Topic } from "../src/bus/index.ts";
import { type InstrumentId, instrumentId, LiveClock } from "../src/core/index.ts";
import { ExecutionEngine } from "../src/execution/index.ts";
import {
  DEFAULT_MARKET_DATASET_DIR,
  MarketDataEngine,
  MarketDataset,
  ReplayFeed,
} from "../src/market/index.ts";
import type { MarketEvent } from "../src/model/index.ts";
import { Portfolio } from "../src/portfolio/index.ts";
import { maCross } from "../src/strategy/builtin/index.ts";
import { StrategyEngine, StrategyRegistry } from "../src/strategy/index.ts";
import { PaperVenue } from "../src/venues/paper/index.ts";
import { benchMachine } from "./bench-machine.ts";

const TARGET_BARS_PER_S = 1_000_000;
const DATASET_FILE = "btcbusd-1m-2022-12-13";
const INSTRUMENT: InstrumentId = instrumentId("BTCBUSD");
const ACCOUNT = "paper";
// Enough quote cash that ~100k paper round trips (fees and losses) never run out.
const BALANCES = { BUSD: "1000000000", USDT: "1000000000" };
const STRATEGY_CONFIG = {
  id: "ma-cross-bench",
  strategy: "ma_cross",
  instrument: INSTRUMENT,
  interval: "1m",
  params: { fast: 5, slow: 20, size: "0.01" },
};

type PathName = "strategy" | "full";

interface RunResult {
  readonly path: PathName;
  readonly bars: number;
  readonly seconds: number;
  readonly barsPerS: number;
  /** Bars per second of this process's CPU time (user + system): less skewed by other load. */
  readonly barsPerCpuS: number;
  readonly strategyEvents: number;
  readonly signals: number;
  readonly orders: number;
  readonly fills: number;
  readonly strategyStatus: string;
}

const { values: args } = parseArgs({
  options: {
    bars: { type: "string", default: "2000000" },
    rounds: { type: "string", default: "3" },
    path: { type: "string", default: "both" },
  },
});
const wantedBars = positiveInt("--bars", args.bars);
const rounds = positiveInt("--rounds", args.rounds);
if (args.path !== "both" && args.path !== "strategy" && args.path !== "full") {
  throw new Error(`--path must be both, strategy or full, got ${args.path}`);
}
const paths: PathName[] = args.path === "both" ? ["strategy", "full"] : [args.path];

const dataset = await MarketDataset.load(DEFAULT_MARKET_DATASET_DIR, { ids: [DATASET_FILE] });
const events: MarketEvent[] = dataset.events([DATASET_FILE]);
const instruments = [...dataset.instruments.values()];
const passes = Math.ceil(wantedBars / events.length);

/** Builds one path, replays `passes` loops of the day through it, and returns what it measured. */
async function runOnce(path: PathName): Promise<RunResult> {
  const clock = new LiveClock();
  const bus = new MessageBus();
  const marketData = new MarketDataEngine({ bus });
  marketData.subscribe(INSTRUMENT, "1m");
  let signals = 0;
  bus.subscribe(Topic.Signal, () => signals++, "bench.signals");

  let execution: ExecutionEngine | undefined;
  let portfolio: Portfolio | undefined;
  if (path === "full") {
    const venue = new PaperVenue({ clock, instruments, initialBalances: BALANCES, accountId: ACCOUNT });
    // As the app configures the paper venue: no in-flight bound (it settles every submit in-process).
    execution = new ExecutionEngine({ bus, clock, venue, executor: { maxInFlight: 100_000 } });
    portfolio = new Portfolio({ bus, clock, instruments, initialCash: { [ACCOUNT]: BALANCES } });
    portfolio.start();
    execution.start();
  } else {
    // Without execution nobody ever closes an order, and the engine's table of open order ids (for
    // cancelOrder) would sit at its 10,000 cap, evicting on every order; with execution each order
    // ends with a final event. A rejection stands in for that final event, as cheap as it gets.
    bus.subscribe(
      Topic.SubmitOrder,
      (cmd) =>
        bus.publish(Topic.OrderEvent, {
          kind: "OrderRejected",
          clientOrderId: cmd.clientOrderId,
          strategyId: cmd.strategyId,
          instrumentId: cmd.instrumentId,
          reason: "bench: no execution on this path",
          ts: cmd.createdAt,
        }),
      "bench.final-event",
    );
  }
  const engine = new StrategyEngine({
    bus,
    clock,
    registry: new StrategyRegistry().register(maCross),
    positions: portfolio,
    instruments: { instrument: (id) => dataset.instruments.get(id) },
  });
  const id = engine.add(STRATEGY_CONFIG);
  await engine.start(id);

  const feed = new ReplayFeed({ events, clock, sink: marketData, speed: "max", loop: passes });
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  feed.start();
  const result = await feed.done;
  await execution?.idle();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;

  if (result.reason !== "completed")
    throw new Error(`replay ended with ${result.reason}: ${result.error?.message}`);
  const stats = engine.instanceStats(id);
  await engine.close();
  execution?.stop();
  portfolio?.stop();
  return {
    path,
    bars: result.barsReplayed,
    seconds,
    barsPerS: result.barsReplayed / seconds,
    barsPerCpuS: result.barsReplayed / cpuSeconds,
    strategyEvents: stats.eventsProcessed,
    signals,
    orders: stats.orders,
    fills: execution?.stats().fills ?? 0,
    strategyStatus: stats.status,
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function positiveInt(name: string, raw: string | undefined): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${raw}`);
  return n;
}

const loadBefore = benchMachine().loadAvg;
for (const path of paths) await runOnce(path); // JIT warm-up, not counted
const runs: RunResult[] = [];
for (let round = 0; round < rounds; round++) {
  for (const path of paths) {
    const r = await runOnce(path);
    runs.push(r);
    console.log(
      `${path.padEnd(8)} round ${round + 1}: ${(r.barsPerS / 1e6).toFixed(3)} M bars/s ` +
        `(${(r.barsPerCpuS / 1e6).toFixed(3)} M per CPU-s; ${r.bars} bars in ${r.seconds.toFixed(3)} s; ${r.signals} signals, ${r.orders} orders, ${r.fills} fills)`,
    );
  }
}

const summary: Record<string, unknown> = {};
const medianOf = (path: PathName): number =>
  median(runs.filter((r) => r.path === path).map((r) => r.barsPerS));
for (const path of paths) {
  const mine = runs.filter((r) => r.path === path);
  const last = mine[mine.length - 1]!;
  summary[path] = {
    bars_per_s_median: Math.round(medianOf(path)),
    bars_per_s_best: Math.round(Math.max(...mine.map((r) => r.barsPerS))),
    bars_per_s_runs: mine.map((r) => Math.round(r.barsPerS)),
    bars_per_cpu_s_median: Math.round(median(mine.map((r) => r.barsPerCpuS))),
    bars_per_run: last.bars,
    strategy_events_per_run: last.strategyEvents,
    signals_per_run: last.signals,
    orders_per_run: last.orders,
    fills_per_run: last.fills,
    strategy_status_at_end: last.strategyStatus,
    target_met: medianOf(path) >= TARGET_BARS_PER_S,
  };
}
console.log(
  JSON.stringify({
    bench: "replay",
    machine: benchMachine(),
    load_avg_before: loadBefore,
    dataset: DATASET_FILE,
    bars_per_pass: events.length,
    passes,
    rounds,
    strategy_config: STRATEGY_CONFIG,
    paths: summary,
    target_bars_per_s: TARGET_BARS_PER_S,
    target_met: paths.every((p) => medianOf(p) >= TARGET_BARS_PER_S),
  }),
);
