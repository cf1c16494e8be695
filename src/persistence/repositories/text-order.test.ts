import assert from "node:assert/strict";
import { test } from "node:test";
import { orderBy } from "./text-order.ts";

test('text columns sort by code point: as is in SQLite, COLLATE "C" in PostgreSQL', () => {
  assert.equal(orderBy("sqlite", "ts", "text:trade_id"), "ts, trade_id");
  assert.equal(orderBy("postgres", "ts", "text:trade_id"), 'ts, trade_id COLLATE "C"');
  assert.equal(orderBy("postgres", "ts DESC", "text:event_id DESC"), 'ts DESC, event_id COLLATE "C" DESC');
  assert.equal(orderBy("sqlite", "text:event_id DESC"), "event_id DESC");
});
