/**
 * Measures PaperMatchingEngine throughput in orders per second of CPU time (user + system):
 * - "market+trade": submit a MARKET order, feed one trade that fills it (two calls per order);
 * - "limit rest+cancel": with 10,000 orders resting on a deep grid, place a limit and cancel it;
 * - "limit fill": with 10,000 resting, place a limit and let a trade print through it.
 * The issue asks for at least 50,000 orders/s in-process. Run: node bench/paper-matching.bench.ts
 */
import { asMicros, clientOrderId, dec, instrumentId, TestClock, tradeId } from "../src/core/index.ts";
import { parseInstrument, type TradeTick } from "../src/model/index.ts";
import { PaperMatchingEngine } from "../src/venues/paper/matching/index.ts";
import { benchMachine } from "./bench-machine.ts";

const BTCUSDT = instrumentId("BTCUSDT");
const clock = new TestClock();
const engine = new PaperMatchingEngine({
  clock,
  instruments: [
    parseInstrument({
      symbol: "BTCUSDT",
      status: "TRADING",
      baseAsset: "BTC",
      quoteAsset: "USDT",
      filters: [
        { filterType: "PRICE_FILTER", minPrice: "0.01", maxPrice: "1000000", tickSize: "0.01" },
        { filterType: "LOT_SIZE", minQty: "0.00001", maxQty: "9000", stepSize: "0.00001" },
        { filterType: "NOTIONAL", minNotional: "5" },
      ],
    }),
  ],
  initialBalances: { USDT: "1000000000000", BTC: "1000000" },
  closedOrdersRetained: 10_000,
});
let fills = 0;
engine.onEvent((e) => {
  if (e.kind === "fill") fills++;
});
let seq = 0;
const qty = dec("0.01");
const trade = (price: string): TradeTick => {
  const t = asMicros(clock.now());
  return {
    kind: "trade",
    instrumentId: BTCUSDT,
    tradeId: tradeId(++seq),
    price: dec(price),
    quantity: dec("1"),
    aggressor: "SELL",
    eventTime: t,
    receivedAt: t,
  };
};
const submit = (side: "BUY" | "SELL", type: "MARKET" | "LIMIT", price?: string) => {
  const r = engine.submit({
    clientOrderId: clientOrderId(`o${++seq}`),
    instrumentId: BTCUSDT,
    side,
    type,
    quantity: qty,
    price: price === undefined ? undefined : dec(price),
  });
  if (r.kind !== "accepted") throw new Error(r.kind === "rejected" ? r.reason : r.kind);
  return r;
};

engine.onMarketEvent(trade("20000.00"));
// A deep resting grid on both sides, far from the action.
for (let i = 0; i < 5_000; i++) {
  submit("BUY", "LIMIT", (10000 + i).toFixed(2));
  submit("SELL", "LIMIT", (30000 + i).toFixed(2));
}
const t20000 = trade("20000.00");
const t19990 = trade("19990.00");

const results: Record<string, number> = {};
for (const [name, N, f] of [
  [
    "market+trade",
    100_000,
    (i: number) => {
      submit(i % 2 ? "BUY" : "SELL", "MARKET");
      engine.onMarketEvent(t20000);
    },
  ],
  [
    "limit rest+cancel",
    100_000,
    (i: number) => {
      submit("BUY", "LIMIT", (15000 + (i % 1000)).toFixed(2));
      engine.cancel(clientOrderId(`o${seq}`));
    },
  ],
  [
    "limit fill",
    100_000,
    () => {
      submit("BUY", "LIMIT", "19995.00");
      engine.onMarketEvent(t20000); // does not reach: it rests
      engine.onMarketEvent(t19990); // prints through: maker fill
    },
  ],
] as const) {
  const c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) f(i);
  const c1 = process.cpuUsage(c0);
  const ordersPerSecond = Math.round(N / ((c1.user + c1.system) / 1e6));
  results[name] = ordersPerSecond;
  console.log(`${name}: ${ordersPerSecond} orders/s CPU (${fills} fills so far)`);
}
console.log(
  JSON.stringify({
    bench: "paper-matching",
    unit: "orders per CPU second",
    results,
    machine: benchMachine(),
  }),
);
