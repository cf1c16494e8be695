import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DeferredSimExchange } from "./deferred-sim-exchange.ts";
import type { SimUserEvent } from "./exchange/sim-exchange-api.ts";
import { FakeSimExchange } from "./server/test-support/fake-sim-exchange.ts";

describe("DeferredSimExchange", () => {
  it("subscribes early listeners at bind() and forwards calls afterwards", () => {
    const deferred = new DeferredSimExchange();
    const seen: SimUserEvent[] = [];
    const cancelled: SimUserEvent[] = [];
    deferred.onUserEvent((e) => seen.push(e));
    const off = deferred.onUserEvent((e) => cancelled.push(e));
    off();
    assert.throws(() => deferred.symbolInfos(), /before bind/);
    const fake = new FakeSimExchange();
    deferred.bind(fake);
    assert.equal(deferred.symbolInfos().length, 2);
    deferred.newOrder("a", { symbol: "LTCBTC" });
    assert.equal(seen.length, 1);
    assert.equal(cancelled.length, 0);
    assert.equal(fake.callsOf("newOrder").length, 1);
  });
});
