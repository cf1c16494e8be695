import { BAR_INTERVALS, type BarInterval, intervalMicros } from "../model/index.ts";

/** Returns the start of the UTC-aligned bucket of the given length that contains the time. */
export function intervalBucketStart(timeUs: number, lengthUs: number): number {
  const r = timeUs % lengthUs;
  return r < 0 ? timeUs - r - lengthUs : timeUs - r;
}

/** Returns the bar interval with exactly this length in microseconds, or undefined. */
export function intervalOfLength(lengthUs: number): BarInterval | undefined {
  for (const interval of BAR_INTERVALS) if (intervalMicros(interval) === lengthUs) return interval;
  return undefined;
}
