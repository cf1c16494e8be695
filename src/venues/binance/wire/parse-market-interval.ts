import { BAR_INTERVALS, type BarInterval, intervalMicros } from "../../../model/index.ts";

const INTERVALS: ReadonlySet<string> = new Set(BAR_INTERVALS);

/** Returns the value as a BarInterval when DES supports it ("1m" .. "1d"), else undefined. */
export function parseMarketInterval(value: unknown): BarInterval | undefined {
  return typeof value === "string" && INTERVALS.has(value) ? (value as BarInterval) : undefined;
}

/** Returns the length of a bar interval in milliseconds (Binance's unit). */
export function marketIntervalMs(interval: BarInterval): number {
  return intervalMicros(interval) / 1000;
}
