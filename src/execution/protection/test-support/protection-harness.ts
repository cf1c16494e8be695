import { MessageBus, Topic } from "../../../bus/index.ts";
import {
  accountId,
  asMicros,
  type ClientOrderId,
  type DesError,
  dec,
  instrumentId,
  MICROS_PER_MINUTE,
  strategyId,
  TestClock,
  tradeId,
  venueOrderId,
} from "../../../core/index.ts";
import {
  type Bar,
  type CancelOrder,
  type Instrument,
  type OrderEvent,
  OrderStatus,
  type ProtectionEvent,
  parseInstrument,
  type SubmitOrder,
  type TradeTick,
} from "../../../model/index.ts";
import { ProtectionManager } from "../protection-manager.ts";
import type { ProtectionManagerConfig } from "../protection-manager-types.ts";

/** The instrument of the protection tests (tick 0.01, step 0.001, min qty 0.001). */
export const BTCUSDT = instrumentId("BTCUSDT");
/** The strategy of the protection tests. */
export const S1 = strategyId("s1");
/** The start of the tests' market time. */
export const T0 = Date.UTC(2024, 0, 1) * 1000;

/** Returns BTCUSDT with tick 0.01, step 0.001 and min notional 1. */
export function btcusdt(): Instrument {
  return parseInstrument({
    symbol: "BTCUSDT",
    status: "TRADING",
    baseAsset: "BTC",
    quoteAsset: "USDT",
    filters: [
      { filterType: "PRICE_FILTER", minPrice: "0.01", maxPrice: "1000000.00", tickSize: "0.01" },
      { filterType: "LOT_SIZE", minQty: "0.001", maxQty: "9000", stepSize: "0.001" },
      { filterType: "NOTIONAL", minNotional: "1" },
    ],
  });
}

/** Returns a trade tick at a price, `seq` microseconds after T0 (market time moves with seq). */
export function trade(price: string, seq: number): TradeTick {
  return {
    kind: "trade",
    instrumentId: BTCUSDT,
    tradeId: tradeId(seq),
    price: dec(price),
    quantity: dec("1"),
    aggressor: "SELL",
    eventTime: asMicros(T0 + seq),
    receivedAt: asMicros(T0 + seq),
  };
}

/** Returns a closed 1m bar opening `minute` minutes after T0. */
export function bar(minute: number, low: string, high: string, close: string): Bar {
  const openTime = T0 + minute * MICROS_PER_MINUTE;
  return {
    kind: "bar",
    instrumentId: BTCUSDT,
    interval: "1m",
    openTime: asMicros(openTime),
    closeTime: asMicros(openTime + MICROS_PER_MINUTE - 1),
    open: dec(close),
    high: dec(high),
    low: dec(low),
    close: dec(close),
    volume: dec("1"),
    quoteVolume: dec("1"),
    tradeCount: 1,
    closed: true,
    receivedAt: asMicros(openTime + MICROS_PER_MINUTE),
  };
}

/** A ProtectionManager on a bus and a TestClock, with what it publishes collected. */
export interface ProtectionHarness {
  readonly bus: MessageBus;
  readonly clock: TestClock;
  readonly manager: ProtectionManager;
  readonly submits: SubmitOrder[];
  readonly cancels: CancelOrder[];
  readonly events: ProtectionEvent[];
  readonly problems: DesError[];
  /** Publishes a PositionChanged of S1 in BTCUSDT. */
  position(quantity: string, averagePrice: string): void;
  /** Publishes an order event for one of the manager's orders. */
  orderEvent(
    kind: "OrderRejected" | "OrderDenied" | "OrderCanceled" | "OrderExpired",
    id: ClientOrderId,
  ): void;
  /** Publishes a final OrderFilled for one of the manager's orders. */
  filled(order: SubmitOrder, price: string): void;
  /** Returns the actions of the ProtectionEvents so far. */
  actions(): string[];
}

/** Builds a started ProtectionManager with BTCUSDT's filters; `config` overrides the rest. */
export function protectionHarness(config: Partial<ProtectionManagerConfig> = {}): ProtectionHarness {
  const bus = new MessageBus();
  const clock = new TestClock(T0);
  const instrument = btcusdt();
  const problems: DesError[] = [];
  const manager = new ProtectionManager({
    bus,
    clock,
    instrument: (id) => (id === BTCUSDT ? instrument : undefined),
    onProblem: (p) => problems.push(p),
    ...config,
  });
  manager.start();
  const h: ProtectionHarness = {
    bus,
    clock,
    manager,
    submits: [],
    cancels: [],
    events: [],
    problems,
    position(quantity, averagePrice) {
      bus.publish(Topic.PositionChanged, {
        kind: "PositionChanged",
        strategyId: S1,
        instrumentId: BTCUSDT,
        quantity: dec(quantity),
        averagePrice: dec(averagePrice),
        realizedPnl: dec("0"),
        ts: clock.now(),
      });
    },
    orderEvent(kind, id) {
      const base = { clientOrderId: id, strategyId: S1, instrumentId: BTCUSDT, ts: clock.now() };
      const event: OrderEvent =
        kind === "OrderRejected" || kind === "OrderDenied"
          ? { kind, ...base, reason: "test says no" }
          : { kind, ...base };
      bus.publish(Topic.OrderEvent, event);
    },
    filled(order, price) {
      bus.publish(Topic.OrderEvent, {
        kind: "OrderFilled",
        clientOrderId: order.clientOrderId,
        strategyId: S1,
        instrumentId: BTCUSDT,
        accountId: accountId("paper"),
        venueOrderId: venueOrderId("v"),
        tradeId: tradeId(`f-${order.clientOrderId}`),
        side: order.side,
        lastQty: order.quantity,
        lastPrice: dec(price),
        commission: dec("0"),
        commissionAsset: "USDT",
        liquidity: "TAKER",
        orderStatus: OrderStatus.Filled,
        ts: clock.now(),
      });
    },
    actions: () => h.events.map((e) => (e.trigger === undefined ? e.action : `${e.action}:${e.trigger}`)),
  };
  bus.subscribe(Topic.SubmitOrder, (m) => h.submits.push(m), "test");
  bus.subscribe(Topic.CancelOrder, (m) => h.cancels.push(m), "test");
  bus.subscribe(Topic.Protection, (m) => h.events.push(m), "test");
  return h;
}
