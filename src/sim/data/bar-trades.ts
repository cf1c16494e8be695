import { Decimal, Rounding } from "../../core/index.ts";
import type { SeededRandom } from "./seeded-random.ts";

/** One synthetic trade inside a bar. */
export interface SynthTrade {
  readonly timeMs: number;
  readonly price: Decimal;
  readonly qty: Decimal;
  /** True for a seller-initiated trade (price moved down), false for a buyer-initiated one. */
  readonly buyerIsMaker: boolean;
}

/** The bar a path is generated for (times in ms). */
export interface BarShape {
  readonly openTimeMs: number;
  readonly intervalMs: number;
  readonly open: Decimal;
  readonly high: Decimal;
  readonly low: Decimal;
  readonly close: Decimal;
  readonly volume: Decimal;
}

/** Most trades generated for one bar, whatever its length. */
export const MAX_TRADES_PER_BAR = 200;

/**
 * Returns a plausible intra-bar trade sequence for a bar: the price goes O -> L -> H -> C on an up
 * bar and O -> H -> L -> C on a down bar, with noise in between, every price on the tick grid and
 * inside [L, H]. The first trade is at the open, the last at the close, and high and low are each
 * hit exactly, so klines built from these trades reproduce the bar; quantities (multiples of the step,
 * the last one takes any remainder) sum exactly to the bar volume. Trades are spread evenly over the
 * bar: 6-12 for a 1m bar, growing with the square root of the bar's minutes. A bar with zero volume gets no trade; a volume smaller than a few steps gets fewer trades and
 * then may miss the high or low.
 */
export function synthesizeBarTrades(
  bar: BarShape,
  tick: Decimal,
  step: Decimal,
  rng: SeededRandom,
  previousPrice?: Decimal,
): SynthTrade[] {
  if (!bar.volume.isPositive()) return [];
  const bullish = bar.close.gte(bar.open);
  const waypoints = dedupe(
    bullish ? [bar.open, bar.low, bar.high, bar.close] : [bar.open, bar.high, bar.low, bar.close],
  );
  const minutes = Math.max(1, Math.round(bar.intervalMs / 60_000));
  // 6-12 trades for a 1m bar; longer bars get more, but sub-linearly (a 30m bar about 5x as many).
  let n = Math.min(
    MAX_TRADES_PER_BAR,
    Math.round(rng.int(6, 12) * Math.sqrt(minutes)),
    Math.floor(bar.intervalMs),
  );
  n = Math.max(n, waypoints.length);
  const stepUnits = step.isPositive() ? bar.volume.units / step.units : 0n;
  if (stepUnits < BigInt(n)) n = Math.max(1, Number(stepUnits));
  const quantities = splitVolume(bar.volume, step, stepUnits, n, rng);
  const prices = pricePath(bar, waypoints, n, tick, rng);
  const trades: SynthTrade[] = [];
  let last = previousPrice ?? bar.open;
  for (let i = 0; i < n; i++) {
    const price = prices[i] as Decimal;
    const c = price.cmp(last);
    const buyerIsMaker = c < 0 ? true : c > 0 ? false : rng.next() < 0.5;
    trades.push({
      timeMs: bar.openTimeMs + Math.floor(((i + 0.5) * bar.intervalMs) / n),
      price,
      qty: quantities[i] as Decimal,
      buyerIsMaker,
    });
    last = price;
  }
  return trades;
}

function dedupe(points: Decimal[]): Decimal[] {
  const out: Decimal[] = [];
  for (const p of points) if (out.length === 0 || !(out[out.length - 1] as Decimal).eq(p)) out.push(p);
  return out;
}

/** Splits the volume into n positive parts: whole steps, with the sub-step remainder on the last. */
function splitVolume(
  volume: Decimal,
  step: Decimal,
  stepUnits: bigint,
  n: number,
  rng: SeededRandom,
): Decimal[] {
  if (stepUnits === 0n || n === 1)
    return [volume, ...new Array<Decimal>(n - 1).fill(Decimal.ZERO)].slice(0, n);
  const extra = stepUnits - BigInt(n);
  const weights: number[] = [];
  let total = 0;
  for (let i = 0; i < n; i++) {
    const w = 0.3 + rng.next();
    weights.push(w);
    total += w;
  }
  const units: bigint[] = [];
  let given = 0n;
  for (let i = 0; i < n; i++) {
    // Weights are not money: they only decide how whole steps are shared out; the sum stays exact.
    const share = BigInt(Math.floor((Number(extra) * (weights[i] as number)) / total));
    units.push(1n + share);
    given += share;
  }
  units[0] = (units[0] as bigint) + (extra - given);
  const remainder = volume.sub(Decimal.fromUnits(step.units * stepUnits));
  return units.map((u, i) => {
    const q = Decimal.fromUnits(step.units * u);
    return i === n - 1 ? q.add(remainder) : q;
  });
}

/** Returns n tick-aligned prices through the waypoints (each hit exactly), clamped to [low, high]. */
function pricePath(
  bar: BarShape,
  waypoints: Decimal[],
  n: number,
  tick: Decimal,
  rng: SeededRandom,
): Decimal[] {
  if (n < waypoints.length) {
    // Too little volume for every waypoint: keep the open and end at the close.
    const kept = waypoints.slice(0, n);
    if (n > 1) kept[n - 1] = bar.close;
    else kept[0] = bar.close;
    return kept;
  }
  const m = waypoints.length;
  if (m === 1) return new Array<Decimal>(n).fill(waypoints[0] as Decimal);
  const cum: number[] = [0];
  for (let k = 1; k < m; k++) {
    const d = (waypoints[k] as Decimal)
      .sub(waypoints[k - 1] as Decimal)
      .abs()
      .toNumber();
    cum.push((cum[k - 1] as number) + d);
  }
  const total = cum[m - 1] as number;
  const idx: number[] = [0];
  for (let k = 1; k < m; k++) {
    const wanted = k === m - 1 ? n - 1 : Math.round(((cum[k] as number) / (total || 1)) * (n - 1));
    const lo = (idx[k - 1] as number) + 1;
    const hi = n - 1 - (m - 1 - k);
    idx.push(Math.min(hi, Math.max(lo, wanted)));
  }
  const prices: Decimal[] = new Array<Decimal>(n);
  for (let k = 0; k < m - 1; k++) {
    const from = waypoints[k] as Decimal;
    const to = waypoints[k + 1] as Decimal;
    const i0 = idx[k] as number;
    const i1 = idx[k + 1] as number;
    prices[i0] = from;
    const diff = to.sub(from);
    for (let i = i0 + 1; i < i1; i++) {
      const frac = (i - i0) / (i1 - i0) + (rng.next() - 0.5) * 0.3;
      let p = from.add(diff.mul(Decimal.fromNumber(frac, 6))).roundToIncrement(tick, Rounding.HalfEven);
      if (p.gt(bar.high)) p = bar.high;
      if (p.lt(bar.low)) p = bar.low;
      prices[i] = p;
    }
  }
  prices[n - 1] = waypoints[m - 1] as Decimal;
  return prices;
}
