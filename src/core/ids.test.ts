import assert from "node:assert/strict";
import { test } from "node:test";
import { TestClock } from "./clock.ts";
import { isDesError } from "./errors.ts";
import { ClientOrderIdGenerator, clientOrderId, instrumentId, strategyId } from "./ids.ts";

test("client order ids are unique, reproducible and fit Binance's rule", () => {
  const make = () => {
    const clock = new TestClock(Date.UTC(2030, 0, 1) * 1000);
    const gen = new ClientOrderIdGenerator(clock, "des");
    const ids = [];
    for (let i = 0; i < 10_000; i++) {
      if (i % 7 === 0) clock.advance(3);
      ids.push(gen.next());
    }
    return ids;
  };
  const a = make();
  assert.deepEqual(a, make());
  assert.equal(new Set(a).size, a.length);
  for (const id of a) assert.match(id, /^[a-zA-Z0-9-_]{1,36}$/);
});

test("invalid ids are coded errors naming the value", () => {
  assert.throws(
    () => clientOrderId("has space"),
    (e: unknown) => isDesError(e, "DES_ERR_INVALID_ID") && e.message.includes("has space"),
  );
  assert.throws(
    () => clientOrderId("x".repeat(37)),
    (e: unknown) => isDesError(e, "DES_ERR_INVALID_ID"),
  );
  assert.throws(
    () => instrumentId("btcusdt"),
    (e: unknown) => isDesError(e, "DES_ERR_INVALID_ID"),
  );
  assert.throws(
    () => strategyId(""),
    (e: unknown) => isDesError(e, "DES_ERR_INVALID_ID"),
  );
  assert.equal(instrumentId("BTCUSDT"), "BTCUSDT");
});
