import { Decimal, type InstrumentId, type UnixMicros } from "../core/index.ts";
import type { Instrument, OrderSide } from "../model/index.ts";
import { Position, type PositionView } from "./position.ts";

/** A read-only view of one book: its positions, cash per asset and equity per quote asset. */
export interface BookView {
  readonly owner: string;
  readonly positions: readonly PositionView[];
  /** Cash per asset: the starting amount plus every fill's cash flow and commissions. */
  readonly cash: Readonly<Record<string, Decimal>>;
  /** Per quote asset: its cash plus the marked value of the positions quoted in it. */
  readonly equity: Readonly<Record<string, Decimal>>;
  /** Per quote asset: the realized PnL of the positions quoted in it. */
  readonly realizedPnl: Readonly<Record<string, Decimal>>;
  /** Per quote asset: the unrealized PnL of the positions quoted in it, at the marks. */
  readonly unrealizedPnl: Readonly<Record<string, Decimal>>;
  /** Commissions paid, per asset they were charged in (quote, base or a third asset such as BNB). */
  readonly fees: Readonly<Record<string, Decimal>>;
  /** Per quote asset: the gross exposure, sum of |quantity| x mark of the positions quoted in it. */
  readonly exposure: Readonly<Record<string, Decimal>>;
}

/** One position's share of a book's gross exposure, and whether a fill or a mark moved it since. */
interface ExposureTerm {
  readonly instrumentId: InstrumentId;
  units: bigint;
  stale: boolean;
}

/**
 * The positions and cash of one owner: a strategy (its virtual book, starting from zero cash) or an
 * account (starting from its balances). Quote cash moves by each fill's notional and quote
 * commission; a commission in a third asset (BNB) is taken from that asset's cash; the base asset's
 * holding is the position itself.
 */
export class PortfolioBook {
  readonly owner: string;
  readonly #positions = new Map<InstrumentId, Position>();
  readonly #cash = new Map<string, Decimal>();
  /** Each position's share of the gross exposure, as last worked out. */
  readonly #exposureTerms = new Map<InstrumentId, ExposureTerm>();
  /** The exact sum of the terms, in 10^-18 units. */
  #exposureUnits = 0n;
  /** The sum as a Decimal, until a term changes. */
  #exposureTotal: Decimal | undefined = Decimal.ZERO;
  /** The terms a fill or a mark moved since the last read: at most one entry per position. */
  readonly #staleTerms: ExposureTerm[] = [];

  constructor(owner: string, initialCash: Readonly<Record<string, Decimal>> = {}) {
    this.owner = owner;
    for (const [asset, amount] of Object.entries(initialCash)) this.#cash.set(asset, amount);
  }

  /**
   * Returns a book holding exactly the given cash and positions (a restored snapshot). Its exposure
   * terms start stale, so the first grossExposure read works each out from the position and the
   * mark, exactly as a book that booked the fills itself would hold them.
   */
  static restore(
    owner: string,
    cash: Iterable<readonly [string, Decimal]>,
    positions: Iterable<Position>,
  ): PortfolioBook {
    const book = new PortfolioBook(owner);
    for (const [asset, amount] of cash) book.#cash.set(asset, amount);
    for (const position of positions) {
      book.#positions.set(position.instrumentId, position);
      const term: ExposureTerm = { instrumentId: position.instrumentId, units: 0n, stale: true };
      book.#exposureTerms.set(position.instrumentId, term);
      book.#staleTerms.push(term);
    }
    return book;
  }

  /** Returns the positions, in the order the book first traded each instrument. */
  positions(): IterableIterator<Position> {
    return this.#positions.values();
  }

  /** Returns the cash per asset, in the order each asset first moved. */
  cashEntries(): IterableIterator<[string, Decimal]> {
    return this.#cash.entries();
  }

  /** Returns the position in the instrument, if the book ever traded it. */
  position(instrumentId: InstrumentId): Position | undefined {
    return this.#positions.get(instrumentId);
  }

  /** Returns the cash held in one asset. */
  cash(asset: string): Decimal {
    return this.#cash.get(asset) ?? Decimal.ZERO;
  }

  /**
   * Books one fill into the position and the cash; returns the position. `flow` is quantity x price
   * when the caller has it (the portfolio books each fill twice: strategy and account).
   */
  applyFill(
    instrument: Instrument,
    side: OrderSide,
    quantity: Decimal,
    price: Decimal,
    commission: Decimal,
    commissionAsset: string,
    at: UnixMicros,
    flow: Decimal = quantity.mul(price),
  ): Position {
    let position = this.#positions.get(instrument.id);
    if (position === undefined) {
      position = new Position(instrument.id);
      this.#positions.set(instrument.id, position);
      this.#exposureTerms.set(instrument.id, { instrumentId: instrument.id, units: 0n, stale: false });
    }
    const kind =
      commissionAsset === instrument.quoteAsset
        ? "quote"
        : commissionAsset === instrument.baseAsset
          ? "base"
          : "other";
    const quoteDelta = position.applyFill(side, quantity, price, commission, commissionAsset, kind, at, flow);
    this.#addCash(instrument.quoteAsset, quoteDelta);
    if (kind === "other" && !commission.isZero()) this.#addCash(commissionAsset, commission.neg());
    this.markMoved(instrument.id);
    return position;
  }

  /** Notes that the instrument's mark (or position) moved: its exposure is worked out again on the next read. */
  markMoved(instrumentId: InstrumentId): void {
    const term = this.#exposureTerms.get(instrumentId);
    if (term === undefined || term.stale) return;
    term.stale = true;
    this.#staleTerms.push(term);
  }

  /**
   * Returns the gross exposure over every quote asset: the sum of |quantity| x mark (the last fill
   * price when there is no mark) of the positions in known instruments, exactly what summing
   * view().exposure gives. Kept as a running total, so a read costs O(positions whose fill or mark
   * moved since the last read), not O(positions); the caller must report mark changes (markMoved).
   */
  grossExposure(
    instruments: ReadonlyMap<InstrumentId, Instrument>,
    mark: (id: InstrumentId) => Decimal | undefined,
  ): Decimal {
    const stale = this.#staleTerms;
    for (let i = 0; i < stale.length; i++) {
      const term = stale[i]!;
      term.stale = false;
      const units = this.#grossUnits(term.instrumentId, instruments, mark);
      if (units === term.units) continue;
      this.#exposureUnits += units - term.units;
      term.units = units;
      this.#exposureTotal = undefined;
    }
    stale.length = 0;
    if (this.#exposureTotal === undefined) this.#exposureTotal = Decimal.fromUnits(this.#exposureUnits);
    return this.#exposureTotal;
  }

  /** Returns the quote asset's cash plus the marked value of the positions quoted in it. */
  equity(
    quoteAsset: string,
    instruments: ReadonlyMap<InstrumentId, Instrument>,
    mark: (id: InstrumentId) => Decimal | undefined,
  ): Decimal {
    let total = this.cash(quoteAsset);
    for (const position of this.#positions.values()) {
      if (instruments.get(position.instrumentId)?.quoteAsset !== quoteAsset || position.quantity.isZero())
        continue;
      const price = mark(position.instrumentId) ?? position.lastFillPrice;
      if (price !== undefined) total = total.add(position.quantity.mul(price));
    }
    return total;
  }

  /** Returns a view of the whole book with positions marked by `mark`. */
  view(
    instruments: ReadonlyMap<InstrumentId, Instrument>,
    mark: (id: InstrumentId) => Decimal | undefined,
  ): BookView {
    const positions: PositionView[] = [];
    const realizedPnl: Record<string, Decimal> = {};
    const unrealizedPnl: Record<string, Decimal> = {};
    const fees: Record<string, Decimal> = {};
    const exposure: Record<string, Decimal> = {};
    for (const position of this.#positions.values()) {
      const view = position.view(mark(position.instrumentId));
      positions.push(view);
      for (const [asset, amount] of Object.entries(view.commissions))
        fees[asset] = (fees[asset] ?? Decimal.ZERO).add(amount);
      const quote = instruments.get(position.instrumentId)?.quoteAsset;
      if (quote === undefined) continue;
      realizedPnl[quote] = (realizedPnl[quote] ?? Decimal.ZERO).add(view.realizedPnl);
      unrealizedPnl[quote] = (unrealizedPnl[quote] ?? Decimal.ZERO).add(view.unrealizedPnl);
      const price = view.markPrice ?? position.lastFillPrice;
      const gross = price === undefined ? Decimal.ZERO : view.quantity.abs().mul(price);
      exposure[quote] = (exposure[quote] ?? Decimal.ZERO).add(gross);
    }
    const equity: Record<string, Decimal> = {};
    for (const quote of Object.keys(realizedPnl).sort())
      equity[quote] = this.equity(quote, instruments, mark);
    return {
      owner: this.owner,
      positions: positions.sort((a, b) =>
        a.instrumentId < b.instrumentId ? -1 : a.instrumentId > b.instrumentId ? 1 : 0,
      ),
      cash: Object.fromEntries([...this.#cash.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
      equity,
      realizedPnl,
      unrealizedPnl,
      fees,
      exposure,
    };
  }

  /** One position's gross exposure in units, valued as view() values it. */
  #grossUnits(
    id: InstrumentId,
    instruments: ReadonlyMap<InstrumentId, Instrument>,
    mark: (id: InstrumentId) => Decimal | undefined,
  ): bigint {
    const position = this.#positions.get(id);
    if (position === undefined || position.quantity.isZero()) return 0n;
    if (instruments.get(id)?.quoteAsset === undefined) return 0n;
    const price = mark(id) ?? position.lastFillPrice;
    return price === undefined ? 0n : position.quantity.abs().mul(price).units;
  }

  #addCash(asset: string, delta: Decimal): void {
    this.#cash.set(asset, this.cash(asset).add(delta));
  }
}
