/**
 * Acceptance tests of issue 4, environments: with BINANCE_ENV=testnet the real app (REST client,
 * market streams, user data stream, built by src/app exactly as `des run` builds them) connects only to
 * testnet hosts, and a production URL under testnet is refused before any I/O.
 *
 * Every outgoing connection of this process is recorded by a network guard; connections to the
 * testnet hosts are answered by a local TLS proxy in front of the simulator (the clients verify a
 * certificate for the testnet name), everything else fails without touching the network.
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { BinanceMarketSource } from "../src/app/binance-market-source.ts";
import { DesApp, loadConfig } from "../src/app/index.ts";
import { ErrorCode, isDesError } from "../src/core/index.ts";
import { DOCS_HMAC_API_KEY, DOCS_HMAC_SECRET_KEY } from "../src/sim/index.ts";
import {
  BinanceMarketStream,
  BinanceRestClient,
  BinanceUserDataStream,
  isProductionUrl,
  PRODUCTION_HOSTS,
  TESTNET_ENDPOINTS,
} from "../src/venues/binance/index.ts";
import {
  Cleanup,
  hmacCredentials,
  memoryLogger,
  recordingSink,
  startSim,
  waitFor,
} from "./support/binance-sim-harness.ts";
import { installNetworkGuard } from "./support/network-guard.ts";

const TESTNET_HOSTS: ReadonlySet<string> = new Set(
  [TESTNET_ENDPOINTS.restBaseUrl, TESTNET_ENDPOINTS.streamBaseUrl, TESTNET_ENDPOINTS.wsApiUrl].map(
    (u) => new URL(u).hostname,
  ),
);

/** The DES settings of a testnet run trading BTCBUSD with a fast moving-average strategy. */
function testnetEnv(extra: Record<string, string> = {}): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), "des-binance-env-"));
  const strategiesFile = join(dir, "strategies.json");
  writeFileSync(
    strategiesFile,
    JSON.stringify([
      {
        id: "ma-fast",
        strategy: "ma_cross",
        instrument: "BTCBUSD",
        interval: "1m",
        params: { fast: 2, slow: 3, size: "0.01" },
      },
    ]),
  );
  return {
    DES_PORT: "0",
    DES_DB_PATH: join(dir, "des.sqlite"),
    DES_STRATEGIES_FILE: strategiesFile,
    DES_VENUE: "binance",
    BINANCE_ENV: "testnet",
    BINANCE_API_KEY: DOCS_HMAC_API_KEY,
    BINANCE_SECRET_KEY: DOCS_HMAC_SECRET_KEY,
    ...extra,
  };
}

test("BINANCE_ENV=testnet: the app's REST client, market streams and user data stream connect only to testnet hosts", async (t) => {
  const c = new Cleanup(t);
  const sim = await startSim(c, {
    sources: [{ kind: "klines", ids: ["btcbusd-1m-2022-12-13"] }],
    speed: 600,
  });
  const { attempts } = await installNetworkGuard(c, {
    allowedTlsHosts: TESTNET_HOSTS,
    proxyToPort: sim.port,
  });
  const { logger } = memoryLogger("info");

  const app = await DesApp.create(loadConfig({ env: testnetEnv() }), { logger });
  c.add(app, (a) => a.stop("test"));
  await app.start();
  assert.ok(app.marketSource instanceof BinanceMarketSource);
  const stream = app.marketSource.stream;
  await waitFor(() => stream.stats().bars >= 3, 20_000, "closed bars from the testnet streams");
  await waitFor(() => app.venueSetup.health().status === "ok", 20_000, "the user data stream subscribed");
  assert.ok(sim.requestLog.entries().some((e) => e.method === "userDataStream.subscribe.signature"));
  assert.equal(await app.stop("test"), true);

  assert.ok(attempts.length >= 3, `connections attempted: ${attempts.length}`);
  const hosts = new Set(attempts.map((a) => a.host));
  assert.deepEqual(
    [...hosts].sort(),
    [...TESTNET_HOSTS].sort(),
    "REST, streams and WS API each went to its testnet host",
  );
  for (const a of attempts) {
    const where = `${a.transport}://${a.host}:${a.port}`;
    assert.equal(a.transport, "tls", `${where}: testnet is TLS only`);
    assert.ok(TESTNET_HOSTS.has(a.host), `${where} is a testnet host`);
    assert.ok(
      !PRODUCTION_HOSTS.includes(a.host) && !isProductionUrl(`https://${a.host}`),
      `${where} is not production`,
    );
    assert.equal(a.servername, a.host, `${where}: the certificate is checked for the host asked for`);
    assert.equal(a.outcome, "proxied");
  }
});

/** Asserts `build` throws DES_ERR_PRODUCTION_NOT_CONFIRMED. */
function assertRefused(build: () => unknown, what: string): void {
  assert.throws(build, (err: unknown) => isDesError(err, ErrorCode.ProductionNotConfirmed), what);
}

test("testnet refuses production URLs before any I/O: settings, REST client, market stream, user data stream", async (t) => {
  const c = new Cleanup(t);
  const { attempts } = await installNetworkGuard(c, { allowedTlsHosts: new Set() });
  const { logger } = memoryLogger("info");

  // The app: any BINANCE_*_URL pointing at production under testnet stops DesApp.create.
  for (const [setting, url] of [
    ["BINANCE_REST_URL", "https://api.binance.com"],
    ["BINANCE_STREAM_URL", "wss://stream.binance.com:9443"],
    ["BINANCE_WS_API_URL", "wss://ws-api.binance.com:443/ws-api/v3"],
  ] as const) {
    await assert.rejects(
      DesApp.create(loadConfig({ env: testnetEnv({ [setting]: url }) }), { logger }),
      (err: unknown) => isDesError(err, ErrorCode.ProductionNotConfirmed),
      `${setting}=${url} under testnet`,
    );
  }

  // Each client built as the app builds it for testnet (forbidProductionHosts), for every production
  // host, also spelled in capitals and as a fully qualified name with the trailing dot.
  const { credentials } = hmacCredentials();
  for (const production of PRODUCTION_HOSTS) {
    for (const host of [production, production.toUpperCase(), `${production}.`]) {
      assertRefused(
        () => new BinanceRestClient({ baseUrl: `https://${host}`, credentials, forbidProductionHosts: true }),
        `REST ${host}`,
      );
      assertRefused(
        () =>
          new BinanceUserDataStream({
            wsApiUrl: `wss://${host}:443/ws-api/v3`,
            credentials,
            forbidProductionHosts: true,
          }),
        `user data ${host}`,
      );
      assertRefused(
        () =>
          new BinanceMarketStream({
            streamBaseUrl: `wss://${host}:9443`,
            rest: { klines: () => Promise.resolve([]), depth: () => Promise.reject(new Error("unused")) },
            sink: recordingSink(),
            forbidProductionHosts: true,
          }),
        `market stream ${host}`,
      );
    }
  }
  assert.deepEqual(attempts, [], "not a single connection was attempted");
});
