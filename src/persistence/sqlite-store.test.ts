import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import {
  accountId,
  clientOrderId,
  dec,
  instrumentId,
  isDesError,
  strategyId,
  tradeId,
  type UnixMicros,
  venueOrderId,
} from "../core/index.ts";
import type { OrderFilled } from "../model/index.ts";
import { LATEST_SCHEMA_VERSION } from "./schema/migrations.ts";
import { SqliteStore } from "./sqlite-store.ts";

const dbFile = () => join(mkdtempSync(join(tmpdir(), "des-store-")), "des.sqlite");

function fill(n: number): OrderFilled {
  return {
    kind: "OrderFilled",
    accountId: accountId("paper"),
    clientOrderId: clientOrderId(`o-${n}`),
    strategyId: strategyId("s1"),
    instrumentId: instrumentId("BTCUSDT"),
    venueOrderId: venueOrderId(n),
    tradeId: tradeId(n),
    side: "BUY",
    lastQty: dec("0.00100000"),
    lastPrice: dec("27123.45"),
    commission: dec("0.02712345"),
    commissionAsset: "USDT",
    liquidity: "TAKER",
    orderStatus: "FILLED",
    ts: 1 as UnixMicros,
  };
}

test("strategy state survives closing and reopening the file", async () => {
  const path = dbFile();
  const a = SqliteStore.open(path);
  assert.equal(a.schemaVersion(), LATEST_SCHEMA_VERSION);
  await a.save(strategyId("s1"), { lastCross: "up", sma: [1.5, 2] });
  await a.save(strategyId("s1"), { lastCross: "down" });
  a.close();
  const b = SqliteStore.open(path);
  assert.deepEqual(await b.load(strategyId("s1")), { lastCross: "down" });
  assert.equal(await b.load(strategyId("nope")), undefined);
  assert.equal(b.schemaVersion(), LATEST_SCHEMA_VERSION);
  b.close();
});

test("order events are flushed in batches; a fill is stored once, exactly", () => {
  const store = SqliteStore.open(dbFile(), { maxPendingWrites: 3 });
  store.recordOrderEvent(fill(1));
  store.recordOrderEvent(fill(1));
  assert.equal(store.stats().pendingWrites, 2);
  store.recordOrderEvent(fill(2)); // third write triggers the flush
  assert.equal(store.stats().pendingWrites, 0);
  assert.deepEqual(store.counts(), { orders: 2, fills: 2, signals: 0, strategy_state: 0 });
  store.close();
});

test("a full write buffer refuses new records with a coded error instead of dropping them", () => {
  const store = SqliteStore.open(dbFile(), { maxPendingWrites: 1_000_000, maxBufferedWrites: 2 });
  store.recordOrderEvent(fill(1));
  store.recordOrderEvent(fill(2));
  assert.throws(
    () => store.recordOrderEvent(fill(3)),
    (e: unknown) => isDesError(e, "DES_ERR_STORE_FAILED"),
  );
  store.flush();
  assert.equal(store.counts().fills, 2);
  store.recordOrderEvent(fill(3));
  store.close();
});

test("opening an unusable path is a coded error naming it", () => {
  const notADir = dbFile();
  writeFileSync(notADir, "a file, not a folder");
  const path = join(notADir, "des.sqlite");
  assert.throws(
    () => SqliteStore.open(path),
    (e: unknown) => isDesError(e, "DES_ERR_STORE_FAILED") && e.message.includes(path),
  );
});
