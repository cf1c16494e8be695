import {
  type ClientOrderId,
  clientOrderId,
  Decimal,
  dec,
  type InstrumentId,
  instrumentId,
  type StrategyId,
  strategyId,
  TestClock,
} from "../../core/index.ts";
import type { Instrument } from "../../model/index.ts";
import type { RiskContext, RiskOrderIntent } from "../risk-engine.ts";
import { RiskEngine } from "../risk-engine.ts";
import type { RiskEvent } from "../risk-events.ts";

export const BTC: InstrumentId = instrumentId("BTCUSDT");
export const S1: StrategyId = strategyId("s1");
export const S2: StrategyId = strategyId("s2");

/** Returns a BTCUSDT-like instrument: tick 0.01, step 0.00001, minNotional 5. */
export function btcInstrument(): Instrument {
  return {
    id: BTC,
    baseAsset: "BTC",
    quoteAsset: "USDT",
    tickSize: dec("0.01"),
    minPrice: dec("0.01"),
    maxPrice: dec("1000000"),
    stepSize: dec("0.00001"),
    minQty: dec("0.00001"),
    maxQty: dec("9000"),
    minNotional: dec("5"),
    maxNotional: undefined,
    status: "TRADING",
  };
}

/** A RiskContext backed by plain mutable maps. */
export class FakeContext implements RiskContext {
  positions = new Map<string, Decimal>();
  exposures = new Map<string, Decimal>();
  pending = new Map<string, Decimal>();
  marks = new Map<string, Decimal>([[BTC, dec("50000")]]);
  instruments = new Map<string, Instrument>([[BTC, btcInstrument()]]);
  accountPositions: Map<string, Decimal> | undefined;

  position(s: StrategyId, i: InstrumentId): Decimal {
    return this.positions.get(`${s}/${i}`) ?? Decimal.ZERO;
  }
  setPosition(s: StrategyId, qty: string, i: InstrumentId = BTC): void {
    this.positions.set(`${s}/${i}`, dec(qty));
  }
  exposure(s?: StrategyId): Decimal {
    return this.exposures.get(s ?? "*") ?? Decimal.ZERO;
  }
  pendingExposure(s?: StrategyId): Decimal {
    return this.pending.get(s ?? "*") ?? Decimal.ZERO;
  }
  markPrice(i: InstrumentId): Decimal | undefined {
    return this.marks.get(i);
  }
  instrument(i: InstrumentId): Instrument | undefined {
    return this.instruments.get(i);
  }
}

let seq = 0;

/** Returns a LIMIT BUY intent for s1 on BTCUSDT at 50000 with the given overrides. */
export function intent(over: Partial<RiskOrderIntent> = {}): RiskOrderIntent {
  seq++;
  return {
    strategyId: S1,
    clientOrderId: clientOrderId(`c${seq}`) as ClientOrderId,
    instrumentId: BTC,
    side: "BUY",
    type: "LIMIT",
    quantity: dec("0.01"),
    price: dec("50000"),
    ...over,
  };
}

/** Returns an engine on a TestClock (2024-01-01T00:00Z unless given) that records its events. */
export function harness(config: unknown = {}, startUs?: number) {
  const clock = new TestClock(startUs);
  const events: RiskEvent[] = [];
  const engine = new RiskEngine({ clock, config, onEvent: (e) => events.push(e) });
  return { clock, events, engine, ctx: new FakeContext() };
}
