import assert from "node:assert/strict";
import { test } from "node:test";
import { accountId, instrumentId, tradeId } from "../core/index.ts";
import { RecentTradeIds } from "./recent-trade-ids.ts";

const PAPER = accountId("paper");
const OTHER = accountId("other");
const BTC = instrumentId("BTCUSDT");
const ETH = instrumentId("ETHUSDT");

test("a trade id is remembered once per account and instrument", () => {
  const ids = new RecentTradeIds(10);
  assert.equal(ids.remember(PAPER, BTC, tradeId("1")), true);
  assert.equal(ids.remember(PAPER, BTC, tradeId("1")), false, "a repeat");
  assert.equal(ids.remember(PAPER, ETH, tradeId("1")), true, "another instrument");
  assert.equal(ids.remember(OTHER, BTC, tradeId("1")), true, "another account");
  assert.equal(ids.forgotten, 0);
});

test("when full it forgets the oldest id first, counts it, and a forgotten id is accepted again", () => {
  const ids = new RecentTradeIds(3);
  for (const t of ["a", "b", "c"]) assert.equal(ids.remember(PAPER, BTC, tradeId(t)), true);
  assert.equal(ids.remember(PAPER, ETH, tradeId("d")), true); // forgets a
  assert.equal(ids.forgotten, 1);
  assert.equal(ids.remember(PAPER, BTC, tradeId("b")), false, "b is still remembered");
  assert.equal(ids.remember(PAPER, BTC, tradeId("a")), true, "a was forgotten"); // forgets b
  assert.equal(ids.remember(PAPER, BTC, tradeId("b")), true, "b was forgotten next"); // forgets c
  assert.equal(ids.remember(PAPER, ETH, tradeId("d")), false);
  assert.equal(ids.forgotten, 3);
});
