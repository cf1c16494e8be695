import assert from "node:assert/strict";
import { createHmac, createPrivateKey, sign } from "node:crypto";
import { after, afterEach, describe, it } from "node:test";
import { Agent, request } from "undici";
import {
  DOCS_HMAC_API_KEY,
  DOCS_HMAC_SECRET_KEY,
  JAVA_CONNECTOR_ED25519_PRIVATE_KEY_PEM,
  SIM_ED25519_API_KEY,
} from "../sim-accounts-config.ts";
import { wsApiSignaturePayload } from "./signature-payload.ts";
import { SimClock } from "./sim-clock.ts";
import { SimServer, type SimServerOptions } from "./sim-server.ts";
import { FakeSimExchange } from "./test-support/fake-sim-exchange.ts";
import { WsTestClient } from "./test-support/ws-test-client.ts";

const agent = new Agent({ keepAliveTimeout: 1000 });
const servers: SimServer[] = [];
const clients: WsTestClient[] = [];
after(() => agent.close());
afterEach(async () => {
  for (const c of clients.splice(0)) c.terminate();
  for (const s of servers.splice(0)) await s.stop();
});

const edKey = createPrivateKey(JAVA_CONNECTOR_ED25519_PRIVATE_KEY_PEM);

async function setup(extra: Partial<SimServerOptions> = {}) {
  const clock = new SimClock();
  const exchange = new FakeSimExchange(clock.now);
  const server = await SimServer.start({
    exchange,
    marketData: { klines: () => ({ ok: true, body: [] }) },
    clock,
    ...extra,
  });
  servers.push(server);
  return { server, exchange, clock };
}

async function connect(server: SimServer, query = "", options = {}): Promise<WsTestClient> {
  const c = await WsTestClient.connect(`ws://127.0.0.1:${server.port}/ws-api/v3${query}`, options);
  clients.push(c);
  return c;
}

function hmacParams(timestamp: number): Record<string, unknown> {
  const params: Record<string, unknown> = { apiKey: DOCS_HMAC_API_KEY, timestamp };
  params["signature"] = createHmac("sha256", DOCS_HMAC_SECRET_KEY)
    .update(wsApiSignaturePayload(params))
    .digest("hex");
  return params;
}

function edParams(timestamp: number): Record<string, unknown> {
  const params: Record<string, unknown> = { apiKey: SIM_ED25519_API_KEY, timestamp };
  params["signature"] = sign(null, Buffer.from(wsApiSignaturePayload(params)), edKey).toString("base64");
  return params;
}

async function placeOrder(server: SimServer, apiKey: string): Promise<void> {
  const q = `symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&timestamp=${Date.now()}`;
  const sig =
    apiKey === DOCS_HMAC_API_KEY
      ? createHmac("sha256", DOCS_HMAC_SECRET_KEY).update(q).digest("hex")
      : encodeURIComponent(sign(null, Buffer.from(q), edKey).toString("base64"));
  const res = await request(`http://127.0.0.1:${server.port}/api/v3/order?${q}&signature=${sig}`, {
    method: "POST",
    headers: { "x-mbx-apikey": apiKey },
    dispatcher: agent,
  });
  assert.equal(res.statusCode, 200, await res.body.text());
}

describe("WebSocket API: user data stream", () => {
  it("userDataStream.subscribe.signature (HMAC) receives the account's executionReport", async () => {
    const { server } = await setup();
    const c = await connect(server);
    const sub = await c.call("s1", "userDataStream.subscribe.signature", hmacParams(Date.now()));
    assert.equal(sub["status"], 200);
    assert.deepEqual(sub["result"], { subscriptionId: 0 });
    assert.equal((sub["rateLimits"] as Record<string, unknown>[])[0]?.["rateLimitType"], "REQUEST_WEIGHT");
    await placeOrder(server, DOCS_HMAC_API_KEY);
    const event = await c.waitFor((f) => f["subscriptionId"] === 0 && "event" in f);
    assert.equal((event["event"] as Record<string, unknown>)["e"], "executionReport");
    const again = await c.call("s2", "userDataStream.subscribe.signature", hmacParams(Date.now()));
    assert.deepEqual(again["error"], { code: -2035, msg: "User Data Stream subscription already active." });
  });

  it("session.logon (Ed25519) + userDataStream.subscribe receives events; logout terminates the stream", async () => {
    const { server } = await setup();
    const c = await connect(server);
    const before = await c.call(1, "userDataStream.subscribe");
    assert.equal(before["status"], 401);
    assert.deepEqual(before["error"], {
      code: -1002,
      msg: "You are not authorized to execute this request.",
    });
    const logon = await c.call(2, "session.logon", edParams(Date.now()));
    assert.equal(logon["status"], 200, JSON.stringify(logon));
    const result = logon["result"] as Record<string, unknown>;
    assert.equal(result["apiKey"], SIM_ED25519_API_KEY);
    assert.equal(result["userDataStream"], false);
    const sub = await c.call(3, "userDataStream.subscribe");
    assert.deepEqual(sub["result"], { subscriptionId: 0 });
    const status = await c.call(4, "session.status");
    assert.equal((status["result"] as Record<string, unknown>)["userDataStream"], true);
    await placeOrder(server, SIM_ED25519_API_KEY);
    const event = await c.waitFor((f) => f["subscriptionId"] === 0 && "event" in f);
    assert.equal((event["event"] as Record<string, unknown>)["e"], "executionReport");
    const out = await c.call(5, "session.logout");
    assert.equal((out["result"] as Record<string, unknown>)["apiKey"], null);
    const ended = await c.waitFor(
      (f) => (f["event"] as Record<string, unknown> | undefined)?.["e"] === "eventStreamTerminated",
    );
    assert.equal(ended["subscriptionId"], 0);
  });

  it("session.logon refuses an HMAC key (Ed25519 only)", async () => {
    const { server } = await setup();
    const c = await connect(server);
    const r = await c.call("x", "session.logon", hmacParams(Date.now()));
    assert.equal(r["status"], 401);
    assert.equal((r["error"] as Record<string, unknown>)["code"], -2015);
  });

  it("rejects a bad signature (-1022) and a stale timestamp (-1021)", async () => {
    const { server } = await setup();
    const c = await connect(server);
    const p = hmacParams(Date.now());
    p["timestamp"] = Number(p["timestamp"]) + 1;
    const bad = await c.call("a", "userDataStream.subscribe.signature", p);
    assert.deepEqual(bad["error"], { code: -1022, msg: "Signature for this request is not valid." });
    const stale = await c.call("b", "userDataStream.subscribe.signature", hmacParams(Date.now() - 10_000));
    assert.deepEqual(stale["error"], {
      code: -1021,
      msg: "Timestamp for this request is outside of the recvWindow.",
    });
  });

  it("unsubscribes one or all subscriptions with eventStreamTerminated, -2036 when none is active", async () => {
    const { server } = await setup();
    const c = await connect(server);
    await c.call(1, "userDataStream.subscribe.signature", hmacParams(Date.now()));
    await c.call(2, "userDataStream.subscribe.signature", edParams(Date.now()));
    const list = await c.call(3, "session.subscriptions", {});
    assert.deepEqual(list["result"], [{ subscriptionId: 0 }, { subscriptionId: 1 }]);
    assert.deepEqual((await c.call(4, "userDataStream.unsubscribe", { subscriptionId: 1 }))["result"], {});
    const missing = await c.call(5, "userDataStream.unsubscribe", { subscriptionId: 1 });
    assert.deepEqual(missing["error"], { code: -2036, msg: "User Data Stream subscription not active." });
    assert.deepEqual((await c.call(6, "userDataStream.unsubscribe"))["result"], {});
    const ends = c.frames.filter(
      (f) => (f as { event?: { e?: string } }).event?.e === "eventStreamTerminated",
    ) as Record<string, unknown>[];
    assert.deepEqual(
      ends.map((f) => f["subscriptionId"]),
      [1, 0],
    );
    await placeOrder(server, DOCS_HMAC_API_KEY);
    const pong = await c.call(7, "ping");
    assert.deepEqual(pong["result"], {});
    assert.equal(
      c.frames.some((f) => (f as { event?: { e?: string } }).event?.e === "executionReport"),
      false,
    );
  });
});

describe("WebSocket API: robustness and connection rules", () => {
  it("answers malformed frames with an error and keeps the connection", async () => {
    const { server } = await setup();
    const c = await connect(server, "?returnRateLimits=false");
    c.send("{not json");
    const invalid = await c.waitFor((f) => f["id"] === null);
    assert.deepEqual(invalid, { id: null, status: 400, error: { code: -1135, msg: "Invalid JSON Request" } });
    c.send({ id: { x: 1 }, method: "ping" });
    c.send({ id: "m", method: 7 });
    c.send({ id: "u", method: "order.nope" });
    const unknown = await c.waitFor((f) => f["id"] === "u");
    assert.deepEqual(unknown["error"], { code: -1020, msg: "This operation is not supported." });
    const time = await c.call(9, "time");
    assert.equal(time["status"], 200);
    assert.equal("rateLimits" in time, false);
    const withLimits = await c.call(10, "time", { returnRateLimits: true });
    assert.ok(Array.isArray(withLimits["rateLimits"]));
    assert.equal(c.closed, false);
  });

  it("pings every pingIntervalMs and disconnects a client that never answers within pongTimeoutMs", async () => {
    // Generous deadline: the answering client must survive event-loop stalls on a busy machine.
    const { server } = await setup({ pingIntervalMs: 50, pongTimeoutMs: 600 });
    const silent = await connect(server, "", { autoPong: false });
    const polite = await connect(server);
    let pings = 0;
    polite.ws.on("ping", () => pings++);
    await silent.waitClosed(3000);
    assert.ok(pings >= 1);
    assert.equal(polite.closed, false);
  });

  it("sends serverShutdown in the WebSocket API form and killConnections cuts every socket", async () => {
    const { server } = await setup();
    const c = await connect(server);
    server.faults.serverShutdown();
    const ev = await c.waitFor(
      (f) => (f["event"] as Record<string, unknown> | undefined)?.["e"] === "serverShutdown",
    );
    assert.equal(typeof (ev["event"] as Record<string, unknown>)["E"], "number");
    server.faults.killConnections();
    await c.waitClosed();
    assert.equal(server.wsApiConnectionCount(), 0);
  });

  it("refuses the upgrade with 418 while the client is banned", async () => {
    const { server } = await setup();
    server.faults.ban418({ retryAfterS: 30 });
    await assert.rejects(connect(server), /HTTP 418/);
  });
});
