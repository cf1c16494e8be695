import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { asMicros, Decimal, dec, instrumentId } from "../core/index.ts";
import type { OrderSide } from "../model/index.ts";
import { Position } from "./position.ts";

const AT = asMicros(1_700_000_000_000_000);

/** Applies fills given as [side, qty, price, commission?, kind?] and returns the position. */
function run(fills: Array<[OrderSide, string, string, string?, ("quote" | "base" | "other")?, string?]>): {
  position: Position;
  cash: Decimal;
} {
  const position = new Position(instrumentId("BTCUSDT"));
  let cash = Decimal.ZERO;
  for (const [side, qty, price, commission = "0", kind = "quote", asset = "USDT"] of fills) {
    cash = cash.add(position.applyFill(side, dec(qty), dec(price), dec(commission), asset, kind, AT));
  }
  return { position, cash };
}

function expectPosition(p: Position, quantity: string, averagePrice: string, realized: string): void {
  assert.equal(p.quantity.toString(), quantity, "quantity");
  assert.equal(p.averagePrice.toString(), averagePrice, "average price");
  assert.equal(p.realizedPnl.toString(), realized, "realized PnL");
}

describe("Position: long", () => {
  test("adding at two prices averages the entry; partial and full closes realize against the average", () => {
    const { position: p } = run([
      ["BUY", "1", "100"],
      ["BUY", "1", "110"],
    ]);
    expectPosition(p, "2", "105", "0");
    assert.equal(p.unrealizedPnl(dec("120")).toString(), "30");
    p.applyFill("SELL", dec("1"), dec("120"), Decimal.ZERO, "USDT", "quote", AT);
    expectPosition(p, "1", "105", "15"); // (120 - 105) x 1
    p.applyFill("SELL", dec("1"), dec("100"), Decimal.ZERO, "USDT", "quote", AT);
    expectPosition(p, "0", "0", "10"); // 15 + (100 - 105)
    assert.equal(p.costBasis.toString(), "0");
  });

  test("a partial close of a third keeps the average and the identity realized + unrealized = cash + value", () => {
    const { position: p, cash } = run([
      ["BUY", "3", "10"],
      ["BUY", "0", "10"], // a zero fill changes nothing
      ["SELL", "1", "13"],
    ]);
    expectPosition(p, "2", "10", "3");
    assert.equal(cash.toString(), "-17");
    assert.equal(
      p.realizedPnl.add(p.unrealizedPnl(dec("11"))).toString(),
      cash.add(p.quantity.mul(dec("11"))).toString(),
    );
  });
});

describe("Position: short", () => {
  test("a short gains when bought back lower and loses when bought back higher", () => {
    const { position: p } = run([
      ["SELL", "2", "100"],
      ["BUY", "1", "90"],
    ]);
    expectPosition(p, "-1", "100", "10");
    assert.equal(p.unrealizedPnl(dec("95")).toString(), "5");
    p.applyFill("BUY", dec("1"), dec("110"), Decimal.ZERO, "USDT", "quote", AT);
    expectPosition(p, "0", "0", "0"); // 10 - 10
  });
});

describe("Position: flips", () => {
  test("a sell larger than the long closes it, realizes PnL, and opens a short at the fill price", () => {
    const { position: p } = run([
      ["BUY", "1", "100"],
      ["SELL", "3", "120"],
    ]);
    expectPosition(p, "-2", "120", "20");
    assert.equal(p.costBasis.toString(), "-240");
    p.applyFill("BUY", dec("2"), dec("110"), Decimal.ZERO, "USDT", "quote", AT);
    expectPosition(p, "0", "0", "40"); // 20 + (120 - 110) x 2
  });

  test("a buy larger than the short flips to a long at the fill price", () => {
    const { position: p } = run([
      ["SELL", "1.5", "200"],
      ["BUY", "2", "180"],
    ]);
    expectPosition(p, "0.5", "180", "30");
    p.applyFill("SELL", dec("0.5"), dec("170"), Decimal.ZERO, "USDT", "quote", AT);
    expectPosition(p, "0", "0", "25");
  });
});

describe("Position: commissions", () => {
  test("a commission in the quote asset reduces realized PnL and cash", () => {
    const { position: p, cash } = run([
      ["BUY", "1", "100", "0.1", "quote", "USDT"],
      ["SELL", "1", "110", "0.11", "quote", "USDT"],
    ]);
    expectPosition(p, "0", "0", "9.79");
    assert.equal(cash.toString(), "9.79");
    assert.equal(p.view(undefined).commissions["USDT"]?.toString(), "0.21");
  });

  test("a commission in the base asset reduces the quantity held (Binance BUY without BNB)", () => {
    const { position: p, cash } = run([["BUY", "1", "100", "0.001", "base", "BTC"]]);
    // 1 BTC bought, 0.001 BTC kept by the venue: 0.999 held, paid 100 USDT, fee worth 0.1 USDT.
    expectPosition(p, "0.999", "100", "-0.1");
    assert.equal(p.costBasis.toString(), "99.9");
    assert.equal(cash.toString(), "-100");
    assert.equal(p.unrealizedPnl(dec("110")).toString(), "9.99");
    // realized + unrealized = cash + quantity x price = -100 + 109.89
    assert.equal(p.realizedPnl.add(p.unrealizedPnl(dec("110"))).toString(), "9.89");
    p.applyFill("SELL", dec("0.999"), dec("110"), dec("0.10989"), "USDT", "quote", AT);
    expectPosition(p, "0", "0", "9.78011"); // 109.89 - 100 - 0.10989
  });

  test("a commission in a third asset (BNB) is recorded but has no price, so PnL and quantity ignore it", () => {
    const { position: p, cash } = run([["BUY", "1", "100", "0.0002", "other", "BNB"]]);
    expectPosition(p, "1", "100", "0");
    assert.equal(cash.toString(), "-100");
    assert.equal(p.view(undefined).commissions["BNB"]?.toString(), "0.0002");
  });
});

test("the average price rounds, the cost basis does not: a later full close realizes exactly", () => {
  const { position: p } = run([
    ["BUY", "1", "1"],
    ["BUY", "2", "2"],
  ]);
  assert.equal(p.averagePrice.toString(), "1.666666666666666667");
  p.applyFill("SELL", dec("1"), dec("2"), Decimal.ZERO, "USDT", "quote", AT);
  // Removed cost 5/3 rounds half-even to 18 decimals; the remainder keeps the exact rest.
  assert.equal(p.realizedPnl.toString(), "0.333333333333333333");
  p.applyFill("SELL", dec("2"), dec("2"), Decimal.ZERO, "USDT", "quote", AT);
  assert.equal(p.realizedPnl.toString(), "1", "a round trip realizes exactly sells - buys");
});
