import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { type TestContext, test } from "node:test";
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
import { newOrder, type OrderFilled } from "../model/index.ts";
import { defaultJournalPath, openEmbeddedStore } from "./open-embedded-store.ts";
import { migrateSqliteSync, schemaVersion } from "./schema/migrate.ts";
import { LATEST_SCHEMA_VERSION } from "./schema/migrations.ts";
import { SqliteDriver } from "./sql/sqlite-driver.ts";
import { SqliteOrderJournal } from "./sqlite-order-journal.ts";
import { tempSqlitePath } from "./test-support/temp-sqlite-path.ts";

const dbFile = (t: TestContext): string => tempSqlitePath(t, "des-store-");

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

test("the journal's default file is beside the records' file, named after it", () => {
  assert.equal(defaultJournalPath("/var/des/des.sqlite"), "/var/des/des-journal.sqlite");
  assert.equal(defaultJournalPath("data/trading.db"), join("data", "trading-journal.db"));
  assert.equal(defaultJournalPath("/srv/des"), "/srv/des-journal.sqlite");
});

test("the embedded store: records in DES_DB_PATH at the latest schema, the journal in a file of its own", async (t) => {
  const path = dbFile(t);
  const a = await openEmbeddedStore({ dbPath: path });
  assert.equal(a.dbType, "sqlite");
  await a.save(strategyId("s1"), { lastCross: "up", sma: [1.5, 2] });
  await a.save(strategyId("s1"), { lastCross: "down" });
  a.recordOrderEvent(fill(1));
  a.recordOrderEvent(fill(1));
  a.recordOrderEvent(fill(2));
  await a.flush();
  assert.deepEqual(await a.counts(), { orders: 2, fills: 2, signals: 0, strategy_state: 1 });
  await a.close();
  assert.ok(existsSync(defaultJournalPath(path)), "the journal's file");

  const b = await openEmbeddedStore({ dbPath: path });
  assert.deepEqual(await b.load(strategyId("s1")), { lastCross: "down" });
  assert.equal(await b.load(strategyId("nope")), undefined);
  assert.deepEqual(await b.counts(), { orders: 2, fills: 2, signals: 0, strategy_state: 1 });
  await b.close();
  const driver = SqliteDriver.open(path);
  assert.equal(await schemaVersion(driver), LATEST_SCHEMA_VERSION);
  await driver.close();
});

test("a file of a release that kept the journal in DES_DB_PATH: its open intents move to the journal's file", async (t) => {
  const path = dbFile(t);
  const old = new DatabaseSync(path);
  migrateSqliteSync(old);
  const oldJournal = new SqliteOrderJournal(old);
  const order = (id: string) =>
    newOrder({
      clientOrderId: clientOrderId(id),
      strategyId: strategyId("s1"),
      instrumentId: instrumentId("BTCUSDT"),
      side: "BUY",
      type: "MARKET",
      quantity: dec("0.001"),
      createdAt: 10 as UnixMicros,
    });
  oldJournal.record(order("open-1"), false, 11 as UnixMicros);
  oldJournal.record(order("done-1"), false, 12 as UnixMicros);
  oldJournal.markDone(clientOrderId("done-1"), "FILLED", 13 as UnixMicros);
  old.close();

  const store = await openEmbeddedStore({ dbPath: path });
  t.after(() => store.close());
  assert.deepEqual(
    (await store.openIntents()).map((o) => o.clientOrderId),
    ["open-1"],
  );
  assert.equal(store.intents.openCount(), 1, "held by the journal's own file now");
});

test("opening an unusable path is a coded error naming it", async (t) => {
  const notADir = dbFile(t);
  writeFileSync(notADir, "a file, not a folder");
  const path = join(notADir, "des.sqlite");
  await assert.rejects(
    openEmbeddedStore({ dbPath: path }),
    (e: unknown) => isDesError(e, "DES_ERR_STORE_FAILED") && e.message.includes(path),
  );
});
