/** How long the batch writer waits before retrying a batch that failed with a transient error. */
export interface RetryBackoff {
  /** Delay of the first retry, before jitter (default 100 ms). */
  readonly baseMs: number;
  /** The longest delay, before jitter (default 5,000 ms). */
  readonly capMs: number;
}

/**
 * The delay before retry number `attempt` (1 for the first retry): base x 2^(attempt-1), capped,
 * with "equal jitter": half the delay is fixed and half is random, so writers that failed together
 * (a database restart) do not retry in step, and no retry comes sooner than half the nominal delay.
 * `random` returns a number in [0, 1) (Math.random by default).
 */
export function retryDelayMs(
  attempt: number,
  backoff: RetryBackoff,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(0, attempt - 1), 30);
  const nominal = Math.min(backoff.capMs, backoff.baseMs * 2 ** exponent);
  const half = nominal / 2;
  return Math.round(half + half * Math.min(Math.max(random(), 0), 1));
}
