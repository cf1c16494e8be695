/**
 * Portfolio restore benchmark: what restart recovery pays to bring the books back from a snapshot
 * (1,000 strategies x 5 instruments, a full memory of 100,000 trade ids) against replaying fills
 * through applyFill (1,000,000 of them, today's way).
 *
 * Run: node_modules/.bin/node bench/portfolio-restore.bench.ts   (prints one JSON line last)
 */
import { isDeepStrictEqual } from "node:util";
import { MessageBus } from "../src/bus/index.ts";
import {
  accountId,
  asMicros,
  clientOrderId,
  Decimal,
  dec,
  type InstrumentId,
  LiveClock,
  type StrategyId,
  strategyId,
  tradeId,
  venueOrderId,
} from "../src/core/index.ts";
import type { Instrument, OrderFilled } from "../src/model/index.ts";
import { Portfolio } from "../src/portfolio/index.ts";
import { spot } from "../src/portfolio/test-support/books-fixture.ts";
import { benchMachine } from "./bench-machine.ts";

const STRATEGIES = 1_000;
const HISTORY_FILLS = 200_000; // builds the snapshot: every book and position, a full trade id memory
const REPLAY_FILLS = 1_000_000;
const RESTORE_RUNS = 7;

const ACCOUNT = accountId("paper");
const instruments: Instrument[] = ["BTC", "ETH", "BNB", "SOL", "XRP"].map((b) => spot(`${b}USDT`, b, "USDT"));
const ids = instruments.map((i) => i.id);
const strategies: StrategyId[] = Array.from({ length: STRATEGIES }, (_, i) => strategyId(`strategy-${i}`));
const quantities = ["0.001", "0.01", "0.1", "0.25", "1"].map(dec);
const prices = Array.from({ length: 64 }, (_, i) => dec(`${1000 + i * 7}.25`));
const commission = dec("0.01");
const t0 = Date.UTC(2024, 0, 1) * 1000;

function newPortfolio(): Portfolio {
  return new Portfolio({
    bus: new MessageBus(),
    clock: new LiveClock(),
    instruments,
    initialCash: { paper: { USDT: "1000000" } },
  });
}

/** The n-th fill of a deterministic history: strategies and instruments in turn, mixed sides. */
function fillAt(n: number): OrderFilled {
  const strategy = strategies[n % STRATEGIES]!;
  const instrument: InstrumentId = ids[Math.floor(n / STRATEGIES) % ids.length]!;
  return {
    kind: "OrderFilled",
    clientOrderId: clientOrderId(`c${n}`),
    strategyId: strategy,
    instrumentId: instrument,
    accountId: ACCOUNT,
    venueOrderId: venueOrderId(n),
    tradeId: tradeId(n),
    side: (n * 2654435761) % 7 < 4 ? "BUY" : "SELL",
    lastQty: quantities[n % quantities.length]!,
    lastPrice: prices[(n * 31) % prices.length]!,
    commission: n % 3 === 0 ? Decimal.ZERO : commission,
    commissionAsset: "USDT",
    liquidity: "TAKER",
    orderStatus: "FILLED",
    ts: asMicros(t0 + n),
  };
}

const ms = (start: number): number => performance.now() - start;
const round = (x: number): number => Math.round(x * 100) / 100;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// The snapshot.
const original = newPortfolio();
for (let n = 0; n < HISTORY_FILLS; n++) original.applyFill(fillAt(n));
let start = performance.now();
const snapshot = original.exportBooks();
const exportMs = ms(start);
start = performance.now();
const json = JSON.stringify(snapshot);
const stringifyMs = ms(start);
const positions = snapshot.books.reduce((sum, b) => sum + b.positions.length, 0);
console.log(
  `snapshot: ${snapshot.books.length} books, ${positions} positions, ${snapshot.recentTradeIds.length} trade ids, ` +
    `${(json.length / 2 ** 20).toFixed(2)} MiB; exportBooks ${exportMs.toFixed(1)} ms, stringify ${stringifyMs.toFixed(1)} ms`,
);

// Restoring it: JSON.parse, then restoreBooks (validation and rebuild) into a fresh portfolio.
const parseRuns: number[] = [];
const restoreRuns: number[] = [];
let restored = newPortfolio();
for (let run = 0; run < RESTORE_RUNS; run++) {
  restored = newPortfolio();
  start = performance.now();
  const parsed: unknown = JSON.parse(json);
  parseRuns.push(ms(start));
  start = performance.now();
  restored.restoreBooks(parsed);
  restoreRuns.push(ms(start));
}
const exact = isDeepStrictEqual(
  { ...restored.exportBooks(), takenAt: 0 },
  { ...original.exportBooks(), takenAt: 0 },
);
const parseMs = median(parseRuns);
const restoreMs = median(restoreRuns);
console.log(
  `restore (median of ${RESTORE_RUNS}): JSON.parse ${parseMs.toFixed(1)} ms + restoreBooks ${restoreMs.toFixed(1)} ms ` +
    `(first run ${(parseRuns[0]! + restoreRuns[0]!).toFixed(1)} ms); state equal to the original: ${exact}`,
);

// For comparison: replaying fills one by one (fill objects are built in the loop, as a store read would).
const replay = newPortfolio();
const warmUp = newPortfolio();
for (let n = 0; n < 50_000; n++) warmUp.applyFill(fillAt(n));
start = performance.now();
let applied = 0;
for (let n = 0; n < REPLAY_FILLS; n++) if (replay.applyFill(fillAt(n))) applied++;
const replayMs = ms(start);
console.log(
  `applyFill x ${REPLAY_FILLS}: ${replayMs.toFixed(0)} ms (${((replayMs * 1000) / REPLAY_FILLS).toFixed(2)} us/fill, ` +
    `${Math.round(REPLAY_FILLS / (replayMs / 1000))} fills/s); restore is ${(replayMs / (parseMs + restoreMs)).toFixed(0)}x faster`,
);

console.log(
  JSON.stringify({
    bench: "portfolio-restore",
    strategies: STRATEGIES,
    instrumentsPerStrategy: ids.length,
    books: snapshot.books.length,
    positions,
    rememberedTradeIds: snapshot.recentTradeIds.length,
    snapshotBytes: json.length,
    exportMs: round(exportMs),
    stringifyMs: round(stringifyMs),
    parseMs: round(parseMs),
    restoreMs: round(restoreMs),
    restoreTotalMs: round(parseMs + restoreMs),
    firstRestoreTotalMs: round(parseRuns[0]! + restoreRuns[0]!),
    restoredExactly: exact,
    replayFills: REPLAY_FILLS,
    replayApplied: applied,
    replayMs: round(replayMs),
    replayUsPerFill: round((replayMs * 1000) / REPLAY_FILLS),
    replayFillsPerSecond: Math.round(REPLAY_FILLS / (replayMs / 1000)),
    machine: benchMachine(),
  }),
);
