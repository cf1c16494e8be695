import assert from "node:assert/strict";
import { test } from "node:test";
import { LiveClock, TestClock } from "./clock.ts";

test("TestClock fires timers in due order as it advances, intervals repeat", () => {
  const clock = new TestClock(0);
  const fired: string[] = [];
  clock.setTimeout(() => fired.push(`b@${clock.now()}`), 20);
  clock.setTimeout(() => fired.push(`a@${clock.now()}`), 10);
  const iv = clock.setInterval(() => fired.push(`i@${clock.now()}`), 15);
  clock.advance(31);
  assert.deepEqual(fired, ["a@10000", "i@15000", "b@20000", "i@30000"]);
  clock.clearTimer(iv);
  clock.advance(100);
  assert.equal(fired.length, 4);
  assert.equal(clock.now(), 131_000);
});

test("TestClock timers set from a callback fire within the same advance when due", () => {
  const clock = new TestClock(0);
  const fired: number[] = [];
  clock.setTimeout(() => clock.setTimeout(() => fired.push(clock.now()), 5), 5);
  clock.advance(10);
  assert.deepEqual(fired, [10_000]);
});

test("TestClock refuses to go back in time", () => {
  const clock = new TestClock(1000);
  assert.throws(() => clock.advanceTo(10));
});

test("LiveClock reads microseconds near Date.now()", () => {
  const us = new LiveClock().now();
  assert.ok(Math.abs(us / 1000 - Date.now()) < 1000);
  assert.ok(Number.isInteger(us));
});
