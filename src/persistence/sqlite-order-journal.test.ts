import assert from "node:assert/strict";
import { type TestContext, test } from "node:test";
import {
  accountId,
  clientOrderId,
  dec,
  instrumentId,
  strategyId,
  tradeId,
  type UnixMicros,
  venueOrderId,
} from "../core/index.ts";
import { newOrder, type OrderFilled } from "../model/index.ts";
import { openEmbeddedStore } from "./open-embedded-store.ts";
import { tempSqlitePath } from "./test-support/temp-sqlite-path.ts";

const dbFile = (t: TestContext): string => tempSqlitePath(t, "des-journal-");
const BTC = instrumentId("BTCUSDT");

function order(id: string, at: number) {
  return newOrder({
    clientOrderId: clientOrderId(id),
    strategyId: strategyId("s1"),
    instrumentId: BTC,
    side: "BUY",
    type: "LIMIT",
    quantity: dec("2"),
    price: dec("100.5"),
    createdAt: at as UnixMicros,
  });
}

function filled(id: string, trade: number, qty: string, status: "PARTIALLY_FILLED" | "FILLED"): OrderFilled {
  return {
    kind: "OrderFilled",
    accountId: accountId("binance"),
    clientOrderId: clientOrderId(id),
    strategyId: strategyId("s1"),
    instrumentId: BTC,
    venueOrderId: venueOrderId(`v-${id}`),
    tradeId: tradeId(trade),
    side: "BUY",
    lastQty: dec(qty),
    lastPrice: dec("100.5"),
    commission: dec("0.001"),
    commissionAsset: "BTC",
    liquidity: "MAKER",
    orderStatus: status,
    ts: (1000 + trade) as UnixMicros,
  };
}

async function collect(fills: AsyncIterable<OrderFilled> | Iterable<OrderFilled>): Promise<OrderFilled[]> {
  const out: OrderFilled[] = [];
  for await (const f of fills) out.push(f);
  return out;
}

test("an intent is committed at once, survives a reopen, and is done only with its final event's batch", async (t) => {
  const path = dbFile(t);
  const a = await openEmbeddedStore({ dbPath: path });
  a.intents.record(order("o1", 10), true, 11 as UnixMicros);
  a.intents.record(order("o2", 20), false, 21 as UnixMicros);
  a.intents.record(order("o2", 20), false, 25 as UnixMicros); // a resend: only the send time moves
  // Buffered, not flushed: a crash here leaves both intents open.
  a.recordOrderEvent(filled("o1", 1, "0.5", "PARTIALLY_FILLED"));
  assert.equal(a.intents.openCount(), 2);
  await a.flush();
  a.recordOrderEvent(filled("o1", 2, "1.5", "FILLED"));
  assert.equal(a.intents.openCount(), 2, "not done before the batch holding its last fill is written");
  await a.flush();
  assert.equal(a.intents.openCount(), 1);
  await a.close();

  const b = await openEmbeddedStore({ dbPath: path });
  const open = await b.openIntents();
  assert.equal(open.length, 1);
  const o2 = open[0]!;
  assert.equal(o2.clientOrderId, "o2");
  assert.equal(o2.sentAt, 25);
  assert.equal(o2.createdAt, 20);
  assert.equal(o2.lastStatus, "SUBMITTED", "no event stored yet");
  assert.equal(o2.price?.toString(), "100.5");
  assert.equal(o2.reduceOnly, false);
  assert.deepEqual(o2.fills, []);
  // The account's fills come back as the events they were, oldest first.
  const fills = await collect(b.eachAccountFill(accountId("binance")));
  assert.deepEqual(
    fills.map((f) => [f.tradeId, f.lastQty.toString(), f.commissionAsset, f.orderStatus]),
    [
      ["1", "0.5", "BTC", "FILLED"],
      ["2", "1.5", "BTC", "FILLED"],
    ],
  );
  assert.deepEqual(await collect(b.eachAccountFill(accountId("paper"))), []);
  await b.close();
});

test("an open intent carries the fills and status the store has for it", async (t) => {
  const store = await openEmbeddedStore({ dbPath: dbFile(t) });
  store.intents.record(order("o3", 30), false, 31 as UnixMicros);
  store.recordOrderEvent({
    kind: "OrderAccepted",
    clientOrderId: clientOrderId("o3"),
    strategyId: strategyId("s1"),
    instrumentId: BTC,
    venueOrderId: venueOrderId("v-o3"),
    ts: 32 as UnixMicros,
  });
  store.recordOrderEvent(filled("o3", 7, "0.25", "PARTIALLY_FILLED"));
  await store.flush();
  const [o3] = await store.openIntents();
  assert.equal(o3?.lastStatus, "PARTIALLY_FILLED");
  assert.equal(o3?.venueOrderId, "v-o3");
  assert.deepEqual(
    o3?.fills.map((f) => [f.tradeId, f.quantity.toString()]),
    [["7", "0.25"]],
  );
  // A cancel ends it.
  store.recordOrderEvent({
    kind: "OrderCanceled",
    clientOrderId: clientOrderId("o3"),
    strategyId: strategyId("s1"),
    instrumentId: BTC,
    ts: 40 as UnixMicros,
  });
  await store.flush();
  assert.equal(store.intents.openCount(), 0);
  await store.close();
});
