import assert from "node:assert/strict";
import { test } from "node:test";
import { Decimal, type InstrumentId } from "../../core/index.ts";
import { testBar } from "../test-support/test-strategies.ts";
import {
  decodeOrderRequest,
  decodeWorkerEvent,
  encodeOrderRequest,
  encodeWorkerEvent,
} from "./worker-codec.ts";

test("a bar crosses the thread boundary as plain data and comes back equal, decimals exact", () => {
  const bar = testBar({ index: 3, close: "30123.123456789012345678" });
  const wire = structuredClone(encodeWorkerEvent(bar));
  assert.equal(typeof (wire as { close: unknown }).close, "string");
  const back = decodeWorkerEvent(wire);
  assert.ok(back.kind === "bar");
  assert.ok(back.close instanceof Decimal);
  assert.equal(back.close.toString(), "30123.123456789012345678");
  const plain = (b: object) =>
    Object.fromEntries(Object.entries(b).map(([k, v]) => [k, v instanceof Decimal ? `D:${v}` : v]));
  assert.deepEqual(plain(back), plain(bar));
});

test("an order request keeps its optional price absent and its decimals exact", () => {
  const req = {
    instrumentId: "BTCUSDT" as InstrumentId,
    side: "BUY" as const,
    type: "LIMIT" as const,
    quantity: Decimal.from("0.001"),
    price: Decimal.from("100.5"),
  };
  const back = decodeOrderRequest(structuredClone(encodeOrderRequest(req)));
  assert.equal(back.quantity.toString(), "0.001");
  assert.equal(back.price?.toString(), "100.5");
  assert.equal(back.stopPrice, undefined);
  const market = decodeOrderRequest(
    structuredClone(encodeOrderRequest({ ...req, type: "MARKET", price: undefined })),
  );
  assert.equal(market.price, undefined);
});
