import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { clientOrderId, Decimal, dec } from "../../../core/index.ts";
import type { OrderSide, OrderType, TimeInForce, VenueFill } from "../../../model/index.ts";
import { matchingHarness, sum } from "./matching.fixture.ts";

const price = fc.integer({ min: 180, max: 220 }).map((n) => (n / 2).toFixed(2)); // 90.00 .. 110.00
const qty = fc.integer({ min: 1, max: 30 }).map((n) => (n / 10).toFixed(1));

const submitOp = fc.record({
  op: fc.constant("submit" as const),
  side: fc.constantFrom<OrderSide>("BUY", "SELL"),
  type: fc.constantFrom<OrderType>(
    "MARKET",
    "LIMIT",
    "LIMIT",
    "LIMIT_MAKER",
    "STOP_LOSS",
    "STOP_LOSS_LIMIT",
    "TAKE_PROFIT",
    "TAKE_PROFIT_LIMIT",
  ),
  tif: fc.constantFrom<TimeInForce>("GTC", "GTC", "IOC", "FOK"),
  qty,
  price,
  stop: price,
});
const ops = fc.oneof(
  { weight: 4, arbitrary: submitOp },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("cancel" as const), n: fc.nat(40) }) },
  {
    weight: 4,
    arbitrary: fc.record({ op: fc.constant("trade" as const), price, qty, dt: fc.nat(3000) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant("quote" as const),
      bid: price,
      spread: fc.integer({ min: 0, max: 4 }),
      bidSize: qty,
      askSize: qty,
      dt: fc.nat(3000),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant("bar" as const),
      open: price,
      close: price,
      up: fc.integer({ min: 0, max: 6 }),
      down: fc.integer({ min: 0, max: 6 }),
      volume: qty,
    }),
  },
);
const settings = fc.record({
  participation: fc.constantFrom(undefined, "0.5", "1"),
  feeAsset: fc.constantFrom("quote" as const, "received" as const),
  slippage: fc.constantFrom(
    { kind: "none" as const },
    { kind: "bps" as const, bps: "7" },
    { kind: "ticks" as const, ticks: 2 },
  ),
  latencyMicros: fc.constantFrom(0, 1500),
  makerFeeRate: fc.constantFrom("0", "0.0002", "0.001"),
  takerFeeRate: fc.constantFrom("0", "0.00075", "0.001"),
});

test("property: balances never go negative, locked equals what open orders hold, value moves only by fills and fees", () => {
  fc.assert(
    fc.property(settings, fc.array(ops, { minLength: 20, maxLength: 80, size: "max" }), (config, steps) => {
      const h = matchingHarness({ ...config, initialBalances: { USDT: "2000", BTC: "10" } });
      const expected = new Map<string, Decimal>([
        ["USDT", dec("2000")],
        ["BTC", dec("10")],
      ]);
      const add = (asset: string, amount: Decimal) =>
        expected.set(asset, (expected.get(asset) ?? dec("0")).add(amount));
      let seen = 0;
      let orders = 0;
      let minute = 0;
      const applyFill = (f: VenueFill) => {
        assert.ok(f.quantity.isPositive() && f.price.isPositive(), "fills are positive");
        const notional = f.quantity.mul(f.price);
        if (f.side === "BUY") {
          add("USDT", notional.neg());
          add("BTC", f.quantity);
        } else {
          add("USDT", notional);
          add("BTC", f.quantity.neg());
        }
        add(f.commissionAsset, f.commission.neg());
      };
      for (const step of steps) {
        switch (step.op) {
          case "submit": {
            const limit = ["LIMIT", "LIMIT_MAKER", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"].includes(
              step.type,
            );
            const stop = step.type.startsWith("STOP") || step.type.startsWith("TAKE");
            h.submit({
              id: `o${++orders}`,
              side: step.side,
              type: step.type,
              qty: step.qty,
              price: limit ? step.price : undefined,
              stop: stop ? step.stop : undefined,
              timeInForce: step.tif,
            });
            break;
          }
          case "cancel":
            h.engine.cancel(clientOrderId(`o${step.n}`));
            break;
          case "trade":
            h.clock.advance(step.dt / 1000);
            h.trade(step.price, step.qty);
            break;
          case "quote": {
            h.clock.advance(step.dt / 1000);
            const ask = dec(step.bid).add(dec("0.5").mul(dec(String(step.spread))));
            h.quote(step.bid, step.bidSize, ask.toFixed(2), step.askSize);
            break;
          }
          case "bar": {
            const o = dec(step.open);
            const c = dec(step.close);
            const high = Decimal.max(o, c).add(dec(String(step.up)));
            const low = Decimal.min(o, c).sub(dec(String(step.down)));
            h.bar(step.open, high.toFixed(2), low.toFixed(2), step.close, ++minute, step.volume);
            break;
          }
        }
        for (; seen < h.events.length; seen++) {
          const e = h.events[seen]!;
          if (e.kind === "fill") applyFill(e.fill);
        }
        const open = h.engine.openOrderViews();
        for (const b of h.engine.balances()) {
          assert.ok(!b.free.isNegative(), `${b.asset} free ${b.free} < 0`);
          assert.ok(!b.locked.isNegative(), `${b.asset} locked ${b.locked} < 0`);
          const held = sum(open.filter((o) => o.lockedAsset === b.asset).map((o) => o.locked));
          assert.equal(
            b.locked.toString(),
            held.toString(),
            `${b.asset} locked equals open orders' reservations`,
          );
          assert.equal(
            b.free.add(b.locked).toString(),
            (expected.get(b.asset) ?? dec("0")).toString(),
            `${b.asset} total equals start + fills - fees`,
          );
        }
        for (const o of open) {
          assert.ok(o.filledQty.lt(o.quantity), "open orders are not fully filled");
          assert.ok(o.locked.isPositive() || o.side === "BUY", "an open sell holds its base");
        }
      }
    }),
    { numRuns: 300 },
  );
});
