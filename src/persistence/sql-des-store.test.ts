import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { type TestContext, test } from "node:test";
import { clientOrderId, dec, strategyId, tradeId } from "../core/index.ts";
import { newOrder, type OrderFilled, type Signal } from "../model/index.ts";
import { SQLITE_MAX_BATCH_ROWS } from "./batch/batch-writer-options.ts";
import { at, BTC, filled, orderEvent, PAPER, S1 } from "./repositories/contract/fixtures.ts";
import { sqlRepositories } from "./repositories/repositories.ts";
import { migrate, migrateSqliteSync } from "./schema/migrate.ts";
import { TABLES } from "./schema/tables.ts";
import type { SqlDriver, SqlRow } from "./sql/sql-types.ts";
import { SqlDesStore } from "./sql-des-store.ts";
import { SqliteOrderJournal } from "./sqlite-order-journal.ts";
import { postgresCopyFactory, sqliteFactory } from "./test-support/sql-driver-factories.ts";

/** A local folder for the journal file, removed when the test ends. */
function journalPath(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), "des-sql-store-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, "journal.sqlite");
}

function intentOrder(id: string, ts: number) {
  return newOrder({
    clientOrderId: clientOrderId(id),
    strategyId: S1,
    instrumentId: BTC,
    side: "BUY",
    type: "LIMIT",
    quantity: dec("0.002"),
    price: dec("27000"),
    createdAt: at(ts),
  });
}

const signal = (ts: number): Signal =>
  ({ strategyId: S1, instrumentId: BTC, action: "BUY", reason: `r${ts}`, ts: at(ts) }) as Signal;

const tradeIds = (fills: Iterable<OrderFilled>) => [...fills].map((f) => String(f.tradeId));

async function collect(fills: AsyncIterable<OrderFilled> | Iterable<OrderFilled>): Promise<OrderFilled[]> {
  const out: OrderFilled[] = [];
  for await (const f of fills) out.push(f);
  return out;
}

for (const factory of [sqliteFactory, postgresCopyFactory]) {
  test(`${factory.name}: order events, fills and signals are batched, committed by flush, and keep the venue order id`, async (t) => {
    const driver = (await factory.open(t)) as SqlDriver | undefined;
    if (driver === undefined) return;
    const journal = journalPath(t);
    const store = await SqlDesStore.open({ driver, journalPath: journal });
    assert.equal(store.dbType, driver.dialect);
    assert.equal(store.degradedReason(), undefined);
    store.intents.record(intentOrder("o1", 1), false, at(1));
    store.intents.record(intentOrder("o2", 2), false, at(2));
    store.recordOrderEvent(orderEvent("OrderSubmitted", "o1", 1));
    store.recordOrderEvent(orderEvent("OrderAccepted", "o1", 2));
    // Applied in this order: a later trade first, then an earlier one of the same microsecond.
    store.recordOrderEvent(filled("o1", "t9", 3, "PARTIALLY_FILLED", dec("0.001")));
    store.recordOrderEvent(filled("o1", "t1", 3, "PARTIALLY_FILLED", dec("0.001")));
    store.recordOrderEvent(orderEvent("OrderCanceled", "o1", 4)); // carries no venue order id
    store.recordOrderEvent(orderEvent("OrderSubmitted", "o2", 5));
    store.recordSignal(signal(6));
    store.recordSignal(signal(7));
    assert.ok(store.stats().pendingWrites > 0);
    assert.equal(store.intents.openCount(), 2, "nothing is done before the batch commits");

    await store.flush();
    assert.equal(store.stats().pendingWrites, 0);
    assert.ok(store.stats().batchesTotal >= 1);
    assert.deepEqual(await store.counts(), { orders: 2, fills: 2, signals: 2, strategy_state: 0 });
    const repos = sqlRepositories(driver);
    const o1 = await repos.orders.get(clientOrderId("o1"));
    assert.equal(o1?.status, "CANCELED");
    assert.equal(o1?.venueOrderId, "v-o1", "a cancel does not erase the venue order id");
    assert.deepEqual(
      (await repos.orders.history(clientOrderId("o1"))).map((h) => h.status),
      ["SUBMITTED", "ACCEPTED", "PARTIALLY_FILLED", "PARTIALLY_FILLED", "CANCELED"],
    );
    assert.equal(store.intents.openCount(), 1, "o1 is done once its final event is committed; o2 is open");
    assert.deepEqual(tradeIds(await collect(store.eachAccountFill(PAPER))), ["t9", "t1"], "applied order");
    assert.deepEqual(tradeIds((await store.accountFillsAfter(PAPER, tradeId("t9"))) ?? []), ["t1"]);
    assert.equal(await store.accountFillsAfter(PAPER, tradeId("nope")), undefined);
    const replayed = (await collect(store.eachAccountFill(PAPER)))[0];
    assert.equal(replayed?.venueOrderId, "v-o1");
    assert.equal(replayed?.orderStatus, "CANCELED");
    assert.equal(replayed?.lastQty.toString(), "0.001");
    await store.close();
  });

  test(`${factory.name}: a reopened store continues fill seq and signal ids, and restores intents, state and instances`, async (t) => {
    const driver = (await factory.open(t)) as SqlDriver | undefined;
    if (driver === undefined) return;
    const journal = journalPath(t);
    const first = await SqlDesStore.open({ driver, journalPath: journal });
    first.intents.record(intentOrder("o1", 1), false, at(1));
    first.recordOrderEvent(orderEvent("OrderAccepted", "o1", 2));
    first.recordOrderEvent(filled("o1", "t1", 3, "PARTIALLY_FILLED", dec("0.001")));
    first.recordSignal(signal(4));
    await first.save(strategyId("s1"), { ema: "27000.5", n: 3 }, 10);
    await first.saveStrategyInstance({
      strategyId: "s1",
      kind: "ema-cross",
      instrumentId: "BTCUSDT",
      configJson: '{"id":"s1","kind":"ema-cross"}',
      paramsJson: '{"fast":5}',
      status: "RUNNING",
      updatedAt: 11,
    });
    await first.close();

    const second = await SqlDesStore.open({ driver, journalPath: journal });
    t.after(() => second.close());
    assert.deepEqual(await second.load(strategyId("s1")), { ema: "27000.5", n: 3 });
    assert.equal(await second.load(strategyId("none")), undefined);
    const [instance] = await second.strategyInstances();
    assert.equal(instance?.paramsJson, '{"fast":5}');
    assert.equal(instance?.status, "RUNNING");
    const [open] = await second.openIntents();
    assert.equal(open?.clientOrderId, "o1");
    assert.equal(open?.lastStatus, "PARTIALLY_FILLED", "the status the database holds");
    assert.equal(open?.venueOrderId, "v-o1");
    assert.deepEqual(
      open?.fills.map((f) => [String(f.tradeId), f.quantity.toString()]),
      [["t1", "0.001"]],
    );

    second.recordOrderEvent(filled("o1", "t2", 5, "PARTIALLY_FILLED", dec("0.001")));
    second.recordOrderEvent({ ...orderEvent("OrderCanceled", "o1", 6) });
    second.recordSignal(signal(7));
    await second.flush();
    assert.deepEqual(tradeIds(await collect(second.eachAccountFill(PAPER))), ["t1", "t2"]);
    const seqs = await driver.query("SELECT trade_id, seq FROM fills ORDER BY seq");
    assert.deepEqual(
      seqs.map((r) => [r["trade_id"], Number(r["seq"])]),
      [
        ["t1", 1],
        ["t2", 2],
      ],
    );
    const ids = await driver.query("SELECT id FROM signals ORDER BY id");
    assert.deepEqual(
      ids.map((r) => Number(r["id"])),
      [1, 2],
    );
    assert.equal((await sqlRepositories(driver).orders.get(clientOrderId("o1")))?.venueOrderId, "v-o1");
    assert.equal(second.intents.openCount(), 0);
  });
}

for (const factory of [sqliteFactory, postgresCopyFactory]) {
  test(`${factory.name}: an intent whose final event was committed before a crash is done at the next start`, async (t) => {
    const driver = (await factory.open(t)) as SqlDriver | undefined;
    if (driver === undefined) return;
    const journal = journalPath(t);
    const crashed = await SqlDesStore.open({ driver, journalPath: journal, batch: { flushIntervalMs: 5 } });
    crashed.intents.record(intentOrder("o1", 1), false, at(1));
    crashed.intents.record(intentOrder("o2", 2), false, at(2));
    crashed.recordOrderEvent(orderEvent("OrderAccepted", "o1", 3));
    crashed.recordOrderEvent(filled("o1", "t1", 4, "FILLED", dec("0.002")));
    crashed.recordOrderEvent(orderEvent("OrderAccepted", "o2", 5));
    // The batch writer commits on its own interval; the crash comes before the store's flush() marks o1 done.
    while (crashed.stats().pendingWrites > 0) await new Promise((r) => setTimeout(r, 5));
    assert.equal(crashed.intents.openCount(), 2);

    const restarted = await SqlDesStore.open({ driver, journalPath: journal });
    t.after(() => restarted.close());
    const open = await restarted.openIntents();
    assert.deepEqual(
      open.map((i) => [i.clientOrderId, i.lastStatus]),
      [["o2", "ACCEPTED"]],
      "o1's outcome and fills are stored: nothing to ask the venue",
    );
    assert.equal(restarted.intents.openCount(), 1, "o1 is marked done in the journal");
  });

  test(`${factory.name}: open intents the database holds and a new journal file does not are imported`, async (t) => {
    const driver = (await factory.open(t)) as SqlDriver | undefined;
    if (driver === undefined) return;
    const oldJournal = journalPath(t);
    // The journal of an earlier run lived in the records database (the embedded store, or a copy of it).
    const earlier = await SqlDesStore.open({ driver, journalPath: oldJournal });
    earlier.intents.record(intentOrder("o1", 1), false, at(1));
    earlier.intents.record(intentOrder("o2", 2), false, at(2));
    earlier.intents.markDone("o2", "FILLED", at(3));
    await earlier.close();
    const oldDb = new DatabaseSync(oldJournal);
    const rows = oldDb.prepare("SELECT * FROM order_intents").all();
    oldDb.close();
    await driver.transaction(async (tx) =>
      tx.writeRows(
        TABLES.orderIntents,
        rows.map((r) => ({ ...r }) as SqlRow),
        "insert",
      ),
    );

    const moved = await SqlDesStore.open({ driver, journalPath: journalPath(t) });
    t.after(() => moved.close());
    const open = await moved.openIntents();
    assert.deepEqual(
      open.map((i) => [i.clientOrderId, i.quantity.toString(), i.price?.toString()]),
      [["o1", "0.002", "27000"]],
    );
    assert.equal(moved.intents.openCount(), 1, "only the open one; o2 was done");
  });

  test(`${factory.name}: a replay longer than one page streams every fill once, in applied order`, async (t) => {
    const driver = (await factory.open(t)) as SqlDriver | undefined;
    if (driver === undefined) return;
    const store = await SqlDesStore.open({ driver, journalPath: journalPath(t) });
    t.after(() => store.close());
    const n = 12_345; // two full pages of 5,000 and a partial one
    // Trade ids sort differently as text ("t10" < "t9") and timestamps go backwards: only seq is the order.
    for (let i = 0; i < n; i++)
      store.recordOrderEvent(filled(`o${i % 7}`, `t${i}`, n - i, "PARTIALLY_FILLED"));
    await store.flush();
    const all = await collect(store.eachAccountFill(PAPER));
    assert.equal(all.length, n);
    assert.ok(
      all.every((f, i) => f.tradeId === `t${i}`),
      "every fill once, in the order recorded",
    );
    const after = (await store.accountFillsAfter(PAPER, tradeId("t4999"))) ?? [];
    assert.equal(after.length, n - 5000);
    assert.equal(after[0]?.tradeId, "t5000");
    assert.equal(after.at(-1)?.tradeId, `t${n - 1}`);
  });
}

test("sqlite: a full buffer refuses with DES_ERR_STORE_FAILED naming the table, and keeps what it holds", async (t) => {
  const driver = await sqliteFactory.open(t);
  if (driver === undefined) return;
  const store = await SqlDesStore.open({
    driver,
    journalPath: journalPath(t),
    batch: { maxQueuedRows: 4, maxBatchRows: 4, flushIntervalMs: 60_000 },
    degradedReason: () => "secondary behind",
  });
  assert.equal(store.degradedReason(), "secondary behind", "the owner's reason is reported");
  t.after(() => store.close());
  store.recordSignal(signal(1));
  store.recordSignal(signal(2));
  store.recordSignal(signal(3));
  store.recordSignal(signal(4));
  assert.throws(() => store.recordSignal(signal(5)), /DES_ERR_STORE_FAILED|store write of signals refused/);
  await store.flush();
  assert.equal((await store.counts()).signals, 4);
  store.recordSignal(signal(6));
  await store.flush();
  const ids = await driver.query("SELECT id FROM signals ORDER BY id");
  assert.deepEqual(
    ids.map((r) => Number(r["id"])),
    [1, 2, 3, 4, 5],
    "a refused signal takes no id",
  );
  // A fill is three rows (fill, history, order): with one free slot it is refused whole, nothing half-stored.
  store.recordSignal(signal(7));
  store.recordSignal(signal(8));
  store.recordSignal(signal(9));
  assert.throws(
    () => store.recordOrderEvent(filled("o1", "t1", 10)),
    /store write of fills, order_status_history, orders refused/,
  );
  await store.flush();
  assert.deepEqual(await store.counts(), { orders: 0, fills: 0, signals: 8, strategy_state: 0 });
  store.recordOrderEvent(filled("o1", "t1", 10));
  await store.flush();
  assert.deepEqual(await store.counts(), { orders: 1, fills: 1, signals: 8, strategy_state: 0 });
});

test("sqlite: the store's transactions are at most SQLITE_MAX_BATCH_ROWS rows (each blocks the event loop)", async (t) => {
  const driver = await sqliteFactory.open(t);
  if (driver === undefined) return;
  const store = await SqlDesStore.open({
    driver,
    journalPath: journalPath(t),
    batch: { flushIntervalMs: 60_000 },
  });
  t.after(() => store.close());
  const signals = 2_500;
  for (let i = 1; i <= signals; i++) store.recordSignal(signal(i));
  await store.flush();
  const stats = store.stats();
  assert.equal(stats.writesTotal, signals);
  assert.equal(stats.batchesTotal, Math.ceil(signals / SQLITE_MAX_BATCH_ROWS));
  assert.equal((await store.counts()).signals, signals);
});

test("sqlite: an order whose rows the database refused keeps its intent open (start-up asks the venue), the others are done", async (t) => {
  const driver = await sqliteFactory.open(t);
  if (driver === undefined) return;
  // A database rule refusing one order's fill: a permanent error, the row is dead-lettered.
  await migrate(driver);
  await driver.execute(
    `CREATE TRIGGER refuse_fill BEFORE INSERT ON fills WHEN NEW.client_order_id = 'bad'
     BEGIN SELECT RAISE(ABORT, 'refused by a rule'); END`,
  );
  const store = await SqlDesStore.open({
    driver,
    journalPath: journalPath(t),
    batch: { flushIntervalMs: 60_000 },
  });
  t.after(() => store.close());
  for (const id of ["good", "bad"]) {
    store.intents.record(intentOrder(id, 1), false, at(1));
    store.recordOrderEvent(filled(id, `t-${id}`, 2));
  }
  await store.flush();
  assert.equal(store.stats().deadLetteredTotal, 1);
  assert.equal(
    store.intents.openCount(),
    1,
    "the flush marked the good order's intent done, not the bad one's",
  );
  assert.deepEqual(
    (await store.openIntents()).map((o) => o.clientOrderId),
    ["bad"],
    "its fill is not stored: the intent stays open (its order row says FILLED, its fills do not add up)",
  );
});

for (const factory of [sqliteFactory, postgresCopyFactory]) {
  test(`${factory.name}: open intents of an earlier layout's local file (alsoImportIntentsFrom) are imported; the journal's own state wins`, async (t) => {
    const driver = (await factory.open(t)) as SqlDriver | undefined;
    if (driver === undefined) return;
    const journal = journalPath(t);
    // The journal already knows o2 and has it done.
    const first = await SqlDesStore.open({ driver, journalPath: journal });
    first.intents.record(intentOrder("o2", 2), false, at(2));
    first.intents.markDone("o2", "FILLED", at(3));
    await first.close();
    // An earlier release's DES_DB_PATH: o1 and o2 still open there.
    const legacyPath = join(journal, "..", "des.sqlite");
    const legacy = new DatabaseSync(legacyPath);
    migrateSqliteSync(legacy);
    const legacyJournal = new SqliteOrderJournal(legacy);
    legacyJournal.record(intentOrder("o1", 1), false, at(1));
    legacyJournal.record(intentOrder("o2", 2), false, at(2));
    legacy.close();

    const store = await SqlDesStore.open({ driver, journalPath: journal, alsoImportIntentsFrom: legacyPath });
    t.after(() => store.close());
    assert.deepEqual(
      (await store.openIntents()).map((i) => i.clientOrderId),
      ["o1"],
    );
    // A path that does not exist, or the journal's own file, is no source.
    const again = await SqlDesStore.open({
      driver,
      journalPath: journal,
      alsoImportIntentsFrom: join(journal, "..", "none.sqlite"),
    });
    await again.close();
  });
}
