import assert from "node:assert/strict";
import { test } from "node:test";
import { DesApp, loadConfig } from "../src/app/index.ts";
import { Decimal, type InstrumentId } from "../src/core/index.ts";
import { BinanceSimulator, DOCS_HMAC_API_KEY, DOCS_HMAC_SECRET_KEY } from "../src/sim/index.ts";
import { memoryLogger, waitFor } from "./support/binance-sim-harness.ts";
import { balanceTotals, desOnSimEnv } from "./support/des-on-sim.ts";

function metricValue(json: { counters: Record<string, Array<{ value: number }>> }, name: string): number {
  return (json.counters[name] ?? []).reduce((n, s) => n + s.value, 0);
}

test("DES trades through the real Binance adapter against the simulator: fills and balances agree with the venue", async () => {
  // BTCBUSD real 1m bars replayed by the simulator at 600x: a closed bar every 100 ms.
  const sim = await BinanceSimulator.start({
    port: 0,
    sources: [{ kind: "klines", ids: ["btcbusd-1m-2022-12-13"], speed: 600 }],
  });
  const config = loadConfig({ env: desOnSimEnv(sim) });
  const { logger, text } = memoryLogger("debug");
  let app: DesApp | undefined;
  try {
    app = await DesApp.create(config, { logger });
    assert.equal(app.marketSource.kind, "binance");
    assert.equal(app.venueSetup.kind, "binance");
    const url = await app.start();
    const running = app;
    await waitFor(() => running.portfolio.stats().fillsApplied >= 6, 90_000, "six fills from Binance");

    const metrics = (await (await fetch(`${url}/api/metrics`)).json()) as Parameters<typeof metricValue>[0];
    assert.ok(metricValue(metrics, "des_binance_stream_messages_total") > 0, "market stream metrics");
    assert.ok(metricValue(metrics, "des_binance_fills_total") >= 6, "venue fill metrics");
    assert.equal(metricValue(metrics, "des_binance_stream_parse_errors_total"), 0);

    // Quiet the strategies, let in-flight orders settle, then compare DES's books with the venue's.
    for (const id of app.strategies.ids()) app.strategies.pause(id);
    await waitFor(() => running.execution.openOrders().length === 0, 20_000, "no order in flight");
    await new Promise((r) => setTimeout(r, 300));
    const venueAccount = balanceTotals(await app.venueSetup.venue.balances());
    const book = app.portfolio.account(app.venueSetup.venue.accountId);
    assert.ok(book !== undefined);
    const position = app.portfolio.accountPosition(app.venueSetup.venue.accountId, "BTCBUSD" as InstrumentId);
    const initialBtc = Decimal.from(app.venueSetup.initialCash["BTC"] ?? "0");
    // Quote cash and base holdings agree exactly with the simulator's account (free + locked).
    assert.equal(
      book.cash["BUSD"]?.toString(),
      venueAccount["BUSD"]?.toString(),
      "BUSD cash equals the venue's",
    );
    assert.equal(
      initialBtc.add(position.quantity).toString(),
      venueAccount["BTC"]?.toString(),
      "BTC holding equals the venue's",
    );
    // Every fill the simulator booked reached DES once.
    const simTrades = sim.exchange.myTrades("hmac", { symbol: "BTCBUSD", limit: "1000" });
    assert.ok(simTrades.ok);
    assert.equal(app.portfolio.stats().fillsApplied, simTrades.body.length, "one DES fill per venue trade");
    assert.equal(await app.stop("test"), true);
    app = undefined;
    const logText = text();
    assert.ok(!logText.includes(DOCS_HMAC_SECRET_KEY), "the secret key is never logged");
    assert.ok(!logText.includes(DOCS_HMAC_API_KEY), "the API key is never logged in full");
  } finally {
    await app?.stop("test cleanup");
    await sim.stop();
  }
});
