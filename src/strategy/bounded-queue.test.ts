import assert from "node:assert/strict";
import { test } from "node:test";
import { BoundedQueue } from "./bounded-queue.ts";

test("items come out in the order they went in, across growth and wrap-around", () => {
  const q = new BoundedQueue<number>(1000);
  const out: number[] = [];
  let next = 0;
  for (let round = 0; round < 50; round++) {
    for (let i = 0; i < 7; i++) assert.ok(q.push(next++));
    for (let i = 0; i < 5; i++) out.push(q.shift()!);
  }
  while (q.length > 0) out.push(q.shift()!);
  assert.deepEqual(
    out,
    Array.from({ length: next }, (_, i) => i),
  );
  assert.equal(q.shift(), undefined);
});

test("push refuses past the capacity and keeps nothing; pushUnbounded does not", () => {
  const q = new BoundedQueue<string>(2);
  assert.ok(q.push("a"));
  assert.ok(q.push("b"));
  assert.equal(q.push("c"), false);
  assert.equal(q.length, 2);
  q.pushUnbounded("d");
  assert.equal(q.length, 3);
  assert.deepEqual([q.shift(), q.shift(), q.shift()], ["a", "b", "d"]);
});

test("clear returns how many were dropped; unshiftAll puts items in front, in order", () => {
  const q = new BoundedQueue<number>(10);
  q.push(3);
  q.push(4);
  q.unshiftAll([1, 2]);
  assert.equal(q.peek(), 1);
  assert.deepEqual([q.shift(), q.shift(), q.shift(), q.shift()], [1, 2, 3, 4]);
  q.push(5);
  q.push(6);
  assert.equal(q.clear(), 2);
  assert.equal(q.length, 0);
});
