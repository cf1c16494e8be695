/** Test support for the matching engine's tests: an instrument, a harness that feeds market data. */
import {
  asMicros,
  clientOrderId,
  type Decimal,
  dec,
  instrumentId,
  MICROS_PER_MINUTE,
  TestClock,
  tradeId,
} from "../../../core/index.ts";
import {
  type Bar,
  type Instrument,
  parseInstrument,
  type SubmitResult,
  type VenueEvent,
  type VenueFill,
  type VenueOrderRequest,
} from "../../../model/index.ts";
import type { PaperMatchingConfig } from "./matching-config.ts";
import { PaperMatchingEngine } from "./paper-matching-engine.ts";

export const BTCUSDT = instrumentId("BTCUSDT");
export const T0 = Date.UTC(2024, 0, 1) * 1000;

/** Returns BTCUSDT with tick 0.01, step 0.001, min notional 1. */
export function testInstrument(): Instrument {
  return parseInstrument({
    symbol: "BTCUSDT",
    status: "TRADING",
    baseAsset: "BTC",
    quoteAsset: "USDT",
    filters: [
      { filterType: "PRICE_FILTER", minPrice: "0.01", maxPrice: "1000000.00", tickSize: "0.01" },
      { filterType: "LOT_SIZE", minQty: "0.001", maxQty: "9000", stepSize: "0.001" },
      { filterType: "NOTIONAL", minNotional: "1", maxNotional: "9000000" },
    ],
  });
}

/** An engine with a TestClock, a recorded event list and short-hand feeders. */
export interface MatchingHarness {
  readonly engine: PaperMatchingEngine;
  readonly clock: TestClock;
  readonly events: VenueEvent[];
  fills(): VenueFill[];
  submit(
    req: Partial<Omit<VenueOrderRequest, "quantity" | "price" | "stopPrice">> & {
      id: string;
      qty?: string;
      price?: string;
      stop?: string;
    },
  ): SubmitResult;
  /** A trade at the clock's time (or `atUs`). */
  trade(price: string, qty?: string, atUs?: number): void;
  quote(bid: string, bidSize: string, ask: string, askSize: string): void;
  /** A closed 1m bar starting `minute` minutes after T0; the clock moves to its close. */
  bar(o: string, h: string, l: string, c: string, minute: number, volume?: string): void;
  free(asset: string): string;
  locked(asset: string): string;
}

/** Builds a harness; the default account holds 10,000 USDT and 10 BTC. */
export function matchingHarness(config: Partial<PaperMatchingConfig> = {}): MatchingHarness {
  const clock = new TestClock(T0);
  const engine = new PaperMatchingEngine({
    clock,
    instruments: [testInstrument()],
    initialBalances: { USDT: "10000", BTC: "10" },
    ...config,
  });
  const events: VenueEvent[] = [];
  engine.onEvent((e) => events.push(e));
  let seq = 0;
  return {
    engine,
    clock,
    events,
    fills: () => events.flatMap((e) => (e.kind === "fill" ? [e.fill] : [])),
    submit: (r) =>
      engine.submit({
        clientOrderId: clientOrderId(r.id),
        instrumentId: r.instrumentId ?? BTCUSDT,
        side: r.side ?? "BUY",
        type: r.type ?? "MARKET",
        quantity: dec(r.qty ?? "1"),
        price: r.price === undefined ? undefined : dec(r.price),
        stopPrice: r.stop === undefined ? undefined : dec(r.stop),
        timeInForce: r.timeInForce,
      }),
    trade: (price, qty = "1", atUs) => {
      const t = asMicros(atUs ?? clock.now());
      engine.onMarketEvent({
        kind: "trade",
        instrumentId: BTCUSDT,
        tradeId: tradeId(++seq),
        price: dec(price),
        quantity: dec(qty),
        aggressor: "SELL",
        eventTime: t,
        receivedAt: t,
      });
    },
    quote: (bid, bidSize, ask, askSize) => {
      const t = asMicros(clock.now());
      engine.onMarketEvent({
        kind: "quote",
        instrumentId: BTCUSDT,
        bid: dec(bid),
        bidSize: dec(bidSize),
        ask: dec(ask),
        askSize: dec(askSize),
        eventTime: t,
        receivedAt: t,
      });
    },
    bar: (o, h, l, c, minute, volume = "100") => {
      const openTime = T0 + minute * MICROS_PER_MINUTE;
      const b: Bar = {
        kind: "bar",
        instrumentId: BTCUSDT,
        interval: "1m",
        openTime: asMicros(openTime),
        closeTime: asMicros(openTime + MICROS_PER_MINUTE - 1),
        open: dec(o),
        high: dec(h),
        low: dec(l),
        close: dec(c),
        volume: dec(volume),
        quoteVolume: dec("0"),
        tradeCount: 1,
        closed: true,
        receivedAt: asMicros(openTime + MICROS_PER_MINUTE),
      };
      if (b.closeTime > clock.now()) clock.advanceTo(b.closeTime);
      engine.onMarketEvent(b);
    },
    free: (asset) => engine.balance(asset).free.toString(),
    locked: (asset) => engine.balance(asset).locked.toString(),
  };
}

/** Returns the sum of a list of decimals. */
export function sum(values: readonly Decimal[]): Decimal {
  return values.reduce((a, b) => a.add(b), dec("0"));
}
