import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Topic } from "../bus/index.ts";
import { dec } from "../core/index.ts";
import { apiCommands } from "./api-commands.ts";
import { isSecretSetting, redactConfig } from "./config-schema.ts";
import { loadConfig } from "./load-config.ts";
import { apiHarness, S1 } from "./test-support/api-harness.ts";

function lines() {
  const out: { level: "info" | "warn"; fields: Record<string, unknown>; message: string }[] = [];
  return {
    out,
    log: {
      info: (fields: object, message: string) =>
        out.push({ level: "info", fields: fields as Record<string, unknown>, message }),
      warn: (fields: object, message: string) =>
        out.push({ level: "warn", fields: fields as Record<string, unknown>, message }),
    },
  };
}

describe("apiCommands", () => {
  test("risk is undefined without a risk engine, present with one", async () => {
    const { log } = lines();
    const without = await apiHarness({ risk: false });
    assert.equal(apiCommands({ ...without, log }).risk, undefined);
    await without.close();
    const withRisk = await apiHarness();
    assert.equal(apiCommands({ ...withRisk, log }).risk?.view().tradingState.global, "ACTIVE");
    await withRisk.close();
  });

  test("a second cancel while one is pending sends no second CancelOrder", async () => {
    const h = await apiHarness();
    h.trade("100.00");
    h.submit("a1", { type: "LIMIT", price: "90.00" });
    await h.settle();
    const { log } = lines();
    const commands = apiCommands({ ...h, log });
    const sent: string[] = [];
    h.bus.subscribe(Topic.CancelOrder, (c) => sent.push(c.clientOrderId));
    assert.deepEqual(commands.orders.cancel("a1"), {
      clientOrderId: "a1",
      requested: true,
      status: "PENDING_CANCEL",
    });
    assert.deepEqual(commands.orders.cancel("a1"), {
      clientOrderId: "a1",
      requested: false,
      status: "PENDING_CANCEL",
    });
    assert.deepEqual(commands.orders.cancelAll({ strategyId: S1 }).requested, 0);
    assert.deepEqual(sent, ["a1"]);
    await h.settle();
    assert.equal(commands.orders.get("a1").status, "CANCELED");
    await h.close();
  });

  test("the risk config is shown as written: decimals as strings, defaults filled in", async () => {
    const h = await apiHarness({
      risk: { global: { maxExposure: "2500.75" }, strategies: { s1: { maxDailyTrades: 3 } } },
    });
    const { log } = lines();
    const config = apiCommands({ ...h, log }).risk!.view().config;
    assert.deepEqual(config, {
      dayBoundaryOffsetMinutes: 0,
      softLimits: { warnRatio: 0.8, scaleRatio: 0.9, scaleFactor: 0.5 },
      global: {
        maxExposure: "2500.75",
        positionLimitMode: "reject",
        reduceOnlyMode: "clip",
        haltOnDailyLoss: false,
      },
      strategies: { s1: { maxDailyTrades: 3 } },
      account: { haltAllOnDailyLoss: false },
    });
    await h.close();
  });

  test("audit lines: info when a command ran, warn otherwise; a huge input is cut", async () => {
    const h = await apiHarness();
    const { out, log } = lines();
    const commands = apiCommands({ ...h, log });
    const actor = { ip: "127.0.0.1", auth: "loopback" as const };
    commands.audit({ command: "strategy.pause", target: "s1", actor, outcome: "ok", statusCode: 200 });
    commands.audit({
      command: "risk.config",
      actor,
      input: { blob: "x".repeat(10_000) },
      outcome: "rejected",
      statusCode: 400,
      error: { code: "DES_ERR_INVALID_CONFIG", message: "bad" },
    });
    assert.deepEqual(
      out.map((l) => [l.level, l.message]),
      [
        ["info", "api command strategy.pause"],
        ["warn", "api command risk.config rejected"],
      ],
    );
    assert.equal(out[0]!.fields["target"], "s1");
    const input = out[1]!.fields["input"] as { truncated: boolean; chars: number; head: string };
    assert.equal(input.truncated, true);
    assert.equal(input.chars, 10_011);
    assert.equal(input.head.length, 4096);
    await h.close();
  });

  test("venue balances are the venue's free and locked amounts, as strings", async () => {
    const h = await apiHarness();
    h.trade("100.00");
    h.submit("a1", { type: "LIMIT", price: "50.00", quantity: "1" });
    await h.settle();
    const { log } = lines();
    const balances = await apiCommands({ ...h, log }).portfolio.venueBalances();
    const usdt = balances.find((b) => b.asset === "USDT")!;
    assert.equal(typeof usdt.free, "string");
    assert.equal(dec(usdt.free).add(dec(usdt.locked)).toString(), "100000");
    assert.ok(dec(usdt.locked).gte(dec("50")), `locked ${usdt.locked}`);
    await h.close();
  });
});

describe("DES_API_TOKEN", () => {
  test("is a secret setting: redacted when printed, never echoed when malformed", () => {
    const token = "operator-token-0123456789";
    assert.equal(isSecretSetting("apiToken"), true);
    const config = loadConfig({ env: { DES_API_TOKEN: token } });
    assert.equal(config.apiToken, token);
    assert.ok(!JSON.stringify(redactConfig(config)).includes(token));
    assert.throws(
      () => loadConfig({ env: { DES_API_TOKEN: "short-secret" } }),
      (e: unknown) =>
        e instanceof Error && /DES_API_TOKEN/.test(e.message) && !e.message.includes("short-secret"),
    );
  });
});
