import assert from "node:assert/strict";
import type { OrderStatus } from "../../../model/index.ts";
import { orderEventId } from "../order-status-change.ts";
import { at, BTC, filled, order, orderEvent, S1 } from "./fixtures.ts";
import type { ContractTest } from "./harness.ts";

/** The OrderRepository contract: latest row, status history, idempotency, ordering, open orders. */
export function orderContract(check: ContractTest): void {
  check("orders: apply upserts the latest row; get returns it, undefined when unknown", async ({ repos }) => {
    await repos.orders.apply(orderEvent("OrderSubmitted", "o1", 1));
    assert.deepEqual(await repos.orders.get(order("o1")), {
      clientOrderId: "o1",
      strategyId: S1,
      instrumentId: BTC,
      status: "SUBMITTED",
      venueOrderId: undefined,
      reason: undefined,
      updatedAt: at(1),
    });
    await repos.orders.applyMany([
      orderEvent("OrderAccepted", "o1", 2),
      filled("o1", 7, 3, "PARTIALLY_FILLED"),
    ]);
    const row = await repos.orders.get(order("o1"));
    assert.equal(row?.status, "PARTIALLY_FILLED");
    assert.equal(row?.venueOrderId, "v-o1");
    assert.equal(row?.updatedAt, at(3));
    assert.equal(await repos.orders.get(order("nope")), undefined);
  });

  check(
    "orders: history lists every change oldest first, whatever the order of arrival",
    async ({ repos }) => {
      const events = [
        filled("o1", 9, 40),
        orderEvent("OrderSubmitted", "o1", 10),
        filled("o1", 8, 30, "PARTIALLY_FILLED"),
        orderEvent("OrderAccepted", "o1", 20),
      ];
      await repos.orders.applyMany(events);
      const history = await repos.orders.history(order("o1"));
      assert.deepEqual(
        history.map((h) => [h.ts, h.status, h.eventId]),
        [
          [at(10), "SUBMITTED", orderEventId(events[1]!)],
          [at(20), "ACCEPTED", orderEventId(events[3]!)],
          [at(30), "PARTIALLY_FILLED", orderEventId(events[2]!)],
          [at(40), "FILLED", orderEventId(events[0]!)],
        ],
      );
      assert.equal(history[1]?.venueOrderId, "v-o1");
      assert.equal((await repos.orders.get(order("o1")))?.status, "FILLED", "late events never regress it");
      assert.deepEqual(await repos.orders.history(order("unknown")), []);
    },
  );

  check("orders: the same event twice is one history row and one order", async ({ repos }) => {
    const submitted = orderEvent("OrderSubmitted", "o1", 1);
    const fill = filled("o1", 5, 2, "PARTIALLY_FILLED");
    await repos.orders.applyMany([submitted, fill, submitted, fill]);
    await repos.orders.apply(fill);
    assert.equal((await repos.orders.history(order("o1"))).length, 2);
    assert.equal(await repos.orders.count(), 1);
    // Two fills in the same microsecond are two events (their trade ids differ).
    await repos.orders.apply(filled("o1", 6, 2, "PARTIALLY_FILLED"));
    assert.equal((await repos.orders.history(order("o1"))).length, 3);
  });

  check("orders: a stale event keeps the status but fills in a missing venue order id", async ({ repos }) => {
    await repos.orders.apply(orderEvent("OrderSubmitted", "o1", 1));
    await repos.orders.apply(orderEvent("OrderCanceled", "o1", 5));
    await repos.orders.apply(orderEvent("OrderAccepted", "o1", 3));
    const row = await repos.orders.get(order("o1"));
    assert.equal(row?.status, "CANCELED");
    assert.equal(row?.updatedAt, at(5));
    assert.equal(row?.venueOrderId, "v-o1");
    assert.equal((await repos.orders.history(order("o1"))).length, 3);
  });

  check("orders: in one microsecond a later event wins unless the status is final", async ({ repos }) => {
    await repos.orders.apply(orderEvent("OrderAccepted", "o1", 5));
    await repos.orders.apply(filled("o1", 1, 5, "PARTIALLY_FILLED"));
    assert.equal((await repos.orders.get(order("o1")))?.status, "PARTIALLY_FILLED");
    await repos.orders.apply(filled("o1", 2, 5, "FILLED"));
    await repos.orders.apply(orderEvent("OrderAccepted", "o1", 5)); // replayed
    assert.equal((await repos.orders.get(order("o1")))?.status, "FILLED");
  });

  check("orders: rejection, denial and expiry reasons are stored", async ({ repos }) => {
    await repos.orders.apply(orderEvent("OrderRejected", "o1", 1));
    await repos.orders.apply(orderEvent("OrderDenied", "o2", 1));
    await repos.orders.apply(orderEvent("OrderExpired", "o3", 1));
    assert.equal((await repos.orders.get(order("o1")))?.reason, "OrderRejected reason");
    assert.equal((await repos.orders.get(order("o2")))?.reason, "OrderDenied reason");
    assert.equal((await repos.orders.get(order("o3")))?.reason, "IOC remainder");
    assert.equal((await repos.orders.history(order("o2")))[0]?.reason, "OrderDenied reason");
  });

  check("orders: open lists non-final orders oldest update first; count counts all", async ({ repos }) => {
    await repos.orders.applyMany([
      orderEvent("OrderSubmitted", "o-submitted", 3),
      orderEvent("OrderAccepted", "o-accepted", 1),
      filled("o-partial", 1, 2, "PARTIALLY_FILLED"),
      filled("o-filled", 2, 2, "FILLED"),
      orderEvent("OrderCanceled", "o-canceled", 2),
      orderEvent("OrderRejected", "o-rejected", 2),
      orderEvent("OrderDenied", "o-denied", 2),
      orderEvent("OrderExpired", "o-expired", 2),
      filled("o-pending-cancel", 3, 3, "PENDING_CANCEL" as OrderStatus),
      orderEvent("OrderSubmitted", "a-submitted", 3),
    ]);
    const open = await repos.orders.open();
    assert.deepEqual(
      open.map((o) => o.clientOrderId),
      ["o-accepted", "o-partial", "a-submitted", "o-pending-cancel", "o-submitted"],
    );
    assert.equal(await repos.orders.count(), 10);
    await repos.orders.apply(orderEvent("OrderCanceled", "o-accepted", 9));
    assert.equal((await repos.orders.open()).length, 4);
  });
}
