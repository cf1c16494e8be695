import assert from "node:assert/strict";
import { test } from "node:test";
import { MessageBus, Topic } from "../bus/index.ts";
import {
  accountId,
  asMicros,
  clientOrderId,
  dec,
  instrumentId,
  strategyId,
  TestClock,
  tradeId,
  venueOrderId,
} from "../core/index.ts";
import type { Instrument, OrderFilled, OrderSide, TradeTick } from "../model/index.ts";
import { EquityCurve, Portfolio } from "./index.ts";

const BTCUSDT = instrumentId("BTCUSDT");
const PAPER = accountId("paper");
const S1 = strategyId("s1");
const T0 = Date.UTC(2024, 0, 1) * 1000;

const BTC: Instrument = {
  id: BTCUSDT,
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

let n = 0;
function fill(side: OrderSide, qty: string, price: string, commission: string, asset: string): OrderFilled {
  n++;
  return {
    kind: "OrderFilled",
    clientOrderId: clientOrderId(`c${n}`),
    strategyId: S1,
    instrumentId: BTCUSDT,
    accountId: PAPER,
    venueOrderId: venueOrderId(n),
    tradeId: tradeId(`t${n}`),
    side,
    lastQty: dec(qty),
    lastPrice: dec(price),
    commission: dec(commission),
    commissionAsset: asset,
    liquidity: "TAKER",
    orderStatus: "FILLED",
    ts: asMicros(T0 + n),
  };
}

function trade(price: string, at: number): TradeTick {
  return {
    kind: "trade",
    instrumentId: BTCUSDT,
    tradeId: tradeId(at),
    price: dec(price),
    quantity: dec("1"),
    aggressor: "BUY",
    eventTime: asMicros(at),
    receivedAt: asMicros(at),
  };
}

test("a book reports its fees per asset and its gross exposure at the mark", () => {
  const bus = new MessageBus();
  const portfolio = new Portfolio({
    bus,
    clock: new TestClock(T0),
    instruments: [BTC],
    initialCash: { paper: { USDT: "10000", BNB: "1" } },
  });
  portfolio.start();
  portfolio.applyFill(fill("BUY", "0.1", "20000", "0.0001", "BTC")); // Binance: a buyer pays in the base asset
  portfolio.applyFill(fill("SELL", "0.02", "21000", "0.42", "USDT"));
  portfolio.applyFill(fill("BUY", "0.01", "20500", "0.001", "BNB"));
  bus.publish(Topic.Trade, trade("22000", T0 + 100));
  const book = portfolio.account(PAPER);
  assert.ok(book !== undefined);
  assert.equal(book.fees["BTC"]?.toString(), "0.0001");
  assert.equal(book.fees["USDT"]?.toString(), "0.42");
  assert.equal(book.fees["BNB"]?.toString(), "0.001");
  // Position 0.1 - 0.0001 (fee in BTC) - 0.02 + 0.01 = 0.0899 BTC, marked at 22000.
  assert.equal(book.exposure["USDT"]?.toString(), "1977.8");
  const strategyBook = portfolio.strategy(S1);
  assert.equal(strategyBook?.exposure["USDT"]?.toString(), "1977.8");
});

test("recordEquity samples every book into its equity curve, in time order", () => {
  const bus = new MessageBus();
  const clock = new TestClock(T0);
  const portfolio = new Portfolio({
    bus,
    clock,
    instruments: [BTC],
    initialCash: { paper: { USDT: "10000" } },
  });
  portfolio.start();
  portfolio.applyFill(fill("BUY", "0.1", "20000", "0", "USDT"));
  bus.publish(Topic.Trade, trade("20000", T0 + 10));
  assert.equal(portfolio.recordEquity(asMicros(T0 + 10)), 2); // the account and the strategy
  bus.publish(Topic.Trade, trade("21000", T0 + 20));
  portfolio.recordEquity(asMicros(T0 + 20));
  const curve = portfolio.equityCurve(PAPER);
  assert.deepEqual(
    curve.map((p) => [p.ts, p.equity["USDT"]?.toString()]),
    [
      [T0 + 10, "10000"],
      [T0 + 20, "10100"],
    ],
  );
  assert.deepEqual(
    portfolio.equityCurve(S1).map((p) => p.equity["USDT"]?.toString()),
    ["0", "100"],
  );
  assert.deepEqual(portfolio.equityCurve("nobody"), []);
});

test("an equity curve keeps the newest samples when full and counts what it overwrote", () => {
  const curve = new EquityCurve(3);
  for (let i = 1; i <= 5; i++) curve.record({ ts: asMicros(i), equity: { USDT: dec(String(i)) } });
  assert.deepEqual(
    curve.points().map((p) => p.ts),
    [3, 4, 5],
  );
  assert.equal(curve.dropped, 2);
  curve.record({ ts: asMicros(4), equity: {} }); // older than the last: ignored
  assert.equal(curve.last()?.ts, 5);
  assert.throws(() => new EquityCurve(0), RangeError);
});
