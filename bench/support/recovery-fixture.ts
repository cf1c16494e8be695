/**
 * Builds the SQLite database a long DES run on Binance would leave behind, for bench/recovery.bench.ts:
 * `orders` final rows, done `order_intents`, one `fills` row per order (unique numeric trade ids,
 * BUY/SELL alternating, 0.001 of the instrument at a seeded random walk of realistic prices), the
 * strategies' state, the risk engine's state, the portfolio baseline and a books snapshot consistent
 * with those fills (a real Portfolio applied them). As the embedded store keeps them: the records in
 * the database file, the intents in the journal's file beside it (defaultJournalPath). The schema comes
 * from openEmbeddedStore (its migrations); app records go through the app's own writers
 * (portfolioBaseline, saveBooksSnapshot, the store's save, the order journal); the bulk history goes
 * through node:sqlite prepared statements in one transaction (the journal's file attached).
 */
import { copyFileSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import { portfolioBaseline } from "../../src/app/restart-recovery.ts";
import { MessageBus } from "../../src/bus/index.ts";
import {
  type AccountId,
  asMicros,
  clientOrderId,
  Decimal,
  type InstrumentId,
  LiveClock,
  type StrategyId,
  TestClock,
  tradeId,
  venueOrderId,
} from "../../src/core/index.ts";
import {
  type Bar,
  type Instrument,
  newOrder,
  type OrderFilled,
  type OrderSide,
  type OrderType,
} from "../../src/model/index.ts";
import { defaultJournalPath, openEmbeddedStore } from "../../src/persistence/index.ts";
import { Portfolio } from "../../src/portfolio/index.ts";
import { RiskEngine } from "../../src/risk/index.ts";
import { FakeStrategyContext } from "../../src/strategy/builtin/fake-strategy-context.ts";
import { builtinRegistry } from "../../src/strategy/index.ts";

/** The strategy_state row of the risk engine (RISK_STATE_ID in src/app/des-app.ts, private there). */
const RISK_STATE_ID = "__risk-engine__" as StrategyId;
/** The strategy_state row of the books snapshot (BOOKS_ID in src/app/restart-recovery.ts, private there). */
const BOOKS_ID = "__portfolio-books__" as StrategyId;
/** Every historical order is this size. */
const HISTORY_QTY = "0.001";
/** Historical trade ids start here: numeric like Binance's, and far above the simulator's own ids. */
const TRADE_ID_BASE = 9_000_000_000;
/** Historical venue order ids start here. */
const VENUE_ORDER_ID_BASE = 5_000_000_000;
/** One historical fill per second: 1,000,000 orders span about 11.6 days. */
const FILL_SPACING_US = 1_000_000;
/** Price walk bounds and start, in cents of the quote asset (BTCBUSD traded 16,500-18,500 in Dec 2022). */
const WALK = { startCents: 1_720_000, minCents: 1_650_000, maxCents: 1_850_000, maxStepCents: 400 };
/** Closed 1m bars the strategies have seen when their state was saved. */
const STATE_BARS = 300;

/** One strategy of the run: its id and what the strategies file says about it. */
export interface FixtureStrategy {
  readonly id: string;
  readonly strategy: string;
  readonly params: Record<string, unknown>;
}

/** What the history is built from. */
export interface RecoveryHistorySpec {
  /** The database file to create (must not exist). */
  readonly path: string;
  /** Historical orders (one fill each). */
  readonly orders: number;
  /** The venue's account id (the Binance venue books to "binance"). */
  readonly accountId: AccountId;
  /** The instrument traded, as the venue lists it. */
  readonly instrument: Instrument;
  /** The strategies the orders belong to (in turn, two orders each: a BUY then a SELL). */
  readonly strategies: readonly FixtureStrategy[];
  /**
   * What the venue's account holds now, per asset (free + locked). The baseline row is derived
   * from it so that baseline + every historical fill = the venue's balances (no drift at restart).
   */
  readonly venueTotals: Readonly<Record<string, string>>;
  /** Epoch ms of the last historical fill. */
  readonly lastFillAtMs: number;
  /**
   * Fills written after the books snapshot (a crash between two snapshots): these are replayed
   * at restart on top of the snapshot. 0: the snapshot includes every fill (graceful stop).
   */
  readonly fillsAfterSnapshot: number;
  /** Seed of the price walk. */
  readonly seed: number;
}

/** What building the history took and produced. */
export interface RecoveryHistoryReport {
  readonly orders: number;
  /** Rows written by the bulk transaction (orders + intents + fills). */
  readonly rows: number;
  /** Milliseconds per phase. */
  readonly ms: {
    readonly schema: number;
    readonly bulkInsert: number;
    readonly portfolio: number;
    readonly appRecords: number;
    readonly total: number;
  };
  readonly snapshotBytes: number;
  readonly snapshotTradeIds: number;
  readonly databaseBytes: number;
  /** The baseline cash stored (the venue's balances before the first historical fill). */
  readonly baselineCash: Readonly<Record<string, string>>;
  /** The account's totals after every fill, as DES counts them (cash + base position). */
  readonly desTotals: Readonly<Record<string, string>>;
  /** The last historical fill price (a mark for the first order after the restart). */
  readonly lastPrice: string;
}

/** A row of the history, as the generator yields it. */
interface HistoricalFill {
  readonly n: number;
  readonly strategyId: StrategyId;
  readonly side: OrderSide;
  readonly priceCents: number;
  readonly tsUs: number;
}

/** Mulberry32: a small seeded generator (the history is the same for the same seed). */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Yields the history's fills, oldest first: strategies in turn, BUY then SELL, prices on a walk. */
function* historicalFills(spec: RecoveryHistorySpec): Generator<HistoricalFill> {
  const random = seededRandom(spec.seed);
  const firstUs = spec.lastFillAtMs * 1000 - (spec.orders - 1) * FILL_SPACING_US;
  let cents = WALK.startCents;
  for (let n = 0; n < spec.orders; n++) {
    cents += Math.round((random() * 2 - 1) * WALK.maxStepCents);
    cents = Math.min(WALK.maxCents, Math.max(WALK.minCents, cents));
    const strategy = spec.strategies[Math.floor(n / 2) % spec.strategies.length]!;
    yield {
      n,
      strategyId: strategy.id as StrategyId,
      side: n % 2 === 0 ? "BUY" : "SELL",
      priceCents: cents,
      tsUs: firstUs + n * FILL_SPACING_US,
    };
  }
}

/** "17200.05" from 1720005 cents. */
function centsText(cents: number): string {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;
}

/** The commission Binance charges a taker (0.1 %): in the base asset on a BUY, in the quote on a SELL. */
function commissionOf(f: HistoricalFill, instrument: Instrument): { amount: string; asset: string } {
  if (f.side === "BUY") return { amount: "0.000001", asset: instrument.baseAsset };
  // price x 0.001 x 0.001 = cents x 10^-8.
  return { amount: `0.${String(f.priceCents).padStart(8, "0")}`, asset: instrument.quoteAsset };
}

const clientIdOf = (n: number): string => `hist-${n}`;

/** The OrderFilled event a historical fill was (what the store hands the portfolio at restart). */
function filledEvent(
  f: HistoricalFill,
  spec: RecoveryHistorySpec,
  price: Decimal,
  qty: Decimal,
): OrderFilled {
  const commission = commissionOf(f, spec.instrument);
  return {
    kind: "OrderFilled",
    clientOrderId: clientOrderId(clientIdOf(f.n)),
    strategyId: f.strategyId,
    instrumentId: spec.instrument.id,
    accountId: spec.accountId,
    venueOrderId: venueOrderId(VENUE_ORDER_ID_BASE + f.n),
    tradeId: tradeId(TRADE_ID_BASE + f.n),
    side: f.side,
    lastQty: qty,
    lastPrice: price,
    commission: Decimal.from(commission.amount),
    commissionAsset: commission.asset,
    liquidity: "TAKER",
    orderStatus: "FILLED",
    ts: asMicros(f.tsUs),
  };
}

/**
 * What the history changes in the account, per asset: the quote spent and received, the base
 * bought and sold, the commissions. Exact (Decimal), so the baseline can be derived from the
 * venue's balances.
 */
function netChange(spec: RecoveryHistorySpec): Map<string, Decimal> {
  const qty = Decimal.from(HISTORY_QTY);
  const { baseAsset, quoteAsset } = spec.instrument;
  // Sums in integer units: cents for the quote notionals (x 0.001), exact enough via bigint.
  let buyCents = 0n;
  let sellCents = 0n;
  let buys = 0n;
  let sells = 0n;
  for (const f of historicalFills(spec)) {
    if (f.side === "BUY") {
      buyCents += BigInt(f.priceCents);
      buys++;
    } else {
      sellCents += BigInt(f.priceCents);
      sells++;
    }
  }
  const centsToQuote = (c: bigint): Decimal => Decimal.from(c).div(Decimal.from(100n));
  // Quote: SELL proceeds x (1 - 0.001) - BUY cost, at 0.001 each.
  const sellProceeds = centsToQuote(sellCents).mul(qty);
  const sellFees = centsToQuote(sellCents).mul(qty).mul(Decimal.from("0.001"));
  const buyCost = centsToQuote(buyCents).mul(qty);
  // Base: +0.001 - 0.000001 per BUY, -0.001 per SELL.
  const base = qty
    .sub(Decimal.from("0.000001"))
    .mul(Decimal.from(buys))
    .sub(qty.mul(Decimal.from(sells)));
  return new Map([
    [quoteAsset, sellProceeds.sub(sellFees).sub(buyCost)],
    [baseAsset, base],
  ]);
}

/** The account's totals as DES counts them (compareBalances: cash + the base asset's position). */
function desTotalsOf(portfolio: Portfolio, spec: RecoveryHistorySpec): Record<string, string> {
  const book = portfolio.account(spec.accountId);
  const totals = new Map<string, Decimal>(Object.entries(book?.cash ?? {}));
  for (const p of book?.positions ?? []) {
    if (p.instrumentId !== spec.instrument.id) continue;
    const base = spec.instrument.baseAsset;
    totals.set(base, (totals.get(base) ?? Decimal.ZERO).add(p.quantity));
  }
  return Object.fromEntries([...totals].map(([asset, v]) => [asset, v.toString()]));
}

/** Closed 1m bars over the last prices of the walk (60 fills a bar), for the strategies' state. */
function stateBars(spec: RecoveryHistorySpec, lastPrices: readonly number[], lastTsUs: number): Bar[] {
  const bars: Bar[] = [];
  const perBar = 60;
  const count = Math.floor(lastPrices.length / perBar);
  const minuteUs = 60_000_000;
  const lastOpen = Math.floor(lastTsUs / minuteUs) * minuteUs - minuteUs;
  for (let b = 0; b < count; b++) {
    const slice = lastPrices.slice(b * perBar, (b + 1) * perBar);
    const openTime = lastOpen - (count - 1 - b) * minuteUs;
    const d = (c: number) => Decimal.from(centsText(c));
    bars.push({
      kind: "bar",
      instrumentId: spec.instrument.id,
      interval: "1m",
      openTime: asMicros(openTime),
      closeTime: asMicros(openTime + minuteUs - 1),
      open: d(slice[0]!),
      high: d(Math.max(...slice)),
      low: d(Math.min(...slice)),
      close: d(slice[slice.length - 1]!),
      volume: Decimal.from("12.5"),
      quoteVolume: Decimal.from("215000"),
      tradeCount: 300,
      closed: true,
      receivedAt: asMicros(openTime + minuteUs),
    });
  }
  return bars;
}

/** Each strategy's state after it saw the bars, from the real strategy's getState. */
function strategyStates(spec: RecoveryHistorySpec, bars: readonly Bar[]): Map<string, unknown> {
  const registry = builtinRegistry();
  const states = new Map<string, unknown>();
  for (const s of spec.strategies) {
    const definition = registry.resolve(s.strategy).definition;
    const strategy = definition.create(definition.params.parse(s.params));
    const ctx = new FakeStrategyContext([spec.instrument]);
    ctx.isWarmingUp = true;
    ctx.run(strategy as never, bars);
    states.set(s.id, strategy.getState?.());
  }
  return states;
}

/**
 * Writes the bulk history (orders, done intents, fills) in one transaction, feeding each fill to
 * `onFill` in the order written (the order the earlier run applied them).
 */
function insertHistory(
  spec: RecoveryHistorySpec,
  onFill: (f: HistoricalFill, commission: { amount: string; asset: string }) => void,
): number {
  const db = new DatabaseSync(spec.path);
  try {
    db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF; PRAGMA cache_size = -262144;");
    db.prepare("ATTACH DATABASE ? AS journal").run(defaultJournalPath(spec.path));
    const order = db.prepare(
      `INSERT INTO orders (client_order_id, strategy_id, instrument_id, status, venue_order_id, reason, updated_at)
       VALUES (?, ?, ?, 'FILLED', ?, NULL, ?)`,
    );
    const intent = db.prepare(
      `INSERT INTO journal.order_intents (client_order_id, strategy_id, instrument_id, side, type, quantity, price,
         stop_price, time_in_force, reduce_only, created_at, sent_at, done_at, final_status)
       VALUES (?, ?, ?, ?, 'MARKET', ?, NULL, NULL, 'GTC', 0, ?, ?, ?, 'FILLED')`,
    );
    const fill = db.prepare(
      `INSERT INTO fills (account_id, trade_id, client_order_id, strategy_id, instrument_id, side,
         quantity, price, commission, commission_asset, liquidity, ts, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'TAKER', ?, ?)`,
    );
    const instrument = spec.instrument.id;
    let rows = 0;
    db.exec("BEGIN");
    try {
      for (const f of historicalFills(spec)) {
        const id = clientIdOf(f.n);
        const commission = commissionOf(f, spec.instrument);
        // Created and sent 2 ms before the fill, done when it filled.
        intent.run(id, f.strategyId, instrument, f.side, HISTORY_QTY, f.tsUs - 2000, f.tsUs - 2000, f.tsUs);
        order.run(id, f.strategyId, instrument, String(VENUE_ORDER_ID_BASE + f.n), f.tsUs);
        fill.run(
          spec.accountId,
          String(TRADE_ID_BASE + f.n),
          id,
          f.strategyId,
          instrument,
          f.side,
          HISTORY_QTY,
          centsText(f.priceCents),
          commission.amount,
          commission.asset,
          f.tsUs,
          f.n + 1,
        );
        rows += 3;
        onFill(f, commission);
      }
      db.exec("COMMIT");
    } catch (e) {
      if (db.isTransaction) db.exec("ROLLBACK");
      throw e;
    }
    db.exec("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal.wal_checkpoint(TRUNCATE);");
    return rows;
  } finally {
    db.close();
  }
}

/**
 * Builds the database of a long run: schema (openEmbeddedStore), the bulk history, then through the
 * app's writers the portfolio baseline (portfolioBaseline, as on the first run), the books snapshot
 * (saveBooksSnapshot) taken `fillsAfterSnapshot` fills before the end, the strategies' state and
 * the risk engine's state (today's fills counted).
 */
export async function buildRecoveryHistory(spec: RecoveryHistorySpec): Promise<RecoveryHistoryReport> {
  const t0 = performance.now();
  await (await openEmbeddedStore({ dbPath: spec.path })).close();
  const tSchema = performance.now();

  // Baseline = the venue's balances now minus what the history changed (exact).
  const change = netChange(spec);
  const baseline: Record<string, string> = { ...spec.venueTotals };
  for (const [asset, delta] of change) {
    baseline[asset] = Decimal.from(spec.venueTotals[asset] ?? "0")
      .sub(delta)
      .toString();
  }

  const clock = new TestClock(spec.lastFillAtMs * 1000 - spec.orders * FILL_SPACING_US);
  const portfolio = new Portfolio({
    bus: new MessageBus(),
    clock,
    instruments: [spec.instrument],
    initialCash: { [spec.accountId]: baseline },
  });
  // Today's fills count in the risk engine's daily counters (the risk day of the wall clock).
  const risk = new RiskEngine({ clock: new LiveClock(), config: {} });
  const todayStartUs = Math.floor(Date.now() / 86_400_000) * 86_400_000 * 1000;
  const qty = Decimal.from(HISTORY_QTY);
  const snapshotAt = spec.orders - spec.fillsAfterSnapshot;
  const lastPrices: number[] = [];
  let snapshot: { json: string; tradeIds: number; takenAtUs: number } | undefined;
  let lastTsUs = 0;
  let lastPrice = "";
  let portfolioMs = 0;
  const store = await openEmbeddedStore({ dbPath: spec.path });
  try {
    const tBulk0 = performance.now();
    const rows = insertHistory(spec, (f) => {
      const p0 = performance.now();
      const price = Decimal.from(centsText(f.priceCents));
      const event = filledEvent(f, spec, price, qty);
      clock.set(asMicros(f.tsUs));
      if (f.tsUs >= todayStartUs) {
        const before = portfolio.positionView(f.strategyId, spec.instrument.id).realizedPnl;
        portfolio.applyFill(event);
        const after = portfolio.positionView(f.strategyId, spec.instrument.id).realizedPnl;
        risk.onFill({
          strategyId: f.strategyId,
          instrumentId: spec.instrument.id,
          realizedPnlDelta: after.sub(before),
        });
      } else {
        portfolio.applyFill(event);
      }
      if (f.n + 1 === snapshotAt) {
        const books = portfolio.exportBooks();
        snapshot = { json: JSON.stringify(books), tradeIds: books.recentTradeIds.length, takenAtUs: f.tsUs };
      }
      if (spec.orders - f.n <= STATE_BARS * 60) lastPrices.push(f.priceCents);
      lastTsUs = f.tsUs;
      lastPrice = price.toString();
      portfolioMs += performance.now() - p0;
    });
    const tBulk1 = performance.now();

    // The app's records, through its writers.
    const firstUs = spec.lastFillAtMs * 1000 - (spec.orders - 1) * FILL_SPACING_US;
    await portfolioBaseline(store, spec.accountId, baseline, firstUs - 60_000_000);
    // saveBooksSnapshot's write (exportBooks into the books row), of the books as they were
    // fillsAfterSnapshot fills before the end (exported then: the bulk transaction was still open).
    if (snapshot !== undefined) await store.save(BOOKS_ID, JSON.parse(snapshot.json), snapshot.takenAtUs);
    for (const [id, state] of strategyStates(spec, stateBars(spec, lastPrices, lastTsUs))) {
      await store.save(id as StrategyId, state, lastTsUs);
    }
    await store.save(RISK_STATE_ID, risk.snapshot(), lastTsUs);
    const tApp = performance.now();
    const databaseBytes = fileBytes(spec.path);
    return {
      orders: spec.orders,
      rows,
      ms: {
        schema: round(tSchema - t0),
        bulkInsert: round(tBulk1 - tBulk0 - portfolioMs),
        portfolio: round(portfolioMs),
        appRecords: round(tApp - tBulk1),
        total: round(tApp - t0),
      },
      snapshotBytes: snapshot?.json.length ?? 0,
      snapshotTradeIds: snapshot?.tradeIds ?? 0,
      databaseBytes,
      baselineCash: baseline,
      desTotals: desTotalsOf(portfolio, spec),
      lastPrice,
    };
  } finally {
    await store.close();
  }
}

/** The database's size (pages x page size) as SQLite reports it. */
function fileBytes(path: string): number {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    const row = db
      .prepare("SELECT page_count * page_size AS bytes FROM pragma_page_count(), pragma_page_size()")
      .get() as { bytes: number };
    return row.bytes;
  } finally {
    db.close();
  }
}

/** An order the earlier run sent whose intent is not done (DES died before its outcome was stored). */
export interface OpenIntentSeed {
  readonly clientOrderId: string;
  readonly strategyId: string;
  readonly instrumentId: InstrumentId;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly quantity: string;
  readonly price?: string;
  /** Epoch µs the order was created and sent. */
  readonly sentAtUs: number;
  /** The venue's order id when the earlier run saw the venue accept it (stored ACCEPTED). */
  readonly venueOrderId?: string;
}

/**
 * Adds open intents through the app's writers: the journal's record (as execution writes it before
 * a send), then the order events the earlier run stored (OrderSubmitted, and OrderAccepted with the
 * venue's id when it saw one), flushed.
 */
export async function addOpenIntents(path: string, seeds: readonly OpenIntentSeed[]): Promise<void> {
  const store = await openEmbeddedStore({ dbPath: path });
  try {
    for (const s of seeds) {
      const at = asMicros(s.sentAtUs);
      const order = newOrder({
        clientOrderId: clientOrderId(s.clientOrderId),
        strategyId: s.strategyId as StrategyId,
        instrumentId: s.instrumentId,
        side: s.side,
        type: s.type,
        quantity: Decimal.from(s.quantity),
        price: s.price === undefined ? undefined : Decimal.from(s.price),
        createdAt: at,
      });
      store.intents.record(order, false, at);
      const ids = {
        clientOrderId: order.clientOrderId,
        strategyId: order.strategyId,
        instrumentId: s.instrumentId,
      };
      store.recordOrderEvent({ kind: "OrderSubmitted", ...ids, ts: at });
      if (s.venueOrderId !== undefined) {
        store.recordOrderEvent({
          kind: "OrderAccepted",
          ...ids,
          venueOrderId: venueOrderId(s.venueOrderId),
          ts: asMicros(s.sentAtUs + 1000),
        });
      }
    }
    await store.flush();
  } finally {
    await store.close();
  }
}

/** Removes the books snapshot row (the restart then replays every stored fill). */
export function removeBooksSnapshot(path: string): void {
  const db = new DatabaseSync(path);
  try {
    db.prepare("DELETE FROM strategy_state WHERE strategy_id = ?").run(BOOKS_ID);
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  } finally {
    db.close();
  }
}

/** Folds the WALs into the main files (records and journal), so copying them copies the whole database. */
export function checkpoint(path: string): void {
  for (const file of [path, defaultJournalPath(path)]) {
    const db = new DatabaseSync(file);
    try {
      db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    } finally {
      db.close();
    }
  }
}

/** Copies a database built here, its journal's file included. */
export function copyDatabase(from: string, to: string): void {
  copyFileSync(from, to);
  copyFileSync(defaultJournalPath(from), defaultJournalPath(to));
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
