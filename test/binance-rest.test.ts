/**
 * Acceptance tests of issue 4, REST: the real BinanceRestClient against the real simulator on
 * loopback: Retry-After after 429/418, the -1021 resync, and the docs' signature vector on the wire.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ErrorCode, isDesError } from "../src/core/index.ts";
import type { BinanceSimulator } from "../src/sim/index.ts";
import { BinanceApiError, type BinanceRestClient } from "../src/venues/binance/index.ts";
import { Cleanup, hmacCredentials, simRest, startSim, waitFor } from "./support/binance-sim-harness.ts";

/** The simulator's request log as "METHOD path status code" lines. */
function logLines(sim: BinanceSimulator): string[] {
  return sim.requestLog
    .entries()
    .map((e) => `${e.method} ${e.path} ${e.status}${e.code === undefined ? "" : ` ${e.code}`}`);
}

/** Every call during a block must fail locally with the block's code, without a single request. */
async function assertHeldBack(
  sim: BinanceSimulator,
  rest: BinanceRestClient,
  code: typeof ErrorCode.VenueRateLimited | typeof ErrorCode.VenueBanned,
): Promise<void> {
  const received = sim.requestLog.size;
  const calls: Array<() => Promise<unknown>> = [
    () => rest.depth("BTCUSDT", 5),
    () => rest.serverTime(),
    () => rest.exchangeInfo(["BTCUSDT"]),
    () => rest.account(),
    () => rest.openOrders("BTCUSDT"),
    () =>
      rest.newOrder({
        symbol: "BTCUSDT",
        side: "BUY",
        type: "LIMIT",
        timeInForce: "GTC",
        quantity: "0.001",
        price: "10000.00",
      }),
  ];
  for (const call of calls) {
    await assert.rejects(call(), (err: unknown) => {
      assert.ok(isDesError(err, code), String(err));
      assert.ok(!(err instanceof BinanceApiError), "refused locally, not answered by the server");
      assert.match(err.message, /not sent/);
      return true;
    });
  }
  assert.equal(sim.requestLog.size, received, "no request reached the simulator during the block");
}

test("after a 429 nothing is sent before Retry-After runs out; then a call succeeds", async (t) => {
  const c = new Cleanup(t);
  const sim = await startSim(c);
  const rest = simRest(c, sim);
  await rest.syncTime();

  sim.faults.rateLimit429({ retryAfterS: 1 });
  const err = await rest.depth("BTCUSDT", 5).then(
    () => assert.fail("the 429 must throw"),
    (e: unknown) => e,
  );
  assert.ok(err instanceof BinanceApiError);
  assert.equal(err.code, ErrorCode.VenueRateLimited);
  assert.equal(err.httpStatus, 429);
  assert.equal(err.binanceCode, -1003);
  assert.ok(err.details["retryAtMs"] !== undefined);
  assert.deepEqual(logLines(sim).at(-1), "GET /api/v3/depth 429 -1003");
  assert.ok(rest.rateLimits().blockedUntilMs > 0);
  assert.equal(rest.rateLimits().banned, false);

  await assertHeldBack(sim, rest, ErrorCode.VenueRateLimited);
  const received = sim.requestLog.size;
  await waitFor(() => rest.rateLimits().blockedUntilMs === 0, 10_000, "the Retry-After to run out");
  assert.equal(sim.requestLog.size, received, "still nothing sent while waiting");

  const depth = await rest.depth("BTCUSDT", 5);
  assert.ok(depth.lastUpdateId > 0);
  assert.deepEqual(logLines(sim).at(-1), "GET /api/v3/depth 200");
  assert.ok(!logLines(sim).some((l) => l.includes(" 418")), "never escalated to a ban");
});

test("after a 418 nothing is sent before Retry-After runs out; then a call succeeds", async (t) => {
  const c = new Cleanup(t);
  const sim = await startSim(c);
  const rest = simRest(c, sim);
  await rest.syncTime();

  sim.faults.ban418({ retryAfterS: 1 });
  const err = await rest.account().then(
    () => assert.fail("the 418 must throw"),
    (e: unknown) => e,
  );
  assert.ok(err instanceof BinanceApiError);
  assert.equal(err.code, ErrorCode.VenueBanned);
  assert.equal(err.httpStatus, 418);
  assert.equal(err.binanceCode, -1003);
  assert.match(err.binanceMsg ?? "", /IP banned until/);
  assert.deepEqual(logLines(sim).at(-1), "GET /api/v3/account 418 -1003");
  assert.equal(rest.rateLimits().banned, true);

  await assertHeldBack(sim, rest, ErrorCode.VenueBanned);
  const received = sim.requestLog.size;
  await waitFor(() => rest.rateLimits().blockedUntilMs === 0, 10_000, "the ban to run out");
  assert.equal(sim.requestLog.size, received, "still nothing sent while waiting");

  const account = await rest.account();
  assert.ok(account.balances.length > 0);
  assert.deepEqual(logLines(sim).at(-1), "GET /api/v3/account 200");
});

for (const skewMs of [10_000, -10_000]) {
  test(`-1021 (server clock ${skewMs > 0 ? "ahead" : "behind"} by 10 s): one resync, then the call succeeds`, async (t) => {
    const c = new Cleanup(t);
    const sim = await startSim(c);
    const rest = simRest(c, sim);
    await rest.account();
    assert.deepEqual(
      logLines(sim),
      ["GET /api/v3/time 200", "GET /api/v3/account 200"],
      "synced, then signed",
    );
    sim.requestLog.clear();

    sim.faults.clockSkewMs(skewMs);
    const account = await rest.account();
    assert.ok(account.balances.length > 0);
    assert.deepEqual(logLines(sim), [
      "GET /api/v3/account 400 -1021",
      "GET /api/v3/time 200",
      "GET /api/v3/account 200",
    ]);
    // The offset now carries the skew (within the recvWindow, which is all that matters).
    assert.ok(Math.abs(rest.timeOffsetMs - skewMs) < 5000, `offset ${rest.timeOffsetMs}`);
    // And it stays synced: the next signed call goes straight through.
    await rest.openOrders("BTCUSDT");
    assert.deepEqual(logLines(sim).at(-1), "GET /api/v3/openOrders 200");
    assert.equal(logLines(sim).length, 4);
  });
}

test("signing: the docs' vector H1 goes on the wire byte for byte, and the simulator accepts its signature", async (t) => {
  const c = new Cleanup(t);
  // Both clocks fixed at the docs' timestamp: the client's time offset is 0, the timestamp is H1's.
  const H1_TIME = 1499827319559;
  const sim = await startSim(c, { clock: () => H1_TIME });
  const { credentials, record } = hmacCredentials();
  const rest = simRest(c, sim, { credentials, nowMs: () => H1_TIME, recvWindowMs: 5000 });
  const err = await rest
    .testOrder({
      symbol: "LTCBTC",
      side: "BUY",
      type: "LIMIT",
      timeInForce: "GTC",
      quantity: "1",
      price: "0.1",
    })
    .then(
      () => assert.fail("the simulator does not list LTCBTC"),
      (e: unknown) => e,
    );
  assert.equal(rest.timeOffsetMs, 0);
  assert.deepEqual(record.payloads, [
    "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559",
  ]);
  assert.deepEqual(record.signatures, ["c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71"]);
  // The signature and timestamp checks passed (no -1022, no -1021): the request reached validation.
  assert.ok(err instanceof BinanceApiError);
  assert.equal(err.binanceCode, -1121);
  assert.equal(err.binanceMsg, "Invalid symbol.");
  assert.deepEqual(logLines(sim), ["GET /api/v3/time 200", "POST /api/v3/order/test 400 -1121"]);
});
