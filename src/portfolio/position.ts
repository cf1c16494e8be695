import { Decimal, divRound, type InstrumentId, Rounding, type UnixMicros } from "../core/index.ts";
import type { OrderSide } from "../model/index.ts";

/** A read-only view of a position, as strategies, the API and persistence see it. */
export interface PositionView {
  readonly instrumentId: InstrumentId;
  /** Signed quantity: positive long, negative short. */
  readonly quantity: Decimal;
  /** Average entry price of the open quantity (zero when flat), rounded half-even to 18 decimals. */
  readonly averagePrice: Decimal;
  /** What the open quantity cost, exactly, in the quote asset (negative for a short: proceeds received). */
  readonly costBasis: Decimal;
  /** Realized PnL in the quote asset, net of commissions paid in the quote or base asset. */
  readonly realizedPnl: Decimal;
  /** Unrealized PnL at markPrice (zero when flat or when no price is known). */
  readonly unrealizedPnl: Decimal;
  /** The last market price seen for the instrument, or the last fill price before any market data. */
  readonly markPrice: Decimal | undefined;
  /** Commissions paid, per asset, exactly as charged. */
  readonly commissions: Readonly<Record<string, Decimal>>;
  readonly fillCount: number;
  readonly updatedAt: UnixMicros | undefined;
}

/**
 * Everything a position keeps that decides its future results, exactly: what a snapshot must hold
 * to rebuild it (see Position.state and Position.fromState).
 */
export interface PositionState {
  readonly quantity: Decimal;
  readonly costBasis: Decimal;
  readonly realizedPnl: Decimal;
  /** Commissions paid per asset, in the order the assets were first charged. */
  readonly commissions: ReadonlyMap<string, Decimal>;
  readonly fillCount: number;
  readonly lastFillPrice: Decimal | undefined;
  readonly updatedAt: UnixMicros | undefined;
}

/**
 * A position in one instrument with average-cost accounting.
 *
 * It keeps the exact cost basis of the open quantity rather than a rounded average price, so that
 * realized + unrealized PnL always equals the cash-flow view exactly (sells - buys + quantity x
 * mark - fees): rounding only decides how a partial close splits between realized and unrealized.
 * A fill against the position closes it first (realizing PnL) and opens the remainder on the other
 * side at the fill price (a flip).
 *
 * Commissions: one in the quote asset reduces realized PnL. One in the base asset (Binance charges a
 * BUY's commission in the asset bought, unless paid in BNB) reduces the quantity held: it is booked
 * as a disposal of that quantity at the fill price whose proceeds pay the commission, so realized
 * PnL falls by its quote value. A commission in any other asset (BNB) is recorded per asset but has
 * no price to value it, so it is not in the PnL.
 */
export class Position {
  readonly instrumentId: InstrumentId;
  #quantity = Decimal.ZERO;
  #costBasis = Decimal.ZERO;
  #realizedPnl = Decimal.ZERO;
  readonly #commissions = new Map<string, Decimal>();
  #fillCount = 0;
  #lastFillPrice: Decimal | undefined;
  #updatedAt: UnixMicros | undefined;

  constructor(instrumentId: InstrumentId) {
    this.instrumentId = instrumentId;
  }

  /** Returns a position holding exactly the given state (a restored snapshot); the state is copied. */
  static fromState(instrumentId: InstrumentId, state: PositionState): Position {
    const position = new Position(instrumentId);
    position.#quantity = state.quantity;
    position.#costBasis = state.costBasis;
    position.#realizedPnl = state.realizedPnl;
    for (const [asset, amount] of state.commissions) position.#commissions.set(asset, amount);
    position.#fillCount = state.fillCount;
    position.#lastFillPrice = state.lastFillPrice;
    position.#updatedAt = state.updatedAt;
    return position;
  }

  /** Returns a copy of the internal state, exact (fromState of it gives an identical position). */
  state(): PositionState {
    return {
      quantity: this.#quantity,
      costBasis: this.#costBasis,
      realizedPnl: this.#realizedPnl,
      commissions: new Map(this.#commissions),
      fillCount: this.#fillCount,
      lastFillPrice: this.#lastFillPrice,
      updatedAt: this.#updatedAt,
    };
  }

  /** Returns the signed quantity. */
  get quantity(): Decimal {
    return this.#quantity;
  }

  /** Returns the exact cost of the open quantity (signed like the quantity). */
  get costBasis(): Decimal {
    return this.#costBasis;
  }

  /** Returns realized PnL in the quote asset, net of commissions valued in it. */
  get realizedPnl(): Decimal {
    return this.#realizedPnl;
  }

  /** Returns the average entry price of the open quantity, zero when flat. */
  get averagePrice(): Decimal {
    if (this.#quantity.isZero()) return Decimal.ZERO;
    return this.#costBasis.div(this.#quantity, Rounding.HalfEven);
  }

  /** Returns the last fill price, the mark of last resort. */
  get lastFillPrice(): Decimal | undefined {
    return this.#lastFillPrice;
  }

  /** Returns the unrealized PnL of the open quantity at the mark price. */
  unrealizedPnl(mark: Decimal | undefined): Decimal {
    if (this.#quantity.isZero() || mark === undefined) return Decimal.ZERO;
    return this.#quantity.mul(mark).sub(this.#costBasis);
  }

  /**
   * Applies one fill. `commissionKind` says which asset the commission is in relative to this
   * instrument; returns the signed change of the quote asset's cash. `flow` is quantity x price
   * (rounded half-even, as mul does) when the caller has it already.
   */
  applyFill(
    side: OrderSide,
    quantity: Decimal,
    price: Decimal,
    commission: Decimal,
    commissionAsset: string,
    commissionKind: "quote" | "base" | "other",
    at: UnixMicros,
    flow: Decimal = quantity.mul(price),
  ): Decimal {
    const delta = side === "BUY" ? quantity : quantity.neg();
    this.#trade(delta, price, flow);
    let cashDelta = side === "BUY" ? flow.neg() : flow;
    if (!commission.isZero()) {
      this.#commissions.set(
        commissionAsset,
        (this.#commissions.get(commissionAsset) ?? Decimal.ZERO).add(commission),
      );
      if (commissionKind === "quote") {
        this.#realizedPnl = this.#realizedPnl.sub(commission);
        cashDelta = cashDelta.sub(commission);
      } else if (commissionKind === "base") {
        // The venue keeps `commission` of the base asset: a disposal at the fill price whose
        // proceeds pay a commission of the same quote value, so cash does not move.
        this.#trade(commission.neg(), price);
        this.#realizedPnl = this.#realizedPnl.sub(commission.mul(price));
      }
    }
    this.#fillCount++;
    this.#lastFillPrice = price;
    this.#updatedAt = at;
    return cashDelta;
  }

  /** Returns a read-only view marked at the given price (or the last fill price). */
  view(mark: Decimal | undefined): PositionView {
    const markPrice = mark ?? this.#lastFillPrice;
    return {
      instrumentId: this.instrumentId,
      quantity: this.#quantity,
      averagePrice: this.averagePrice,
      costBasis: this.#costBasis,
      realizedPnl: this.#realizedPnl,
      unrealizedPnl: this.unrealizedPnl(markPrice),
      markPrice,
      commissions: Object.fromEntries(this.#commissions),
      fillCount: this.#fillCount,
      updatedAt: this.#updatedAt,
    };
  }

  /**
   * Moves the position by a signed quantity at a price: close first (realizing PnL), then open.
   * `flow` is |delta| x price when the caller has it (a product rounds half-even, which is symmetric
   * in sign, so it equals what delta.mul(price) gives up to the sign).
   */
  #trade(delta: Decimal, price: Decimal, flow?: Decimal): void {
    if (delta.isZero()) return;
    const q = this.#quantity;
    if (q.isZero() || q.sign() === delta.sign()) {
      this.#quantity = q.add(delta);
      const cost = flow === undefined ? delta.mul(price) : delta.isNegative() ? flow.neg() : flow;
      this.#costBasis = this.#costBasis.add(cost);
      return;
    }
    const openAbs = q.abs();
    const deltaAbs = delta.abs();
    const closedAbs = Decimal.min(openAbs, deltaAbs);
    // The share of the cost basis that leaves with the closed quantity; a full close takes all of it.
    const removed = closedAbs.eq(openAbs)
      ? this.#costBasis
      : Decimal.fromUnits(
          divRound(this.#costBasis.units * closedAbs.units, openAbs.units, Rounding.HalfEven),
        );
    // quote received (closing a long) or paid (closing a short)
    const closedFlow = flow !== undefined && closedAbs.eq(deltaAbs) ? flow : closedAbs.mul(price);
    this.#realizedPnl = this.#realizedPnl.add(
      q.isPositive() ? closedFlow.sub(removed) : closedFlow.neg().sub(removed),
    );
    this.#costBasis = this.#costBasis.sub(removed);
    this.#quantity = q.isPositive() ? q.sub(closedAbs) : q.add(closedAbs);
    const remainder = deltaAbs.sub(closedAbs);
    if (remainder.isPositive()) {
      // A flip: the rest opens a position on the other side at the fill price.
      this.#quantity = delta.isPositive() ? remainder : remainder.neg();
      this.#costBasis = this.#quantity.mul(price);
    }
  }
}
