import assert from "node:assert/strict";
import { createHmac, createPrivateKey, sign } from "node:crypto";
import { after, afterEach, describe, it } from "node:test";
import { Agent, request } from "undici";
import { BinanceSimulator, type BinanceSimulatorOptions } from "./binance-simulator.ts";
import { wsApiSignaturePayload } from "./server/signature-payload.ts";
import { WsTestClient } from "./server/test-support/ws-test-client.ts";
import {
  DOCS_HMAC_API_KEY,
  DOCS_HMAC_SECRET_KEY,
  JAVA_CONNECTOR_ED25519_PRIVATE_KEY_PEM,
  SIM_ED25519_API_KEY,
} from "./sim-accounts-config.ts";

const agent = new Agent({ keepAliveTimeout: 1000 });
const sims: BinanceSimulator[] = [];
const clients: WsTestClient[] = [];
after(() => agent.close());
afterEach(async () => {
  for (const c of clients.splice(0)) c.terminate();
  for (const s of sims.splice(0)) await s.stop();
});

const edKey = createPrivateKey(JAVA_CONNECTOR_ED25519_PRIVATE_KEY_PEM);

async function startSim(options: BinanceSimulatorOptions = {}): Promise<BinanceSimulator> {
  const sim = await BinanceSimulator.start({ sources: [{ kind: "klines" }], ...options });
  sims.push(sim);
  return sim;
}

async function connect(url: string): Promise<WsTestClient> {
  const c = await WsTestClient.connect(url);
  clients.push(c);
  return c;
}

/** Signs a query string like a Binance client: HMAC hex for the docs' key, Ed25519 base64 (encoded) otherwise. */
function signedQuery(query: string, apiKey: string): string {
  const q = `${query}&timestamp=${Date.now()}`;
  const signature =
    apiKey === DOCS_HMAC_API_KEY
      ? createHmac("sha256", DOCS_HMAC_SECRET_KEY).update(q).digest("hex")
      : encodeURIComponent(sign(null, Buffer.from(q), edKey).toString("base64"));
  return `${q}&signature=${signature}`;
}

async function rest(
  sim: BinanceSimulator,
  method: "GET" | "POST" | "DELETE",
  path: string,
  query = "",
  apiKey?: string,
): Promise<{ status: number; json: unknown }> {
  const res = await request(`${sim.restUrl}${path}${query ? `?${query}` : ""}`, {
    method,
    headers: apiKey === undefined ? {} : { "x-mbx-apikey": apiKey },
    dispatcher: agent,
  });
  const text = await res.body.text();
  return { status: res.statusCode, json: text.length > 0 ? JSON.parse(text) : undefined };
}

/** A resting buy: 10% under the best bid, for about 20 quote units (above MIN_NOTIONAL). */
interface RestingBuy {
  readonly price: string;
  readonly quantity: string;
}

/** Waits (bounded) until the replay has put a bid on the book; returns a buy that rests well below it. */
async function restingBuy(sim: BinanceSimulator, symbol: string): Promise<RestingBuy> {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const depth = await rest(sim, "GET", "/api/v3/depth", `symbol=${symbol}&limit=5`);
    const bid = (depth.json as { bids: string[][] }).bids[0]?.[0];
    if (bid !== undefined) {
      const price = Math.floor(Number(bid) * 0.9 * 100) / 100;
      return { price: price.toFixed(2), quantity: (Math.ceil((20 / price) * 1e5) / 1e5).toFixed(5) };
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no bid on ${symbol} within 5 s`);
}

function orderQuery(symbol: string, buy: RestingBuy, clientOrderId: string): string {
  return `symbol=${symbol}&side=BUY&type=LIMIT&timeInForce=GTC&quantity=${buy.quantity}&price=${buy.price}&newClientOrderId=${clientOrderId}`;
}

function eventOf(frame: Record<string, unknown>): Record<string, unknown> | undefined {
  return frame["event"] as Record<string, unknown> | undefined;
}

describe("BinanceSimulator end to end", () => {
  it("serves exchangeInfo with the real filters, klines and the three URLs on one port", async () => {
    const sim = await startSim();
    assert.equal(sim.restUrl, `http://127.0.0.1:${sim.port}`);
    assert.equal(sim.streamUrl, `ws://127.0.0.1:${sim.port}`);
    assert.equal(sim.wsApiUrl, `ws://127.0.0.1:${sim.port}/ws-api/v3`);
    const info = await rest(sim, "GET", "/api/v3/exchangeInfo", "symbol=BTCUSDT");
    const symbol = (info.json as { symbols: { symbol: string; filters: { filterType: string }[] }[] })
      .symbols[0];
    assert.equal(symbol?.symbol, "BTCUSDT");
    assert.ok(symbol?.filters.some((f) => f.filterType === "LOT_SIZE"));
    const klines = await rest(sim, "GET", "/api/v3/klines", "symbol=BTCUSDT&interval=1m&limit=5");
    assert.equal(klines.status, 200);
    assert.ok(Array.isArray(klines.json) && klines.json.length > 0);
  });

  it("delivers executionReports to subscribe.signature (HMAC) and session.logon (Ed25519) streams", async () => {
    const sim = await startSim();
    const hmacClient = await connect(sim.wsApiUrl);
    const hmacParams: Record<string, unknown> = { apiKey: DOCS_HMAC_API_KEY, timestamp: Date.now() };
    hmacParams["signature"] = createHmac("sha256", DOCS_HMAC_SECRET_KEY)
      .update(wsApiSignaturePayload(hmacParams))
      .digest("hex");
    const sub = await hmacClient.call("h", "userDataStream.subscribe.signature", hmacParams);
    assert.equal(sub["status"], 200, JSON.stringify(sub));

    const edClient = await connect(sim.wsApiUrl);
    const edParams: Record<string, unknown> = { apiKey: SIM_ED25519_API_KEY, timestamp: Date.now() };
    edParams["signature"] = sign(null, Buffer.from(wsApiSignaturePayload(edParams)), edKey).toString(
      "base64",
    );
    assert.equal((await edClient.call("l", "session.logon", edParams))["status"], 200);
    assert.equal((await edClient.call("s", "userDataStream.subscribe"))["status"], 200);

    const buy = await restingBuy(sim, "BTCUSDT");
    const placed = await rest(
      sim,
      "POST",
      "/api/v3/order",
      signedQuery(orderQuery("BTCUSDT", buy, "hmacOrder1"), DOCS_HMAC_API_KEY),
      DOCS_HMAC_API_KEY,
    );
    assert.equal(placed.status, 200, JSON.stringify(placed.json));
    const report = await hmacClient.waitFor(
      (f) => eventOf(f)?.["e"] === "executionReport" && eventOf(f)?.["c"] === "hmacOrder1",
    );
    assert.equal(report["subscriptionId"], 0);
    assert.equal(eventOf(report)?.["X"], "NEW");

    const placedEd = await rest(
      sim,
      "POST",
      "/api/v3/order",
      signedQuery(orderQuery("BTCUSDT", buy, "edOrder1"), SIM_ED25519_API_KEY),
      SIM_ED25519_API_KEY,
    );
    assert.equal(placedEd.status, 200, JSON.stringify(placedEd.json));
    await edClient.waitFor(
      (f) => eventOf(f)?.["e"] === "executionReport" && eventOf(f)?.["c"] === "edOrder1",
    );
    // Each stream carries only its own account's events.
    assert.equal(
      edClient.frames.some((f) => eventOf(f as Record<string, unknown>)?.["c"] === "hmacOrder1"),
      false,
    );
    assert.equal(
      hmacClient.frames.some((f) => eventOf(f as Record<string, unknown>)?.["c"] === "edOrder1"),
      false,
    );
  });

  it("timeoutAfterAccept: the client never gets an answer but the order rests in the exchange", async () => {
    const sim = await startSim();
    const buy = await restingBuy(sim, "BTCUSDT");
    sim.faults.timeoutAfterAccept({ count: 1 });
    const query = signedQuery(orderQuery("BTCUSDT", buy, "lostAnswer1"), DOCS_HMAC_API_KEY);
    await assert.rejects(
      request(`${sim.restUrl}/api/v3/order?${query}`, {
        method: "POST",
        headers: { "x-mbx-apikey": DOCS_HMAC_API_KEY },
        signal: AbortSignal.timeout(300),
        dispatcher: agent,
      }),
    );
    const found = await rest(
      sim,
      "GET",
      "/api/v3/order",
      signedQuery("symbol=BTCUSDT&origClientOrderId=lostAnswer1", DOCS_HMAC_API_KEY),
      DOCS_HMAC_API_KEY,
    );
    assert.equal(found.status, 200, JSON.stringify(found.json));
    assert.equal((found.json as { status: string }).status, "NEW");
  });

  it("restart() cuts connections, listens again on the same port, and the market moved on meanwhile", async () => {
    const sim = await startSim({ speed: 600 });
    const port = sim.port;
    const ws = await connect(sim.wsApiUrl);
    const before = sim.marketData.position().events;
    await sim.restart({ downMs: 150 });
    await ws.waitClosed();
    assert.equal(sim.port, port);
    assert.equal((await rest(sim, "GET", "/api/v3/ping")).status, 200);
    const again = await connect(sim.wsApiUrl);
    assert.equal((await again.call(1, "ping"))["status"], 200);
    assert.ok(sim.marketData.position().events > before);
  });

  it("serves market streams on the same port; killConnections and serverShutdown reach streams and WS API", async () => {
    const sim = await startSim({ speed: 600 });
    const raw = await connect(`${sim.streamUrl}/ws/btcusdt@trade`);
    const trade = await raw.waitFor((f) => f["e"] === "trade");
    assert.equal(trade["s"], "BTCUSDT");
    const combined = await connect(`${sim.streamUrl}/stream?streams=btcusdt@trade`);
    await combined.waitFor((f) => f["stream"] === "btcusdt@trade");
    const api = await connect(sim.wsApiUrl);
    sim.faults.serverShutdown();
    await raw.waitFor((f) => f["e"] === "serverShutdown");
    await combined.waitFor((f) => f["stream"] === "!serverShutdown");
    await api.waitFor((f) => eventOf(f)?.["e"] === "serverShutdown");
    sim.faults.killConnections();
    await Promise.all([raw.waitClosed(), combined.waitClosed(), api.waitClosed()]);
  });

  it("stop() is idempotent and frees the port", async () => {
    const sim = await startSim();
    await sim.stop();
    await sim.stop();
    await assert.rejects(request(`${sim.restUrl}/api/v3/ping`, { dispatcher: agent }));
  });
});
