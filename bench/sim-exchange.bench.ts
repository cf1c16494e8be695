/**
 * Measures SimExchange.newOrder CPU time per call (user + system, less sensitive to a shared machine's
 * scheduling than wall time): a MARKET order taking one level, a LIMIT that rests, a LIMIT that crosses.
 * Every call produces its execution reports, account position and response body, as the servers need.
 * Run: npm run bench:sim-exchange
 */

import { realSymbols } from "../src/sim/exchange/sim-exchange.fixture.ts";
import { SimExchange } from "../src/sim/exchange/sim-exchange.ts";

let t = 1_700_000_000_000;
const ex = new SimExchange({ symbols: realSymbols(), now: () => t });
let events = 0;
ex.onUserEvent(() => {
  events++;
});
ex.addAccount("A", { USDT: "1000000000", BTC: "100000" });
const bids: [string, string][] = [];
const asks: [string, string][] = [];
for (let i = 0; i < 1000; i++) {
  bids.push([(19999 - i).toFixed(2), "100000"]);
  asks.push([(20001 + i).toFixed(2), "100000"]);
}
ex.applyBookLevels("BTCUSDT", bids, asks);
const results: Record<string, number> = {};
for (const [name, N, f] of [
  [
    "MARKET",
    200000,
    (i: number) =>
      ex.newOrder("A", {
        symbol: "BTCUSDT",
        side: i % 2 ? "BUY" : "SELL",
        type: "MARKET",
        quantity: "0.001",
      }),
  ],
  [
    "LIMIT rest",
    100000,
    (i: number) =>
      ex.newOrder("A", {
        symbol: "BTCUSDT",
        side: "BUY",
        type: "LIMIT",
        timeInForce: "GTC",
        quantity: "0.01",
        price: (15000 + (i % 1000)).toFixed(2),
      }),
  ],
  [
    "LIMIT cross",
    100000,
    (i: number) =>
      ex.newOrder("A", {
        symbol: "BTCUSDT",
        side: i % 2 ? "BUY" : "SELL",
        type: "LIMIT",
        timeInForce: "GTC",
        quantity: "0.01",
        price: i % 2 ? "20001.00" : "19999.00",
      }),
  ],
] as const) {
  const c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) {
    t++;
    const r = f(i);
    if (!r.ok) throw new Error(r.msg);
  }
  const c1 = process.cpuUsage(c0);
  const cpuMicrosPerOp = Number(((c1.user + c1.system) / N).toFixed(2));
  results[name] = cpuMicrosPerOp;
  console.log(`${name}: ${cpuMicrosPerOp} us CPU per newOrder (${events} user events so far)`);
}
console.log(JSON.stringify({ bench: "sim-exchange", unit: "cpu us per newOrder", results }));
