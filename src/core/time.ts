/**
 * The one time unit inside DES: integer microseconds since the Unix epoch (UTC).
 * Venue timestamps (milliseconds) are converted at the boundary, in the parsers.
 */
export type UnixMicros = number & { readonly __unit: "UnixMicros" };

/** A duration in microseconds. */
export type DurationMicros = number & { readonly __unit: "DurationMicros" };

export const MICROS_PER_MS = 1000;
export const MICROS_PER_SECOND = 1_000_000;
export const MICROS_PER_MINUTE = 60 * MICROS_PER_SECOND;
export const MICROS_PER_HOUR = 60 * MICROS_PER_MINUTE;
export const MICROS_PER_DAY = 24 * MICROS_PER_HOUR;

/** Converts epoch milliseconds (Binance's unit) to UnixMicros. */
export function microsFromMs(ms: number): UnixMicros {
  return (ms * MICROS_PER_MS) as UnixMicros;
}

/** Converts UnixMicros to epoch milliseconds, truncating sub-millisecond digits. */
export function msFromMicros(us: UnixMicros | number): number {
  return Math.floor(us / MICROS_PER_MS);
}

/** Brands a plain number of microseconds. */
export function asMicros(us: number): UnixMicros {
  return us as UnixMicros;
}

/** Brands a plain number of microseconds as a duration. */
export function durationMicros(us: number): DurationMicros {
  return us as DurationMicros;
}

/** Returns the ISO-8601 string of a UnixMicros time. */
export function isoFromMicros(us: UnixMicros | number): string {
  return new Date(Math.floor(us / MICROS_PER_MS)).toISOString();
}
