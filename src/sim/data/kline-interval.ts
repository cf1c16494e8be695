import { MICROS_PER_MS } from "../../core/index.ts";
import { BAR_INTERVALS, intervalMicros } from "../../model/index.ts";

/**
 * Every kline interval Binance spot serves (reference section 4.6), case-sensitive, in Binance's
 * order: the model's bar intervals ("1m" .. "1d") plus the ones DES does not aggregate.
 */
export const KLINE_INTERVALS = ["1s", ...BAR_INTERVALS, "3d", "1w", "1M"] as const;
export type KlineInterval = (typeof KLINE_INTERVALS)[number];

const SECOND = 1000;
const DAY = 24 * 60 * 60 * SECOND;
/** 1970-01-05 (a Monday): Binance's weekly klines open on Mondays 00:00 UTC. */
const FIRST_MONDAY = 4 * DAY;

/** Returns true when the text is one of Binance's kline intervals (case-sensitive). */
export function isKlineInterval(value: string): value is KlineInterval {
  return (KLINE_INTERVALS as readonly string[]).includes(value);
}

/** Returns the length of a fixed-length interval in ms, or undefined for "1M" (calendar month). */
export function klineIntervalMs(interval: KlineInterval): number | undefined {
  switch (interval) {
    case "1s":
      return SECOND;
    case "3d":
      return 3 * DAY;
    case "1w":
      return 7 * DAY;
    case "1M":
      return undefined;
    default:
      return intervalMicros(interval) / MICROS_PER_MS;
  }
}

/** Returns the open time (ms, UTC) of the kline of this interval that contains the time. */
export function klineOpenTime(interval: KlineInterval, timeMs: number): number {
  if (interval === "1M") {
    const d = new Date(timeMs);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  }
  if (interval === "1w") return floorTo(timeMs - FIRST_MONDAY, 7 * DAY) + FIRST_MONDAY;
  return floorTo(timeMs, klineIntervalMs(interval) as number);
}

/** Returns the open time of the next kline after the one opening at `openTime`. */
export function nextKlineOpenTime(interval: KlineInterval, openTime: number): number {
  if (interval === "1M") {
    const d = new Date(openTime);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  }
  return openTime + (klineIntervalMs(interval) as number);
}

function floorTo(value: number, step: number): number {
  const r = value % step;
  return r < 0 ? value - r - step : value - r;
}
