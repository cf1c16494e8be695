import { DesError, ErrorCode, isoFromMicros } from "../core/index.ts";
import { intervalMicros, type MarketEvent } from "../model/index.ts";

/**
 * Returns the time at which an event becomes known: a bar when it closes (openTime + interval),
 * a trade or quote at its event time. Replays order and pace events by this time.
 */
export function marketEventTime(event: MarketEvent): number {
  return event.kind === "bar" ? event.openTime + intervalMicros(event.interval) : event.eventTime;
}

/**
 * Returns one list of the events of several time-ordered lists, ordered by marketEventTime.
 * Ties keep the order of the lists (a stable merge), so the result is the same every run.
 */
export function mergeMarketEvents(lists: ReadonlyArray<readonly MarketEvent[]>): MarketEvent[] {
  lists.forEach((list, i) => {
    assertTimeOrdered(list, `list ${i}`);
  });
  const out: MarketEvent[] = [];
  const at = lists.map(() => 0);
  for (;;) {
    let best = -1;
    let bestTime = Number.POSITIVE_INFINITY;
    for (let i = 0; i < lists.length; i++) {
      const e = lists[i]![at[i]!];
      if (e === undefined) continue;
      const t = marketEventTime(e);
      if (t < bestTime) {
        best = i;
        bestTime = t;
      }
    }
    if (best < 0) return out;
    out.push(lists[best]![at[best]!]!);
    at[best] = at[best]! + 1;
  }
}

/** Throws DES_ERR_INVALID_MARKET_DATA when the events are not ordered by marketEventTime. */
export function assertTimeOrdered(events: readonly MarketEvent[], label = "events"): void {
  for (let i = 1; i < events.length; i++) {
    const prev = marketEventTime(events[i - 1]!);
    const t = marketEventTime(events[i]!);
    if (t < prev) {
      throw new DesError(
        ErrorCode.InvalidMarketData,
        `${label}: event ${i} at ${isoFromMicros(t)} comes before event ${i - 1} at ${isoFromMicros(prev)}`,
        { index: i, time: t, previousTime: prev },
      );
    }
  }
}
