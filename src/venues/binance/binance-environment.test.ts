import assert from "node:assert/strict";
import { test } from "node:test";
import {
  assertNotProductionUrl,
  isProductionUrl,
  PRODUCTION_ENDPOINTS,
  PRODUCTION_HOSTS,
  resolveBinanceEndpoints,
  TESTNET_ENDPOINTS,
} from "./binance-environment.ts";

test("testnet resolves to the testnet URLs of reference section 1.1, none of them a production host", () => {
  const e = resolveBinanceEndpoints({ env: "testnet" });
  assert.deepEqual(e, {
    env: "testnet",
    restBaseUrl: "https://testnet.binance.vision",
    streamBaseUrl: "wss://stream.testnet.binance.vision",
    wsApiUrl: "wss://ws-api.testnet.binance.vision/ws-api/v3",
  });
  for (const url of [e.restBaseUrl, e.streamBaseUrl, e.wsApiUrl]) {
    assert.equal(isProductionUrl(url), false, url);
    assert.doesNotThrow(() => assertNotProductionUrl(url));
    const host = new URL(url).hostname;
    assert.ok(!PRODUCTION_HOSTS.includes(host), host);
  }
  assert.ok(Object.isFrozen(e));
});

test("production needs confirmProduction === 'yes-real-money'", () => {
  for (const confirm of [undefined, "", "yes", "YES-REAL-MONEY", " yes-real-money"]) {
    assert.throws(() => resolveBinanceEndpoints({ env: "production", confirmProduction: confirm }), {
      code: "DES_ERR_PRODUCTION_NOT_CONFIRMED",
    });
  }
  assert.deepEqual(resolveBinanceEndpoints({ env: "production", confirmProduction: "yes-real-money" }), {
    env: "production",
    restBaseUrl: "https://api.binance.com",
    streamBaseUrl: "wss://stream.binance.com:9443",
    wsApiUrl: "wss://ws-api.binance.com:443/ws-api/v3",
  });
  assert.equal(PRODUCTION_ENDPOINTS.env, "production");
  assert.equal(TESTNET_ENDPOINTS.env, "testnet");
});

test("custom needs the three URLs with the right schemes", () => {
  const ok = resolveBinanceEndpoints({
    env: "custom",
    restUrl: "http://127.0.0.1:9900/",
    streamUrl: "ws://127.0.0.1:9900",
    wsApiUrl: "ws://127.0.0.1:9900/ws-api/v3",
  });
  assert.equal(ok.restBaseUrl, "http://127.0.0.1:9900");
  assert.throws(
    () => resolveBinanceEndpoints({ env: "custom", restUrl: "http://x" }),
    (err: Error) => {
      assert.match(err.message, /BINANCE_STREAM_URL, BINANCE_WS_API_URL/);
      return true;
    },
  );
  assert.throws(
    () =>
      resolveBinanceEndpoints({ env: "custom", restUrl: "ws://x", streamUrl: "ws://x", wsApiUrl: "ws://x" }),
    { code: "DES_ERR_INVALID_CONFIG", message: /BINANCE_REST_URL must use http or https/ },
  );
  assert.throws(
    () =>
      resolveBinanceEndpoints({
        env: "custom",
        restUrl: "http://x",
        streamUrl: "https://x",
        wsApiUrl: "ws://x",
      }),
    { code: "DES_ERR_INVALID_CONFIG", message: /BINANCE_STREAM_URL must use ws or wss/ },
  );
  assert.throws(
    () =>
      resolveBinanceEndpoints({
        env: "custom",
        restUrl: "not a url",
        streamUrl: "ws://x",
        wsApiUrl: "ws://x",
      }),
    { code: "DES_ERR_INVALID_CONFIG" },
  );
  assert.throws(() => resolveBinanceEndpoints({ env: "mainnet" as "custom" }), {
    code: "DES_ERR_INVALID_CONFIG",
  });
});

test("custom or testnet URLs on a production host are refused unless production is confirmed", () => {
  const prodCustom = {
    env: "custom" as const,
    restUrl: "https://api1.binance.com",
    streamUrl: "ws://127.0.0.1:1",
    wsApiUrl: "ws://127.0.0.1:1",
  };
  assert.throws(() => resolveBinanceEndpoints(prodCustom), { code: "DES_ERR_PRODUCTION_NOT_CONFIRMED" });
  assert.equal(
    resolveBinanceEndpoints({ ...prodCustom, confirmProduction: "yes-real-money" }).restBaseUrl,
    "https://api1.binance.com",
  );
  assert.throws(
    () =>
      resolveBinanceEndpoints({
        env: "testnet",
        streamUrl: "wss://stream.binance.com:443",
        confirmProduction: "yes-real-money",
      }),
    { code: "DES_ERR_PRODUCTION_NOT_CONFIRMED" },
  );
});

test("PRODUCTION_HOSTS covers every production host of section 1.1, matched case-insensitively on any port", () => {
  for (const url of [
    "https://api.binance.com",
    "https://api-gcp.binance.com",
    "https://api1.binance.com",
    "https://api2.binance.com",
    "https://api3.binance.com",
    "https://api4.binance.com",
    "https://data-api.binance.vision",
    "wss://stream.binance.com:9443",
    "wss://stream.binance.com:443",
    "wss://data-stream.binance.vision",
    "wss://ws-api.binance.com:443/ws-api/v3",
    "wss://ws-api.binance.com:9443/ws-api/v3",
    "https://API.Binance.COM./api/v3/order",
  ]) {
    assert.equal(isProductionUrl(url), true, url);
    assert.throws(() => assertNotProductionUrl(url), { code: "DES_ERR_PRODUCTION_NOT_CONFIRMED" });
  }
  for (const url of [
    "https://testnet.binance.vision",
    "https://api1.testnet.binance.vision",
    "http://127.0.0.1:9900",
  ]) {
    assert.equal(isProductionUrl(url), false, url);
  }
});

test("every host under binance.com counts as production, demo mode and fully qualified names included", () => {
  for (const url of [
    "https://demo-api.binance.com/api",
    "wss://demo-stream.binance.com/ws",
    "wss://STREAM.binance.com.:9443",
    "https://binance.com",
  ]) {
    assert.equal(isProductionUrl(url), true, url);
  }
  for (const url of ["https://testnet.binance.vision", "ws://127.0.0.1:9900", "https://notbinance.com"]) {
    assert.equal(isProductionUrl(url), false, url);
  }
});
