/**
 * Risk engine benchmark: cost of one full pre-trade check (every limit configured, an allowed order)
 * and of onFill, on the live clock.
 *
 * Run: node_modules/.bin/node bench/risk.bench.ts   (prints one JSON line last)
 */
import { clientOrderId, dec, LiveClock } from "../src/core/index.ts";
import { RiskEngine, type RiskOrderIntent } from "../src/risk/index.ts";
import { BTC, FakeContext, S1 } from "../src/risk/test-support/risk-harness.ts";

const N = 200_000;
const engine = new RiskEngine({
  clock: new LiveClock(),
  config: {
    global: {
      minOrderNotional: "10",
      maxOrderNotional: "100000",
      maxPosition: "10",
      maxExposure: "10000000",
      maxDailyTrades: 10_000_000,
      maxDailyLoss: "1000000",
      maxOrdersPerSecond: 10_000_000,
      maxOrdersPerMinute: 100_000_000,
    },
    account: { maxExposure: "100000000", maxDailyLoss: "10000000" },
  },
});
const ctx = new FakeContext();
ctx.setPosition(S1, "0.5");
const intent: RiskOrderIntent = {
  strategyId: S1,
  clientOrderId: clientOrderId("bench"),
  instrumentId: BTC,
  side: "BUY",
  type: "LIMIT",
  quantity: dec("0.01"),
  price: dec("50000"),
};
const fill = { strategyId: S1, instrumentId: BTC, realizedPnlDelta: dec("0.01") };

const samples = new Float64Array(N);
for (let i = 0; i < 20_000; i++) engine.check(intent, ctx); // warm-up
let allowed = 0;
const t0 = performance.now();
for (let i = 0; i < N; i++) {
  const s = performance.now();
  if (engine.check(intent, ctx).allowed) allowed++;
  samples[i] = (performance.now() - s) * 1000;
}
const totalMs = performance.now() - t0;
const f0 = performance.now();
for (let i = 0; i < N; i++) engine.onFill(fill);
const fillUs = ((performance.now() - f0) * 1000) / N;
samples.sort();
const pct = (p: number) => Number((samples[Math.min(N - 1, Math.floor(p * N))] ?? 0).toFixed(2));
console.log(
  JSON.stringify({
    bench: "risk",
    checks: N,
    allowed,
    checkMeanUs: Number(((totalMs * 1000) / N).toFixed(2)),
    checkP50Us: pct(0.5),
    checkP99Us: pct(0.99),
    checkP999Us: pct(0.999),
    onFillMeanUs: Number(fillUs.toFixed(2)),
  }),
);
