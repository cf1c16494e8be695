/**
 * Acceptance test of issue 4, secrets: the REST client, the user data stream and the venue run
 * against the simulator with the app's pino logger at trace level, through signed requests, a wrong
 * secret (-1022) on REST and on the WebSocket API, a -1021 resync, a 429, orders, a killed connection
 * and the reconnect; neither the captured log nor any thrown error holds the secret key, the full API
 * key or any signature that was sent.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { inspect } from "node:util";
import { clientOrderId, dec, ErrorCode, instrumentId, isDesError, Rounding } from "../src/core/index.ts";
import { DOCS_HMAC_API_KEY, DOCS_HMAC_SECRET_KEY } from "../src/sim/index.ts";
import { BinanceUserDataStream, BinanceVenue } from "../src/venues/binance/index.ts";
import {
  Cleanup,
  hmacCredentials,
  memoryLogger,
  simInstruments,
  simRest,
  startSim,
  waitFor,
} from "./support/binance-sim-harness.ts";

/** A wrong HMAC secret of the same shape as the right one (the API key is right: Binance answers -1022). */
const WRONG_SECRET = "Zq7KbVt1sWm3Xa9PcRd5Lf2Hg8Nj4Ty6Ue0Io1Pa3Sd5Fg7Hj9Kl2Zx4Cv6Bn8Mq";

/** Everything an error could show: message, stack, JSON form, util.inspect with causes and details. */
function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  return [err.message, err.stack ?? "", JSON.stringify(err), inspect(err, { depth: 10 })].join("\n");
}

test("secret key, full API key and signatures never appear in logs (trace) or errors", async (t) => {
  const c = new Cleanup(t);
  const sim = await startSim(c);
  const { logger, text } = memoryLogger("trace");
  const good = hmacCredentials();
  const bad = hmacCredentials(WRONG_SECRET);
  const errors: unknown[] = [];
  const restLog = logger.child({ part: "binance-rest" });
  const restLogger = { warn: (obj: object, msg: string) => restLog.warn(obj, msg) };
  const rest = simRest(c, sim, { credentials: good.credentials, logger: restLogger });
  const badRest = simRest(c, sim, { credentials: bad.credentials, logger: restLogger });

  // Signed REST calls, then the wrong secret: -1022.
  await rest.account();
  const refused = await badRest.account().catch((e: unknown) => e);
  assert.ok(isDesError(refused, ErrorCode.VenueAuthFailed), String(refused));
  assert.equal((refused as { binanceCode?: number }).binanceCode, -1022);
  errors.push(refused);

  // A -1021 and its resync (the server ahead), then another when it is set back (the client ahead).
  sim.faults.clockSkewMs(10_000);
  await rest.account();
  sim.faults.clockSkewMs(0);
  await rest.account();

  // The user data stream with the wrong secret: the subscription is refused (-1022) and start() fails.
  const userLog = logger.child({ part: "binance-venue" });
  const badStream = new BinanceUserDataStream({
    wsApiUrl: sim.wsApiUrl,
    credentials: bad.credentials,
    logger: userLog,
    forbidProductionHosts: true,
  });
  c.add(badStream, (s) => s.stop());
  const badStart = await badStream.start().catch((e: unknown) => e);
  assert.ok(isDesError(badStart, ErrorCode.VenueAuthFailed), String(badStart));
  errors.push(badStart);

  // The venue as the app builds it: orders, a killed connection, the resubscription, a reconciliation.
  const userData = new BinanceUserDataStream({
    wsApiUrl: sim.wsApiUrl,
    credentials: good.credentials,
    timeOffsetMs: () => rest.timeOffsetMs,
    backoff: { initialMs: 50, maxMs: 200 },
    logger: userLog,
    forbidProductionHosts: true,
  });
  const instruments = await simInstruments(rest, ["BTCUSDT"]);
  const venue = new BinanceVenue({
    accountId: "binance",
    rest,
    userData,
    instruments,
    reconcileOnStart: true,
    logger: userLog,
  });
  c.add(venue, (v) => v.stop());
  await venue.start();
  const depth = await rest.depth("BTCUSDT", 5);
  const price = dec(depth.bids[0]![0])
    .mul(dec("0.9"))
    .roundToIncrement(instruments.get(instrumentId("BTCUSDT"))!.tickSize, Rounding.Down);
  const placed = await venue.submit({
    clientOrderId: clientOrderId("secret1"),
    instrumentId: instrumentId("BTCUSDT"),
    side: "BUY",
    type: "LIMIT",
    timeInForce: "GTC",
    quantity: dec("0.01"),
    price,
  });
  assert.equal(placed.kind, "accepted");
  const rejected = await venue.submit({
    clientOrderId: clientOrderId("secret2"),
    instrumentId: instrumentId("BTCUSDT"),
    side: "BUY",
    type: "LIMIT",
    timeInForce: "GTC",
    quantity: dec("1000"),
    price,
  });
  assert.equal(rejected.kind, "rejected");
  errors.push(new Error(JSON.stringify(rejected)));
  sim.faults.killConnections();
  await waitFor(() => userData.stats().reconnects >= 1, 10_000, "the user stream resubscribed");
  await waitFor(() => venue.stats().reconciliations >= 1, 10_000, "a reconciliation");
  assert.equal(
    (await venue.cancel({ clientOrderId: clientOrderId("secret1"), instrumentId: instrumentId("BTCUSDT") }))
      .kind,
    "canceled",
  );

  // A 429 last (it blocks the client for a second).
  sim.faults.rateLimit429({ retryAfterS: 1, count: 1 });
  errors.push(await rest.depth("BTCUSDT", 5).catch((e: unknown) => e));
  errors.push(await rest.account().catch((e: unknown) => e));
  assert.ok(errors.every((e) => e instanceof Error));
  await venue.stop();

  const log = text();
  assert.match(log, /-1022|Signature for this request is not valid/, "the -1022 was logged");
  assert.match(log, /resyncing/, "the -1021 resync was logged");
  assert.match(log, /disconnected/, "the reconnect was logged");
  const signatures = [...good.record.signatures, ...bad.record.signatures];
  assert.ok(signatures.length >= 10, `signatures made: ${signatures.length}`);
  const secrets: Array<[string, string]> = [
    ["the secret key", DOCS_HMAC_SECRET_KEY],
    ["the wrong secret key", WRONG_SECRET],
    ["the API key", DOCS_HMAC_API_KEY],
    ...signatures.map((s, i): [string, string] => [`signature ${i}`, s]),
  ];
  const thrown = errors.map(errorText).join("\n");
  for (const [what, secret] of secrets) {
    assert.ok(!log.includes(secret), `${what} is in the log`);
    assert.ok(!thrown.includes(secret), `${what} is in a thrown error`);
  }
  // Nothing even needed redacting: no secret-bearing field was handed to the logger.
  assert.ok(!log.includes("[redacted]"), "the logger had to redact something");
});
