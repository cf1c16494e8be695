/**
 * Restart recovery benchmark (issue 6): DES on the Binance venue restarts on the database a long run
 * left (1,000,000 historical orders by default), and we measure how long until it trades again.
 * Target: restart to trading again <= 2 s.
 *
 * Setup (reported, not counted): the Binance simulator starts in a child process (its CPU does not
 * count), with the account's balances; bench/support/recovery-fixture.ts builds the database (orders,
 * done intents, one fill each, strategies' and risk state, the portfolio baseline and a books
 * snapshot taken --tail fills before the end, as after a crash between two snapshots); 5 LIMIT
 * orders rest at the simulator with open intents (resumed at restart), and 2 intents were never
 * placed and are 10 minutes old (rejected at restart).
 *
 * Each measured run is a fresh DES process (a restart is one: cold JIT, nothing cached) on a fresh
 * copy of the database file: loadConfig + DesApp.create -> start() resolved (books, journal,
 * venue, reconciliation, strategies, API, market data) -> one MARKET order published on the bus
 * -> its OrderFilled (FILLED). restartToTradingMs is the last: create to the first new fill. The
 * same runs without the books snapshot row (every stored fill replayed) are shown for comparison.
 *
 * Run: node_modules/.bin/node bench/recovery.bench.ts [--orders 1000000] [--runs 5] [--tail 100]
 *      [--replay-runs 5] [--keep]
 * Profile a run: RECOVERY_CHILD_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" (one profile per run).
 * Last line of stdout: one JSON object.
 */
import { type ChildProcess, fork } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { parseArgs } from "node:util";
import { createLogger, DesApp, loadConfig } from "../src/app/index.ts";
import { Topic } from "../src/bus/index.ts";
import {
  type AccountId,
  accountId,
  clientOrderId,
  Decimal,
  type InstrumentId,
  LiveClock,
  type StrategyId,
} from "../src/core/index.ts";
import { type OrderEvent, parseExchangeInfo } from "../src/model/index.ts";
import type { BinanceSimulatorOptions } from "../src/sim/index.ts";
import { DOCS_HMAC_API_KEY, DOCS_HMAC_SECRET_KEY } from "../src/sim/index.ts";
import { BinanceRestClient, loadBinanceCredentials } from "../src/venues/binance/index.ts";
import { benchMachine } from "./bench-machine.ts";
import {
  addOpenIntents,
  buildRecoveryHistory,
  checkpoint,
  copyDatabase,
  type FixtureStrategy,
  type OpenIntentSeed,
  removeBooksSnapshot,
} from "./support/recovery-fixture.ts";
import { startSimProcess, stopSimProcess } from "./support/sim-process.ts";

const TARGET_RESTART_TO_TRADING_MS = 2000;
const SYMBOL = "BTCBUSD";
/** The Binance venue's account id (BINANCE_ACCOUNT in src/app/venue-setup.ts). */
const ACCOUNT: AccountId = accountId("binance");
const VENUE_BALANCES = { BUSD: "1000000", BTC: "10" };
const HIGH_LIMITS = { weightPerMinute: 100_000_000, ordersPer10s: 100_000_000, ordersPerDay: 100_000_000 };
/** What a real run might trade BTCBUSD with: a moving-average cross and an RSI reversion on 1m bars. */
const STRATEGIES: readonly FixtureStrategy[] = [
  { id: "ma-1m", strategy: "ma_cross", params: { fast: 10, slow: 30, size: "0.001" } },
  { id: "rsi-1m", strategy: "rsi", params: { period: 14, oversold: 30, overbought: 70, size: "0.001" } },
];
/** Open intents whose orders rest at the venue (resumed at restart). */
const RESTING_ORDERS = 5;
/** Open intents the venue never placed, 10 minutes old (rejected at restart, not sent). */
const NEVER_PLACED = 2;
const CHILD_TIMEOUT_MS = 180_000;
const FIRST_FILL_TIMEOUT_MS = 30_000;

/** What one restart measured (sent by the child process). */
interface RunResult {
  readonly ok: boolean;
  readonly error?: string;
  /** Process start to every module imported (not counted). */
  readonly importMs: number;
  readonly createMs: number;
  readonly startMs: number;
  readonly firstFillMs: number;
  readonly firstFillPrice?: string;
  readonly recovery?: unknown;
  /** When each start-up step logged its end, ms after create began (see PHASES). */
  readonly phasesMs?: Readonly<Record<string, number>>;
  readonly books?: unknown;
  readonly journaledOrders?: unknown;
  readonly warnings: number;
  readonly firstWarnings: readonly string[];
  readonly errors: number;
}

/** Start-up log lines (src/app) whose time marks the end of a step, and the step's name. */
const PHASES: Readonly<Record<string, string>> = {
  "risk state restored": "riskRestored",
  "books and open orders restored from the store": "booksAndJournalRestored",
  "start-up reconciliation with the venue done": "venueReconciled",
  "strategy status": "strategiesStarted",
  "DES running": "running",
};

/** What the parent hands a child run. */
interface ChildJob {
  readonly env: Record<string, string>;
  readonly clientOrderId: string;
  readonly side: "BUY" | "SELL";
  readonly strategyId: string;
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

/** p50 and max of a series (nearest rank). */
function summary(xs: readonly number[]): { p50: number; max: number; min: number } {
  const s = [...xs].sort((a, b) => a - b);
  return {
    p50: round1(s[Math.floor((s.length - 1) / 2)] ?? Number.NaN),
    max: round1(s[s.length - 1] ?? Number.NaN),
    min: round1(s[0] ?? Number.NaN),
  };
}

// ---------------------------------------------------------------- child: one restart

async function childRun(job: ChildJob): Promise<RunResult> {
  const importMs = performance.now();
  const lines: Array<Record<string, unknown>> = [];
  const phasesMs: Record<string, number> = {};
  let t0 = performance.now();
  const sink = new Writable({
    write(chunk, _encoding, done) {
      const at = round1(performance.now() - t0);
      for (const line of String(chunk).split("\n")) {
        if (line.trim() === "") continue;
        let entry: Record<string, unknown>;
        try {
          entry = JSON.parse(line) as Record<string, unknown>;
        } catch {
          entry = { level: 50, msg: line };
        }
        lines.push(entry);
        const phase = PHASES[String(entry["msg"])];
        if (phase !== undefined) phasesMs[phase] = at;
      }
      done();
    },
  });
  const logger = createLogger("info", sink);
  const logged = () => {
    const warnings = lines.filter((l) => Number(l["level"]) === 40);
    const restored = lines.find((l) => l["msg"] === "books and open orders restored from the store");
    return {
      warnings: warnings.length,
      firstWarnings: warnings.slice(0, 4).map((w) => JSON.stringify(w).slice(0, 300)),
      errors: lines.filter((l) => Number(l["level"]) >= 50).length,
      books: restored?.["books"],
      journaledOrders: restored?.["orders"],
    };
  };
  t0 = performance.now();
  let app: DesApp | undefined;
  try {
    app = await DesApp.create(loadConfig({ env: job.env }), { logger });
    const tCreated = performance.now();
    const id = clientOrderId(job.clientOrderId);
    let settle: (e: OrderEvent) => void = () => {};
    const ended = new Promise<OrderEvent>((resolve) => {
      settle = resolve;
    });
    let tFilled = 0;
    app.bus.subscribe(
      Topic.OrderEvent,
      (e: OrderEvent) => {
        if (e.clientOrderId !== id) return;
        if (e.kind === "OrderFilled" && e.orderStatus === "FILLED") {
          tFilled = performance.now();
          settle(e);
        } else if (e.kind === "OrderDenied" || e.kind === "OrderRejected" || e.kind === "OrderExpired") {
          settle(e);
        }
      },
      "bench.first-order",
    );
    await app.start();
    const tStarted = performance.now();
    app.bus.publish(Topic.SubmitOrder, {
      kind: "SubmitOrder",
      clientOrderId: id,
      strategyId: job.strategyId as StrategyId,
      instrumentId: SYMBOL as InstrumentId,
      side: job.side,
      type: "MARKET",
      quantity: Decimal.from("0.001"),
      createdAt: new LiveClock().now(),
    });
    let timer: NodeJS.Timeout | undefined;
    const end = await Promise.race([
      ended,
      new Promise<undefined>((r) => {
        timer = setTimeout(() => r(undefined), FIRST_FILL_TIMEOUT_MS);
      }),
    ]);
    clearTimeout(timer);
    const ok = end?.kind === "OrderFilled";
    const result: RunResult = {
      ok,
      ...(ok
        ? {}
        : {
            error:
              end === undefined
                ? `no fill within ${FIRST_FILL_TIMEOUT_MS} ms`
                : `${end.kind}: ${"reason" in end ? end.reason : ""}`,
          }),
      importMs: round1(importMs),
      createMs: round1(tCreated - t0),
      startMs: round1(tStarted - t0),
      firstFillMs: round1(tFilled - t0),
      firstFillPrice: end?.kind === "OrderFilled" ? end.lastPrice.toString() : undefined,
      recovery: app.recovery,
      phasesMs: { ...phasesMs },
      ...logged(),
    };
    return result;
  } catch (e) {
    return {
      ok: false,
      error: String(e),
      importMs: round1(importMs),
      createMs: 0,
      startMs: 0,
      firstFillMs: 0,
      ...logged(),
    };
  } finally {
    await app?.stop("bench done");
  }
}

// ---------------------------------------------------------------- parent

/** Runs one restart in a fresh process; resolves with what it measured. */
function runChild(job: ChildJob, execArgv: readonly string[]): Promise<RunResult> {
  const child: ChildProcess = fork(new URL(import.meta.url), ["--child", JSON.stringify(job)], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    execArgv: [...process.execArgv, ...execArgv],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`restart run did not finish within ${CHILD_TIMEOUT_MS} ms`));
    }, CHILD_TIMEOUT_MS);
    let result: RunResult | undefined;
    child.on("message", (m: RunResult) => {
      result = m;
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      if (result !== undefined) resolve(result);
      else reject(new Error(`restart run exited (code ${code}) without a result`));
    });
  });
}

/** DES's settings for a restart on the simulator (as test/support/des-on-sim.ts sets them). */
function desEnv(port: number, dir: string, dbPath: string): Record<string, string> {
  const strategiesFile = join(dir, "strategies.json");
  writeFileSync(
    strategiesFile,
    JSON.stringify(
      STRATEGIES.map((s) => ({
        id: s.id,
        strategy: s.strategy,
        instrument: SYMBOL,
        interval: "1m",
        params: s.params,
      })),
    ),
  );
  const base = `127.0.0.1:${port}`;
  return {
    DES_PORT: "0",
    DES_DB_PATH: dbPath,
    DES_STRATEGIES_FILE: strategiesFile,
    DES_VENUE: "binance",
    DES_LOG_LEVEL: "info",
    BINANCE_ENV: "custom",
    BINANCE_REST_URL: `http://${base}`,
    BINANCE_STREAM_URL: `ws://${base}`,
    BINANCE_WS_API_URL: `ws://${base}/ws-api/v3`,
    BINANCE_API_KEY: DOCS_HMAC_API_KEY,
    BINANCE_SECRET_KEY: DOCS_HMAC_SECRET_KEY,
  };
}

/** Places the resting LIMIT orders of the earlier run at the simulator (far below the market). */
async function placeRestingOrders(rest: BinanceRestClient, sentAtUs: number): Promise<OpenIntentSeed[]> {
  const seeds: OpenIntentSeed[] = [];
  for (let i = 0; i < RESTING_ORDERS; i++) {
    const id = `rec-open-${i}`;
    const price = `${9000 + i * 10}.00`;
    const placed = await rest.newOrder({
      symbol: SYMBOL,
      side: "BUY",
      type: "LIMIT",
      timeInForce: "GTC",
      quantity: "0.002",
      price,
      newClientOrderId: id,
      newOrderRespType: "RESULT",
    });
    seeds.push({
      clientOrderId: id,
      strategyId: STRATEGIES[i % STRATEGIES.length]!.id,
      instrumentId: SYMBOL as InstrumentId,
      side: "BUY",
      type: "LIMIT",
      quantity: "0.002",
      price,
      sentAtUs,
      venueOrderId: String(placed.orderId),
    });
  }
  for (let i = 0; i < NEVER_PLACED; i++) {
    seeds.push({
      clientOrderId: `rec-lost-${i}`,
      strategyId: STRATEGIES[i % STRATEGIES.length]!.id,
      instrumentId: SYMBOL as InstrumentId,
      side: "BUY",
      type: "MARKET",
      quantity: "0.001",
      sentAtUs: Date.now() * 1000 - 600_000_000,
    });
  }
  return seeds;
}

/** True when both hold the same amount of every asset (exactly; absent = 0). */
function sameTotals(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const assets = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...assets].every((k) => Decimal.from(a[k] ?? "0").eq(Decimal.from(b[k] ?? "0")));
}

interface VariantResult {
  readonly runs: RunResult[];
  readonly startMs: ReturnType<typeof summary>;
  readonly firstFillMs: ReturnType<typeof summary>;
  readonly createMs: ReturnType<typeof summary>;
  readonly importMs: ReturnType<typeof summary>;
  readonly failures: number;
}

async function runVariant(
  name: string,
  template: string,
  runs: number,
  work: string,
  port: number,
  seq: { n: number },
  execArgv: readonly string[],
): Promise<VariantResult> {
  const results: RunResult[] = [];
  for (let i = 0; i < runs; i++) {
    const dir = join(work, `${name}-${i}`);
    mkdirSync(dir, { recursive: true });
    const dbPath = join(dir, "des.sqlite");
    copyDatabase(template, dbPath);
    const n = seq.n++;
    const job: ChildJob = {
      env: desEnv(port, dir, dbPath),
      clientOrderId: `rec-bench-${process.pid}-${n}`,
      // Alternating, so the simulator's balances stay near the books' (the first order is a BUY).
      side: n % 2 === 0 ? "BUY" : "SELL",
      strategyId: STRATEGIES[0]!.id,
    };
    const r = await runChild(job, execArgv);
    results.push(r);
    console.log(
      `  ${name} run ${i + 1}/${runs}: ${r.ok ? "" : `FAILED (${r.error}) `}create ${r.createMs} ms, ` +
        `start() ${r.startMs} ms, first fill ${r.firstFillMs} ms (imports before: ${r.importMs} ms); ` +
        `steps ${JSON.stringify(r.phasesMs)}; ` +
        `books ${JSON.stringify(r.books)}, recovery ${JSON.stringify(r.recovery)}, warnings ${r.warnings}, errors ${r.errors}`,
    );
    for (const w of r.firstWarnings) console.log(`    warning: ${w}`);
    rmSync(dir, { recursive: true, force: true });
  }
  const ok = results.filter((r) => r.ok);
  return {
    runs: results,
    startMs: summary(ok.map((r) => r.startMs)),
    firstFillMs: summary(ok.map((r) => r.firstFillMs)),
    createMs: summary(ok.map((r) => r.createMs)),
    importMs: summary(ok.map((r) => r.importMs)),
    failures: results.length - ok.length,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      orders: { type: "string", default: "1000000" },
      runs: { type: "string", default: "5" },
      "replay-runs": { type: "string" },
      tail: { type: "string", default: "100" },
      keep: { type: "boolean", default: false },
    },
  });
  const orders = Number(values.orders);
  const runs = Number(values.runs);
  const replayRuns = Number(values["replay-runs"] ?? values.runs);
  const tail = Number(values.tail);
  if (!(orders > 0 && runs > 0 && replayRuns >= 0 && tail >= 0 && tail < orders)) {
    throw new Error("--orders, --runs > 0; --replay-runs, --tail >= 0; --tail < --orders");
  }
  const loadBefore = benchMachine().loadAvg;
  const childArgs = (process.env["RECOVERY_CHILD_NODE_ARGS"] ?? "").split(" ").filter((a) => a !== "");
  const simOptions: BinanceSimulatorOptions = {
    sources: [{ kind: "klines", ids: ["btcbusd-1m-2022-12-13"], speed: 1 }],
    limits: HIGH_LIMITS,
    accounts: [
      {
        accountId: "hmac",
        apiKey: DOCS_HMAC_API_KEY,
        hmacSecret: DOCS_HMAC_SECRET_KEY,
        balances: VENUE_BALANCES,
      },
    ],
  };
  const sim = await startSimProcess(simOptions);
  const work = mkdtempSync(join(tmpdir(), "des-recovery-bench-"));
  const rest = new BinanceRestClient({
    baseUrl: `http://127.0.0.1:${sim.port}`,
    forbidProductionHosts: true,
    rateLimits: HIGH_LIMITS,
    credentials: loadBinanceCredentials({ apiKey: DOCS_HMAC_API_KEY, secretKey: DOCS_HMAC_SECRET_KEY }),
  });
  console.log(`simulator process ${sim.child.pid} on 127.0.0.1:${sim.port}; work dir ${work}`);
  try {
    const instrument = [...parseExchangeInfo(await rest.exchangeInfo([SYMBOL])).values()][0];
    if (instrument === undefined) throw new Error(`the simulator does not list ${SYMBOL}`);

    // (1) The database a long run left.
    const template = join(work, "history.sqlite");
    const history = await buildRecoveryHistory({
      path: template,
      orders,
      accountId: ACCOUNT,
      instrument,
      strategies: STRATEGIES,
      venueTotals: VENUE_BALANCES,
      lastFillAtMs: Date.now() - 30_000,
      fillsAfterSnapshot: tail,
      seed: 20221213,
    });
    const tOpen0 = performance.now();
    const seeds = await placeRestingOrders(rest, Date.now() * 1000 - 20_000_000);
    await addOpenIntents(template, seeds);
    checkpoint(template);
    const withoutSnapshot = join(work, "history-no-snapshot.sqlite");
    copyDatabase(template, withoutSnapshot);
    removeBooksSnapshot(withoutSnapshot);
    const openIntentsMs = round1(performance.now() - tOpen0);
    const consistent = sameTotals(history.desTotals, VENUE_BALANCES);
    console.log(
      `database built in ${(history.ms.total / 1000).toFixed(1)} s: ${orders} orders (${history.rows} rows: orders, ` +
        `intents, fills), ${(history.databaseBytes / 2 ** 20).toFixed(0)} MiB; schema ${history.ms.schema} ms, ` +
        `bulk insert ${history.ms.bulkInsert} ms, portfolio applying the fills ${history.ms.portfolio} ms, ` +
        `app records ${history.ms.appRecords} ms; open intents ${openIntentsMs} ms`,
    );
    console.log(
      `books snapshot ${(history.snapshotBytes / 2 ** 20).toFixed(2)} MiB (${history.snapshotTradeIds} trade ids), ` +
        `${tail} fills after it; baseline ${JSON.stringify(history.baselineCash)}; books' totals ` +
        `${JSON.stringify(history.desTotals)} ${consistent ? "equal" : "DIFFER FROM"} the venue's ${JSON.stringify(VENUE_BALANCES)}`,
    );

    // (2) Restarts.
    const seq = { n: 0 };
    console.log(`restarts with the books snapshot (${runs}, each a fresh process and a fresh copy):`);
    const snap = await runVariant("snapshot", template, runs, work, sim.port, seq, childArgs);
    console.log(`restarts without it (every stored fill replayed) (${replayRuns}):`);
    const replay =
      replayRuns > 0
        ? await runVariant("replay", withoutSnapshot, replayRuns, work, sim.port, seq, childArgs)
        : undefined;

    const line = (name: string, v: VariantResult) =>
      `${name}: start() p50 ${v.startMs.p50} ms max ${v.startMs.max} ms; to the first new fill p50 ` +
      `${v.firstFillMs.p50} ms max ${v.firstFillMs.max} ms (create ${v.createMs.p50} ms p50)` +
      (v.failures > 0 ? `; ${v.failures} FAILED` : "");
    console.log(line("with snapshot", snap));
    if (replay !== undefined) console.log(line("full replay  ", replay));
    const metP50 = snap.failures === 0 && snap.firstFillMs.p50 <= TARGET_RESTART_TO_TRADING_MS;
    const metMax = snap.failures === 0 && snap.firstFillMs.max <= TARGET_RESTART_TO_TRADING_MS;
    console.log(
      `target: restart to trading again <= ${TARGET_RESTART_TO_TRADING_MS} ms: p50 ${metP50 ? "met" : "MISSED"}, ` +
        `every run ${metMax ? "met" : "MISSED"}`,
    );
    const strip = (v: VariantResult) => ({
      runs: v.runs.length,
      failures: v.failures,
      startMs: v.startMs,
      firstFillMs: v.firstFillMs,
      createMs: v.createMs,
      importMsNotCounted: v.importMs,
      books: v.runs[0]?.books,
      recovery: v.runs[0]?.recovery,
      processStartToTradingMsNotTarget: summary(
        v.runs.filter((r) => r.ok).map((r) => r.importMs + r.firstFillMs),
      ),
      perRun: v.runs.map((r) => ({
        ok: r.ok,
        createMs: r.createMs,
        startMs: r.startMs,
        firstFillMs: r.firstFillMs,
        steps: r.phasesMs,
      })),
    });
    console.log(
      JSON.stringify({
        bench: "recovery",
        machine: benchMachine(),
        load_before: loadBefore,
        history: {
          orders,
          rows: history.rows,
          databaseBytes: history.databaseBytes,
          snapshotBytes: history.snapshotBytes,
          snapshotTradeIds: history.snapshotTradeIds,
          fillsAfterSnapshot: tail,
          openIntents: { resting: RESTING_ORDERS, neverPlaced: NEVER_PLACED },
          buildMs: { ...history.ms, openIntents: openIntentsMs },
          booksEqualVenue: consistent,
        },
        measured: "fresh process per run: loadConfig + DesApp.create -> start() -> first MARKET order filled",
        restartToTradingMs: snap.firstFillMs.p50,
        restartToTradingMaxMs: snap.firstFillMs.max,
        withSnapshot: strip(snap),
        fullReplay: replay === undefined ? null : strip(replay),
        targets: { restartToTradingMs: TARGET_RESTART_TO_TRADING_MS },
        met: { restartToTradingP50: metP50, restartToTradingEveryRun: metMax },
        meetsTargets: metP50,
      }),
    );
  } finally {
    await rest.close();
    await stopSimProcess(sim.child);
    if (!values.keep) rmSync(work, { recursive: true, force: true });
    else console.error(`kept ${work}`);
  }
}

const childAt = process.argv.indexOf("--child");
if (childAt >= 0) {
  const job = JSON.parse(process.argv[childAt + 1] ?? "{}") as ChildJob;
  const result = await childRun(job);
  process.send?.(result, () => process.exit(0));
} else {
  await main();
}
