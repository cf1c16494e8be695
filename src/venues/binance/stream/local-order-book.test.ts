import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { dec, instrumentId } from "../../../core/index.ts";
import type { BookLevel } from "../wire/parse-market-depth-levels.ts";
import { LocalOrderBook } from "./local-order-book.ts";

function level(price: string, quantity: string): BookLevel {
  return { price: dec(price), quantity: dec(quantity) };
}

function show(levels: readonly BookLevel[]): string[][] {
  return levels.map((l) => [l.price.toString(), l.quantity.toString()]);
}

describe("LocalOrderBook", () => {
  test("keeps bids highest first and asks lowest first; zero removes; same price in any notation is one level", () => {
    const book = new LocalOrderBook(instrumentId("NKNUSDT"));
    book.reset(10, [level("0.35", "1"), level("0.36", "2")], [level("0.38", "3"), level("0.37", "4")]);
    assert.deepEqual(show(book.topBids(5)), [
      ["0.36", "2"],
      ["0.35", "1"],
    ]);
    assert.deepEqual(show(book.topAsks(1)), [["0.37", "4"]]);
    book.apply([level("0.36000000", "0"), level("0.355", "7")], [level("0.37", "0.5")], 12);
    assert.equal(book.lastUpdateId, 12);
    assert.deepEqual(show(book.topBids(5)), [
      ["0.355", "7"],
      ["0.35", "1"],
    ]);
    assert.equal(book.bestAsk()?.quantity.toString(), "0.5");
    assert.equal(book.bidQuantity(dec("0.36")), undefined);
    assert.equal(book.askQuantity(dec("0.38000"))?.toString(), "3");
    book.apply([level("0.1", "0")], [], 13); // removing an absent level is a no-op
    assert.deepEqual([book.bidDepth, book.askDepth], [2, 2]);
    book.clear();
    assert.deepEqual([book.bestBid(), book.bestAsk(), book.lastUpdateId], [undefined, undefined, 0]);
  });

  test("matches a naive map after any sequence of level updates (property)", () => {
    const priceArb = fc.integer({ min: 1, max: 60 }).map((n) => `${Math.floor(n / 10)}.${n % 10}`);
    const qtyArb = fc.oneof(
      fc.constant("0"),
      fc.integer({ min: 1, max: 999 }).map((n) => `${n}.5`),
    );
    const updateArb = fc.tuple(fc.boolean(), priceArb, qtyArb);
    fc.assert(
      fc.property(fc.array(updateArb, { maxLength: 200 }), (updates) => {
        const book = new LocalOrderBook(instrumentId("BTCUSDT"));
        const bids = new Map<string, string>();
        const asks = new Map<string, string>();
        for (const [isBid, price, qty] of updates) {
          const model = isBid ? bids : asks;
          if (qty === "0") model.delete(dec(price).toString());
          else model.set(dec(price).toString(), qty);
          book.apply(isBid ? [level(price, qty)] : [], isBid ? [] : [level(price, qty)], 1);
        }
        const sorted = (m: Map<string, string>, desc: boolean) =>
          [...m.entries()]
            .sort((a, b) => dec(a[0]).cmp(dec(b[0])) * (desc ? -1 : 1))
            .map(([p, q]) => [p, dec(q).toString()]);
        assert.deepEqual(show(book.topBids(1000)), sorted(bids, true));
        assert.deepEqual(show(book.topAsks(1000)), sorted(asks, false));
      }),
      { numRuns: 500 },
    );
  });
});
