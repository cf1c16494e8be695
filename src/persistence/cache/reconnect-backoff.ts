/** Capped exponential back-off between reconnection attempts. */
export interface ReconnectBackoff {
  /** Delay before the first attempt, ms. */
  readonly baseMs: number;
  /** Longest delay, ms. */
  readonly capMs: number;
}

/** The default: 50 ms, doubling to at most 2 s; attempts go on for as long as Redis is down. */
export const DEFAULT_RECONNECT_BACKOFF: ReconnectBackoff = { baseMs: 50, capMs: 2_000 };

/** Returns the delay before reconnection attempt `attempt` (1 for the first): base x 2^(attempt-1), capped. */
export function reconnectDelayMs(
  attempt: number,
  backoff: ReconnectBackoff = DEFAULT_RECONNECT_BACKOFF,
): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 30);
  return Math.min(backoff.capMs, backoff.baseMs * 2 ** exponent);
}
