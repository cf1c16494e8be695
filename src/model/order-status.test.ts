import assert from "node:assert/strict";
import { test } from "node:test";
import { isDesError } from "../core/index.ts";
import {
  canTransition,
  isTerminalStatus,
  ORDER_TRANSITIONS,
  OrderStatus,
  transitionOrderStatus,
} from "./order-status.ts";

const ALL = Object.values(OrderStatus);

test("the transition table is exactly as specified", () => {
  const expected: Record<string, string[]> = {
    INITIALIZED: ["SUBMITTED", "DENIED", "REJECTED", "CANCELED"], // CANCELED: canceled while queued, never sent
    SUBMITTED: [
      "ACCEPTED",
      "REJECTED",
      "PARTIALLY_FILLED",
      "FILLED",
      "PENDING_CANCEL",
      "CANCELED",
      "EXPIRED",
    ],
    ACCEPTED: ["PARTIALLY_FILLED", "FILLED", "PENDING_CANCEL", "CANCELED", "EXPIRED"],
    PARTIALLY_FILLED: ["PARTIALLY_FILLED", "FILLED", "PENDING_CANCEL", "CANCELED", "EXPIRED"],
    PENDING_CANCEL: ["CANCELED", "PARTIALLY_FILLED", "FILLED", "ACCEPTED", "EXPIRED"],
    FILLED: [],
    CANCELED: [],
    REJECTED: [],
    EXPIRED: [],
    DENIED: [],
  };
  for (const from of ALL) {
    for (const to of ALL) {
      assert.equal(canTransition(from, to), expected[from]!.includes(to), `${from} -> ${to}`);
    }
  }
  assert.deepEqual(Object.keys(ORDER_TRANSITIONS).sort(), [...ALL].sort());
});

test("terminal statuses have no way out", () => {
  assert.deepEqual(ALL.filter(isTerminalStatus).sort(), [
    "CANCELED",
    "DENIED",
    "EXPIRED",
    "FILLED",
    "REJECTED",
  ]);
});

test("an impossible transition is a coded error naming the order and both statuses", () => {
  assert.throws(
    () => transitionOrderStatus("FILLED", "CANCELED", "des-1"),
    (e: unknown) =>
      isDesError(e, "DES_ERR_INVALID_ORDER_TRANSITION") && /des-1.*FILLED -> CANCELED/.test(e.message),
  );
  assert.equal(transitionOrderStatus("SUBMITTED", "FILLED"), "FILLED");
});
