import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { MessageBus } from "../bus/index.ts";
import {
  type AccountId,
  accountId,
  asMicros,
  clientOrderId,
  Decimal,
  dec,
  instrumentId,
  type StrategyId,
  strategyId,
  TestClock,
  tradeId,
  venueOrderId,
} from "../core/index.ts";
import { type Instrument, type OrderFilled, type OrderSide, parseInstrument } from "../model/index.ts";
import { type BookView, Portfolio } from "./index.ts";

const T0 = Date.UTC(2024, 0, 1) * 1000;
const PAPER = accountId("paper");
const OTHER = accountId("other");
const S1 = strategyId("s1");
const S2 = strategyId("s2");

function instrument(symbol: string, baseAsset: string, quoteAsset: string): Instrument {
  return parseInstrument({ symbol, status: "TRADING", baseAsset, quoteAsset, filters: [] });
}
const INSTRUMENTS = [
  instrument("BTCUSDT", "BTC", "USDT"),
  instrument("ETHUSDT", "ETH", "USDT"),
  instrument("ETHBTC", "ETH", "BTC"),
];
const BTCUSDT = instrumentId("BTCUSDT");
const ETHUSDT = instrumentId("ETHUSDT");
const ETHBTC = instrumentId("ETHBTC");

let n = 0;
function fill(
  strategy: StrategyId,
  account: AccountId,
  symbol: string,
  side: OrderSide,
  qty: string,
  price: string,
  commission = "0",
  commissionAsset = "USDT",
): OrderFilled {
  n++;
  return {
    kind: "OrderFilled",
    clientOrderId: clientOrderId(`c${n}`),
    strategyId: strategy,
    instrumentId: instrumentId(symbol),
    accountId: account,
    venueOrderId: venueOrderId(n),
    tradeId: tradeId(`t${n}`),
    side,
    lastQty: dec(qty),
    lastPrice: dec(price),
    commission: dec(commission),
    commissionAsset,
    liquidity: "TAKER",
    orderStatus: "FILLED",
    ts: asMicros(T0 + n),
  };
}

function portfolio(): Portfolio {
  return new Portfolio({
    bus: new MessageBus(),
    clock: new TestClock(T0),
    instruments: INSTRUMENTS,
    initialCash: { paper: { USDT: "100000", BTC: "2" } },
  });
}

/** What the risk view used to compute: the book view's exposure summed over quote assets. */
function summed(book: BookView | undefined): Decimal {
  let total = Decimal.ZERO;
  for (const v of Object.values(book?.exposure ?? {})) total = total.add(v);
  return total;
}

test("exposure accessors follow fills and marks, per strategy and per account, over every quote asset", () => {
  const p = portfolio();
  assert.equal(p.strategyExposure(S1).toString(), "0", "before any fill");
  assert.equal(p.accountExposure(PAPER).toString(), "0");
  assert.equal(p.accountExposure(accountId("nobody")).toString(), "0");
  p.applyFill(fill(S1, PAPER, "BTCUSDT", "BUY", "0.5", "20000")); // valued at the fill price: no mark yet
  p.applyFill(fill(S2, PAPER, "BTCUSDT", "SELL", "0.2", "20000"));
  assert.equal(p.strategyExposure(S1).toString(), "10000");
  assert.equal(p.strategyExposure(S2).toString(), "4000", "a short counts by its size");
  assert.equal(p.accountExposure(PAPER).toString(), "6000", "the account nets 0.5 - 0.2");
  p.updateMark(BTCUSDT, dec("21000"), asMicros(T0 + 100));
  assert.equal(p.strategyExposure(S1).toString(), "10500");
  assert.equal(p.accountExposure(PAPER).toString(), "6300");
  p.updateMark(BTCUSDT, dec("1"), asMicros(T0 + 50)); // older than the mark: ignored
  assert.equal(p.strategyExposure(S1).toString(), "10500");
  p.applyFill(fill(S1, PAPER, "ETHBTC", "BUY", "2", "0.05", "0.002", "ETH")); // quoted in BTC, fee in ETH
  assert.equal(p.strategyExposure(S1).toString(), "10500.0999", "0.5 x 21000 + 1.998 x 0.05 BTC");
  p.applyFill(fill(S1, PAPER, "BTCUSDT", "SELL", "0.5", "21000"));
  assert.equal(p.strategyExposure(S1).toString(), "0.0999", "a flat position adds nothing");
  assert.equal(p.strategyExposure(S1).toString(), summed(p.strategy(S1)).toString());
  assert.equal(p.accountExposure(PAPER).toString(), summed(p.account(PAPER)).toString());
});

test("accountQuantity is the account's signed quantity over every strategy, zero when never traded", () => {
  const p = portfolio();
  assert.equal(p.accountQuantity(PAPER, BTCUSDT).toString(), "0");
  p.applyFill(fill(S1, PAPER, "BTCUSDT", "BUY", "0.5", "20000"));
  p.applyFill(fill(S2, PAPER, "BTCUSDT", "SELL", "0.75", "20000"));
  p.applyFill(fill(S1, OTHER, "BTCUSDT", "BUY", "3", "20000"));
  assert.equal(p.accountQuantity(PAPER, BTCUSDT).toString(), "-0.25");
  assert.equal(p.accountQuantity(OTHER, BTCUSDT).toString(), "3");
  assert.equal(p.accountQuantity(PAPER, ETHUSDT).toString(), "0");
  assert.equal(p.accountQuantity(accountId("nobody"), BTCUSDT).toString(), "0");
});

const step = fc.oneof(
  fc.record({
    kind: fc.constant("fill" as const),
    strategy: fc.constantFrom(S1, S2),
    account: fc.constantFrom(PAPER, OTHER),
    symbol: fc.constantFrom("BTCUSDT", "ETHUSDT", "ETHBTC"),
    side: fc.constantFrom("BUY" as const, "SELL" as const),
    qty: fc.integer({ min: 1, max: 300_000 }).map((u) => (u / 100_000).toFixed(5)),
    price: fc.integer({ min: 1, max: 5_000_000 }).map((u) => (u / 100).toFixed(2)),
    commission: fc.integer({ min: 0, max: 1000 }).map((u) => (u / 1_000_000).toFixed(6)),
    commissionAsset: fc.constantFrom("USDT", "BTC", "ETH", "BNB"),
  }),
  fc.record({
    kind: fc.constant("mark" as const),
    symbol: fc.constantFrom("BTCUSDT", "ETHUSDT", "ETHBTC"),
    price: fc.integer({ min: 0, max: 5_000_000 }).map((u) => (u / 100).toFixed(2)),
    at: fc.integer({ min: 0, max: 1000 }),
  }),
);

test("property: the accessors always equal the book views' exposure summed, whatever fills and marks came", () => {
  fc.assert(
    fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
      const p = portfolio();
      for (const s of steps) {
        if (s.kind === "fill") {
          p.applyFill(
            fill(s.strategy, s.account, s.symbol, s.side, s.qty, s.price, s.commission, s.commissionAsset),
          );
        } else {
          p.updateMark(instrumentId(s.symbol), dec(s.price), asMicros(T0 + s.at));
        }
        for (const id of [S1, S2]) assert.ok(p.strategyExposure(id).eq(summed(p.strategy(id))));
        for (const id of [PAPER, OTHER]) {
          assert.ok(p.accountExposure(id).eq(summed(p.account(id))));
          for (const i of [BTCUSDT, ETHUSDT, ETHBTC]) {
            assert.ok(p.accountQuantity(id, i).eq(p.accountPosition(id, i).quantity));
          }
        }
      }
    }),
    { numRuns: 200 },
  );
});
