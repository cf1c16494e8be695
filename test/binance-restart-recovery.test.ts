import assert from "node:assert/strict";
import { test } from "node:test";
import { DesApp, loadConfig } from "../src/app/index.ts";
import { asMicros, clientOrderId, dec, instrumentId, strategyId } from "../src/core/index.ts";
import { newOrder } from "../src/model/index.ts";
import { openEmbeddedStore } from "../src/persistence/index.ts";
import { BinanceSimulator } from "../src/sim/index.ts";
import { memoryLogger } from "./support/binance-sim-harness.ts";
import { desOnSimEnv } from "./support/des-on-sim.ts";

/**
 * Start-up reconciliation against the simulator, from a journal an earlier run left: intents the
 * venue never placed (young: sent again; old: rejected, not sent), and an open order placed at the
 * venue by someone else (reported or adopted, by policy).
 */
async function withRestart(
  policy: "report" | "adopt",
  check: (app: DesApp, sim: BinanceSimulator) => Promise<void>,
): Promise<void> {
  const sim = await BinanceSimulator.start({
    port: 0,
    sources: [{ kind: "klines", ids: ["btcbusd-1m-2022-12-13"], speed: 1 }],
  });
  const env = desOnSimEnv(
    sim,
    [
      {
        id: "dca",
        strategy: "dca",
        instrument: "BTCBUSD",
        interval: "1m",
        params: { amount: "20", interval: "1d" },
      },
    ],
    { DES_MAX_INTENT_AGE_MS: "60000", DES_UNKNOWN_VENUE_ORDERS: policy },
  );
  // The earlier run: two intents journaled, never sent (DES died between the journal and the send).
  const store = await openEmbeddedStore({ dbPath: env.DES_DB_PATH! });
  const nowUs = Date.now() * 1000;
  for (const [id, ageMs] of [
    ["young-1", 8_000],
    ["old-1", 600_000],
  ] as const) {
    const at = asMicros(nowUs - ageMs * 1000);
    const order = newOrder({
      clientOrderId: clientOrderId(id),
      strategyId: strategyId("dca"),
      instrumentId: instrumentId("BTCBUSD"),
      side: "BUY",
      type: "MARKET",
      quantity: dec("0.001"),
      createdAt: at,
    });
    store.intents.record(order, false, at);
  }
  await store.close();
  // Someone else's resting order at the venue (the web UI), far below the market.
  const stranger = sim.exchange.newOrder("hmac", {
    symbol: "BTCBUSD",
    side: "BUY",
    type: "LIMIT",
    timeInForce: "GTC",
    quantity: "0.01",
    price: "9000.00",
    newClientOrderId: "web-1",
  });
  let app: DesApp | undefined;
  try {
    assert.ok(stranger.ok, JSON.stringify(stranger));
    app = await DesApp.create(loadConfig({ env }), { logger: memoryLogger("info").logger });
    await app.start();
    await check(app, sim);
  } finally {
    await app?.stop("test");
    await sim.stop();
  }
}

test("restart: a young intent the venue never placed is sent once; an old one is rejected; a stranger's order is reported", async () => {
  await withRestart("report", async (app, sim) => {
    assert.deepEqual(app.recovery, {
      resumed: 0,
      resent: 1,
      expiredIntents: 1,
      lostAtVenue: 0,
      adopted: 0,
      reported: 1,
    });
    const young = app.execution.order(clientOrderId("young-1"));
    assert.equal(young?.status, "FILLED", "the young intent was sent again and filled");
    assert.equal(app.execution.order(clientOrderId("old-1"))?.status, "REJECTED");
    const atVenue = sim.exchange.queryOrder("hmac", { symbol: "BTCBUSD", origClientOrderId: "old-1" });
    assert.equal(atVenue.ok, false, "the old intent never reached the venue");
    assert.equal(
      app.execution.order(clientOrderId("web-1")),
      undefined,
      "the stranger's order is left alone",
    );
    await app.store.flush();
    assert.equal(app.store.intents.openCount(), 0, "both intents are done");
  });
});

test("restart with DES_UNKNOWN_VENUE_ORDERS=adopt: the stranger's order is tracked under strategy adopted", async () => {
  await withRestart("adopt", async (app) => {
    assert.equal(app.recovery?.adopted, 1);
    assert.equal(app.recovery?.reported, 0);
    const adopted = app.execution.order(clientOrderId("web-1"));
    assert.equal(adopted?.strategyId, "adopted");
    assert.equal(adopted?.status, "ACCEPTED");
    assert.equal(app.execution.openOrders(strategyId("adopted")).length, 1);
  });
});
