/**
 * GET /api/metrics latency under a steady 1,000 requests/s while the full app runs (target p99 <= 1 ms).
 *
 * Starts the whole DesApp in this process as `des run` would (port 0 on 127.0.0.1, replay speed
 * "max" with loop so a replay runs the whole time, SQLite in a temp dir, the strategies of
 * config/strategies.json, log level silent) and forks bench/metrics-api-load.ts as a second process
 * that sends the requests (open loop, keep-alive) and measures them. Besides the client's latencies
 * it records, without touching src/, the server's own handling time (fastify's reply.elapsedTime in
 * an onResponse hook added before the server starts) and this process's event-loop delay, which is
 * what a request waits for while a replay batch runs. At the end the app is stopped gracefully.
 *
 * Run: node_modules/.bin/node bench/metrics-api.bench.ts [--rate 1000] [--duration-s 10]
 *        [--warmup-s 1] [--replay running|paused]
 * (--replay paused measures the same server with the replay paused: the baseline without load.)
 * Last line of stdout: one JSON object.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createLogger, DesApp, loadConfig } from "../src/app/index.ts";
import { MetricsRegistry } from "../src/monitor/index.ts";
import { benchMachine } from "./bench-machine.ts";

const TARGET_P99_MS = 1;
const METRICS_PATH = "/api/metrics";
/** Slack on top of the load's own length before the load process is killed. */
const CHILD_GRACE_MS = 15_000;

const { values: args } = parseArgs({
  options: {
    rate: { type: "string", default: "1000" },
    "duration-s": { type: "string", default: "10" },
    "warmup-s": { type: "string", default: "1" },
    replay: { type: "string", default: "running" },
    // The replay speed of `npm start` (600 x real time) by default; "max" saturates the event loop.
    speed: { type: "string", default: "600" },
  },
});
if (args.replay !== "running" && args.replay !== "paused") {
  throw new Error(`--replay must be running or paused, got ${args.replay}`);
}
const durationS = Number(args["duration-s"]);
const warmupS = Number(args["warmup-s"]);
if (!(durationS > 0 && durationS <= 120) || !(warmupS >= 0 && warmupS <= 60)) {
  throw new Error("--duration-s must be in (0, 120] and --warmup-s in [0, 60]");
}

const repo = fileURLToPath(new URL("..", import.meta.url));
const loadScript = fileURLToPath(new URL("./metrics-api-load.ts", import.meta.url));
const dir = await mkdtemp(join(tmpdir(), "des-bench-metrics-"));

const config = loadConfig({
  env: {
    DES_HOST: "127.0.0.1",
    DES_PORT: "0",
    DES_DB_PATH: join(dir, "des.sqlite"),
    DES_STRATEGIES_FILE: join(repo, "config", "strategies.json"),
    DES_DATASET: join(repo, "data", "market", "manifest.json"),
    DES_REPLAY_SPEED: args.speed,
    DES_REPLAY_LOOP: "true",
    DES_LOG_LEVEL: "silent",
  },
});
const app = await DesApp.create(config, { logger: createLogger("silent") });

const serverTime = new MetricsRegistry().histogram("server_handling_us", "fastify reply.elapsedTime", {
  highestTrackableValue: 60_000_000,
});
let serverRequests = 0;
// Hooks can only be added before the server starts; this one costs one histogram record per request.
app.api.app.addHook("onResponse", (request, reply, done) => {
  if (request.url === METRICS_PATH) {
    serverRequests++;
    serverTime.record(reply.elapsedTime * 1000);
  }
  done();
});

let childOutput = "";
let childExit: number | null = null;
let loopDelay: ReturnType<typeof monitorEventLoopDelay> | undefined;
let replayBefore = 0;
let replayAfter = 0;
let measuredS = 0;
let graceful = false;
let metricsBytes = 0;
try {
  const url = await app.start();
  if (args.replay === "paused") app.replay.pause();
  const sample = await fetch(`${url}${METRICS_PATH}`);
  metricsBytes = (await sample.text()).length;

  loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  replayBefore = app.replay.stats().eventsReplayed;
  const t0 = performance.now();
  const child = spawn(
    process.execPath,
    [
      loadScript,
      "--url",
      `${url}${METRICS_PATH}`,
      "--rate",
      String(args.rate),
      "--duration-s",
      String(durationS),
      "--warmup-s",
      String(warmupS),
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    childOutput += chunk;
  });
  const killAfterMs = (warmupS + durationS) * 1000 + CHILD_GRACE_MS;
  const killer = setTimeout(() => child.kill("SIGKILL"), killAfterMs);
  childExit = await new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  clearTimeout(killer);
  measuredS = (performance.now() - t0) / 1000;
  replayAfter = app.replay.stats().eventsReplayed;
  loopDelay.disable();
} finally {
  graceful = await app.stop("benchmark finished");
  await rm(dir, { recursive: true, force: true });
}

const lastLine = childOutput.trim().split("\n").pop() ?? "";
let load: Record<string, unknown> & { latency_ms?: { p99?: number } };
try {
  load = JSON.parse(lastLine);
} catch {
  throw new Error(`the load process (exit ${childExit}) printed no JSON result: ${lastLine.slice(0, 200)}`);
}
const server = serverTime.snapshotOne();
const ms = (us: number): number => Math.round(us) / 1000;
const nsToMs = (ns: number): number => Math.round(ns / 1000) / 1000;
const p99 = load.latency_ms?.p99;
const result = {
  bench: "metrics-api",
  machine: benchMachine(),
  replay: args.replay,
  replaySpeed: args.speed,
  strategies: app.strategies.ids().length,
  replay_events_per_s_during_load: Math.round((replayAfter - replayBefore) / measuredS),
  metrics_response_bytes: metricsBytes,
  client: load,
  server_handling_ms: {
    requests: serverRequests,
    p50: ms(server.p50),
    p90: ms(server.p90),
    p99: ms(server.p99),
    max: ms(server.max),
  },
  event_loop_delay_ms:
    loopDelay === undefined
      ? undefined
      : {
          p50: nsToMs(loopDelay.percentile(50)),
          p99: nsToMs(loopDelay.percentile(99)),
          max: nsToMs(loopDelay.max),
        },
  app_stopped_gracefully: graceful,
  load_exit_code: childExit,
  target_p99_ms: TARGET_P99_MS,
  target_met: typeof p99 === "number" && p99 <= TARGET_P99_MS && childExit === 0,
};
console.log(
  `client p99 ${p99} ms at ${String(load["achieved_rate_per_s"])} req/s; server p99 ${ms(server.p99)} ms; ` +
    `replay ${result.replay_events_per_s_during_load} events/s`,
);
console.log(JSON.stringify(result));
