import { MessageBus } from "../../bus/index.ts";
import {
  type AccountId,
  accountId,
  asMicros,
  clientOrderId,
  Decimal,
  type InstrumentId,
  instrumentId,
  type StrategyId,
  strategyId,
  TestClock,
  tradeId,
  venueOrderId,
} from "../../core/index.ts";
import { type Instrument, type OrderFilled, type OrderSide, parseInstrument } from "../../model/index.ts";
import { Portfolio } from "../portfolio.ts";

/** Shared set-up of the books snapshot tests and benchmark: instruments, ids and a fill builder. */
export const BTCUSDT = instrumentId("BTCUSDT");
export const ETHBTC = instrumentId("ETHBTC");
export const PAPER = accountId("paper");
export const MAIN = accountId("main");
export const STRATEGIES: readonly StrategyId[] = [strategyId("s1"), strategyId("s2"), strategyId("s3")];
export const T0 = Date.UTC(2024, 0, 1) * 1000;
/** Starting cash of the accounts the test portfolios are configured with. */
export const INITIAL_CASH = { paper: { USDT: "10000", BTC: "1" }, main: { USDT: "500" } };

/** Returns a spot instrument with no filters. */
export function spot(symbol: string, baseAsset: string, quoteAsset: string): Instrument {
  return parseInstrument({ symbol, status: "TRADING", baseAsset, quoteAsset, filters: [] });
}

/** BTCUSDT and ETHBTC: BTC is the base of one and the quote of the other. */
export function instruments(): Instrument[] {
  return [spot("BTCUSDT", "BTC", "USDT"), spot("ETHBTC", "ETH", "BTC")];
}

/** Returns a portfolio on its own bus and a TestClock at T0, not started. */
export function newPortfolio(
  options: {
    rememberedTradeIds?: number;
    instruments?: Instrument[];
    initialCash?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  } = {},
): Portfolio {
  return new Portfolio({
    bus: new MessageBus(),
    clock: new TestClock(T0),
    instruments: options.instruments ?? instruments(),
    initialCash: options.initialCash ?? INITIAL_CASH,
    ...(options.rememberedTradeIds === undefined ? {} : { rememberedTradeIds: options.rememberedTradeIds }),
  });
}

/** What a test fill is made of. */
export interface FillSpec {
  readonly n: number;
  readonly strategy: StrategyId;
  readonly account: AccountId;
  readonly instrument: InstrumentId;
  readonly side: OrderSide;
  readonly qty: Decimal;
  readonly price: Decimal;
  readonly commission?: Decimal;
  readonly commissionAsset?: string;
}

/** Returns an OrderFilled; its trade id and client order id come from `n`. */
export function makeFill(spec: FillSpec): OrderFilled {
  return {
    kind: "OrderFilled",
    clientOrderId: clientOrderId(`c${spec.n}`),
    strategyId: spec.strategy,
    instrumentId: spec.instrument,
    accountId: spec.account,
    venueOrderId: venueOrderId(spec.n),
    tradeId: tradeId(`t${spec.n}`),
    side: spec.side,
    lastQty: spec.qty,
    lastPrice: spec.price,
    commission: spec.commission ?? Decimal.ZERO,
    commissionAsset: spec.commissionAsset ?? "USDT",
    liquidity: "TAKER",
    orderStatus: "FILLED",
    ts: asMicros(T0 + spec.n),
  };
}
