import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { apiHarness, S1, S2, TOKEN } from "../app/test-support/api-harness.ts";
import { ErrorCode, isDesError, strategyId } from "../core/index.ts";
import { ApiErrorCode } from "./api-error-code.ts";

const JSON_HEADERS = { "content-type": "application/json" };

describe("operator routes: risk", () => {
  test("GET /api/risk shows the kill switch, daily counters, config and denials", async () => {
    const h = await apiHarness({ risk: { global: { maxOrderNotional: "1000" } } });
    const res = await h.call("GET", "/api/risk");
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers["cache-control"], "no-store");
    const body = res.json();
    assert.deepEqual(body.tradingState, {
      global: "ACTIVE",
      strategies: {},
      effective: { s1: "ACTIVE", s2: "ACTIVE" },
    });
    assert.equal(body.daily.dayStart, "2024-01-01T00:00:00.000Z");
    assert.deepEqual(body.daily.account, { trades: 0, realizedPnl: "0" });
    assert.deepEqual(body.daily.strategies.s1, { trades: 0, realizedPnl: "0" });
    assert.equal(body.config.global.maxOrderNotional, "1000");
    assert.equal(body.config.global.positionLimitMode, "reject");
    assert.deepEqual(body.denials, {});
    await h.close();
  });

  test("kill switch: HALTED globally, then a strategy's order is denied by risk; ACTIVE again lets it through", async () => {
    const h = await apiHarness();
    h.trade("100.00");
    const set = await h.call("POST", "/api/risk/trading-state", { state: "HALTED", reason: "incident 42" });
    assert.equal(set.statusCode, 200);
    assert.deepEqual(set.json(), {
      scope: "global",
      from: "ACTIVE",
      to: "HALTED",
      reason: "incident 42",
      changed: true,
    });
    assert.equal(h.risk!.tradingState(), "HALTED");
    assert.ok(h.riskEvents.some((e) => e.kind === "TradingStateChanged" && e.to === "HALTED"));

    h.submit("o-halted");
    await h.settle();
    const order = (await h.call("GET", "/api/orders/o-halted")).json();
    assert.equal(order.status, "DENIED");
    const denied = h.orderEvents.find((e) => e.kind === "OrderDenied");
    assert.ok(denied?.kind === "OrderDenied" && /TRADING_HALTED/.test(denied.reason));
    const risk = (await h.call("GET", "/api/risk")).json();
    assert.equal(risk.denials.TRADING_HALTED, 1);
    assert.equal(risk.tradingState.global, "HALTED");
    assert.equal(risk.tradingState.effective.s1, "HALTED");

    const again = await h.call("POST", "/api/risk/trading-state", { state: "HALTED", reason: "again" });
    assert.equal(again.json().changed, false);
    await h.call("POST", "/api/risk/trading-state", { state: "ACTIVE", reason: "resolved" });
    h.submit("o-active");
    h.trade("100.00");
    await h.settle();
    assert.equal((await h.call("GET", "/api/orders/o-active")).json().status, "FILLED");
    await h.close();
  });

  test("a per-strategy state applies to that strategy only; an unknown strategy is 404", async () => {
    const h = await apiHarness();
    const res = await h.call("POST", "/api/risk/trading-state", {
      state: "REDUCING",
      reason: "s1 misbehaves",
      strategyId: "s1",
    });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), {
      scope: "strategy",
      strategyId: "s1",
      from: "ACTIVE",
      to: "REDUCING",
      reason: "s1 misbehaves",
      changed: true,
    });
    assert.equal(h.risk!.tradingState(S1), "REDUCING");
    assert.equal(h.risk!.tradingState(S2), "ACTIVE");
    const view = (await h.call("GET", "/api/risk")).json();
    assert.deepEqual(view.tradingState.strategies, { s1: "REDUCING" });
    assert.equal((await h.call("GET", "/api/strategies/s1")).json().tradingState, "REDUCING");

    const unknown = await h.call("POST", "/api/risk/trading-state", {
      state: "HALTED",
      reason: "x",
      strategyId: "nope",
    });
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().error.code, ErrorCode.UnknownStrategy);
    assert.equal(h.risk!.tradingState(), "ACTIVE");
    await h.close();
  });

  test("bad trading-state bodies are 400s naming the field; nothing changes", async () => {
    const h = await apiHarness();
    const cases: [unknown, RegExp][] = [
      [{ state: "PANIC", reason: "x" }, /state: .*ACTIVE.*REDUCING.*HALTED/],
      [{ state: "HALTED" }, /reason: /],
      [{ state: "HALTED", reason: "   " }, /reason: expected a non-empty reason/],
      [{ state: "HALTED", reason: "x", strategyId: "a b" }, /strategyId: expected a strategy id/],
      [{ state: "HALTED", reason: "x", extra: 1 }, /extra/],
      [["HALTED"], /invalid body/],
    ];
    for (const [payload, message] of cases) {
      const res = await h.call("POST", "/api/risk/trading-state", payload);
      assert.equal(res.statusCode, 400, JSON.stringify(payload));
      assert.equal(res.json().error.code, ApiErrorCode.BadRequest);
      assert.match(res.json().error.message, message);
    }
    const notJson = await h.server.app.inject({
      method: "POST",
      url: "/api/risk/trading-state",
      headers: JSON_HEADERS,
      payload: "{state:",
    });
    assert.equal(notJson.statusCode, 400);
    assert.equal(h.risk!.tradingState(), "ACTIVE");
    assert.equal(h.riskEvents.length, 0);
    await h.close();
  });

  test("PUT /api/risk/config takes effect at once; an invalid config is a 400 and the old one stays", async () => {
    const h = await apiHarness();
    h.trade("100.00");
    const put = await h.call("PUT", "/api/risk/config", { global: { maxOrderNotional: "5.5" } });
    assert.equal(put.statusCode, 200);
    assert.equal(put.json().config.global.maxOrderNotional, "5.5");

    h.submit("o-big", { quantity: "0.1" }); // 10 USDT > 5.5
    await h.settle();
    assert.equal((await h.call("GET", "/api/orders/o-big")).json().status, "DENIED");
    assert.equal((await h.call("GET", "/api/risk")).json().denials.MAX_NOTIONAL, 1);

    const bad = await h.call("PUT", "/api/risk/config", { global: { maxOrderNotional: 12.5 } });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.code, ErrorCode.InvalidConfig);
    assert.match(bad.json().error.message, /global\.maxOrderNotional/);
    const unknownKey = await h.call("PUT", "/api/risk/config", { globl: {} });
    assert.equal(unknownKey.statusCode, 400);
    assert.match(unknownKey.json().error.message, /globl/);
    const notObject = await h.call("PUT", "/api/risk/config", [1]);
    assert.equal(notObject.statusCode, 400);
    assert.equal(h.risk!.config.global.maxOrderNotional?.toString(), "5.5");

    // The config GET shows is one PUT accepts: the round trip changes nothing.
    const shown = (await h.call("GET", "/api/risk")).json().config;
    assert.equal((await h.call("PUT", "/api/risk/config", shown)).statusCode, 200);
    assert.deepEqual((await h.call("GET", "/api/risk")).json().config, shown);

    await h.call("PUT", "/api/risk/config", {});
    h.submit("o-big-2", { quantity: "0.1" });
    h.trade("100.00");
    await h.settle();
    assert.equal((await h.call("GET", "/api/orders/o-big-2")).json().status, "FILLED");
    await h.close();
  });

  test("without a risk engine the risk routes answer 404 saying risk is not configured", async () => {
    const h = await apiHarness({ risk: false });
    for (const [method, url, payload] of [
      ["GET", "/api/risk", undefined],
      ["POST", "/api/risk/trading-state", { state: "HALTED", reason: "x" }],
      ["PUT", "/api/risk/config", {}],
    ] as const) {
      const res = await h.call(method, url, payload);
      assert.equal(res.statusCode, 404, url);
      assert.equal(res.json().error.code, ApiErrorCode.NotFound);
      assert.match(res.json().error.message, /risk is not configured \(DES_RISK_FILE is not set\)/);
    }
    assert.equal((await h.call("GET", "/api/strategies/s1")).json().tradingState, null);
    await h.close();
  });
});

describe("operator routes: strategies", () => {
  test("GET /api/strategies lists id, type, instrument, status and stats; GET one; unknown is 404", async () => {
    const h = await apiHarness();
    const res = await h.call("GET", "/api/strategies");
    assert.equal(res.statusCode, 200);
    const list = res.json().strategies;
    assert.deepEqual(
      list.map((s: { id: string }) => s.id),
      ["s1", "s2"],
    );
    const s1 = list[0];
    assert.equal(s1.type, "test_cross");
    assert.equal(s1.instrument, "BTCUSDT");
    assert.equal(s1.interval, "1m");
    assert.equal(s1.status, "RUNNING");
    assert.deepEqual(s1.params, { fast: 2, slow: 3, quantity: "0.01" });
    assert.equal(s1.tradingState, "ACTIVE");
    assert.equal(s1.openOrders, 0);
    assert.equal(typeof s1.stats.eventsProcessed, "number");
    assert.equal(s1.stats.lastError, null);

    assert.deepEqual((await h.call("GET", "/api/strategies/s2")).json().id, "s2");
    const unknown = await h.call("GET", "/api/strategies/nope");
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().error.code, ErrorCode.UnknownStrategy);
    await h.close();
  });

  test("pause, resume and stop drive the engine; a command that does not fit the state is 409", async () => {
    const h = await apiHarness();
    const pause = await h.call("POST", "/api/strategies/s1/pause", { reason: "looking into it" });
    assert.equal(pause.statusCode, 200);
    assert.equal(pause.json().previousStatus, "RUNNING");
    assert.equal(pause.json().strategy.status, "PAUSED");
    assert.equal(h.strategies.status(S1), "PAUSED");
    assert.equal(h.strategies.status(S2), "RUNNING");

    const twice = await h.call("POST", "/api/strategies/s1/pause");
    assert.equal(twice.statusCode, 409);
    assert.equal(twice.json().error.code, ErrorCode.StrategyNotRunning);

    const resume = await h.call("POST", "/api/strategies/s1/resume");
    assert.equal(resume.statusCode, 200);
    assert.equal(resume.json().strategy.status, "RUNNING");

    const stop = await h.call("POST", "/api/strategies/s1/stop", {});
    assert.equal(stop.statusCode, 200);
    assert.equal(stop.json().strategy.status, "STOPPED");
    const resumeStopped = await h.call("POST", "/api/strategies/s1/resume");
    assert.equal(resumeStopped.statusCode, 409);

    for (const action of ["pause", "resume", "stop", "panic"]) {
      const res = await h.call("POST", `/api/strategies/nope/${action}`);
      assert.equal(res.statusCode, 404, action);
      assert.equal(res.json().error.code, ErrorCode.UnknownStrategy);
    }
    const badReason = await h.call("POST", "/api/strategies/s2/pause", { reason: 7 });
    assert.equal(badReason.statusCode, 400);
    assert.match(badReason.json().error.message, /reason/);
    assert.equal(h.strategies.status(S2), "RUNNING");
    await h.close();
  });

  test("PUT params validates with the strategy's schema: 400 keeps the old ones, a valid set applies", async () => {
    const h = await apiHarness();
    const bad = await h.call("PUT", "/api/strategies/s1/params", { fast: 5, slow: 3, quantity: "0.01" });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.code, ErrorCode.InvalidStrategyParams);
    assert.match(bad.json().error.message, /fast/);
    const notObject = await h.server.app.inject({
      method: "PUT",
      url: "/api/strategies/s1/params",
      headers: JSON_HEADERS,
      payload: '"fast"',
    });
    assert.equal(notObject.statusCode, 400);
    assert.deepEqual((h.strategies.params(S1) as { fast: number }).fast, 2);

    const ok = await h.call("PUT", "/api/strategies/s1/params", { fast: 3, slow: 8, quantity: "0.02" });
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.json().strategy.params.slow, 8);
    assert.equal((h.strategies.params(S1) as { slow: number }).slow, 8);
    const unknown = await h.call("PUT", "/api/strategies/nope/params", { fast: 3, slow: 8, quantity: "1" });
    assert.equal(unknown.statusCode, 404);
    await h.close();
  });

  test("panic cancels the strategy's open orders, flattens its position with a reduce-only market order and stops it", async () => {
    const h = await apiHarness();
    h.trade("100.00");
    h.submit("buy-1", { quantity: "0.2" });
    h.trade("100.00");
    await h.settle();
    h.submit("rest-1", { type: "LIMIT", price: "90.00", quantity: "0.1" });
    h.submit("other-rest", { type: "LIMIT", price: "90.00", quantity: "0.1", strategyId: S2 });
    await h.settle();
    assert.equal(h.portfolio.position(S1, "BTCUSDT" as never).toString(), "0.2");

    const res = await h.call("POST", "/api/strategies/s1/panic");
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.deepEqual(body.cancelsRequested, ["rest-1"]);
    assert.equal(body.flattenOrders.length, 1);
    assert.deepEqual(
      { side: body.flattenOrders[0].side, quantity: body.flattenOrders[0].quantity },
      { side: "SELL", quantity: "0.2" },
    );
    assert.equal(body.strategy.status, "STOPPED");
    h.trade("101.00");
    await h.settle();
    assert.equal((await h.call("GET", "/api/orders/rest-1")).json().status, "CANCELED");
    assert.equal(h.portfolio.position(S1, "BTCUSDT" as never).toString(), "0");
    assert.equal((await h.call("GET", "/api/orders/other-rest")).json().status, "ACCEPTED");
    await h.close();
  });
});

describe("operator routes: orders", () => {
  test("GET /api/orders lists open orders with filters; GET one; unknown is 404; bad filters are 400", async () => {
    const h = await apiHarness();
    h.trade("100.00");
    h.submit("a1", { type: "LIMIT", price: "90.00", quantity: "0.1" });
    h.submit("b1", { type: "LIMIT", price: "91.00", quantity: "0.1", strategyId: S2 });
    h.submit("m1", { quantity: "0.1" });
    h.trade("100.00");
    await h.settle();

    const all = (await h.call("GET", "/api/orders")).json().orders;
    assert.deepEqual(
      all.map((o: { clientOrderId: string }) => o.clientOrderId),
      ["a1", "b1"],
    );
    const a1 = all[0];
    assert.equal(a1.strategyId, "s1");
    assert.equal(a1.status, "ACCEPTED");
    assert.equal(a1.price, "90");
    assert.equal(a1.quantity, "0.1");
    assert.equal(a1.filledQty, "0");
    assert.equal(a1.averageFillPrice, null);
    assert.equal(typeof a1.venueOrderId, "string");
    const s2 = (await h.call("GET", "/api/orders?strategyId=s2&instrumentId=BTCUSDT")).json().orders;
    assert.deepEqual(
      s2.map((o: { clientOrderId: string }) => o.clientOrderId),
      ["b1"],
    );
    assert.deepEqual((await h.call("GET", "/api/orders?instrumentId=ETHUSDT")).json().orders, []);

    const filled = (await h.call("GET", "/api/orders/m1")).json();
    assert.equal(filled.status, "FILLED");
    assert.equal(filled.averageFillPrice, "100");

    const unknown = await h.call("GET", "/api/orders/nope");
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().error.code, ErrorCode.UnknownOrder);
    for (const q of ["instrumentId=btcusdt", "strategy=s1", "strategyId=a%20b"]) {
      const res = await h.call("GET", `/api/orders?${q}`);
      assert.equal(res.statusCode, 400, q);
      assert.equal(res.json().error.code, ApiErrorCode.BadRequest);
    }
    await h.close();
  });

  test("POST cancel sends a CancelOrder on the bus: the resting order ends CANCELED; a closed one is 409", async () => {
    const h = await apiHarness();
    h.trade("100.00");
    h.submit("a1", { type: "LIMIT", price: "90.00", quantity: "0.1" });
    await h.settle();
    const cancels: string[] = [];
    h.bus.subscribe("command.cancel-order", (c) => cancels.push(c.clientOrderId));

    const res = await h.call("POST", "/api/orders/a1/cancel");
    assert.equal(res.statusCode, 202);
    assert.deepEqual(res.json(), { clientOrderId: "a1", requested: true, status: "PENDING_CANCEL" });
    assert.deepEqual(cancels, ["a1"]);
    await h.settle();
    assert.equal((await h.call("GET", "/api/orders/a1")).json().status, "CANCELED");

    const again = await h.call("POST", "/api/orders/a1/cancel");
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().error.code, ErrorCode.InvalidOrderTransition);
    assert.match(again.json().error.message, /CANCELED: there is nothing to cancel/);
    assert.equal((await h.call("POST", "/api/orders/nope/cancel")).statusCode, 404);
    assert.equal((await h.call("POST", "/api/orders/a1/cancel", { force: true })).statusCode, 400);
    assert.deepEqual(cancels, ["a1"]);
    await h.close();
  });

  test("POST cancel-all cancels every resting order matching the filter, and only those", async () => {
    const h = await apiHarness();
    h.trade("100.00");
    for (const [id, strategyId] of [
      ["a1", S1],
      ["a2", S1],
      ["b1", S2],
      ["b2", S2],
    ] as const)
      h.submit(id, { type: "LIMIT", price: "90.00", quantity: "0.1", strategyId });
    await h.settle();

    const one = await h.call("POST", "/api/orders/cancel-all", { strategyId: "s1" });
    assert.equal(one.statusCode, 202);
    assert.equal(one.json().requested, 2);
    assert.deepEqual(
      one.json().orders.map((o: { clientOrderId: string }) => o.clientOrderId),
      ["a1", "a2"],
    );
    await h.settle();
    const open = (await h.call("GET", "/api/orders")).json().orders;
    assert.deepEqual(
      open.map((o: { clientOrderId: string }) => o.clientOrderId),
      ["b1", "b2"],
    );
    const locked = (await h.venue.balances()).find((b) => b.asset === "USDT")?.locked;
    assert.ok(locked?.isPositive(), "b1 and b2 still lock cash at the venue");

    const rest = await h.call("POST", "/api/orders/cancel-all");
    assert.equal(rest.json().requested, 2);
    await h.settle();
    assert.deepEqual((await h.call("GET", "/api/orders")).json().orders, []);
    for (const id of ["a1", "a2", "b1", "b2"])
      assert.equal((await h.call("GET", `/api/orders/${id}`)).json().status, "CANCELED");
    const balances = (await h.call("GET", "/api/portfolio/balances")).json().balances;
    assert.deepEqual(balances, [{ asset: "USDT", free: "100000", locked: "0" }]);

    const none = await h.call("POST", "/api/orders/cancel-all", {});
    assert.deepEqual(none.json(), { filter: {}, requested: 0, orders: [] });
    const unknown = await h.call("POST", "/api/orders/cancel-all", { strategyId: "nope" });
    assert.equal(unknown.statusCode, 404);
    // An order of no running strategy (adopted at start-up) can still be canceled by its strategy id.
    h.submit("x1", { type: "LIMIT", price: "90.00", quantity: "0.1", strategyId: strategyId("adopted") });
    await h.settle();
    const adopted = await h.call("POST", "/api/orders/cancel-all", { strategyId: "adopted" });
    assert.equal(adopted.statusCode, 202);
    assert.equal(adopted.json().requested, 1);
    const bad = await h.call("POST", "/api/orders/cancel-all", { instrumentId: 5 });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().error.message, /instrumentId/);
    await h.close();
  });
});

describe("operator routes: portfolio", () => {
  test("GET /api/portfolio shows each account and strategy: positions, PnL, fees, exposure, balances", async () => {
    const h = await apiHarness();
    h.trade("100.00");
    h.submit("m1", { quantity: "0.5" });
    h.trade("100.00");
    await h.settle();
    h.trade("110.00");
    const res = await h.call("GET", "/api/portfolio");
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(typeof body.ts, "string");
    assert.deepEqual(
      body.accounts.map((b: { owner: string }) => b.owner),
      ["paper"],
    );
    const s1 = body.strategies.find((b: { owner: string }) => b.owner === "s1");
    assert.equal(s1.positions.length, 1);
    const p = s1.positions[0];
    assert.equal(p.side, "LONG");
    assert.equal(p.quantity, "0.5");
    assert.equal(p.averagePrice, "100");
    assert.equal(p.markPrice, "110");
    assert.equal(p.unrealizedPnl, "5");
    assert.deepEqual(s1.fees, { USDT: "0.05" });
    assert.deepEqual(s1.exposure, { USDT: "55" });
    assert.equal(s1.balances.USDT, "-50.05");
    const account = body.accounts[0];
    assert.equal(account.balances.USDT, "99949.95");
    assert.equal(account.equity.USDT, "100004.95");
    await h.close();
  });
});

describe("operator routes: authentication and audit", () => {
  test("with a token, every POST/PUT needs it (401 otherwise, nothing done); GETs stay open", async () => {
    const h = await apiHarness({ apiToken: TOKEN, host: "0.0.0.0" });
    const app = h.server.app;
    for (const headers of [
      {},
      { authorization: "Bearer wrong-token-0123456789" },
      { authorization: TOKEN },
    ]) {
      const res = await app.inject({
        method: "POST",
        url: "/api/risk/trading-state",
        headers: { ...JSON_HEADERS, ...headers },
        payload: { state: "HALTED", reason: "x" },
      });
      assert.equal(res.statusCode, 401, JSON.stringify(headers));
      assert.equal(res.headers["www-authenticate"], 'Bearer realm="des"');
      assert.equal(res.json().error.code, ApiErrorCode.Unauthorized);
      assert.ok(!res.body.includes(TOKEN));
    }
    const put = await app.inject({ method: "PUT", url: "/api/risk/config", payload: {} });
    assert.equal(put.statusCode, 401);
    const cancel = await app.inject({ method: "POST", url: "/api/orders/cancel-all" });
    assert.equal(cancel.statusCode, 401);
    // Refused before the body is read: a malformed body without the token is still a 401.
    const garbage = await app.inject({
      method: "POST",
      url: "/api/strategies/s1/pause",
      headers: JSON_HEADERS,
      payload: "{nope",
    });
    assert.equal(garbage.statusCode, 401);
    assert.equal(h.risk!.tradingState(), "ACTIVE");
    assert.equal(h.strategies.status(S1), "RUNNING");

    for (const url of ["/api/risk", "/api/strategies", "/api/orders", "/api/portfolio", "/health"])
      assert.equal((await app.inject({ method: "GET", url })).statusCode, 200, url);
    const ok = await h.call("POST", "/api/risk/trading-state", { state: "HALTED", reason: "with token" });
    assert.equal(ok.statusCode, 200);
    assert.equal(h.risk!.tradingState(), "HALTED");

    const logged = JSON.stringify(h.audits);
    assert.ok(!logged.includes(TOKEN), "the token is never in the audit log");
    assert.equal(h.audits.filter((a) => a.statusCode === 401).length, 6);
    await h.close();
  });

  test("without a token, a non-loopback host is refused at build time; loopback allows commands", async () => {
    await assert.rejects(
      apiHarness({ host: "0.0.0.0" }),
      (e: unknown) => isDesError(e, ErrorCode.InvalidConfig) && /DES_API_TOKEN is not set/.test(e.message),
    );
    const h = await apiHarness({ host: "127.0.0.1" });
    assert.equal((await h.call("POST", "/api/strategies/s1/pause")).statusCode, 200);
    await h.close();
  });

  test("every command is audited: who, what, input and outcome", async () => {
    const h = await apiHarness();
    await h.server.app.inject({
      method: "POST",
      url: "/api/strategies/s1/pause",
      headers: { ...JSON_HEADERS, "x-des-operator": "alice" },
      payload: { reason: "checking" },
    });
    await h.call("POST", "/api/strategies/nope/stop");
    await h.call("POST", "/api/risk/trading-state", { state: "NOPE", reason: "x" });
    assert.deepEqual(
      h.audits.map((a) => [a.command, a.target, a.outcome, a.statusCode]),
      [
        ["strategy.pause", "s1", "ok", 200],
        ["strategy.stop", "nope", "rejected", 404],
        ["risk.trading-state", undefined, "rejected", 400],
      ],
    );
    assert.deepEqual(h.audits[0]!.actor, { ip: "127.0.0.1", auth: "loopback", operator: "alice" });
    assert.deepEqual(h.audits[0]!.input, { reason: "checking" });
    assert.equal(h.audits[1]!.error?.code, ErrorCode.UnknownStrategy);
    await h.close();
  });
});
