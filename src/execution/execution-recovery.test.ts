import assert from "node:assert/strict";
import { test } from "node:test";
import { MessageBus, Topic } from "../bus/index.ts";
import {
  accountId,
  asMicros,
  type ClientOrderId,
  clientOrderId,
  type DesError,
  dec,
  instrumentId,
  strategyId,
  TestClock,
  tradeId,
  venueOrderId,
} from "../core/index.ts";
import type {
  CancelResult,
  Order,
  OrderEvent,
  ResumedOrder,
  SubmitResult,
  VenueEvent,
  VenueEventListener,
  VenueFill,
  VenueOpenOrder,
  VenueOrderLookupStatus,
  VenueOrderRequest,
  VenuePort,
} from "../model/index.ts";
import { ExecutionEngine, type RestoredOrder } from "./index.ts";

const BTC = instrumentId("BTCUSDT");
const S1 = strategyId("s1");
const T0 = Date.UTC(2024, 0, 1) * 1000;

/** A venue whose orders outlive DES: it answers resume with statuses the test sets and records every call. */
class ResumableVenue implements VenuePort {
  readonly accountId = accountId("live");
  readonly requests: VenueOrderRequest[] = [];
  readonly resumed: ResumedOrder[][] = [];
  statuses = new Map<string, VenueOrderLookupStatus>();
  open: VenueOpenOrder[] = [];
  /** Events the venue reports while it resumes (what DES missed). */
  onResume: (orders: readonly ResumedOrder[]) => VenueEvent[] = () => [];
  #listeners: VenueEventListener[] = [];

  submit(req: VenueOrderRequest): Promise<SubmitResult> {
    this.requests.push(req);
    return Promise.resolve({
      kind: "accepted",
      venueOrderId: venueOrderId(`v-${req.clientOrderId}`),
      fills: [],
      ts: asMicros(T0),
    });
  }
  cancel(): Promise<CancelResult> {
    return Promise.resolve({ kind: "canceled", ts: asMicros(T0) });
  }
  openOrders(): Promise<readonly VenueOpenOrder[]> {
    return Promise.resolve(this.open);
  }
  queryOrder(id: ClientOrderId): Promise<VenueOrderLookupStatus> {
    return Promise.resolve(this.statuses.get(id) ?? "absent");
  }
  balances() {
    return Promise.resolve([]);
  }
  onEvent(listener: VenueEventListener): () => void {
    this.#listeners.push(listener);
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }
  emit(e: VenueEvent): void {
    for (const l of this.#listeners) l(e);
  }
  resume(orders: readonly ResumedOrder[]): Promise<ReadonlyMap<ClientOrderId, VenueOrderLookupStatus>> {
    this.resumed.push([...orders]);
    for (const e of this.onResume(orders)) for (const l of this.#listeners) l(e);
    const out = new Map<ClientOrderId, VenueOrderLookupStatus>();
    for (const o of orders) out.set(o.clientOrderId, this.statuses.get(o.clientOrderId) ?? "absent");
    return Promise.resolve(out);
  }
}

function fill(id: string, trade: number, qty: string): VenueFill {
  return {
    clientOrderId: clientOrderId(id),
    venueOrderId: venueOrderId(`v-${id}`),
    instrumentId: BTC,
    tradeId: tradeId(trade),
    side: "BUY",
    quantity: dec(qty),
    price: dec("100"),
    commission: dec("0"),
    commissionAsset: "USDT",
    liquidity: "TAKER",
    ts: asMicros(T0),
  };
}

function restored(
  id: string,
  ageMs: number,
  clock: TestClock,
  over: Partial<RestoredOrder> = {},
): RestoredOrder {
  const at = asMicros(clock.now() - ageMs * 1000);
  return {
    clientOrderId: clientOrderId(id),
    strategyId: S1,
    instrumentId: BTC,
    side: "BUY",
    type: "LIMIT",
    quantity: dec("2"),
    price: dec("100"),
    stopPrice: undefined,
    timeInForce: "GTC",
    reduceOnly: false,
    createdAt: at,
    sentAt: at,
    accepted: false,
    venueOrderId: undefined,
    fills: [],
    ...over,
  };
}

function setup(journal?: ConstructorParameters<typeof ExecutionEngine>[0]["journal"]) {
  const clock = new TestClock(asMicros(T0 + 3_600_000_000));
  const bus = new MessageBus();
  const venue = new ResumableVenue();
  const problems: DesError[] = [];
  const events: OrderEvent[] = [];
  bus.subscribe(Topic.OrderEvent, (e) => events.push(e));
  const execution = new ExecutionEngine({ bus, clock, venue, journal, onProblem: (p) => problems.push(p) });
  execution.start();
  return { clock, bus, venue, execution, problems, events };
}

test("the intent is written to the journal before the venue sees the order", async () => {
  const seenByVenue: number[] = [];
  const journaled: Array<{ id: string; status: string }> = [];
  const h = setup({
    record: (order: Readonly<Order>) => {
      seenByVenue.push(h.venue.requests.length);
      journaled.push({ id: order.clientOrderId, status: order.status });
    },
  });
  h.bus.publish(Topic.SubmitOrder, {
    kind: "SubmitOrder",
    clientOrderId: clientOrderId("o1"),
    strategyId: S1,
    instrumentId: BTC,
    side: "BUY",
    type: "MARKET",
    quantity: dec("1"),
    createdAt: h.clock.now(),
  });
  await h.execution.idle();
  assert.deepEqual(journaled, [{ id: "o1", status: "INITIALIZED" }]);
  assert.deepEqual(seenByVenue, [0], "the venue had no request when the intent was written");
  assert.equal(h.venue.requests.length, 1);
});

test("an order whose intent the journal cannot store is DENIED and never sent", async () => {
  const h = setup({
    record: () => {
      throw new Error("disk full");
    },
  });
  h.bus.publish(Topic.SubmitOrder, {
    kind: "SubmitOrder",
    clientOrderId: clientOrderId("o1"),
    strategyId: S1,
    instrumentId: BTC,
    side: "BUY",
    type: "MARKET",
    quantity: dec("1"),
    createdAt: h.clock.now(),
  });
  await h.execution.idle();
  assert.equal(h.venue.requests.length, 0, "nothing reached the venue");
  assert.equal(h.execution.order(clientOrderId("o1"))?.status, "DENIED");
  const denied = h.events.find((e) => e.kind === "OrderDenied");
  assert.ok(denied !== undefined && denied.kind === "OrderDenied" && denied.reason.includes("disk full"));
  assert.equal(h.execution.stats().journalFailures, 1);
  assert.equal(h.execution.stats().ordersSubmitted, 0);
});

test("recover: resumed orders get only the fills DES missed; absent intents are resent when young, rejected when old; lost accepted orders expire", async () => {
  const h = setup();
  const n = h.execution.restore([
    restored("open", 5_000, h.clock, {
      accepted: true,
      venueOrderId: venueOrderId("v-open"),
      fills: [{ tradeId: tradeId(1), quantity: dec("0.5"), price: dec("100") }],
    }),
    restored("young", 10_000, h.clock),
    restored("old", 120_000, h.clock),
    restored("lost", 5_000, h.clock, { accepted: true }),
  ]);
  assert.equal(n, 4);
  assert.equal(h.execution.order(clientOrderId("open"))?.status, "PARTIALLY_FILLED");
  h.venue.statuses.set("open", "open");
  // The venue hands on every fill it knows of; trade 1 was booked before the crash.
  h.venue.onResume = () => [
    { kind: "fill", fill: fill("open", 1, "0.5") },
    { kind: "fill", fill: fill("open", 2, "1.5") },
  ];
  const report = await h.execution.recover({
    maxIntentAgeMs: 60_000,
    unknownVenueOrders: "report",
    adoptAs: strategyId("adopted"),
  });
  await h.execution.idle();
  assert.deepEqual(report, {
    resumed: 1,
    resent: 1,
    expiredIntents: 1,
    lostAtVenue: 1,
    adopted: 0,
    reported: 0,
  });
  const resumed = h.venue.resumed[0]!;
  assert.deepEqual(
    resumed.map((o) => [
      o.clientOrderId,
      o.accepted,
      o.filledQty.toString(),
      [...(o.knownTradeIds as Set<string>)],
    ]),
    [
      ["open", true, "0.5", ["1"]],
      ["young", false, "0", []],
      ["old", false, "0", []],
      ["lost", true, "0", []],
    ],
  );
  const open = h.execution.order(clientOrderId("open"))!;
  assert.equal(open.status, "FILLED");
  assert.equal(open.filledQty.toString(), "2");
  const fills = h.events.filter((e) => e.kind === "OrderFilled");
  assert.deepEqual(
    fills.map((e) => (e.kind === "OrderFilled" ? e.tradeId : "")),
    ["2"],
    "only the missed fill is published",
  );
  assert.equal(h.execution.stats().duplicateFills, 1);
  assert.deepEqual(
    h.venue.requests.map((r) => r.clientOrderId),
    ["young"],
    "the young intent is sent again, with its own client order id",
  );
  assert.equal(h.execution.order(clientOrderId("young"))?.status, "ACCEPTED");
  assert.equal(h.execution.order(clientOrderId("old"))?.status, "REJECTED");
  assert.equal(h.execution.order(clientOrderId("lost"))?.status, "EXPIRED");
});

test("recover: open venue orders DES did not send are reported, or adopted and booked from then on", async () => {
  const stranger: VenueOpenOrder = {
    clientOrderId: clientOrderId("web-123"),
    venueOrderId: venueOrderId("v-web-123"),
    instrumentId: BTC,
    side: "BUY",
    type: "LIMIT",
    quantity: dec("3"),
    price: dec("90"),
    filledQty: dec("1"),
  };
  const options = { maxIntentAgeMs: 60_000, adoptAs: strategyId("adopted") };

  const reported = setup();
  reported.venue.open = [stranger];
  const r1 = await reported.execution.recover({ ...options, unknownVenueOrders: "report" });
  assert.equal(r1.reported, 1);
  assert.equal(reported.execution.order(clientOrderId("web-123")), undefined, "left alone");
  assert.ok(
    reported.problems.some((p) => p.message.includes("web-123") && p.message.includes("policy report")),
  );

  const adopted = setup();
  adopted.venue.open = [stranger];
  const r2 = await adopted.execution.recover({ ...options, unknownVenueOrders: "adopt" });
  assert.equal(r2.adopted, 1);
  const order = adopted.execution.order(clientOrderId("web-123"))!;
  assert.equal(order.strategyId, "adopted");
  assert.equal(order.status, "PARTIALLY_FILLED");
  const resumed = adopted.venue.resumed.at(-1)!;
  assert.equal(resumed[0]?.knownTradeIds, "all", "its earlier fills are the venue's past");
  assert.equal(adopted.events.filter((e) => e.kind === "OrderAccepted").length, 1, "adoption is announced");
  // A later fill is booked under the adopted strategy.
  adopted.venue.emit({ kind: "fill", fill: { ...fill("web-123", 7, "2"), price: dec("90") } });
  const booked = adopted.events.find((e) => e.kind === "OrderFilled");
  assert.ok(booked !== undefined && booked.kind === "OrderFilled");
  assert.equal(booked.strategyId, "adopted");
  assert.equal(booked.orderStatus, "FILLED");
});
