import {
  accountId,
  type ClientOrderId,
  Decimal,
  type InstrumentId,
  type StrategyId,
  TestClock,
  tradeId,
  venueOrderId,
} from "../../core/index.ts";
import { type Bar, type Instrument, type OrderFilled, OrderStatus } from "../../model/index.ts";
import type { OpenOrderView, OrderRequest, SignalRequest, Strategy, StrategyContext } from "../strategy.ts";

/** A signal as the fake context recorded it, with the bar it was raised on. */
export interface RecordedSignal extends SignalRequest {
  readonly bar: number;
}

/** An order as the fake context recorded it. */
export interface RecordedOrder extends OrderRequest {
  readonly clientOrderId: ClientOrderId;
  readonly bar: number;
}

/**
 * A StrategyContext for unit tests of strategies, standing in for the engine and a venue: it
 * records signals, orders and cancels, keeps the strategy's position, fills BUY/SELL signals at
 * the bar's close and resting LIMIT orders when a bar trades through their price.
 */
export class FakeStrategyContext implements StrategyContext {
  readonly strategyId = "test-strategy" as StrategyId;
  readonly clock = new TestClock(0);
  isWarmingUp = false;
  readonly signals: RecordedSignal[] = [];
  readonly orders: RecordedOrder[] = [];
  readonly cancels: ClientOrderId[] = [];
  readonly fills: OrderFilled[] = [];
  readonly open = new Map<ClientOrderId, RecordedOrder>();
  readonly positions = new Map<InstrumentId, Decimal>();
  readonly instruments = new Map<InstrumentId, Instrument>();
  stateChanges = 0;
  /** Index of the bar being delivered. */
  bar = -1;
  #nextOrder = 1;
  #nextTrade = 1;
  #signalsFilled = 0;

  /**
   * Commission charged in the base asset on buys, as a fraction (Binance's default when the account
   * pays fees in the traded coin): a buy of q adds q x (1 - rate) to the position. Default 0.
   */
  baseFeeRate: Decimal = Decimal.ZERO;

  constructor(instruments: readonly Instrument[] = []) {
    for (const i of instruments) this.instruments.set(i.id, i);
  }

  instrument(id: InstrumentId): Instrument | undefined {
    return this.instruments.get(id);
  }

  position(id: InstrumentId): Decimal {
    return this.positions.get(id) ?? Decimal.ZERO;
  }

  openOrders(id: InstrumentId): readonly OpenOrderView[] {
    const out: OpenOrderView[] = [];
    for (const o of this.open.values()) {
      if (o.instrumentId === id) {
        out.push({
          clientOrderId: o.clientOrderId,
          side: o.side,
          type: o.type,
          quantity: o.quantity,
          price: o.price,
        });
      }
    }
    return out;
  }

  signal(request: SignalRequest): void {
    if (this.isWarmingUp) return;
    this.signals.push({ ...request, bar: this.bar });
  }

  submitOrder(request: OrderRequest): ClientOrderId | undefined {
    if (this.isWarmingUp) return undefined;
    const clientOrderId = `fake-${this.#nextOrder++}` as ClientOrderId;
    const order = { ...request, clientOrderId, bar: this.bar };
    this.orders.push(order);
    this.open.set(clientOrderId, order);
    return clientOrderId;
  }

  cancelOrder(clientOrderId: ClientOrderId): void {
    this.cancels.push(clientOrderId);
    this.open.delete(clientOrderId);
  }

  markStateChanged(): void {
    this.stateChanges++;
  }

  /** Delivers the bars in order: resting limits fill first, then onBar, then signals fill at the close. */
  run(strategy: Strategy<never>, bars: readonly Bar[], firstIndex = 0): void {
    bars.forEach((bar, i) => {
      this.bar = firstIndex + i;
      this.clock.set(bar.closeTime);
      for (const fill of this.fillLimitOrders(bar)) strategy.onOrderFilled?.(fill, this);
      strategy.onBar?.(bar, this);
      for (const fill of this.fillSignals(bar.close)) strategy.onOrderFilled?.(fill, this);
    });
  }

  /** Fills every BUY/SELL signal not filled yet at the given price (a market order). */
  fillSignals(price: Decimal): OrderFilled[] {
    const out: OrderFilled[] = [];
    for (; this.#signalsFilled < this.signals.length; this.#signalsFilled++) {
      const s = this.signals[this.#signalsFilled]!;
      if (s.action === "HOLD" || s.quantity === undefined) continue;
      out.push(
        this.#fill(
          `sig-${this.#signalsFilled}` as ClientOrderId,
          s.instrumentId,
          s.action,
          s.quantity,
          price,
        ),
      );
    }
    return out;
  }

  /** Fills resting LIMIT orders the bar traded through, at their limit price: buys high to low, then sells low to high. */
  fillLimitOrders(bar: Bar): OrderFilled[] {
    const hit = [...this.open.values()].filter(
      (o) =>
        o.instrumentId === bar.instrumentId &&
        o.type === "LIMIT" &&
        o.price !== undefined &&
        (o.side === "BUY" ? bar.low.lte(o.price) : bar.high.gte(o.price)),
    );
    hit.sort((a, b) => {
      if (a.side !== b.side) return a.side === "BUY" ? -1 : 1;
      return a.side === "BUY" ? b.price!.cmp(a.price!) : a.price!.cmp(b.price!);
    });
    return hit.map((o) => {
      this.open.delete(o.clientOrderId);
      return this.#fill(o.clientOrderId, o.instrumentId, o.side, o.quantity, o.price!);
    });
  }

  #fill(
    clientOrderId: ClientOrderId,
    instrumentId: InstrumentId,
    side: "BUY" | "SELL",
    qty: Decimal,
    price: Decimal,
  ): OrderFilled {
    const pos = this.position(instrumentId);
    const baseFee = side === "BUY" ? qty.mul(this.baseFeeRate) : Decimal.ZERO;
    this.positions.set(instrumentId, side === "BUY" ? pos.add(qty).sub(baseFee) : pos.sub(qty));
    const n = this.#nextTrade++;
    const fill: OrderFilled = {
      kind: "OrderFilled",
      clientOrderId,
      strategyId: this.strategyId,
      instrumentId,
      ts: this.clock.now(),
      accountId: accountId("paper"),
      venueOrderId: venueOrderId(n),
      tradeId: tradeId(n),
      side,
      lastQty: qty,
      lastPrice: price,
      commission: baseFee,
      commissionAsset: baseFee.isZero() ? "USDT" : "BTC",
      liquidity: "MAKER",
      orderStatus: OrderStatus.Filled,
    };
    this.fills.push(fill);
    return fill;
  }
}
