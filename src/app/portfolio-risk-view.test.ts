import assert from "node:assert/strict";
import { test } from "node:test";
import { MessageBus } from "../bus/index.ts";
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
import { type OrderFilled, type OrderSide, parseInstrument } from "../model/index.ts";
import { Portfolio } from "../portfolio/index.ts";
import { portfolioRiskView } from "./portfolio-risk-view.ts";

const T0 = Date.UTC(2024, 0, 1) * 1000;
const PAPER = accountId("paper");
const S1 = strategyId("s1");
const S2 = strategyId("s2");
const BTC = parseInstrument({
  symbol: "BTCUSDT",
  status: "TRADING",
  baseAsset: "BTC",
  quoteAsset: "USDT",
  filters: [],
});

let n = 0;
function fill(strategy: typeof S1, side: OrderSide, qty: string, price: string): OrderFilled {
  n++;
  return {
    kind: "OrderFilled",
    clientOrderId: clientOrderId(`c${n}`),
    strategyId: strategy,
    instrumentId: BTC.id,
    accountId: PAPER,
    venueOrderId: venueOrderId(n),
    tradeId: tradeId(`t${n}`),
    side,
    lastQty: dec(qty),
    lastPrice: dec(price),
    commission: dec("0"),
    commissionAsset: "USDT",
    liquidity: "TAKER",
    orderStatus: "FILLED",
    ts: asMicros(T0 + n),
  };
}

test("the risk view reads positions, exposure, marks and instruments from the portfolio it is given", () => {
  let portfolio: Portfolio | undefined;
  // Built before the portfolio, as the app builds execution first: reads go through the getter.
  const view = portfolioRiskView(() => portfolio!, PAPER, new Map([[BTC.id, BTC]]));
  portfolio = new Portfolio({ bus: new MessageBus(), clock: new TestClock(T0), instruments: [BTC] });
  assert.equal(view.exposure(S1).toString(), "0");
  assert.equal(view.exposure().toString(), "0");
  assert.equal(view.markPrice(BTC.id), undefined);
  portfolio.applyFill(fill(S1, "BUY", "0.3", "20000"));
  portfolio.applyFill(fill(S2, "SELL", "0.1", "20000"));
  portfolio.updateMark(BTC.id, dec("25000"), asMicros(T0 + 100));
  assert.equal(view.position(S1, BTC.id).toString(), "0.3");
  assert.equal(view.position(S2, BTC.id).toString(), "-0.1");
  assert.equal(view.accountPosition?.(BTC.id).toString(), "0.2");
  assert.equal(view.exposure(S1).toString(), "7500");
  assert.equal(view.exposure(S2).toString(), "2500");
  assert.equal(view.exposure().toString(), "5000", "the account's net 0.2 at 25000");
  assert.equal(view.markPrice(BTC.id)?.toString(), "25000");
  assert.equal(view.instrument(BTC.id), BTC);
  assert.equal(view.instrument(instrumentId("ETHUSDT")), undefined);
});
