/**
 * Order round trip against the simulator on loopback (target p99 <= 2 ms): the time from calling
 * BinanceRestClient.newOrder to holding the parsed acknowledgement, in microseconds.
 *
 * The simulator runs in a child process (bench/support/sim-server-process.ts), so the client and the
 * server each have their own event loop, as with a real exchange. The client is the real one: signed
 * requests (timestamp, recvWindow, signature), undici keep-alive pool, response validation, the
 * newOrderRespType the adapter uses (FULL). Rows, measured in interleaved blocks so a change of machine
 * load hits every row alike:
 *   - ping_raw_undici: a bare undici Pool GET /api/v3/ping, the floor of HTTP on loopback;
 *   - time_client_unsigned: BinanceRestClient.serverTime() (GET /api/v3/time: client cost, no signing);
 *   - order_hmac: newOrder signed with HMAC-SHA256 (the docs' key pair, account "hmac");
 *   - order_ed25519: newOrder signed with Ed25519 (the Java connector's test key, account "ed25519");
 *   - cancel_hmac: the cancels of the HMAC orders (run between blocks, outside the order measurement).
 * Orders are LIMIT GTC BUYs far below the market, so they rest without matching; each block of
 * orders is cancelled right after it, outside the measured window, so the book and the account stay
 * bounded. Rate limits are raised on both sides (the bench sends far more than 50 orders per 10 s).
 * Percentiles are exact (sorted samples).
 *
 * Run: node_modules/.bin/node bench/order-rtt.bench.ts [--orders 5000] [--warmup 500] [--block 100]
 * Last line of stdout: one JSON object.
 */
import { parseArgs } from "node:util";
import { Pool } from "undici";
import {
  DOCS_HMAC_API_KEY,
  DOCS_HMAC_SECRET_KEY,
  JAVA_CONNECTOR_ED25519_PRIVATE_KEY_PEM,
  SIM_ED25519_API_KEY,
} from "../src/sim/index.ts";
import { BinanceRestClient, loadBinanceCredentials } from "../src/venues/binance/index.ts";
import { benchMachine } from "./bench-machine.ts";
import { startSimProcess, stopSimProcess } from "./support/sim-process.ts";

const TARGET_P99_US = 2000;
const SYMBOL = "BTCBUSD";
/** Far below BTCBUSD's 2022 prices (about 17,000): the order rests. 0.02 x 1000 = 20 BUSD >= MIN_NOTIONAL 10. */
const RESTING_PRICE = "1000.00";
const QUANTITY = "0.02";
const HIGH_LIMITS = { weightPerMinute: 100_000_000, ordersPer10s: 100_000_000, ordersPerDay: 100_000_000 };

/** Exact percentiles and the extremes of a sample set, microseconds, one decimal. */
interface Summary {
  readonly n: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
  readonly min: number;
  readonly mean: number;
}

/** Returns the nearest-rank percentiles of the samples (microseconds). */
function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  const at = (q: number): number => sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))]!;
  const r1 = (x: number): number => Math.round(x * 10) / 10;
  return {
    n,
    p50: r1(at(0.5)),
    p90: r1(at(0.9)),
    p99: r1(at(0.99)),
    p999: r1(at(0.999)),
    max: r1(sorted[n - 1]!),
    min: r1(sorted[0]!),
    mean: r1(sorted.reduce((s, x) => s + x, 0) / n),
  };
}

/** Microseconds since an earlier performance.now() reading. */
const sinceUs = (startMs: number): number => (performance.now() - startMs) * 1000;

/** One signed order-sending client and its label. */
interface OrderRow {
  readonly name: string;
  readonly client: BinanceRestClient;
  readonly samples: number[];
  readonly cancelSamples: number[];
  seq: number;
}

/** Places `count` resting orders one after another (each timed), then cancels them untimed-for-orders. */
async function orderBlock(row: OrderRow, count: number, record: boolean): Promise<void> {
  const placed: number[] = [];
  for (let i = 0; i < count; i++) {
    const clientOrderId = `bench-${row.name}-${row.seq++}`;
    const started = performance.now();
    const ack = await row.client.newOrder({
      symbol: SYMBOL,
      side: "BUY",
      type: "LIMIT",
      timeInForce: "GTC",
      quantity: QUANTITY,
      price: RESTING_PRICE,
      newClientOrderId: clientOrderId,
      newOrderRespType: "FULL",
    });
    const us = sinceUs(started);
    if (ack.status !== "NEW" || ack.clientOrderId !== clientOrderId) {
      throw new Error(`unexpected acknowledgement for ${clientOrderId}: status ${ack.status}`);
    }
    if (record) row.samples.push(us);
    placed.push(ack.orderId);
  }
  // Outside the order measurement: keeps the book and the locked balance bounded.
  for (const orderId of placed) {
    const started = performance.now();
    const res = await row.client.cancelOrder({ symbol: SYMBOL, orderId });
    if (record) row.cancelSamples.push(sinceUs(started));
    if (res.status !== "CANCELED") throw new Error(`cancel of order ${orderId} answered ${res.status}`);
  }
}

async function pingBlock(pool: Pool, count: number, samples: number[] | undefined): Promise<void> {
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const res = await pool.request({ method: "GET", path: "/api/v3/ping" });
    const body = await res.body.text();
    const us = sinceUs(started);
    if (res.statusCode !== 200 || body !== "{}") throw new Error(`ping answered ${res.statusCode} ${body}`);
    samples?.push(us);
  }
}

async function timeBlock(
  client: BinanceRestClient,
  count: number,
  samples: number[] | undefined,
): Promise<void> {
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await client.serverTime();
    samples?.push(sinceUs(started));
  }
}

const fmt = (s: Summary): string =>
  `p50 ${s.p50} p90 ${s.p90} p99 ${s.p99} p99.9 ${s.p999} max ${s.max} (n ${s.n})`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      orders: { type: "string", default: "5000" },
      warmup: { type: "string", default: "500" },
      block: { type: "string", default: "100" },
    },
  });
  const orders = Number(values.orders);
  const warmup = Number(values.warmup);
  const block = Number(values.block);
  if (!(orders > 0 && warmup >= 0 && block > 0))
    throw new Error("--orders, --warmup, --block must be positive");
  const loadBefore = benchMachine().loadAvg;

  const { child, port } = await startSimProcess({ limits: HIGH_LIMITS });
  const baseUrl = `http://127.0.0.1:${port}`;
  console.log(`simulator process ${child.pid} listening on ${baseUrl}`);
  const clientOptions = { baseUrl, forbidProductionHosts: true, rateLimits: HIGH_LIMITS };
  const hmac: OrderRow = {
    name: "hmac",
    client: new BinanceRestClient({
      ...clientOptions,
      credentials: loadBinanceCredentials({ apiKey: DOCS_HMAC_API_KEY, secretKey: DOCS_HMAC_SECRET_KEY }),
    }),
    samples: [],
    cancelSamples: [],
    seq: 0,
  };
  const ed25519: OrderRow = {
    name: "ed25519",
    client: new BinanceRestClient({
      ...clientOptions,
      credentials: loadBinanceCredentials({
        apiKey: SIM_ED25519_API_KEY,
        privateKeyPem: JAVA_CONNECTOR_ED25519_PRIVATE_KEY_PEM,
      }),
    }),
    samples: [],
    cancelSamples: [],
    seq: 0,
  };
  const unsigned = new BinanceRestClient(clientOptions);
  const pool = new Pool(baseUrl, { connections: 8, pipelining: 1 });
  const ping: number[] = [];
  const time: number[] = [];

  try {
    for (let done = 0; done < warmup; done += block) {
      const n = Math.min(block, warmup - done);
      await pingBlock(pool, n, undefined);
      await timeBlock(unsigned, n, undefined);
      await orderBlock(hmac, n, false);
      await orderBlock(ed25519, n, false);
    }
    console.log(`warm-up done (${warmup} of each); measuring ${orders} of each in blocks of ${block}`);
    for (let done = 0; done < orders; done += block) {
      const n = Math.min(block, orders - done);
      await pingBlock(pool, n, ping);
      await timeBlock(unsigned, n, time);
      await orderBlock(hmac, n, true);
      await orderBlock(ed25519, n, true);
      if ((done + n) % 1000 === 0) console.log(`  ${done + n} / ${orders}`);
    }
  } finally {
    await Promise.allSettled([hmac.client.close(), ed25519.client.close(), unsigned.close(), pool.close()]);
    await stopSimProcess(child);
  }

  const rows = {
    ping_raw_undici: summarize(ping),
    time_client_unsigned: summarize(time),
    order_hmac: summarize(hmac.samples),
    order_ed25519: summarize(ed25519.samples),
    cancel_hmac: summarize(hmac.cancelSamples),
  };
  for (const [name, s] of Object.entries(rows)) console.log(`${name.padEnd(22)} us: ${fmt(s)}`);
  const met = rows.order_hmac.p99 <= TARGET_P99_US && rows.order_ed25519.p99 <= TARGET_P99_US;
  console.log(`target p99 <= ${TARGET_P99_US} us: ${met ? "met" : "MISSED"}`);
  console.log(
    JSON.stringify({
      bench: "order-rtt",
      machine: benchMachine(),
      load_before: loadBefore,
      unit: "microseconds",
      orders_per_row: orders,
      warmup_per_row: warmup,
      block,
      order: `LIMIT GTC BUY ${QUANTITY} ${SYMBOL} @ ${RESTING_PRICE} (rests), newOrderRespType FULL; cancelled per block outside the window`,
      setup:
        "simulator in a child process on 127.0.0.1; BinanceRestClient (undici keep-alive pool); rows interleaved by block",
      ...rows,
      target_p99_us: TARGET_P99_US,
      target_met: met,
    }),
  );
}

await main();
