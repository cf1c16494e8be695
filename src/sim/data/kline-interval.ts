/** Every kline interval Binance spot serves (reference section 4.6), case-sensitive. */
export const KLINE_INTERVALS = [
  "1s",
  "1m",
  "3m",
  "5m",
  "15m",
  "30m",
  "1h",
  "2h",
  "4h",
  "6h",
  "8h",
  "12h",
  "1d",
  "3d",
  "1w",
  "1M",
] as const;
export type KlineInterval = (typeof KLINE_INTERVALS)[number];

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** 1970-01-05 (a Monday): Binance's weekly klines open on Mondays 00:00 UTC. */
const FIRST_MONDAY = 4 * DAY;

/** Fixed lengths in ms; "1w" and "1M" are handled apart (Monday-aligned weeks, calendar months). */
const FIXED_MS: Partial<Record<KlineInterval, number>> = {
  "1s": SECOND,
  "1m": MINUTE,
  "3m": 3 * MINUTE,
  "5m": 5 * MINUTE,
  "15m": 15 * MINUTE,
  "30m": 30 * MINUTE,
  "1h": HOUR,
  "2h": 2 * HOUR,
  "4h": 4 * HOUR,
  "6h": 6 * HOUR,
  "8h": 8 * HOUR,
  "12h": 12 * HOUR,
  "1d": DAY,
  "3d": 3 * DAY,
};

/** Returns true when the text is one of Binance's kline intervals (case-sensitive). */
export function isKlineInterval(value: string): value is KlineInterval {
  return (KLINE_INTERVALS as readonly string[]).includes(value);
}

/** Returns the length of a fixed-length interval in ms, or undefined for "1M" (calendar month). */
export function klineIntervalMs(interval: KlineInterval): number | undefined {
  if (interval === "1w") return 7 * DAY;
  return FIXED_MS[interval];
}

/** Returns the open time (ms, UTC) of the kline of this interval that contains the time. */
export function klineOpenTime(interval: KlineInterval, timeMs: number): number {
  if (interval === "1M") {
    const d = new Date(timeMs);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  }
  if (interval === "1w") return floorTo(timeMs - FIRST_MONDAY, 7 * DAY) + FIRST_MONDAY;
  return floorTo(timeMs, FIXED_MS[interval] as number);
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
