import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { type Decimal, dec } from "../../../core/index.ts";
import { PriceTimeQueue } from "./price-time-queue.ts";

interface Item {
  readonly seq: number;
  readonly price: Decimal;
}

const item = (seq: number, price: string): Item => ({ seq, price: dec(price) });

test("bids: highest price first, then earliest arrival", () => {
  const q = new PriceTimeQueue<Item>((i) => i.price, true);
  const a = item(1, "100");
  const b = item(2, "101");
  const c = item(3, "100");
  const d = item(4, "99");
  for (const i of [a, b, c, d]) q.insert(i);
  assert.deepEqual(
    q.bestFirst().map((i) => i.seq),
    [2, 1, 3, 4],
  );
  assert.equal(q.best(), b);
  assert.equal(q.remove(a), true);
  assert.equal(q.remove(a), false, "removing twice finds nothing");
  assert.equal(q.popBest(), b);
  assert.deepEqual(
    q.bestFirst().map((i) => i.seq),
    [3, 4],
  );
  assert.equal(q.size, 2);
});

test("asks: lowest price first", () => {
  const q = new PriceTimeQueue<Item>((i) => i.price, false);
  for (const i of [item(1, "5"), item(2, "3"), item(3, "4"), item(4, "3")]) q.insert(i);
  assert.deepEqual(
    q.bestFirst().map((i) => i.seq),
    [2, 4, 3, 1],
  );
});

test("property: the queue always equals a sort by price then arrival, under inserts and removes", () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: 1, max: 20 }), fc.boolean()), { maxLength: 60 }),
      fc.boolean(),
      (steps, higherIsBetter) => {
        const q = new PriceTimeQueue<Item>((i) => i.price, higherIsBetter);
        const model: Item[] = [];
        steps.forEach(([p, removeOne], seq) => {
          if (removeOne && model.length > 0) {
            const victim = model[p % model.length]!;
            assert.equal(q.remove(victim), true);
            model.splice(model.indexOf(victim), 1);
          } else {
            const i = item(seq, String(p));
            q.insert(i);
            model.push(i);
          }
        });
        const sign = higherIsBetter ? -1 : 1;
        const sorted = [...model].sort((a, b) => sign * a.price.cmp(b.price) || a.seq - b.seq);
        assert.deepEqual(
          q.bestFirst().map((i) => i.seq),
          sorted.map((i) => i.seq),
        );
      },
    ),
  );
});
