import { type MessageBus, Topic, type Unsubscribe } from "../bus/index.ts";
import {
  type AccountId,
  type Clock,
  Decimal,
  DesError,
  ErrorCode,
  type InstrumentId,
  type StrategyId,
  type TradeId,
  type UnixMicros,
} from "../core/index.ts";
import type { Bar, Instrument, OrderEvent, OrderFilled, TradeTick } from "../model/index.ts";
import {
  type FillWatermark,
  PORTFOLIO_BOOKS_SNAPSHOT_VERSION,
  type PortfolioBooksSnapshot,
  parseBooksSnapshot,
} from "./books-snapshot.ts";
import { bookSnapshot, restoredBook } from "./books-snapshot-codec.ts";
import { EquityCurve, type EquityPoint } from "./equity-curve.ts";
import { type BookView, PortfolioBook } from "./portfolio-book.ts";
import type { PositionView } from "./position.ts";
import { RecentTradeIds } from "./recent-trade-ids.ts";

/** How a portfolio is set up. */
export interface PortfolioConfig {
  readonly bus: MessageBus;
  readonly clock: Clock;
  /** The instruments fills may be for (their base and quote assets decide how commissions book). */
  readonly instruments: Iterable<Instrument>;
  /** Starting cash per account and asset, as decimal strings ({ paper: { USDT: "10000" } }). */
  readonly initialCash?: Readonly<Record<string, Readonly<Record<string, string | Decimal>>>>;
  /** How many recent fills' trade ids it remembers to refuse a repeat; default 100 000. */
  readonly rememberedTradeIds?: number;
  /** Samples kept per book's equity curve; default 10 000 (when full the oldest is overwritten). */
  readonly equityCurveCapacity?: number;
  /** Receives every problem (a malformed fill, an unknown instrument); the app logs them. */
  readonly onProblem?: (problem: DesError) => void;
}

/** Counters of what the portfolio has done. */
export interface PortfolioStats {
  readonly fillsApplied: number;
  /** Fills seen again with a trade id already applied: ignored. */
  readonly duplicateFills: number;
  /** Trade ids forgotten because the memory was full (a repeat of those would apply again). */
  readonly tradeIdsForgotten: number;
  /** Fills refused (unknown instrument, malformed numbers), each reported to onProblem. */
  readonly fillsRefused: number;
  readonly markUpdates: number;
}

/** Everything the portfolio holds, for the API and persistence. */
export interface PortfolioSnapshot {
  readonly ts: UnixMicros;
  readonly strategies: readonly BookView[];
  readonly accounts: readonly BookView[];
}

/**
 * Positions, cash and PnL, per strategy (each strategy's virtual book) and per account (what the
 * venue holds), built from OrderFilled events on the bus and marked to the last trade or closed bar.
 * Publishes PositionChanged for every strategy position a fill moves.
 */
export class Portfolio {
  readonly #bus: MessageBus;
  readonly #clock: Clock;
  readonly #instruments = new Map<InstrumentId, Instrument>();
  readonly #strategies = new Map<StrategyId, PortfolioBook>();
  readonly #accounts = new Map<AccountId, PortfolioBook>();
  readonly #initialCash = new Map<string, Record<string, Decimal>>();
  readonly #curves = new Map<string, EquityCurve>();
  readonly #curveCapacity: number;
  readonly #marks = new Map<InstrumentId, { price: Decimal; at: number }>();
  /** The books with a position in each instrument (one entry per book and instrument, never removed). */
  readonly #holders = new Map<InstrumentId, PortfolioBook[]>();
  #appliedTradeIds: RecentTradeIds;
  readonly #rememberedTradeIds: number;
  /** The last fill applied (or restored as the snapshot's watermark). */
  #lastFill: FillWatermark | undefined;
  readonly #onProblem: ((problem: DesError) => void) | undefined;
  #unsubscribers: Unsubscribe[] = [];
  readonly #stats = {
    fillsApplied: 0,
    duplicateFills: 0,
    fillsRefused: 0,
    markUpdates: 0,
  };
  readonly #markOf = (id: InstrumentId): Decimal | undefined => this.#marks.get(id)?.price;

  constructor(config: PortfolioConfig) {
    this.#bus = config.bus;
    this.#clock = config.clock;
    this.#onProblem = config.onProblem;
    for (const inst of config.instruments) this.#instruments.set(inst.id, inst);
    this.#curveCapacity = config.equityCurveCapacity ?? 10_000;
    const remembered = config.rememberedTradeIds ?? 100_000;
    if (!Number.isInteger(remembered) || remembered < 1) {
      throw new DesError(
        ErrorCode.InvalidConfig,
        `rememberedTradeIds must be a positive integer, got ${remembered}`,
        {
          key: "rememberedTradeIds",
          value: remembered,
        },
      );
    }
    this.#rememberedTradeIds = remembered;
    this.#appliedTradeIds = new RecentTradeIds(remembered);
    for (const [account, assets] of Object.entries(config.initialCash ?? {})) {
      const cash: Record<string, Decimal> = {};
      for (const [asset, raw] of Object.entries(assets)) cash[asset] = parseCash(account, asset, raw);
      this.#initialCash.set(account, cash);
      this.#accountBook(account as AccountId);
    }
  }

  /** Subscribes to fills and market prices on the bus. */
  start(): void {
    if (this.#unsubscribers.length > 0) return;
    this.#unsubscribers = [
      this.#bus.subscribe(
        Topic.OrderEvent,
        (e: OrderEvent) => this.#onOrderEvent(e),
        "portfolio.order-event",
      ),
      this.#bus.subscribe(
        Topic.Trade,
        (t: TradeTick) => this.updateMark(t.instrumentId, t.price, t.eventTime),
        "portfolio.trade",
      ),
      this.#bus.subscribe(
        Topic.Bar,
        (b: Bar) => {
          if (b.closed) this.updateMark(b.instrumentId, b.close, b.closeTime);
        },
        "portfolio.bar",
      ),
    ];
  }

  /** Unsubscribes from the bus; the books stay readable. */
  stop(): void {
    for (const unsubscribe of this.#unsubscribers) unsubscribe();
    this.#unsubscribers = [];
  }

  /** Applies one fill to its strategy's and its account's books; returns false when it was refused or a repeat. */
  applyFill(fill: OrderFilled): boolean {
    const instrument = this.#instruments.get(fill.instrumentId);
    const problem =
      instrument === undefined
        ? `fill ${fill.tradeId} is for unknown instrument ${fill.instrumentId}`
        : fillProblem(fill);
    if (problem !== undefined || instrument === undefined) {
      this.#stats.fillsRefused++;
      this.#onProblem?.(
        new DesError(
          instrument === undefined ? ErrorCode.UnknownInstrument : ErrorCode.InvalidMarketData,
          `portfolio refused a fill: ${problem}`,
          { clientOrderId: fill.clientOrderId, tradeId: fill.tradeId, instrumentId: fill.instrumentId },
        ),
      );
      return false;
    }
    if (!this.#appliedTradeIds.remember(fill.accountId, fill.instrumentId, fill.tradeId)) {
      this.#stats.duplicateFills++;
      return false;
    }
    const strategyBook = this.#strategyBook(fill.strategyId);
    const accountBook = this.#accountBook(fill.accountId);
    this.#holdsPosition(strategyBook, fill.instrumentId);
    this.#holdsPosition(accountBook, fill.instrumentId);
    // The fill's notional, worked out once for both books.
    const flow = fill.lastQty.mul(fill.lastPrice);
    const position = strategyBook.applyFill(
      instrument,
      fill.side,
      fill.lastQty,
      fill.lastPrice,
      fill.commission,
      fill.commissionAsset,
      fill.ts,
      flow,
    );
    accountBook.applyFill(
      instrument,
      fill.side,
      fill.lastQty,
      fill.lastPrice,
      fill.commission,
      fill.commissionAsset,
      fill.ts,
      flow,
    );
    this.#stats.fillsApplied++;
    this.#lastFill = fill;
    if (!this.#marks.has(fill.instrumentId)) {
      // Until market data arrives, the fill price is the best known price.
      this.#setMark(fill.instrumentId, fill.lastPrice, -Infinity);
    }
    this.#bus.publish(Topic.PositionChanged, {
      kind: "PositionChanged",
      strategyId: fill.strategyId,
      instrumentId: fill.instrumentId,
      quantity: position.quantity,
      averagePrice: position.averagePrice,
      realizedPnl: position.realizedPnl,
      ts: fill.ts,
    });
    return true;
  }

  /** Sets the price positions in the instrument are marked at; older prices than the current one are ignored. */
  updateMark(instrumentId: InstrumentId, price: Decimal, at: UnixMicros): void {
    if (!price.isPositive()) return;
    const current = this.#marks.get(instrumentId);
    if (current !== undefined && at < current.at) return;
    this.#setMark(instrumentId, price, at);
    this.#stats.markUpdates++;
  }

  /** Returns the price positions in the instrument are marked at. */
  markPrice(instrumentId: InstrumentId): Decimal | undefined {
    return this.#markOf(instrumentId);
  }

  /** Returns the strategy's signed quantity in the instrument, zero when it never traded it (the strategies' PositionReader). */
  position(strategyId: StrategyId, instrumentId: InstrumentId): Decimal {
    return this.#strategies.get(strategyId)?.position(instrumentId)?.quantity ?? Decimal.ZERO;
  }

  /** Returns the strategy's position in the instrument, marked to the last price (flat when it never traded it). */
  positionView(strategyId: StrategyId, instrumentId: InstrumentId): PositionView {
    return this.#viewOf(this.#strategies.get(strategyId), instrumentId);
  }

  /** Returns the account's position in the instrument (all strategies together), marked to the last price. */
  accountPosition(accountId: AccountId, instrumentId: InstrumentId): PositionView {
    return this.#viewOf(this.#accounts.get(accountId), instrumentId);
  }

  /** Returns the account's signed quantity in the instrument (all strategies together), zero when it never traded it. */
  accountQuantity(accountId: AccountId, instrumentId: InstrumentId): Decimal {
    return this.#accounts.get(accountId)?.position(instrumentId)?.quantity ?? Decimal.ZERO;
  }

  /**
   * Returns the strategy's gross marked exposure summed over quote assets (the sum of
   * strategy(id).exposure), zero before its first fill. Kept up to date on fills and mark changes,
   * so it costs O(1) when nothing moved: the risk checks read it on every order.
   */
  strategyExposure(strategyId: StrategyId): Decimal {
    return this.#strategies.get(strategyId)?.grossExposure(this.#instruments, this.#markOf) ?? Decimal.ZERO;
  }

  /** Returns the account's gross marked exposure summed over quote assets (the sum of account(id).exposure). */
  accountExposure(accountId: AccountId): Decimal {
    return this.#accounts.get(accountId)?.grossExposure(this.#instruments, this.#markOf) ?? Decimal.ZERO;
  }

  /** Returns the strategy's book (its positions, cash flows and equity), or undefined before its first fill. */
  strategy(strategyId: StrategyId): BookView | undefined {
    return this.#strategies.get(strategyId)?.view(this.#instruments, this.#markOf);
  }

  /** Returns the account's book, or undefined when it has neither starting cash nor fills. */
  account(accountId: AccountId): BookView | undefined {
    return this.#accounts.get(accountId)?.view(this.#instruments, this.#markOf);
  }

  /** Returns every book, marked to the last prices, for the API and persistence. */
  snapshot(): PortfolioSnapshot {
    const byOwner = (a: BookView, b: BookView) => (a.owner < b.owner ? -1 : a.owner > b.owner ? 1 : 0);
    return {
      ts: this.#clock.now(),
      strategies: [...this.#strategies.values()]
        .map((b) => b.view(this.#instruments, this.#markOf))
        .sort(byOwner),
      accounts: [...this.#accounts.values()]
        .map((b) => b.view(this.#instruments, this.#markOf))
        .sort(byOwner),
    };
  }

  /**
   * Samples the equity of every book (accounts and strategies) into its equity curve; the app calls it
   * on an interval. Returns the number of books sampled.
   */
  recordEquity(at: UnixMicros = this.#clock.now()): number {
    const books = [...this.#accounts.values(), ...this.#strategies.values()];
    for (const book of books) {
      const key = book.owner;
      let curve = this.#curves.get(key);
      if (curve === undefined) {
        curve = new EquityCurve(this.#curveCapacity);
        this.#curves.set(key, curve);
      }
      curve.record({ ts: at, equity: book.view(this.#instruments, this.#markOf).equity });
    }
    return books.length;
  }

  /** Returns the equity samples of a book (an account id or a strategy id), oldest first. */
  equityCurve(owner: string): EquityPoint[] {
    return this.#curves.get(owner)?.points() ?? [];
  }

  /**
   * Returns an exact, JSON-safe snapshot of every book (strategies and accounts): cash per asset and
   * each position's full state (quantity, cost basis, realized PnL, commissions per asset, fill
   * count, last fill price and time), the configured starting cash of each account, the trade ids
   * remembered against repeated fills, and the last fill applied (the watermark: replay the fills
   * after it on top of a restore). It does NOT hold marks (they come back from market data; until
   * then a position is marked at its last fill price), equity curves or stats(). Exposure running
   * totals are not stored either: they are a cache worked out again from the positions and marks.
   * Costs O(books x positions + remembered trade ids); take it outside a bus handler, so that no
   * fill is half applied.
   */
  exportBooks(): PortfolioBooksSnapshot {
    const last = this.#lastFill;
    return {
      version: PORTFOLIO_BOOKS_SNAPSHOT_VERSION,
      takenAt: this.#clock.now(),
      lastFill:
        last === undefined
          ? null
          : {
              accountId: last.accountId,
              instrumentId: last.instrumentId,
              tradeId: last.tradeId,
              clientOrderId: last.clientOrderId,
              ts: last.ts,
            },
      books: [
        ...Array.from(this.#strategies.values(), (b) => bookSnapshot("strategy", b)),
        ...Array.from(this.#accounts.entries(), ([id, b]) =>
          bookSnapshot("account", b, this.#initialCash.get(id) ?? {}),
        ),
      ],
      recentTradeIds: this.#appliedTradeIds.entries(),
    };
  }

  /**
   * Replaces every book with those of a snapshot from exportBooks (as is, or after a JSON round
   * trip): afterwards the fills that follow the snapshot's watermark give exactly the results the
   * exporting portfolio would have given. Also restores the remembered trade ids, so a fill the
   * snapshot already includes is refused as a repeat (keeping the newest rememberedTradeIds of them).
   * Accounts with configured starting cash that the snapshot lacks get a fresh book, as at
   * construction; the configured starting cash itself is not changed. Marks, equity curves and
   * stats are left as they are; nothing is published.
   *
   * Call it before start() and before any fill is applied (it throws DES_ERR_INVALID_CONFIG
   * otherwise). A malformed snapshot (bad decimal, unknown version, duplicate book, ...) throws
   * DES_ERR_STORE_FAILED naming the bad fields, and the portfolio is left unchanged.
   */
  restoreBooks(snapshot: unknown): void {
    if (this.#unsubscribers.length > 0 || this.#stats.fillsApplied > 0) {
      throw new DesError(
        ErrorCode.InvalidConfig,
        "Portfolio.restoreBooks must be called before start() and before any fill is applied",
        { started: this.#unsubscribers.length > 0, fillsApplied: this.#stats.fillsApplied },
      );
    }
    const parsed = parseBooksSnapshot(snapshot);
    // Everything is built before anything is replaced: a failure leaves the portfolio as it was.
    const strategies = new Map<StrategyId, PortfolioBook>();
    const accounts = new Map<AccountId, PortfolioBook>();
    for (const book of parsed.books) {
      if (book.kind === "strategy") strategies.set(book.id as StrategyId, restoredBook(book));
      else accounts.set(book.id as AccountId, restoredBook(book));
    }
    const tradeIds = new RecentTradeIds(this.#rememberedTradeIds);
    const remembered = parsed.recentTradeIds;
    for (let i = Math.max(0, remembered.length - this.#rememberedTradeIds); i < remembered.length; i++) {
      const [account, instrument, trade] = remembered[i]!;
      tradeIds.remember(account as AccountId, instrument as InstrumentId, trade as TradeId);
    }
    this.#strategies.clear();
    this.#accounts.clear();
    this.#holders.clear();
    for (const [id, book] of strategies) this.#strategies.set(id, book);
    for (const [id, book] of accounts) this.#accounts.set(id, book);
    for (const id of this.#initialCash.keys()) this.#accountBook(id as AccountId);
    for (const book of [...strategies.values(), ...accounts.values()])
      for (const position of book.positions()) this.#holderList(position.instrumentId).push(book);
    this.#appliedTradeIds = tradeIds;
    this.#lastFill = parsed.lastFill === null ? undefined : { ...parsed.lastFill };
  }

  /** Returns a copy of the counters. */
  stats(): PortfolioStats {
    const s = this.#stats;
    return {
      fillsApplied: s.fillsApplied,
      duplicateFills: s.duplicateFills,
      tradeIdsForgotten: this.#appliedTradeIds.forgotten,
      fillsRefused: s.fillsRefused,
      markUpdates: s.markUpdates,
    };
  }

  #onOrderEvent(event: OrderEvent): void {
    if (event.kind === "OrderFilled") this.applyFill(event);
  }

  #viewOf(book: PortfolioBook | undefined, instrumentId: InstrumentId): PositionView {
    const mark = this.#markOf(instrumentId);
    const position = book?.position(instrumentId);
    if (position !== undefined) return position.view(mark);
    return {
      instrumentId,
      quantity: Decimal.ZERO,
      averagePrice: Decimal.ZERO,
      costBasis: Decimal.ZERO,
      realizedPnl: Decimal.ZERO,
      unrealizedPnl: Decimal.ZERO,
      markPrice: mark,
      commissions: {},
      fillCount: 0,
      updatedAt: undefined,
    };
  }

  /** Sets a mark and tells the books holding the instrument that their exposure in it moved. */
  #setMark(instrumentId: InstrumentId, price: Decimal, at: number): void {
    const current = this.#marks.get(instrumentId);
    if (current === undefined) {
      this.#marks.set(instrumentId, { price, at });
    } else {
      const moved = !current.price.eq(price);
      current.price = price;
      current.at = at;
      if (!moved) return;
    }
    const holders = this.#holders.get(instrumentId);
    if (holders !== undefined) for (const book of holders) book.markMoved(instrumentId);
  }

  /** Remembers that the book holds (or is about to hold) a position in the instrument, for #setMark. */
  #holdsPosition(book: PortfolioBook, instrumentId: InstrumentId): void {
    if (book.position(instrumentId) !== undefined) return;
    this.#holderList(instrumentId).push(book);
  }

  #holderList(instrumentId: InstrumentId): PortfolioBook[] {
    let holders = this.#holders.get(instrumentId);
    if (holders === undefined) {
      holders = [];
      this.#holders.set(instrumentId, holders);
    }
    return holders;
  }

  #strategyBook(id: StrategyId): PortfolioBook {
    let book = this.#strategies.get(id);
    if (book === undefined) {
      book = new PortfolioBook(id);
      this.#strategies.set(id, book);
    }
    return book;
  }

  #accountBook(id: AccountId): PortfolioBook {
    let book = this.#accounts.get(id);
    if (book === undefined) {
      book = new PortfolioBook(id, this.#initialCash.get(id) ?? {});
      this.#accounts.set(id, book);
    }
    return book;
  }
}

function fillProblem(fill: OrderFilled): string | undefined {
  if (fill.side !== "BUY" && fill.side !== "SELL")
    return `fill ${fill.tradeId} has side ${String(fill.side)}`;
  if (!(fill.lastQty instanceof Decimal) || !fill.lastQty.isPositive())
    return `fill ${fill.tradeId} quantity must be a positive Decimal, got ${String(fill.lastQty)}`;
  if (!(fill.lastPrice instanceof Decimal) || !fill.lastPrice.isPositive())
    return `fill ${fill.tradeId} price must be a positive Decimal, got ${String(fill.lastPrice)}`;
  if (!(fill.commission instanceof Decimal) || fill.commission.isNegative())
    return `fill ${fill.tradeId} commission must be a non-negative Decimal, got ${String(fill.commission)}`;
  return undefined;
}

function parseCash(account: string, asset: string, raw: string | Decimal): Decimal {
  try {
    return Decimal.from(raw);
  } catch (err) {
    throw new DesError(
      ErrorCode.InvalidConfig,
      `initial cash ${account}.${asset}: expected a decimal string, got ${JSON.stringify(String(raw))}`,
      { key: `initialCash.${account}.${asset}`, value: String(raw) },
      { cause: err },
    );
  }
}
