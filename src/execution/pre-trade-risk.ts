import type { ClientOrderId, Decimal, InstrumentId, StrategyId } from "../core/index.ts";
import type { Instrument, OrderSide, OrderType } from "../model/index.ts";

/**
 * The pre-trade risk port execution calls (the risk engine of src/risk fits it structurally; the
 * composition root injects it, so execution never imports risk).
 */
export interface PreTradeRisk {
  /** Runs the pre-trade checks; a denial is a value. */
  check(intent: PreTradeIntent, ctx: PreTradeContext): PreTradeDecision;
  /** Counts one fill and the realized PnL it booked. */
  onFill(fill: PreTradeFill): void;
}

/** An order as the risk check sees it. */
export interface PreTradeIntent {
  readonly strategyId: StrategyId;
  readonly clientOrderId: ClientOrderId;
  readonly instrumentId: InstrumentId;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly quantity: Decimal;
  readonly price?: Decimal | undefined;
  readonly stopPrice?: Decimal | undefined;
  readonly reduceOnly?: boolean | undefined;
  readonly protective?: boolean | undefined;
}

/** One fill with the realized PnL delta (quote, signed) it booked. */
export interface PreTradeFill {
  readonly strategyId: StrategyId;
  readonly instrumentId: InstrumentId;
  readonly realizedPnlDelta: Decimal;
}

/** The risk check's verdict: the quantity to send (maybe clipped), or a denial with a reason. */
export type PreTradeDecision =
  | {
      readonly allowed: true;
      readonly quantity: Decimal;
      readonly adjustments: readonly {
        readonly kind: string;
        readonly from: Decimal;
        readonly to: Decimal;
      }[];
    }
  | { readonly allowed: false; readonly denial: { readonly reason: string; readonly detail: string } };

/** What the portfolio knows that risk needs (the composition root implements it over the Portfolio). */
export interface PortfolioRiskView {
  /** Returns the strategy's signed position. */
  position(strategyId: StrategyId, instrumentId: InstrumentId): Decimal;
  /** Returns the account's signed position over every strategy. */
  accountPosition?(instrumentId: InstrumentId): Decimal;
  /** Returns the gross marked exposure (quote) of one strategy's positions, or of the account's. */
  exposure(strategyId?: StrategyId): Decimal;
  /** Returns the last price of the instrument, if any. */
  markPrice(instrumentId: InstrumentId): Decimal | undefined;
  /** Returns the instrument with its filters, if known. */
  instrument(instrumentId: InstrumentId): Instrument | undefined;
}

/** The full context of a risk check: the portfolio's view plus the exposure of open orders. */
export interface PreTradeContext extends PortfolioRiskView {
  /** Returns the quote notional of the open, unfilled quantity of orders, of one strategy or of all. */
  pendingExposure(strategyId?: StrategyId): Decimal;
}

/** Risk as execution is given it: the checks and the portfolio view they read. */
export interface ExecutionRisk {
  readonly engine: PreTradeRisk;
  readonly view: PortfolioRiskView;
}

/** Stop-loss and take-profit orders, which go through the executor's priority lane. */
const PROTECTIVE_TYPES: ReadonlySet<OrderType> = new Set([
  "STOP_LOSS",
  "STOP_LOSS_LIMIT",
  "TAKE_PROFIT",
  "TAKE_PROFIT_LIMIT",
]);

/** Returns true for reduce-only orders and stop/take-profit types: they take the priority lane. */
export function isProtective(type: OrderType, reduceOnly: boolean | undefined): boolean {
  return reduceOnly === true || PROTECTIVE_TYPES.has(type);
}

/** Returns the context of a risk check: the portfolio view plus the pending exposure execution keeps. */
export function preTradeContext(
  view: PortfolioRiskView,
  pending: (strategyId: StrategyId | undefined) => Decimal,
): PreTradeContext {
  return {
    position: (s, i) => view.position(s, i),
    ...(view.accountPosition === undefined
      ? {}
      : { accountPosition: (i: InstrumentId) => view.accountPosition!(i) }),
    exposure: (s) => view.exposure(s),
    markPrice: (i) => view.markPrice(i),
    instrument: (i) => view.instrument(i),
    pendingExposure: (s) => pending(s),
  };
}
