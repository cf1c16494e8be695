import { join } from "node:path";
import { Decimal, DesError, ErrorCode, Rounding } from "../../core/index.ts";
import type { SimExchangeApi, SimLevel, SimSymbolInfo } from "../exchange/sim-exchange-api.ts";
import {
  type CaptureDepthSnapshot,
  type CaptureFrame,
  type CaptureWsFile,
  levels,
  parseCaptureHttp,
  parseCaptureWs,
} from "./capture-file.ts";
import { derivedSymbolInfo } from "./derived-symbol-info.ts";
import { WIRE_DECIMALS } from "./kline-series.ts";
import { type SeededRandom, seededRandom } from "./seeded-random.ts";
import { DEFAULT_CAPTURE_DIR, type SimCaptureSourceConfig } from "./sim-data-source-config.ts";
import type { SimSource, SimSourceContext, SimSourcePosition } from "./sim-source.ts";
import { positiveOption, readDataFile } from "./source-options.ts";
import { filterValue } from "./symbol-filters.ts";
import type { SymbolPublisher } from "./symbol-publisher.ts";

/** Per-symbol state of the generated phase after the capture. */
interface Generated {
  readonly symbol: string;
  readonly publisher: SymbolPublisher;
  readonly tick: Decimal;
  readonly step: Decimal;
  readonly typicalQty: Decimal;
  nextAt: number;
}

/** Minimum levels kept per side in the generated phase (refilled behind the worst level). */
const MIN_LEVELS = 20;
/** Market time of generated steps caught up at most, ms (older due steps are skipped). */
const MAX_GENERATED_BACKLOG_MS = 10_000;

/**
 * Replays cryptofeed's Binance capture. At begin() each REST depth snapshot initialises the exchange's
 * public book; then frames are replayed with their original spacing divided by the speed: depth diffs
 * newer than the snapshot (`u` > lastUpdateId) go through the exchange and out with its update ids,
 * aggTrades become trades, kline frames seed the current kline. Captured bookTicker frames are not
 * forwarded (the publisher sends the exchange's own best bid/ask, consistent with the depth ids).
 * After the last frame a seeded random walk of book changes and trades around the top of the book
 * keeps every symbol alive, forever.
 */
export class CaptureSource implements SimSource {
  readonly kind = "capture";
  readonly speed: number;
  readonly #capture: CaptureWsFile;
  readonly #snapshots: readonly CaptureDepthSnapshot[];
  readonly #infos: SimSymbolInfo[];
  readonly #stepMs: number;
  readonly #rng: SeededRandom;
  #exchange: SimExchangeApi | undefined;
  #publishers = new Map<string, SymbolPublisher>();
  readonly #snapshotIds = new Map<string, number>();
  #generated: Generated[] = [];
  #wallStart = 0;
  #origin = 0;
  #shift = 0;
  #next = 0;
  #done = 0;
  #skipped = 0;
  #marketNow = 0;

  constructor(config: SimCaptureSourceConfig, speed?: number) {
    const wsFile = config.wsFile ?? join(DEFAULT_CAPTURE_DIR, "BINANCE.ws.1.0.txt");
    const httpFile = config.httpFile ?? join(DEFAULT_CAPTURE_DIR, "BINANCE.http.0.0.txt");
    this.speed = positiveOption(speed ?? config.speed ?? 1, "capture speed");
    this.#stepMs = positiveOption(config.generatedStepMs ?? 250, "generatedStepMs");
    this.#rng = seededRandom(config.seed ?? 7);
    this.#capture = parseCaptureWs(readDataFile(wsFile), wsFile);
    const http = parseCaptureHttp(readDataFile(httpFile), httpFile);
    this.#snapshots = http.snapshots;
    this.#skipped = this.#capture.skippedLines + http.skippedLines;
    if (this.#capture.frames.length === 0) {
      throw new DesError(ErrorCode.InvalidMarketData, `${wsFile}: the capture has no frame`, {
        path: wsFile,
      });
    }
    this.#infos = deriveInfos(this.#capture.frames, this.#snapshots);
  }

  symbolInfos(): readonly SimSymbolInfo[] {
    return this.#infos;
  }

  begin(ctx: SimSourceContext): void {
    this.#exchange = ctx.exchange;
    this.#wallStart = ctx.wallStartMs;
    const first = (this.#capture.frames[0] as CaptureFrame).recvTimeMs;
    // An exact shift keeps market time equal to wall time at speed 1; kline frames are re-bucketed.
    this.#shift = ctx.rebaseToNow ? ctx.wallStartMs - first : 0;
    this.#origin = first + this.#shift;
    this.#marketNow = this.#origin;
    for (const info of this.#infos) {
      const publisher = ctx.publishers.get(info.symbol);
      if (publisher !== undefined) this.#publishers.set(info.symbol, publisher);
    }
    for (const snap of this.#snapshots) {
      const publisher = this.#publishers.get(snap.symbol);
      if (publisher === undefined) continue;
      this.#snapshotIds.set(snap.symbol, snap.lastUpdateId);
      publisher.book(snap.bids, snap.asks, this.#origin);
    }
  }

  advance(wallNowMs: number): number {
    const marketNow = this.#origin + (wallNowMs - this.#wallStart) * this.speed;
    if (marketNow > this.#marketNow) this.#marketNow = marketNow;
    const frames = this.#capture.frames;
    let count = 0;
    while (this.#next < frames.length) {
      const frame = frames[this.#next] as CaptureFrame;
      if (frame.recvTimeMs + this.#shift > this.#marketNow) break;
      this.#next++;
      this.#replay(frame);
      count++;
    }
    if (this.#next >= frames.length) {
      if (this.#generated.length === 0) this.#startGenerated(frames[frames.length - 1] as CaptureFrame);
      count += this.#generate();
    }
    for (const publisher of this.#publishers.values()) publisher.advanceTo(this.#marketNow);
    this.#done += count;
    return count;
  }

  nextDueWallMs(): number {
    const frame = this.#capture.frames[this.#next];
    let due: number;
    if (frame !== undefined) due = frame.recvTimeMs + this.#shift;
    else {
      due = Number.POSITIVE_INFINITY;
      for (const g of this.#generated) due = Math.min(due, g.nextAt);
    }
    // Klines close and the miniTicker ticks on whole market seconds.
    due = Math.min(due, this.#marketNow - (this.#marketNow % 1000) + 1000);
    return this.#wallStart + (due - this.#origin) / this.speed;
  }

  position(): SimSourcePosition {
    return {
      kind: "capture",
      speed: this.speed,
      phase: this.#next < this.#capture.frames.length ? "capture" : "generated",
      marketTimeMs: this.#marketNow,
      eventsDone: this.#done,
      loops: 0,
      skipped: this.#skipped,
    };
  }

  /** Replays one captured frame; a malformed one is skipped and counted, never thrown. */
  #replay(frame: CaptureFrame): void {
    const data = frame.data;
    const symbol = data["s"];
    const publisher = typeof symbol === "string" ? this.#publishers.get(symbol) : undefined;
    if (publisher === undefined || typeof symbol !== "string") {
      this.#skipped++;
      return;
    }
    try {
      if (data["e"] === "depthUpdate") this.#depth(symbol, publisher, data);
      else if (data["e"] === "aggTrade") this.#aggTrade(publisher, data);
      else if (data["e"] === "kline") this.#kline(publisher, data);
      else this.#skipped++; // bookTicker: the publisher sends the exchange's own
    } catch {
      this.#skipped++;
    }
  }

  #depth(symbol: string, publisher: SymbolPublisher, data: Readonly<Record<string, unknown>>): void {
    const snapshotId = this.#snapshotIds.get(symbol);
    const u = data["u"];
    const E = data["E"];
    const bids = levels(data["b"]);
    const asks = levels(data["a"]);
    if (typeof u !== "number" || typeof E !== "number" || bids === undefined || asks === undefined) {
      this.#skipped++;
      return;
    }
    // Without a snapshot the book is unknown; a diff the snapshot already contains is dropped.
    if (snapshotId === undefined || u <= snapshotId) {
      this.#skipped++;
      return;
    }
    publisher.book(bids, asks, E + this.#shift);
  }

  #aggTrade(publisher: SymbolPublisher, data: Readonly<Record<string, unknown>>): void {
    const { a, f, l, T, m, p, q } = data;
    if (
      typeof a !== "number" ||
      typeof f !== "number" ||
      typeof l !== "number" ||
      typeof T !== "number" ||
      typeof m !== "boolean" ||
      typeof p !== "string" ||
      typeof q !== "string"
    ) {
      this.#skipped++;
      return;
    }
    publisher.trade(Decimal.from(p), Decimal.from(q), T + this.#shift, m, {
      aggId: a,
      firstId: f,
      lastId: l,
    });
  }

  #kline(publisher: SymbolPublisher, data: Readonly<Record<string, unknown>>): void {
    const k = data["k"] as Record<string, unknown> | undefined;
    const E = data["E"];
    if (k === undefined || typeof E !== "number" || k["i"] !== "1m") {
      this.#skipped++;
      return;
    }
    const { o, h, l, c, v, q, V, Q, n, f, L } = k;
    if (typeof n !== "number" || typeof f !== "number" || typeof L !== "number") {
      this.#skipped++;
      return;
    }
    const d = (x: unknown): Decimal => Decimal.from(x as string);
    publisher.seedKline(
      { o: d(o), h: d(h), l: d(l), c: d(c), v: d(v), q: d(q), V: d(V), Q: d(Q), n, f, L },
      E + this.#shift,
    );
  }

  #startGenerated(last: CaptureFrame): void {
    const start = last.recvTimeMs + this.#shift;
    for (const info of this.#infos) {
      const publisher = this.#publishers.get(info.symbol);
      if (publisher === undefined) continue;
      const tick = Decimal.from(filterValue(info, "PRICE_FILTER", "tickSize") ?? "0.00000001");
      const step = Decimal.from(filterValue(info, "LOT_SIZE", "stepSize") ?? "0.00000001");
      const snap = this.#snapshots.find((s) => s.symbol === info.symbol);
      const sample = [...(snap?.bids.slice(0, 10) ?? []), ...(snap?.asks.slice(0, 10) ?? [])];
      let sum = Decimal.ZERO;
      for (const [, qty] of sample) sum = sum.add(Decimal.from(qty));
      let typicalQty =
        sample.length === 0
          ? step
          : sum.div(Decimal.from(BigInt(sample.length))).roundToIncrement(step, Rounding.Down);
      if (typicalQty.lt(step)) typicalQty = step;
      this.#generated.push({
        symbol: info.symbol,
        publisher,
        tick,
        step,
        typicalQty,
        nextAt: start + this.#rng.next() * this.#stepMs,
      });
    }
  }

  /** Runs every generated step due by market time, in time order across symbols. */
  #generate(): number {
    // After a long pause (a stopped replay, a suspended process) only the last seconds are generated.
    for (const g of this.#generated) {
      if (g.nextAt < this.#marketNow - MAX_GENERATED_BACKLOG_MS)
        g.nextAt = this.#marketNow - MAX_GENERATED_BACKLOG_MS;
    }
    let count = 0;
    for (;;) {
      let g: Generated | undefined;
      for (const x of this.#generated)
        if (x.nextAt <= this.#marketNow && (g === undefined || x.nextAt < g.nextAt)) g = x;
      if (g === undefined) return count;
      const t = Math.floor(g.nextAt);
      g.nextAt += this.#stepMs * (0.5 + this.#rng.next());
      this.#step(g, t);
      count++;
    }
  }

  /** One random change: a trade against the top, a size change, a new level, or a removed top level. */
  #step(g: Generated, t: number): void {
    const exchange = this.#exchange as SimExchangeApi;
    const rng = this.#rng;
    const top = exchange.bookTicker(g.symbol);
    if (top === undefined) {
      this.#reseed(g, t);
      return;
    }
    const r = rng.next();
    if (r < 0.12) {
      const buy = rng.next() < 0.5;
      const price = Decimal.from(buy ? top.a : top.b);
      const available = Decimal.from(buy ? top.A : top.B);
      const wanted = this.#qty(g, 0.05, 0.6);
      const qty = wanted.gt(available) ? available : wanted;
      g.publisher.trade(price, qty, t, !buy);
      const level: SimLevel = [price.toFixed(WIRE_DECIMALS), available.sub(qty).toFixed(WIRE_DECIMALS)];
      g.publisher.book(buy ? [] : [level], buy ? [level] : [], t);
      return;
    }
    const bidSide = rng.next() < 0.5;
    const depth = exchange.depth({ symbol: g.symbol, limit: String(MIN_LEVELS) });
    if (!depth.ok) return;
    const side = bidSide ? depth.body.bids : depth.body.asks;
    const set = (price: Decimal, qty: Decimal | "0"): void => {
      const level: SimLevel = [
        price.toFixed(WIRE_DECIMALS),
        qty === "0" ? "0.00000000" : qty.toFixed(WIRE_DECIMALS),
      ];
      g.publisher.book(bidSide ? [level] : [], bidSide ? [] : [level], t);
    };
    if (side.length < MIN_LEVELS) {
      const worst = Decimal.from(side[side.length - 1]?.[0] ?? (bidSide ? top.b : top.a));
      const price = bidSide ? worst.sub(g.tick) : worst.add(g.tick);
      if (price.isPositive()) set(price, this.#qty(g, 0.2, 2));
      return;
    }
    const bid = Decimal.from(top.b);
    const ask = Decimal.from(top.a);
    if (r < 0.6) {
      const level = side[rng.int(0, 4)];
      if (level !== undefined) set(Decimal.from(level[0] as string), this.#qty(g, 0.2, 2));
    } else if (r < 0.8) {
      const ticks = Decimal.fromUnits(g.tick.units * BigInt(rng.int(1, 5)));
      const inside = ask.sub(bid).gt(g.tick);
      const price = bidSide
        ? inside
          ? bid.add(g.tick)
          : bid.sub(ticks)
        : inside
          ? ask.sub(g.tick)
          : ask.add(ticks);
      if (price.isPositive()) set(price, this.#qty(g, 0.2, 2));
    } else {
      set(Decimal.from((side[0] as string[])[0] as string), "0");
    }
  }

  /** Puts levels back on an empty side, around the last trade price or the other side. */
  #reseed(g: Generated, t: number): void {
    const exchange = this.#exchange as SimExchangeApi;
    const depth = exchange.depth({ symbol: g.symbol, limit: "1" });
    const ref =
      exchange.lastPrice(g.symbol) ??
      (depth.ok ? (depth.body.bids[0]?.[0] ?? depth.body.asks[0]?.[0]) : undefined) ??
      g.tick.toFixed(WIRE_DECIMALS);
    const mid = Decimal.from(ref);
    const bids: SimLevel[] = [];
    const asks: SimLevel[] = [];
    for (let k = 1; k <= 5; k++) {
      const off = Decimal.fromUnits(g.tick.units * BigInt(k));
      const bid = mid.sub(off);
      if (bid.isPositive())
        bids.push([bid.toFixed(WIRE_DECIMALS), this.#qty(g, 0.5, 1.5).toFixed(WIRE_DECIMALS)]);
      asks.push([mid.add(off).toFixed(WIRE_DECIMALS), this.#qty(g, 0.5, 1.5).toFixed(WIRE_DECIMALS)]);
    }
    g.publisher.book(
      depth.ok && depth.body.bids.length > 0 ? [] : bids,
      depth.ok && depth.body.asks.length > 0 ? [] : asks,
      t,
    );
  }

  #qty(g: Generated, low: number, high: number): Decimal {
    const factor = Decimal.fromNumber(low + this.#rng.next() * (high - low), 4);
    const q = g.typicalQty.mul(factor).roundToIncrement(g.step, Rounding.Down);
    return q.lt(g.step) ? g.step : q;
  }
}

/** Derives each symbol's exchangeInfo from the prices and quantities it shows in the capture. */
function deriveInfos(
  frames: readonly CaptureFrame[],
  snapshots: readonly CaptureDepthSnapshot[],
): SimSymbolInfo[] {
  const seen = new Map<string, { prices: string[]; quantities: string[] }>();
  const of = (symbol: string): { prices: string[]; quantities: string[] } => {
    let entry = seen.get(symbol);
    if (entry === undefined) {
      entry = { prices: [], quantities: [] };
      seen.set(symbol, entry);
    }
    return entry;
  };
  const addLevels = (symbol: string, list: readonly SimLevel[] | undefined): void => {
    if (list === undefined) return;
    const entry = of(symbol);
    for (const [p, q] of list) {
      entry.prices.push(p);
      entry.quantities.push(q);
    }
  };
  for (const snap of snapshots) {
    addLevels(snap.symbol, snap.bids);
    addLevels(snap.symbol, snap.asks);
  }
  for (const { data } of frames) {
    const symbol = data["s"];
    if (typeof symbol !== "string" || !/^[A-Z0-9]{2,20}$/.test(symbol)) continue;
    const entry = of(symbol);
    if (data["e"] === "depthUpdate") {
      addLevels(symbol, levels(data["b"]));
      addLevels(symbol, levels(data["a"]));
    } else if (data["e"] === "aggTrade") {
      if (typeof data["p"] === "string") entry.prices.push(data["p"]);
      if (typeof data["q"] === "string") entry.quantities.push(data["q"]);
    } else if (data["e"] === undefined) {
      for (const key of ["b", "a"]) if (typeof data[key] === "string") entry.prices.push(data[key] as string);
      for (const key of ["B", "A"])
        if (typeof data[key] === "string") entry.quantities.push(data[key] as string);
    }
  }
  return [...seen].map(([symbol, { prices, quantities }]) => derivedSymbolInfo(symbol, prices, quantities));
}
