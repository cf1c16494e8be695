/**
 * Acceptance tests of issue 4, orders: BinanceVenue with its BinanceUserDataStream and the real REST
 * client against the real simulator on loopback; fills go through a real ExecutionEngine and Portfolio.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { MessageBus, Topic } from "../src/bus/index.ts";
import {
  accountId,
  clientOrderId,
  Decimal,
  type DesError,
  dec,
  type InstrumentId,
  instrumentId,
  LiveClock,
  Rounding,
  strategyId,
} from "../src/core/index.ts";
import { ExecutionEngine } from "../src/execution/index.ts";
import type { Instrument, OrderEvent, SubmitOrder, VenueEvent } from "../src/model/index.ts";
import { Portfolio } from "../src/portfolio/index.ts";
import type { BinanceSimulator } from "../src/sim/index.ts";
import {
  type BinanceRestClient,
  BinanceUserDataStream,
  BinanceVenue,
  type BinanceVenueOptions,
} from "../src/venues/binance/index.ts";
import {
  Cleanup,
  hmacCredentials,
  simInstruments,
  simRest,
  startSim,
  waitFor,
} from "./support/binance-sim-harness.ts";

const BTCUSDT = instrumentId("BTCUSDT");
const ACCOUNT = "binance";

/** A started BinanceVenue on the simulator's HMAC account, with its user data stream. */
async function startVenue(
  cleanup: Cleanup,
  sim: BinanceSimulator,
  rest: BinanceRestClient,
  instruments: ReadonlyMap<InstrumentId, Instrument>,
  options: Partial<BinanceVenueOptions> = {},
): Promise<{ venue: BinanceVenue; userData: BinanceUserDataStream; events: VenueEvent[] }> {
  const userData = new BinanceUserDataStream({
    wsApiUrl: sim.wsApiUrl,
    credentials: hmacCredentials().credentials,
    timeOffsetMs: () => rest.timeOffsetMs,
    backoff: { initialMs: 50, maxMs: 200 },
    forbidProductionHosts: true,
  });
  const venue = new BinanceVenue({
    accountId: ACCOUNT,
    rest,
    userData,
    instruments,
    unknownOutcome: { initialDelayMs: 50 },
    ...options,
  });
  const events: VenueEvent[] = [];
  venue.onEvent((e) => events.push(e));
  cleanup.add(venue, (v) => v.stop());
  await venue.start();
  return { venue, userData, events };
}

/** The best bid and ask of the simulator's public book. */
async function top(
  rest: BinanceRestClient,
  symbol: string,
): Promise<{ bid: [Decimal, Decimal]; ask: [Decimal, Decimal] }> {
  const depth = await rest.depth(symbol, 5);
  const bid = depth.bids[0];
  const ask = depth.asks[0];
  assert.ok(bid !== undefined && ask !== undefined, `${symbol} has a two-sided book`);
  return {
    bid: [Decimal.from(bid[0]), Decimal.from(bid[1])],
    ask: [Decimal.from(ask[0]), Decimal.from(ask[1])],
  };
}

test("an order POST that times out after the venue accepted it: submit resolves accepted, exactly one order at the venue", async (t) => {
  const c = new Cleanup(t);
  const sim = await startSim(c);
  const rest = simRest(c, sim, { timeoutMs: 1500 });
  const instruments = await simInstruments(rest, ["BTCUSDT"]);
  const { venue, events } = await startVenue(c, sim, rest, instruments);
  const tick = instruments.get(BTCUSDT)!.tickSize;
  const price = (await top(rest, "BTCUSDT")).bid[0].mul(dec("0.9")).roundToIncrement(tick, Rounding.Down);

  sim.faults.timeoutAfterAccept({ count: 1 });
  const result = await venue.submit({
    clientOrderId: clientOrderId("lostAnswer1"),
    instrumentId: BTCUSDT,
    side: "BUY",
    type: "LIMIT",
    timeInForce: "GTC",
    quantity: dec("0.01"),
    price,
  });
  assert.equal(result.kind, "accepted", JSON.stringify(result));

  // Exactly one order with that client id at the venue, and no second placement was ever sent.
  const open = (await rest.openOrders("BTCUSDT")).filter((o) => o.clientOrderId === "lostAnswer1");
  assert.equal(open.length, 1);
  assert.equal(open[0]?.status, "NEW");
  assert.equal(result.venueOrderId, String(open[0]?.orderId));
  const posts = sim.requestLog.entries().filter((e) => e.method === "POST" && e.path === "/api/v3/order");
  assert.deepEqual(
    posts.map((e) => e.status),
    [0],
    "one POST /api/v3/order, never answered; none resent",
  );
  const stats = venue.stats();
  assert.equal(stats.unknownOutcomes, 1);
  assert.equal(stats.unknownFound, 1);
  assert.equal(stats.resends, 0);
  assert.equal(stats.pendingUnknown, 0);
  // Asked by client order id, the venue knows it; an id it never received is absent.
  assert.equal(await venue.queryOrder(clientOrderId("lostAnswer1"), BTCUSDT), "open");
  assert.equal(await venue.queryOrder(clientOrderId("neverSent1"), BTCUSDT), "absent");
  // The stream's NEW report is the same order, reported accepted once.
  await waitFor(() => events.some((e) => e.kind === "accepted"), 5000, "the stream's NEW report");
  assert.equal(events.filter((e) => e.kind === "accepted").length, 1);
});

test("partial fills are applied once each (FULL response + stream, stream alone, reconciliation after a reconnect)", async (t) => {
  const c = new Cleanup(t);
  const sim = await startSim(c);
  const rest = simRest(c, sim);
  const instruments = await simInstruments(rest, ["BTCUSDT"]);
  const { venue, userData } = await startVenue(c, sim, rest, instruments);

  const bus = new MessageBus();
  const clock = new LiveClock();
  const problems: DesError[] = [];
  const engine = new ExecutionEngine({ bus, clock, venue, onProblem: (p) => problems.push(p) });
  const portfolio = new Portfolio({
    bus,
    clock,
    instruments: instruments.values(),
    initialCash: { [ACCOUNT]: { USDT: "100000", BTC: "10" } },
    onProblem: (p) => problems.push(p),
  });
  engine.start();
  portfolio.start();
  c.add(engine, (e) => e.stop());
  const orderEvents: OrderEvent[] = [];
  bus.subscribe(Topic.OrderEvent, (e) => orderEvents.push(e));
  // Trade reports the user stream itself delivered (the venue also listens).
  let streamTrades = 0;
  userData.onEvent((e) => {
    if (e.e === "executionReport" && e.x === "TRADE") streamTrades++;
  });

  // Freeze the replay: only this test's trades move the book from here on.
  sim.marketData.stop();
  const askPrice = (await top(rest, "BTCUSDT")).ask[0];
  // The best ask level shrunk to 0.005 BTC (a market input, like a depth diff), so the order stays small.
  const askQty = dec("0.005");
  sim.exchange.applyBookLevels("BTCUSDT", [], [[askPrice.toString(), askQty.toString()]]);
  const part = dec("0.001");
  // A buy at the best ask for the whole ask level plus four parts: the level fills at once (FULL
  // response and stream), the remaining four parts rest at that price and fill from public trades.
  const quantity = askQty.add(part.mul(dec("4")));
  const cid = clientOrderId("partials1");
  const submit: SubmitOrder = {
    kind: "SubmitOrder",
    clientOrderId: cid,
    strategyId: strategyId("s1"),
    instrumentId: BTCUSDT,
    side: "BUY",
    type: "LIMIT",
    timeInForce: "GTC",
    quantity,
    price: askPrice,
    createdAt: clock.now(),
  };
  bus.publish(Topic.SubmitOrder, submit);
  await engine.idle();
  const order = () => engine.order(cid);
  assert.equal(order()?.status, "PARTIALLY_FILLED");
  assert.equal(order()?.filledQty.toString(), askQty.toString(), "the immediate fill");
  // The immediate fill comes again on the stream: dropped by the venue.
  await waitFor(() => venue.stats().duplicateFillsDropped >= 1, 5000, "the immediate fill's stream report");

  // Three public trades at the order's price, each filling one part: stream only.
  for (let i = 1; i <= 3; i++) {
    sim.exchange.onMarketTrade("BTCUSDT", askPrice.toString(), part.toString(), Date.now(), true);
    const expected = askQty.add(part.mul(dec(String(i))));
    await waitFor(() => order()?.filledQty.eq(expected) === true, 5000, `part ${i} applied`);
  }

  // Cut the user stream; the last part fills while it is down: reconciliation brings it, once.
  const reconnects = userData.stats().reconnects;
  sim.faults.killConnections();
  sim.exchange.onMarketTrade("BTCUSDT", askPrice.toString(), part.toString(), Date.now(), true);
  await waitFor(() => userData.stats().reconnects > reconnects, 10_000, "the user stream resubscribed");
  await waitFor(() => order()?.status === "FILLED", 10_000, "the fill made while disconnected");
  await waitFor(() => venue.stats().reconciliations >= 1, 5000, "a reconciliation");

  const venueTrades = await rest.myTrades({ symbol: "BTCUSDT", orderId: Number(order()?.venueOrderId) });
  assert.equal(venueTrades.length, 5, "the venue made five trades: the ask level and four parts");
  const sum = venueTrades.reduce((s, r) => s.add(Decimal.from(r.qty)), Decimal.ZERO);
  assert.ok(sum.eq(quantity));
  assert.ok(order()?.filledQty.eq(sum), "order filledQty == sum of the parts");
  // A buy's commission is charged in the base asset: the position is the sum net of it.
  const baseCommission = venueTrades
    .filter((r) => r.commissionAsset === "BTC")
    .reduce((s, r) => s.add(Decimal.from(r.commission)), Decimal.ZERO);
  assert.ok(baseCommission.isPositive());
  const net = sum.sub(baseCommission);
  assert.equal(portfolio.position(strategyId("s1"), BTCUSDT).toString(), net.toString(), "strategy position");
  assert.equal(
    portfolio.accountPosition(accountId(ACCOUNT), BTCUSDT).quantity.toString(),
    net.toString(),
    "account position",
  );
  const fills = orderEvents.filter((e) => e.kind === "OrderFilled");
  assert.equal(fills.length, 5, "one OrderFilled per venue trade");
  assert.equal(engine.stats().fills, 5);
  assert.equal(engine.stats().duplicateFills, 0, "no duplicate even reached execution");
  assert.equal(portfolio.stats().fillsApplied, 5);
  assert.equal(venue.stats().fillsEmitted, 5);
  assert.equal(streamTrades, 4, "the stream carried four fills; the fifth came by reconciliation");
  assert.equal(
    venue.stats().duplicateFillsDropped,
    1,
    "only the immediate fill came twice (FULL response + stream)",
  );
  assert.deepEqual(problems, []);
  // After a quiet moment nothing more arrives (a late duplicate would show here).
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(engine.stats().fills, 5);
  assert.equal(portfolio.stats().fillsApplied, 5);
});
