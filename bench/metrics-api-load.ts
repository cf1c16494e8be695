/**
 * Load generator of bench/metrics-api.bench.ts, run as its own process so the client's work does
 * not share the server's event loop. Sends GET <url> at a steady rate (open loop: request i is due
 * at start + i / rate, whatever the responses do) over keep-alive connections, for a warm-up that is
 * not recorded and then a measured duration, and records each request's latency (from the moment
 * it is handed to node:http until its response body has ended, so time spent queued behind a slow
 * server counts) in an HDR histogram. Only loopback addresses are accepted as targets.
 * Bounded: rate x (warm-up + duration) requests at most, each with a timeout; it stops by itself.
 *
 * Run: node_modules/.bin/node bench/metrics-api-load.ts --url http://127.0.0.1:PORT/api/metrics
 *        [--rate 1000] [--duration-s 10] [--warmup-s 1] [--timeout-ms 2000]
 * Last line of stdout: one JSON object with the figures.
 */
import { Agent, request } from "node:http";
import { parseArgs } from "node:util";
import { MetricsRegistry } from "../src/monitor/index.ts";
import { benchMachine } from "./bench-machine.ts";

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);
/** Most connections open at once; a request beyond them waits in the agent (and that wait counts). */
const MAX_SOCKETS = 32;
/** How long to wait for requests still in flight after the last one was sent. */
const DRAIN_MS = 3000;
const HIGHEST_LATENCY_US = 60_000_000;

const { values: args } = parseArgs({
  options: {
    url: { type: "string" },
    rate: { type: "string", default: "1000" },
    "duration-s": { type: "string", default: "10" },
    "warmup-s": { type: "string", default: "1" },
    "timeout-ms": { type: "string", default: "2000" },
  },
});

function fail(message: string): never {
  process.stderr.write(`metrics-api-load: ${message}\n`);
  process.exit(2);
}

function number(name: string, raw: string | undefined, min: number, max: number): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max)
    fail(`--${name} must be a number in ${min}..${max}, got ${raw}`);
  return n;
}

if (args.url === undefined) fail("--url is required");
let target: URL;
try {
  target = new URL(args.url);
} catch {
  fail(`--url is not a URL: ${args.url}`);
}
if (target.protocol !== "http:" || !LOOPBACK_HOSTS.has(target.hostname)) {
  fail(`--url must be http on a loopback address (127.0.0.1, localhost, [::1]), got ${args.url}`);
}
const rate = number("rate", args.rate, 1, 100_000);
const durationS = number("duration-s", args["duration-s"], 0.1, 120);
const warmupS = number("warmup-s", args["warmup-s"], 0, 60);
const timeoutMs = number("timeout-ms", args["timeout-ms"], 1, 60_000);

const agent = new Agent({ keepAlive: true, maxSockets: MAX_SOCKETS });
const registry = new MetricsRegistry();
const latency = registry.histogram("client_latency_us", "Request latency seen by the client", {
  highestTrackableValue: HIGHEST_LATENCY_US,
});
/** How late each request was handed to node:http compared with its schedule (the client's own lag). */
const sendLag = registry.histogram("client_send_lag_us", "Send time minus scheduled time", {
  highestTrackableValue: HIGHEST_LATENCY_US,
});

const warmupCount = Math.round(rate * warmupS);
const measuredCount = Math.round(rate * durationS);
const total = warmupCount + measuredCount;
const intervalMs = 1000 / rate;
let sent = 0;
let completed = 0;
let ok = 0;
let non200 = 0;
let errors = 0;
let timeouts = 0;
let bytes = 0;
let firstError: string | undefined;
let firstBodyChecked = false;
let bodyLooksRight = false;
let measuredStartMs = 0;
let measuredEndMs = 0;
let lastSendMs = 0;
let measuredSent = 0;

function send(index: number, dueMs: number): void {
  const measured = index >= warmupCount;
  const startMs = performance.now();
  if (measured) {
    if (measuredSent === 0) measuredStartMs = startMs;
    measuredSent++;
    lastSendMs = startMs;
    sendLag.record((startMs - dueMs) * 1000);
  }
  const checkBody = !firstBodyChecked;
  firstBodyChecked = true;
  let settled = false;
  const finish = (outcome: "ok" | "status" | "error" | "timeout", detail?: string): void => {
    if (settled) return;
    settled = true;
    completed++;
    if (outcome === "ok") ok++;
    else if (outcome === "status") non200++;
    else if (outcome === "timeout") timeouts++;
    else errors++;
    if (outcome !== "ok") firstError ??= detail;
    if (measured) {
      const endMs = performance.now();
      if (outcome === "ok") latency.record((endMs - startMs) * 1000);
      if (endMs > measuredEndMs) measuredEndMs = endMs;
    }
  };
  const req = request(target, { agent, method: "GET", headers: { accept: "application/json" } }, (res) => {
    const chunks: Buffer[] = [];
    res.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
      if (checkBody) chunks.push(chunk);
    });
    res.on("end", () => {
      if (checkBody) bodyLooksRight = looksLikeMetrics(Buffer.concat(chunks).toString("utf8"));
      if (res.statusCode === 200) finish("ok");
      else finish("status", `HTTP ${res.statusCode}`);
    });
    res.on("error", (err) => finish("error", err.message));
  });
  req.setTimeout(timeoutMs, () => {
    finish("timeout", `no response within ${timeoutMs} ms`);
    req.destroy();
  });
  req.on("error", (err) => finish("error", err.message));
  req.end();
}

function looksLikeMetrics(text: string): boolean {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === "object";
  } catch {
    return false;
  }
}

/** Sends every request whose time has come, then sleeps until the next one is due. */
function pump(startMs: number): void {
  const now = performance.now();
  while (sent < total) {
    const dueMs = startMs + sent * intervalMs;
    if (dueMs > now) break;
    send(sent, dueMs);
    sent++;
  }
  if (sent < total) {
    const nextDue = startMs + sent * intervalMs;
    setTimeout(() => pump(startMs), Math.max(0, nextDue - performance.now()));
  } else {
    afterLastSend();
  }
}

let drainTimer: NodeJS.Timeout | undefined;
function afterLastSend(): void {
  const deadline = performance.now() + DRAIN_MS;
  const check = (): void => {
    if (completed >= total || performance.now() >= deadline) {
      report();
      return;
    }
    drainTimer = setTimeout(check, 5);
  };
  check();
}

function report(): void {
  if (drainTimer !== undefined) clearTimeout(drainTimer);
  const inFlight = total - completed;
  const lat = latency.snapshotOne();
  const lag = sendLag.snapshotOne();
  // Sent rate over the sending window (n requests span n - 1 intervals); completed over send start to last response.
  const sendSpanS = Math.max(lastSendMs - measuredStartMs, 1) / 1000;
  const spanS = Math.max(measuredEndMs - measuredStartMs, 1) / 1000;
  const ms = (us: number): number => Math.round(us) / 1000;
  agent.destroy();
  console.log(
    JSON.stringify({
      role: "metrics-api-load",
      url: target.href,
      machine: benchMachine(),
      rate_target_per_s: rate,
      duration_s: durationS,
      warmup_requests: warmupCount,
      requests_measured: measuredCount,
      sent_measured: measuredSent,
      ok_measured: lat.count,
      achieved_rate_per_s: Math.round((measuredSent - 1) / sendSpanS),
      completed_rate_per_s: Math.round(lat.count / spanS),
      ok_total: ok,
      non_200: non200,
      errors,
      timeouts,
      unfinished: inFlight,
      first_error: firstError,
      body_is_json: bodyLooksRight,
      bytes_received: bytes,
      latency_ms: {
        p50: ms(lat.p50),
        p90: ms(lat.p90),
        p99: ms(lat.p99),
        p999: ms(lat.p999),
        max: ms(lat.max),
        mean: Math.round(lat.mean) / 1000,
      },
      send_lag_ms: { p50: ms(lag.p50), p99: ms(lag.p99), max: ms(lag.max) },
    }),
  );
  process.exitCode = errors + timeouts + non200 + inFlight > 0 ? 1 : 0;
  // Requests abandoned after the drain bound must not keep the process alive.
  setTimeout(() => process.exit(), 1000).unref();
}

pump(performance.now());
