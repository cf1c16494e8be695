import { basename, isAbsolute, join, normalize } from "node:path";
import { Decimal, DesError, ErrorCode, instrumentId, msFromMicros, Rounding } from "../../core/index.ts";
import {
  DEFAULT_MARKET_DATASET_DIR,
  MARKET_FILE_FORMATS,
  type MarketFileFormat,
  parseMarketText,
} from "../../market/index.ts";
import { intervalMicros, parseBarInterval } from "../../model/index.ts";
import type { SimSymbolInfo } from "../exchange/sim-exchange-api.ts";
import { type SynthTrade, synthesizeBarTrades } from "./bar-trades.ts";
import { type SeededRandom, seededRandom } from "./seeded-random.ts";
import type { SimKlinesSourceConfig } from "./sim-data-source-config.ts";
import type { SimSource, SimSourceContext, SimSourcePosition } from "./sim-source.ts";
import { positiveOption, readDataFile } from "./source-options.ts";
import { filterValue } from "./symbol-filters.ts";
import type { SymbolPublisher } from "./symbol-publisher.ts";
import { SyntheticBook } from "./synthetic-book.ts";

/** One bar with ms times. */
interface BarRow {
  readonly t: number;
  readonly o: Decimal;
  readonly h: Decimal;
  readonly l: Decimal;
  readonly c: Decimal;
  readonly v: Decimal;
}

/** One symbol's bars and replay cursor. */
interface Track {
  readonly symbol: string;
  readonly info: SimSymbolInfo;
  readonly bars: readonly BarRow[];
  readonly intervalMs: number;
  /** Time one pass over the data covers: the next pass starts this much later. */
  readonly spanMs: number;
  readonly firstIndex: number;
  readonly tick: Decimal;
  readonly step: Decimal;
  publisher: SymbolPublisher | undefined;
  book: SyntheticBook | undefined;
  shift: number;
  origin: number;
  loop: number;
  barIndex: number;
  trades: SynthTrade[];
  tradeIndex: number;
  levelSize: Decimal;
  lastPrice: Decimal | undefined;
  emptyBars: number;
  marketNow: number;
}

const FALLBACK_INCREMENT = "0.00000001";
/** Trades more than this far (market ms) behind the replay position are a backlog being caught up. */
const CATCH_UP_MS = 5000;

/**
 * Replays real bars (data/market by default) with the real filters of the dataset's exchange-info.json.
 * Each bar becomes synthetic trades (synthesizeBarTrades: O -> H/L -> C, volumes summing to the bar's)
 * spread over the bar; after each trade a synthetic book (SyntheticBook) is centred on the price. With
 * rebaseToNow every time is shifted by a whole number of bar intervals so that bar `historyBars` opens
 * in the current interval: the bars before it are already in the past (their klines are served at once),
 * the rest plays at `speed`. At the end of the data the replay loops with time moving on by one pass
 * (span of the data) per loop, so times never go back and ids keep increasing.
 */
export class KlinesSource implements SimSource {
  readonly kind = "klines";
  readonly speed: number;
  readonly #tracks: Track[] = [];
  readonly #rng: SeededRandom;
  readonly #bookLevels: number;
  #wallStart = 0;
  #done = 0;

  constructor(config: SimKlinesSourceConfig, speed?: number) {
    this.speed = positiveOption(speed ?? config.speed ?? 60, "klines speed");
    this.#rng = seededRandom(config.seed ?? 42);
    this.#bookLevels = Math.floor(positiveOption(config.bookLevels ?? 10, "bookLevels"));
    const history = config.historyBars ?? 120;
    if (!Number.isInteger(history) || history < 0) {
      throw new DesError(ErrorCode.InvalidConfig, `historyBars must be an integer >= 0, got ${history}`, {
        historyBars: history,
      });
    }
    const dir = config.dir ?? DEFAULT_MARKET_DATASET_DIR;
    const manifest = readJson(join(dir, "manifest.json"));
    const infoFile = manifest["exchangeInfo"];
    const files = manifest["files"];
    if (typeof infoFile !== "string" || !Array.isArray(files)) {
      throw invalid(`${join(dir, "manifest.json")}: expected "exchangeInfo" (string) and "files" (array)`);
    }
    const exchangeInfo = readJson(inside(dir, infoFile));
    const symbols = exchangeInfo["symbols"];
    if (!Array.isArray(symbols)) throw invalid(`${infoFile}: expected a "symbols" array`);
    const wanted = config.ids === undefined ? undefined : new Set(config.ids);
    for (const id of wanted ?? []) {
      if (!files.some((f: { id?: unknown }) => f?.id === id))
        throw invalid(`dataset ${dir} has no file with id ${JSON.stringify(id)}`);
    }
    for (const entry of files as Record<string, unknown>[]) {
      if (wanted !== undefined && !wanted.has(entry["id"] as string)) continue;
      const track = loadTrack(dir, entry, symbols as Record<string, unknown>[], history);
      if (this.#tracks.some((t) => t.symbol === track.symbol)) {
        throw invalid(`dataset ${dir} has two files for ${track.symbol}: choose one with "ids"`);
      }
      this.#tracks.push(track);
    }
  }

  symbolInfos(): readonly SimSymbolInfo[] {
    return this.#tracks.map((t) => t.info);
  }

  begin(ctx: SimSourceContext): void {
    this.#wallStart = ctx.wallStartMs;
    for (const track of this.#tracks) {
      track.publisher = ctx.publishers.get(track.symbol);
      track.book = new SyntheticBook(track.tick, track.step, this.#bookLevels, this.#rng);
      const first = (track.bars[track.firstIndex] as BarRow).t;
      if (ctx.rebaseToNow) {
        const aligned =
          ctx.wallStartMs - (((ctx.wallStartMs % track.intervalMs) + track.intervalMs) % track.intervalMs);
        track.shift = aligned - first;
        track.origin = ctx.wallStartMs;
      } else {
        track.shift = 0;
        track.origin = first;
      }
      track.marketNow = track.origin;
    }
  }

  advance(wallNowMs: number): number {
    const elapsed = (wallNowMs - this.#wallStart) * this.speed;
    for (const t of this.#tracks) t.marketNow = Math.max(t.marketNow, t.origin + elapsed);
    let count = 0;
    for (;;) {
      let best: Track | undefined;
      let bestTime = Number.POSITIVE_INFINITY;
      for (const t of this.#tracks) {
        const next = this.#nextTime(t);
        if (next <= t.marketNow && next < bestTime) {
          best = t;
          bestTime = next;
        }
      }
      if (best === undefined) break;
      this.#emitTrade(best);
      count++;
    }
    for (const t of this.#tracks) t.publisher?.advanceTo(t.marketNow);
    this.#done += count;
    return count;
  }

  nextDueWallMs(): number {
    let due = Number.POSITIVE_INFINITY;
    for (const t of this.#tracks) {
      const next = Math.min(this.#nextTime(t), t.marketNow - (t.marketNow % 1000) + 1000);
      due = Math.min(due, this.#wallStart + (next - t.origin) / this.speed);
    }
    return due;
  }

  position(): SimSourcePosition {
    let marketTimeMs = Number.NEGATIVE_INFINITY;
    let loops = Number.POSITIVE_INFINITY;
    for (const t of this.#tracks) {
      marketTimeMs = Math.max(marketTimeMs, t.marketNow);
      loops = Math.min(loops, t.loop);
    }
    return {
      kind: "klines",
      speed: this.speed,
      phase: "bars",
      marketTimeMs,
      eventsDone: this.#done,
      loops: Number.isFinite(loops) ? loops : 0,
      skipped: 0,
    };
  }

  #emitTrade(track: Track): void {
    const trade = track.trades[track.tradeIndex++] as SynthTrade;
    track.lastPrice = trade.price;
    const publisher = track.publisher;
    if (publisher === undefined) return;
    publisher.trade(trade.price, trade.qty, trade.timeMs, trade.buyerIsMaker);
    // Catching up on the past (history bars at start, a late timer) moves the book only once, after
    // the last due trade: the intermediate books would be stale before anyone could read them.
    const catchingUp =
      trade.timeMs < track.marketNow - CATCH_UP_MS && this.#nextTime(track) <= track.marketNow;
    if (catchingUp) return;
    const diff = (track.book as SyntheticBook).refresh(trade.price, track.levelSize);
    publisher.book(diff.bids, diff.asks, trade.timeMs);
  }

  /** Time of the track's next trade, moving on to the next bar (and pass) when the current one is done. */
  #nextTime(track: Track): number {
    while (track.tradeIndex >= track.trades.length) {
      // Only zero-volume bars for a whole pass: nothing will ever trade.
      if (track.emptyBars > track.bars.length) return Number.POSITIVE_INFINITY;
      track.barIndex++;
      if (track.barIndex >= track.bars.length) {
        track.barIndex = 0;
        track.loop++;
      }
      const bar = track.bars[track.barIndex] as BarRow;
      const openTimeMs = bar.t + track.shift + track.loop * track.spanMs;
      track.trades = synthesizeBarTrades(
        {
          openTimeMs,
          intervalMs: track.intervalMs,
          open: bar.o,
          high: bar.h,
          low: bar.l,
          close: bar.c,
          volume: bar.v,
        },
        track.tick,
        track.step,
        this.#rng,
        track.lastPrice,
      );
      track.tradeIndex = 0;
      track.emptyBars = track.trades.length === 0 ? track.emptyBars + 1 : 0;
      if (track.trades.length > 0) {
        // Level sizes: about two average trades, on the step grid.
        let size = bar.v.div(Decimal.from(BigInt(track.trades.length))).mul(Decimal.from("2"));
        size = size.roundToIncrement(track.step, Rounding.Down);
        track.levelSize = size.lt(track.step) ? track.step : size;
      }
    }
    return (track.trades[track.tradeIndex] as SynthTrade).timeMs;
  }
}

function loadTrack(
  dir: string,
  entry: Record<string, unknown>,
  symbols: Record<string, unknown>[],
  history: number,
): Track {
  const { id, path, format, instrument, interval, date } = entry;
  if (
    typeof id !== "string" ||
    typeof path !== "string" ||
    typeof instrument !== "string" ||
    typeof interval !== "string"
  ) {
    throw invalid(`${dir}/manifest.json: a file entry needs string id, path, instrument and interval`);
  }
  if (typeof format !== "string" || !(MARKET_FILE_FORMATS as readonly string[]).includes(format)) {
    throw invalid(`${dir}/manifest.json: file ${id} has unknown format ${JSON.stringify(format)}`);
  }
  const barInterval = parseBarInterval(interval);
  const info = symbols.find((s) => s["symbol"] === instrument);
  if (info === undefined) {
    throw new DesError(
      ErrorCode.UnknownInstrument,
      `${dir}: ${instrument} is not in the dataset's exchangeInfo`,
      {
        instrument,
      },
    );
  }
  const file = inside(dir, path);
  const data = parseMarketText(readDataFile(file), basename(file), {
    format: format as MarketFileFormat,
    instrumentId: instrumentId(instrument),
    interval: barInterval,
    date: typeof date === "string" ? date : undefined,
  });
  if (data.bars.length === 0) throw invalid(`${file}: no bars`);
  const bars: BarRow[] = data.bars.map((b) => ({
    t: msFromMicros(b.openTime),
    o: b.open,
    h: b.high,
    l: b.low,
    c: b.close,
    v: b.volume,
  }));
  const intervalMs = intervalMicros(barInterval) / 1000;
  const symbolInfo = info as unknown as SimSymbolInfo;
  const tick = Decimal.from(filterValue(symbolInfo, "PRICE_FILTER", "tickSize") ?? FALLBACK_INCREMENT);
  const step = Decimal.from(filterValue(symbolInfo, "LOT_SIZE", "stepSize") ?? FALLBACK_INCREMENT);
  return {
    symbol: instrument,
    info: symbolInfo,
    bars,
    intervalMs,
    spanMs: (bars[bars.length - 1] as BarRow).t - (bars[0] as BarRow).t + intervalMs,
    firstIndex: Math.min(history, bars.length - 1),
    tick: tick.isPositive() ? tick : Decimal.from(FALLBACK_INCREMENT),
    step: step.isPositive() ? step : Decimal.from(FALLBACK_INCREMENT),
    publisher: undefined,
    book: undefined,
    shift: 0,
    origin: 0,
    loop: 0,
    barIndex: -1,
    trades: [],
    tradeIndex: 0,
    levelSize: step,
    lastPrice: undefined,
    emptyBars: 0,
    marketNow: 0,
  };
}

function readJson(path: string): Record<string, unknown> {
  const text = readDataFile(path);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (thrown) {
    throw invalid(`${path}: not valid JSON: ${(thrown as Error).message}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw invalid(`${path}: expected a JSON object`);
  return value as Record<string, unknown>;
}

/** Resolves a manifest path inside the dataset folder; a path leaving the folder is an error. */
function inside(dir: string, relative: string): string {
  const clean = normalize(relative);
  if (isAbsolute(clean) || clean.startsWith(".."))
    throw invalid(`dataset path ${JSON.stringify(relative)} leaves ${dir}`);
  return join(dir, clean);
}

function invalid(message: string): DesError {
  return new DesError(ErrorCode.InvalidMarketData, message);
}
