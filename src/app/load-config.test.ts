import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { isDesError } from "../core/index.ts";
import { loadConfig } from "./load-config.ts";

test("defaults run out of the box and the config is frozen", () => {
  const c = loadConfig({ env: {} });
  assert.equal(c.host, "127.0.0.1");
  assert.equal(c.port, 8080);
  assert.equal(c.venue, "paper");
  assert.equal(c.replaySpeed, 600);
  assert.deepEqual(c.initialBalances, { USDT: "100000", BUSD: "100000" });
  assert.ok(c.strategyConcurrency >= 4);
  assert.ok(Object.isFrozen(c));
  assert.throws(() => {
    (c as { port: number }).port = 1;
  });
});

test("environment values are parsed and override the file", () => {
  const dir = mkdtempSync(join(tmpdir(), "des-config-"));
  const file = join(dir, "des.json");
  writeFileSync(file, JSON.stringify({ port: 9000, replaySpeed: "max", logLevel: "warn" }));
  const c = loadConfig({
    env: {
      DES_CONFIG: file,
      DES_PORT: "9100",
      DES_INITIAL_BALANCES: "USDT:5,BTC:0.5",
      DES_REPLAY_LOOP: "false",
    },
  });
  assert.equal(c.port, 9100);
  assert.equal(c.replaySpeed, "max");
  assert.equal(c.logLevel, "warn");
  assert.equal(c.replayLoop, false);
  assert.deepEqual(c.initialBalances, { USDT: "5", BTC: "0.5" });
});

test("a bad value names the key, the value and what was expected", () => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ DES_PORT: "80800" }, /DES_PORT="80800".*65535/],
    [{ DES_PORT: "http" }, /DES_PORT="http"/],
    [{ DES_REPLAY_SPEED: "fast" }, /DES_REPLAY_SPEED="fast"/],
    [{ DES_INITIAL_BALANCES: "USDT=5" }, /DES_INITIAL_BALANCES="USDT=5".*ASSET:AMOUNT/],
    [{ DES_LOG_LEVEL: "loud" }, /DES_LOG_LEVEL="loud"/],
    [{ DES_TAKER_FEE_RATE: "2" }, /DES_TAKER_FEE_RATE="2".*decimal fraction/],
    [{ DES_VENUE: "kraken" }, /DES_VENUE="kraken"/],
    [{ BINANCE_ENV: "mainnet" }, /BINANCE_ENV="mainnet".*testnet/],
    [{ BINANCE_REST_URL: "ftp://127.0.0.1" }, /BINANCE_REST_URL="ftp:\/\/127.0.0.1".*http/],
    [{ BINANCE_RECV_WINDOW_MS: "90000" }, /BINANCE_RECV_WINDOW_MS="90000".*60000/],
  ];
  for (const [env, pattern] of cases) {
    assert.throws(
      () => loadConfig({ env }),
      (e: unknown) =>
        isDesError(e, "DES_ERR_INVALID_CONFIG") &&
        pattern.test(e.message) &&
        e.details["key"] === Object.keys(env)[0],
      JSON.stringify(env),
    );
  }
});

test("a bad config file is named: missing, not JSON, unknown key", () => {
  const dir = mkdtempSync(join(tmpdir(), "des-config-"));
  const notJson = join(dir, "a.json");
  writeFileSync(notJson, "{port: 1");
  const unknownKey = join(dir, "b.json");
  writeFileSync(unknownKey, JSON.stringify({ prot: 1 }));
  assert.throws(() => loadConfig({ env: {}, file: join(dir, "missing.json") }), /cannot be read/);
  assert.throws(() => loadConfig({ env: {}, file: notJson }), /not valid JSON/);
  assert.throws(() => loadConfig({ env: {}, file: unknownKey }), /unknown key\(s\) prot/);
});

test("the README's configuration table lists every setting", async () => {
  const { readFileSync } = await import("node:fs");
  const { SETTINGS } = await import("./config-schema.ts");
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  for (const [key, setting] of Object.entries(SETTINGS)) {
    assert.ok(readme.includes(`| \`${setting.env}\` | \`${key}\` |`), `README lacks ${setting.env}`);
  }
});

test("secret settings are never printed: redactConfig masks them, and the rest stays", async () => {
  const { redactConfig } = await import("./config-schema.ts");
  const secret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
  const config = loadConfig({
    env: { BINANCE_API_KEY: "my-api-key-123", BINANCE_SECRET_KEY: secret, DES_VENUE: "binance" },
  });
  assert.equal(config.binanceSecretKey, secret);
  const printed = JSON.stringify(redactConfig(config));
  assert.ok(!printed.includes(secret), "the secret is printed");
  assert.ok(!printed.includes("my-api-key-123"), "the API key is printed");
  assert.match(printed, /"binanceSecretKey":"\[redacted\]"/);
  assert.match(printed, /"venue":"binance"/);
});
