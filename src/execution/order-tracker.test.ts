import assert from "node:assert/strict";
import { test } from "node:test";
import { asMicros, clientOrderId, dec, ErrorCode, instrumentId, strategyId, tradeId } from "../core/index.ts";
import { newOrder, type Order, OrderStatus } from "../model/index.ts";
import { OrderTracker } from "./index.ts";

const AT = asMicros(1_700_000_000_000_000);

function order(id: string, strategy = "s1", quantity = "1"): Order {
  return newOrder({
    clientOrderId: clientOrderId(id),
    strategyId: strategyId(strategy),
    instrumentId: instrumentId("BTCUSDT"),
    side: "BUY",
    type: "LIMIT",
    quantity: dec(quantity),
    price: dec("100"),
    createdAt: AT,
  });
}

test("transitions follow the table; a forbidden one is returned as an error and changes nothing", () => {
  const tracker = new OrderTracker();
  assert.equal(tracker.add(order("a")), true);
  assert.equal(tracker.add(order("a")), false, "a client order id is tracked once");
  const a = tracker.get(clientOrderId("a"))!;
  assert.equal(tracker.transition(a, OrderStatus.Submitted, AT), undefined);
  const err = tracker.transition(a, OrderStatus.Initialized, AT);
  assert.equal(err?.code, ErrorCode.InvalidOrderTransition);
  assert.equal(a.order.status, OrderStatus.Submitted);
});

test("fills accumulate, record their trade ids, and report an overfill without losing the quantity", () => {
  const tracker = new OrderTracker();
  tracker.add(order("a", "s1", "1"));
  const a = tracker.get(clientOrderId("a"))!;
  tracker.transition(a, OrderStatus.Submitted, AT);
  tracker.transition(a, OrderStatus.Accepted, AT);
  assert.equal(tracker.applyFill(a, tradeId("1"), dec("0.3"), dec("100"), AT), undefined);
  assert.equal(a.order.status, OrderStatus.PartiallyFilled);
  assert.equal(tracker.applyFill(a, tradeId("2"), dec("0.7"), dec("101"), AT), undefined);
  assert.equal(a.order.status, OrderStatus.Filled);
  assert.equal(a.order.filledQuote.toString(), "100.7");
  assert.deepEqual([...a.tradeIds], ["1", "2"]);
  const overfill = tracker.applyFill(a, tradeId("3"), dec("0.1"), dec("101"), AT);
  assert.match(overfill?.message ?? "", /overfills it \(1\.1 of 1\)/);
  assert.equal(a.order.status, OrderStatus.Filled);
});

test("open() lists only open orders, filtered by strategy; closed orders beyond the limit are forgotten oldest first", () => {
  const tracker = new OrderTracker(2);
  for (const id of ["a", "b", "c", "d"]) {
    tracker.add(order(id, id === "d" ? "s2" : "s1"));
    tracker.transition(tracker.get(clientOrderId(id))!, OrderStatus.Submitted, AT);
  }
  for (const id of ["a", "b", "c"])
    tracker.transition(tracker.get(clientOrderId(id))!, OrderStatus.Canceled, AT);
  assert.deepEqual(
    tracker.open().map((o) => o.clientOrderId),
    ["d"],
  );
  assert.deepEqual(tracker.open(strategyId("s1")), []);
  assert.equal(tracker.get(clientOrderId("a")), undefined, "the oldest closed order was forgotten");
  assert.ok(tracker.get(clientOrderId("b")));
  assert.equal(tracker.closedEvicted, 1);
  assert.throws(() => new OrderTracker(0), /maxClosedOrders/);
});
