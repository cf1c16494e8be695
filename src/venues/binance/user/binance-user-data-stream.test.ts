import assert from "node:assert/strict";
import { createPrivateKey, createPublicKey, verify } from "node:crypto";
import { afterEach, beforeEach, describe, test } from "node:test";
import { ErrorCode, isDesError } from "../../../core/index.ts";
import { BinanceCredentials } from "../binance-credentials.ts";
import { ed25519Signer, hmacSigner } from "../signing/request-signer.ts";
import { BinanceUserDataStream, type BinanceUserDataStreamOptions } from "./binance-user-data-stream.ts";
import { FakeWsApiServer } from "./test-support/fake-ws-api-server.ts";
import type { UserDataEvent } from "./user-data-source.ts";

// The docs' example key pair and the session.logon vector W3 (reference section 3.3): the payload
// `apiKey=...&timestamp=1649729878532` is exactly what a signature subscription signs.
const DOCS_API_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
const DOCS_SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
const W3_TIMESTAMP = 1649729878532;
const W3_SIGNATURE = "1cf54395b336b0a9727ef27d5d98987962bc47aca6e13fe978612d0adee066ed";
// The legacy Python connector's published Ed25519 test key (reference section 3.4).
const ED25519_TEST_KEY = `-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIE4rJ0goma1nbu1d8T1dp//0pe40jnf8tghwRhsSY4Bk
-----END PRIVATE KEY-----`;

const EXEC_NEW = {
  e: "executionReport",
  E: 1499405658658,
  s: "ETHBTC",
  c: "des-1",
  S: "BUY",
  o: "LIMIT",
  f: "GTC",
  q: "1.00000000",
  p: "0.10264410",
  P: "0.00000000",
  g: -1,
  C: "",
  x: "NEW",
  X: "NEW",
  r: "NONE",
  i: 4293153,
  l: "0.00000000",
  z: "0.00000000",
  L: "0.00000000",
  n: "0",
  N: null,
  T: 1499405658657,
  t: -1,
  m: false,
};

/** Resolves once check() holds, polling; rejects after boundMs (a bound, not a timing assertion). */
async function eventually(check: () => boolean, what: string, boundMs = 5000): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

interface LogLine {
  level: string;
  obj: object;
  msg: string;
}

describe("BinanceUserDataStream", () => {
  let server: FakeWsApiServer;
  let stream: BinanceUserDataStream | undefined;
  let logs: LogLine[];

  beforeEach(async () => {
    server = await FakeWsApiServer.start();
    logs = [];
  });

  afterEach(async () => {
    await stream?.stop();
    stream = undefined;
    await server.close();
  });

  function create(overrides: Partial<BinanceUserDataStreamOptions> = {}): BinanceUserDataStream {
    const log = (level: string) => (obj: object, msg: string) => logs.push({ level, obj, msg });
    stream = new BinanceUserDataStream({
      wsApiUrl: server.url,
      credentials: new BinanceCredentials(DOCS_API_KEY, hmacSigner(DOCS_SECRET)),
      nowMs: () => W3_TIMESTAMP,
      backoff: { initialMs: 1, maxMs: 5 },
      logger: { info: log("info"), warn: log("warn"), error: log("error") },
      ...overrides,
    });
    return stream;
  }

  test("subscribes an HMAC key with userDataStream.subscribe.signature over sorted, signed params", async () => {
    const s = create();
    await s.start();
    assert.equal(server.requests.length, 1);
    const [req] = server.requests;
    assert.equal(req?.method, "userDataStream.subscribe.signature");
    assert.deepEqual(req?.params, { apiKey: DOCS_API_KEY, timestamp: W3_TIMESTAMP, signature: W3_SIGNATURE });
    assert.deepEqual(s.stats().subscribed, true);
    // Nothing secret reaches the log.
    const logged = JSON.stringify(logs);
    assert.ok(
      !logged.includes(W3_SIGNATURE) && !logged.includes(DOCS_SECRET) && !logged.includes(DOCS_API_KEY),
    );
  });

  test("timestamps in server time (local clock + the REST client's offset) and sends recvWindow when set", async () => {
    const s = create({ timeOffsetMs: () => -250, recvWindowMs: 3000 });
    await s.start();
    const params = server.requests[0]?.params;
    assert.equal(params?.["timestamp"], W3_TIMESTAMP - 250);
    assert.equal(params?.["recvWindow"], 3000);
  });

  test("an Ed25519 key logs the session on, then subscribes without a signature", async () => {
    const credentials = new BinanceCredentials("ed-key", ed25519Signer(ED25519_TEST_KEY));
    const s = create({ credentials });
    await s.start();
    assert.deepEqual(
      server.requests.map((r) => r.method),
      ["session.logon", "userDataStream.subscribe"],
    );
    const logon = server.requests[0]!.params!;
    assert.equal(logon["apiKey"], "ed-key");
    assert.equal(logon["timestamp"], W3_TIMESTAMP);
    const publicKey = createPublicKey(createPrivateKey(ED25519_TEST_KEY));
    const payload = `apiKey=ed-key&timestamp=${W3_TIMESTAMP}`;
    assert.ok(
      verify(null, Buffer.from(payload), publicKey, Buffer.from(String(logon["signature"]), "base64")),
    );
    assert.equal(server.requests[1]!.params, undefined);
  });

  test("delivers the events of its subscription only; unreadable frames are counted, the connection stays", async () => {
    const s = create();
    const events: UserDataEvent[] = [];
    s.onEvent((e) => events.push(e));
    await s.start();
    server.sendEvent({ ...EXEC_NEW, c: "other-sub" }, server.lastSubscriptionId + 7);
    server.sendRaw("{not json");
    server.sendEvent({ e: "listStatus", E: 1 });
    server.sendEvent(EXEC_NEW);
    await eventually(() => events.length === 1, "the event");
    assert.equal(events[0]?.e, "executionReport");
    const stats = s.stats();
    assert.equal(stats.unroutedEvents, 1);
    assert.equal(stats.parseErrors, 1);
    assert.equal(stats.ignoredEvents, 1);
    assert.equal(stats.events, 1);
    assert.equal(server.connections.length, 1);
  });

  test("a listener that throws does not stop the others", async () => {
    const s = create();
    const seen: string[] = [];
    s.onEvent(() => {
      throw new Error("boom");
    });
    s.onEvent((e) => seen.push(e.e));
    await s.start();
    server.sendEvent(EXEC_NEW);
    await eventually(() => seen.length === 1, "the second listener");
    assert.equal(s.stats().listenerFailures, 1);
  });

  test("reconnects after a dropped connection, resubscribes and reports the reconnect", async () => {
    const s = create();
    let reconnected = 0;
    s.onReconnected(() => reconnected++);
    const events: UserDataEvent[] = [];
    s.onEvent((e) => events.push(e));
    await s.start();
    server.dropLatest();
    await eventually(() => reconnected === 1, "onReconnected");
    assert.equal(server.connections.length, 2);
    assert.equal(server.requests.filter((r) => r.method === "userDataStream.subscribe.signature").length, 2);
    assert.equal(s.stats().reconnects, 1);
    // The new subscription id routes the events now.
    server.sendEvent(EXEC_NEW);
    await eventually(() => events.length === 1, "an event on the new subscription");
  });

  test("keeps reconnecting while the server refuses subscriptions, with back-off", async () => {
    const s = create();
    await s.start();
    let refusals = 0;
    server.handler = (req) => {
      if (refusals < 3) {
        refusals++;
        return { status: 503, code: -1007, msg: "Timeout waiting for response from backend server." };
      }
      return server.defaultReply(req);
    };
    let reconnected = 0;
    s.onReconnected(() => reconnected++);
    server.dropLatest();
    await eventually(() => reconnected === 1, "the reconnect after three refusals");
    assert.equal(server.connections.length, 5);
    assert.equal(s.stats().subscribeFailures, 3);
  });

  for (const [name, event, subscription] of [
    ["serverShutdown", { e: "serverShutdown", E: 1770123456789 }, null],
    ["eventStreamTerminated", { e: "eventStreamTerminated", E: 1728973001334 }, "current"],
  ] as const) {
    test(`reconnects at once on ${name}`, async () => {
      // A back-off of a minute: only an immediate reconnect finishes within the wait's bound.
      const s = create({ backoff: { initialMs: 60_000, maxMs: 60_000 } });
      let reconnected = 0;
      s.onReconnected(() => reconnected++);
      await s.start();
      server.sendEvent(event, subscription === null ? null : server.lastSubscriptionId);
      await eventually(() => reconnected === 1, `the reconnect after ${name}`);
      assert.equal(server.connections.length, 2);
    });
  }

  test("reconnects when nothing arrives within silenceTimeoutMs", async () => {
    const s = create({ silenceTimeoutMs: 100 });
    let reconnected = 0;
    s.onReconnected(() => reconnected++);
    await s.start();
    await eventually(() => reconnected >= 1, "the reconnect after silence");
    assert.ok(s.stats().silenceTimeouts >= 1);
  });

  test("a request without response fails after requestTimeoutMs and the connection is replaced", async () => {
    let first = true;
    server.handler = (req) => {
      if (first) {
        first = false;
        return undefined;
      }
      return server.defaultReply(req);
    };
    const s = create({ requestTimeoutMs: 100 });
    await s.start();
    // The unanswered request cost the first connection; the next one subscribed.
    assert.ok(server.connections.length >= 2);
    assert.ok(s.stats().subscribeFailures >= 1);
    await server.until(() => server.connections[0]?.readyState === 3, "the first connection to close");
  });

  test("start() rejects with VenueAuthFailed on refused credentials and stops", async () => {
    server.handler = () => ({
      status: 401,
      code: -2015,
      msg: "Invalid API-key, IP, or permissions for action.",
    });
    const s = create();
    await assert.rejects(s.start(), (err: unknown) => isDesError(err, ErrorCode.VenueAuthFailed));
    assert.equal(s.stats().subscribed, false);
    assert.equal(server.connections.length, 1);
    const logged = JSON.stringify(logs);
    assert.ok(!logged.includes(W3_SIGNATURE));
  });

  test("start() rejects after startTimeoutMs when the server never answers", async () => {
    server.handler = () => undefined;
    const s = create({ startTimeoutMs: 150, requestTimeoutMs: 60_000 });
    await assert.rejects(s.start(), (err: unknown) => isDesError(err, ErrorCode.VenueUnavailable));
  });

  test("refuses a production host when told to", () => {
    assert.throws(
      () => create({ wsApiUrl: "wss://ws-api.binance.com:443/ws-api/v3", forbidProductionHosts: true }),
      (err: unknown) => isDesError(err, ErrorCode.ProductionNotConfirmed),
    );
  });

  test("stop() closes the connection and nothing reconnects", async () => {
    const s = create();
    await s.start();
    await s.stop();
    await server.until(() => server.connections[0]?.readyState === 3, "the server side to close");
    assert.equal(server.connections.length, 1);
    assert.equal(s.stats().subscribed, false);
  });
});
