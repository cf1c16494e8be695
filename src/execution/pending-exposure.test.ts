import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { asMicros, clientOrderId, dec, instrumentId, strategyId } from "../core/index.ts";
import { newOrder, type Order } from "../model/index.ts";
import { PendingExposure } from "./pending-exposure.ts";

const BTC = instrumentId("BTCUSDT");
const ETH = instrumentId("ETHUSDT");
const S1 = strategyId("s1");
const S2 = strategyId("s2");

function order(id: string, qty: string, opts: { price?: string; s?: typeof S1; i?: typeof BTC } = {}): Order {
  return newOrder({
    clientOrderId: clientOrderId(id),
    strategyId: opts.s ?? S1,
    instrumentId: opts.i ?? BTC,
    side: "BUY",
    type: opts.price === undefined ? "MARKET" : "LIMIT",
    quantity: dec(qty),
    price: opts.price === undefined ? undefined : dec(opts.price),
    createdAt: asMicros(0),
  });
}

describe("PendingExposure", () => {
  const marks = (i: typeof BTC) => (i === BTC ? dec("100") : undefined);

  test("priced orders count at their price, market orders at the mark, per strategy and in total", () => {
    const p = new PendingExposure();
    p.open(order("a", "2", { price: "50" }));
    p.open(order("b", "1"));
    p.open(order("c", "3", { s: S2, price: "10" }));
    p.open(order("d", "5", { i: ETH }));
    assert.equal(p.value(S1, marks).toString(), "200", "2x50 + 1x100; ETH has no mark");
    assert.equal(p.value(S2, marks).toString(), "30");
    assert.equal(p.value(undefined, marks).toString(), "230");
    assert.equal(p.value(strategyId("none"), marks).toString(), "0");
  });

  test("fills reduce it, closing removes what is left, and repeats or overfills change nothing more", () => {
    const p = new PendingExposure();
    const a = order("a", "2", { price: "50" });
    p.open(a);
    p.open(a);
    p.filled(a, dec("0.5"));
    assert.equal(p.value(S1, marks).toString(), "75");
    p.filled(a, dec("5"));
    assert.equal(p.value(S1, marks).toString(), "0", "an overfill never goes negative");
    p.closed(a);
    p.closed(a);
    p.filled(a, dec("1"));
    assert.equal(p.value(undefined, marks).toString(), "0");
    const b = order("b", "1");
    p.open(b);
    p.closed(b);
    assert.equal(p.value(undefined, marks).toString(), "0");
    assert.equal(p.size, 0, "closed orders are forgotten");
  });
});
