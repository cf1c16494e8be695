import assert from "node:assert/strict";
import { test } from "node:test";
import { dec } from "../../../core/index.ts";
import { slipPrice } from "./slippage.ts";

const tick = dec("0.01");

test("none keeps the price", () => {
  assert.equal(slipPrice(dec("100"), "BUY", { kind: "none" }, tick).toString(), "100");
});

test("bps rounds against the taker onto the tick grid", () => {
  const model = { kind: "bps" as const, bps: dec("5") };
  assert.equal(slipPrice(dec("100.01"), "BUY", model, tick).toString(), "100.07"); // 100.060005 -> up
  assert.equal(slipPrice(dec("100.01"), "SELL", model, tick).toString(), "99.95"); // 99.959995 -> down
  assert.equal(slipPrice(dec("100.01"), "BUY", model, dec("0")).toString(), "100.060005");
});

test("ticks shift by whole ticks; a sell never reaches zero", () => {
  const model = { kind: "ticks" as const, ticks: 2 };
  assert.equal(slipPrice(dec("10"), "BUY", model, tick).toString(), "10.02");
  assert.equal(slipPrice(dec("10"), "SELL", model, tick).toString(), "9.98");
  assert.equal(slipPrice(dec("0.01"), "SELL", model, tick).toString(), "0.01");
});
