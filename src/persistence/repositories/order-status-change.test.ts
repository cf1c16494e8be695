import assert from "node:assert/strict";
import { test } from "node:test";
import { venueOrderId } from "../../core/index.ts";
import { filled, orderEvent } from "./contract/fixtures.ts";
import { orderEventId, orderEventRow, statusAfter } from "./order-status-change.ts";

test("event ids are deterministic and tell two fills of one microsecond apart", () => {
  const a = filled("o1", 7, 5);
  assert.equal(orderEventId(a), `${a.ts}:OrderFilled:7`);
  assert.equal(orderEventId({ ...a }), orderEventId(a));
  assert.notEqual(orderEventId(filled("o1", 8, 5)), orderEventId(a));
  const submitted = orderEvent("OrderSubmitted", "o1", 5);
  assert.equal(orderEventId(submitted), `${submitted.ts}:OrderSubmitted:`);
  assert.notEqual(orderEventId(orderEvent("OrderCanceled", "o1", 5)), orderEventId(submitted));
});

test("each event kind maps to the status it leaves the order in", () => {
  assert.equal(statusAfter(orderEvent("OrderSubmitted", "o", 1)), "SUBMITTED");
  assert.equal(statusAfter(orderEvent("OrderAccepted", "o", 1)), "ACCEPTED");
  assert.equal(statusAfter(orderEvent("OrderRejected", "o", 1)), "REJECTED");
  assert.equal(statusAfter(orderEvent("OrderDenied", "o", 1)), "DENIED");
  assert.equal(statusAfter(orderEvent("OrderCanceled", "o", 1)), "CANCELED");
  assert.equal(statusAfter(orderEvent("OrderExpired", "o", 1)), "EXPIRED");
  assert.equal(statusAfter(filled("o", 1, 1, "PARTIALLY_FILLED")), "PARTIALLY_FILLED");
});

test("rows carry the venue order id and reason only where the event has them", () => {
  assert.equal(orderEventRow(orderEvent("OrderAccepted", "o1", 1)).venueOrderId, "v-o1");
  assert.equal(orderEventRow(orderEvent("OrderSubmitted", "o1", 1)).venueOrderId, undefined);
  assert.equal(
    orderEventRow({ ...filled("o1", 1, 1), venueOrderId: venueOrderId("") }).venueOrderId,
    undefined,
  );
  assert.equal(orderEventRow(orderEvent("OrderExpired", "o1", 1)).reason, "IOC remainder");
  assert.equal(orderEventRow(orderEvent("OrderCanceled", "o1", 1)).reason, undefined);
});
