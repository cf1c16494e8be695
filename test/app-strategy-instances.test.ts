import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { test } from "node:test";
import { createLogger, DesApp, loadConfig } from "../src/app/index.ts";
import type { StrategyId } from "../src/core/index.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const RSI = "rsi-btc-1m" as StrategyId;
const BOLLINGER = "bollinger-btc-1m" as StrategyId;
const MA = "ma-cross-btc-1m" as StrategyId;

function silentLogger() {
  const sink = new Writable({ write: (_c, _e, done) => done() });
  return { logger: createLogger("info", sink) };
}

/** Settings of a DES whose replay runs in real time (it is still running when the test stops it). */
function settings(dir: string): Record<string, string> {
  const strategiesFile = join(dir, "strategies.json");
  writeFileSync(strategiesFile, readFileSync(join(ROOT, "config/strategies.json")));
  return {
    DES_PORT: "0",
    DES_DB_PATH: join(dir, "des.sqlite"),
    DES_REPLAY_SPEED: "1",
    DES_STRATEGIES_FILE: strategiesFile,
    DES_DATASET: join(ROOT, "data/market/manifest.json"),
  };
}

test("an operator's pause and parameter change survive a restart; an edited strategies file wins", async () => {
  const dir = mkdtempSync(join(tmpdir(), "des-instances-"));
  const env = settings(dir);

  const first = await DesApp.create(loadConfig({ env }), silentLogger());
  const url = await first.start();
  const pause = await fetch(`${url}/api/strategies/${RSI}/pause`, { method: "POST" });
  assert.equal(pause.status, 200);
  const newParams = { period: 30, k: 1.5, exit: "middle", size: "0.02" };
  const put = await fetch(`${url}/api/strategies/${BOLLINGER}/params`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(newParams),
  });
  assert.equal(put.status, 200, await put.text());
  await first.stop("restart");

  const second = await DesApp.create(loadConfig({ env }), silentLogger());
  await second.start();
  assert.equal(second.strategies.status(RSI), "PAUSED", "paused before the restart: paused after it");
  assert.equal(second.strategies.status(MA), "RUNNING", "the shutdown's own stops are not restored");
  const params = second.strategies.params(BOLLINGER) as Record<string, unknown>;
  assert.equal(params["period"], 30);
  assert.equal(params["k"], 1.5);
  assert.equal(String(params["size"]), "0.02");
  await second.stop("restart");

  // The operator edits the paused strategy's entry in the file: the file wins.
  const entries = JSON.parse(readFileSync(env.DES_STRATEGIES_FILE!, "utf8")) as Array<
    Record<string, unknown>
  >;
  const rsi = entries.find((e) => e["id"] === RSI)!;
  rsi["params"] = { ...(rsi["params"] as object), period: 10 };
  writeFileSync(env.DES_STRATEGIES_FILE!, JSON.stringify(entries));
  const third = await DesApp.create(loadConfig({ env }), silentLogger());
  await third.start();
  assert.equal(third.strategies.status(RSI), "RUNNING", "an edited entry starts as the file says");
  assert.equal((third.strategies.params(RSI) as Record<string, unknown>)["period"], 10);
  assert.equal((third.strategies.params(BOLLINGER) as Record<string, unknown>)["period"], 30);
  await third.stop("done");
});
