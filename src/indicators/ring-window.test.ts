import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { RingWindow } from "./ring-window.ts";

test("RingWindow keeps the last `capacity` values and hands back the evicted one", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 10 }), fc.array(fc.integer(), { maxLength: 60 }), (cap, xs) => {
      const w = new RingWindow(cap);
      xs.forEach((x, i) => {
        const evicted = w.push(x);
        assert.equal(evicted, i >= cap ? xs[i - cap] : 0);
        const expected = xs.slice(Math.max(0, i + 1 - cap), i + 1);
        assert.deepEqual(w.toArray(), expected);
        assert.equal(w.length, expected.length);
        assert.equal(w.isFull, expected.length === cap);
        for (const [j, v] of expected.entries()) assert.equal(w.at(j), v);
      });
      w.clear();
      assert.equal(w.length, 0);
      assert.deepEqual(w.toArray(), []);
    }),
  );
});
