/**
 * Market-data recovery after an exchange restart (target: under 1 s with the default back-off): the
 * time from the server listening again to the first message that reaches a strategy.
 *
 * A BinanceSimulator (in process: the bench drives pause()/resume(); the measured interval is dominated
 * by the client's back-off wait, not by CPU) replays the bundled BTCBUSD 1m bars at high speed, so
 * trades and in-progress kline updates flow every few ms. A BinanceMarketStream with DEFAULT options
 * (its default back-off, printed in the result) subscribes to btcbusd@trade and btcbusd@kline_1m;
 * its sink publishes onto a real MessageBus, whose subscribers stand in for the strategy. Each sample:
 * pause the server (every connection cut, ECONNREFUSED), wait downMs (cycling 200 ms, 1 s, 3 s, 5 s:
 * the longer ones let the back-off reach its cap), resume, and time from resume() resolving (the port
 * listens again) to the first message on the bus; the first trade and the first bar are noted too.
 *
 * Run: node_modules/.bin/node bench/reconnect.bench.ts [--restarts 12] [--speed 600]
 * Last line of stdout: one JSON object.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { MessageBus, Topic } from "../src/bus/index.ts";
import { BinanceSimulator } from "../src/sim/index.ts";
import { BinanceRestClient } from "../src/venues/binance/index.ts";
import { Backoff } from "../src/venues/binance/stream/backoff.ts";
import { BinanceMarketStream } from "../src/venues/binance/stream/binance-market-stream.ts";
import { benchMachine } from "./bench-machine.ts";

/** The back-off BinanceMarketStream uses when none is given. */
const DEFAULT_BACKOFF = new Backoff({});

const TARGET_MS = 1000;
const DOWN_MS_CYCLE = [200, 1000, 3000, 5000] as const;
/** Bound on waiting for the first message after a resume (a missing recovery fails the bench). */
const RECOVERY_BOUND_MS = 30_000;
/** Messages flowing this long after a recovery before the next restart. */
const STEADY_MS = 500;

/** One restart and what the strategy saw after it. */
interface Sample {
  readonly downMs: number;
  /** resume() resolved -> first message on the bus (ms). */
  readonly firstMessageMs: number;
  readonly firstTradeMs: number | undefined;
  readonly firstBarMs: number | undefined;
  /** Connection attempts the stream made from the cut to the first message. */
  readonly connectAttempts: number;
  /** Messages delivered after the cut but before the port listened again (already-buffered frames). */
  readonly deliveredWhileDown: number;
}

const r1 = (x: number): number => Math.round(x * 10) / 10;

/** Returns nearest-rank percentile q of the values. */
function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { restarts: { type: "string", default: "12" }, speed: { type: "string", default: "600" } },
  });
  const restarts = Number(values.restarts);
  const speed = Number(values.speed);
  if (!(restarts > 0 && speed > 0)) throw new Error("--restarts and --speed must be positive");
  const loadBefore = benchMachine().loadAvg;

  const sim = await BinanceSimulator.start({
    speed,
    sources: [{ kind: "klines", ids: ["btcbusd-1m-2022-12-13"] }],
  });
  const rest = new BinanceRestClient({ baseUrl: sim.restUrl, forbidProductionHosts: true });
  const bus = new MessageBus();

  // The strategy stand-in: notes when the first message of each kind arrives after a resume.
  type Phase = "up" | "down" | "armed";
  let phase: Phase = "up";
  let resumedAt = 0;
  let firstAny: number | undefined;
  let firstTrade: number | undefined;
  let firstBar: number | undefined;
  let deliveredWhileDown = 0;
  let delivered = 0;
  let wake: (() => void) | undefined;
  const onMessage = (kind: "trade" | "bar"): void => {
    delivered++;
    if (phase === "down") {
      deliveredWhileDown++;
      return;
    }
    if (phase !== "armed") return;
    const now = performance.now();
    if (firstAny === undefined) {
      firstAny = now;
      wake?.();
    }
    if (kind === "trade") firstTrade ??= now;
    else firstBar ??= now;
  };
  bus.subscribe(Topic.Trade, () => onMessage("trade"));
  bus.subscribe(Topic.Bar, () => onMessage("bar"));

  // Default options but the three without a default: URL, REST client, sink.
  const stream = new BinanceMarketStream({
    streamBaseUrl: sim.streamUrl,
    rest,
    sink: {
      onTrade: (t) => bus.publish(Topic.Trade, t),
      onQuote: (q) => bus.publish(Topic.Quote, q),
      onBar: (b) => bus.publish(Topic.Bar, b),
    },
  });
  stream.subscribe([
    { kind: "trade", symbol: "BTCBUSD" },
    { kind: "kline", symbol: "BTCBUSD", interval: "1m" },
  ]);

  const samples: Sample[] = [];
  try {
    await stream.start();
    await sleep(1000);
    if (delivered === 0) throw new Error("no market data reached the bus in the first second");
    console.log(`simulator on ${sim.restUrl}, speed ${speed}; ${delivered} messages in the first second`);

    for (let i = 0; i < restarts; i++) {
      const downMs = DOWN_MS_CYCLE[i % DOWN_MS_CYCLE.length]!;
      const attemptsBefore = stream.stats().connectAttempts;
      firstAny = firstTrade = firstBar = undefined;
      deliveredWhileDown = 0;
      await sim.pause();
      phase = "down";
      await sleep(downMs);
      const recovered = new Promise<void>((resolve) => {
        wake = resolve;
      });
      await sim.resume();
      resumedAt = performance.now();
      phase = "armed";
      const bound = sleep(RECOVERY_BOUND_MS, "timeout" as const, { ref: false });
      if ((await Promise.race([recovered, bound])) === "timeout") {
        throw new Error(`no message reached the bus within ${RECOVERY_BOUND_MS} ms of restart ${i + 1}`);
      }
      // Trades and bars keep coming: wait a little so the first of each kind is noted too.
      await sleep(STEADY_MS);
      const sample: Sample = {
        downMs,
        firstMessageMs: r1(firstAny! - resumedAt),
        firstTradeMs: firstTrade === undefined ? undefined : r1(firstTrade - resumedAt),
        firstBarMs: firstBar === undefined ? undefined : r1(firstBar - resumedAt),
        connectAttempts: stream.stats().connectAttempts - attemptsBefore,
        deliveredWhileDown,
      };
      samples.push(sample);
      console.log(
        `restart ${i + 1}/${restarts}: down ${downMs} ms -> first message ${sample.firstMessageMs} ms ` +
          `(trade ${sample.firstTradeMs ?? "-"}, bar ${sample.firstBarMs ?? "-"}; ${sample.connectAttempts} connect attempts)`,
      );
      phase = "up";
    }
  } finally {
    await stream.stop();
    await rest.close();
    await sim.stop();
  }

  const first = samples.map((s) => s.firstMessageMs);
  const stats = stream.stats();
  const p50 = r1(percentile(first, 0.5));
  const max = r1(Math.max(...first));
  const byDown = Object.fromEntries(
    DOWN_MS_CYCLE.map((d) => {
      const xs = samples.filter((s) => s.downMs === d).map((s) => s.firstMessageMs);
      return [String(d), xs.length === 0 ? null : { p50: r1(percentile(xs, 0.5)), max: r1(Math.max(...xs)) }];
    }),
  );
  console.log(
    `first message after the port listens again: p50 ${p50} ms, max ${max} ms (target < ${TARGET_MS} ms)`,
  );
  console.log(
    JSON.stringify({
      bench: "reconnect",
      machine: benchMachine(),
      load_before: loadBefore,
      unit: "milliseconds",
      setup:
        "in-process simulator (klines BTCBUSD, replay speed " +
        speed +
        `); BinanceMarketStream with default options (back-off ${DEFAULT_BACKOFF.initialMs} ms x${DEFAULT_BACKOFF.multiplier} up to ${DEFAULT_BACKOFF.maxMs} ms, jitter ${DEFAULT_BACKOFF.jitter}) on btcbusd@trade + btcbusd@kline_1m -> MessageBus subscriber; pause, wait downMs, resume`,
      measured: "resume() resolved (port listening) -> first message on the bus",
      restarts,
      first_message_p50_ms: p50,
      first_message_max_ms: max,
      by_down_ms: byDown,
      samples,
      stream_reconnects: stats.reconnects,
      stream_connect_attempts: stats.connectAttempts,
      stream_parse_errors: stats.parseErrors,
      target_ms: TARGET_MS,
      target_met_p50: p50 < TARGET_MS,
      target_met_max: max < TARGET_MS,
    }),
  );
}

await main();
