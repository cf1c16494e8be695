import { DesError, ErrorCode } from "../core/index.ts";
import { BAR_INTERVALS } from "../model/index.ts";
import type { StrategySubscriptions } from "./strategy.ts";
import type { StrategyInstanceConfig } from "./strategy-instance-config.ts";

/** Most warm-up bars an instance may ask for (they are held in memory before live data). */
export const MAX_WARMUP_BARS = 100_000;

/** Returns a definition's subscriptions after checking them; a bad one throws DES_ERR_INVALID_CONFIG. */
export function checkSubscriptions(
  config: StrategyInstanceConfig,
  subs: StrategySubscriptions,
): StrategySubscriptions {
  const bad = (what: string, value: unknown): DesError =>
    new DesError(
      ErrorCode.InvalidConfig,
      `strategy instance "${config.id}": ${config.strategy}.subscriptions returned ${what} ${JSON.stringify(value)}`,
      { id: config.id, strategy: config.strategy, value },
    );
  if (subs === null || typeof subs !== "object" || !Array.isArray(subs.bars))
    throw bad("no bars array:", subs);
  for (const b of subs.bars) {
    if (!(BAR_INTERVALS as readonly string[]).includes(b)) throw bad("an unknown interval", b);
  }
  const n = subs.warmupBars;
  if (n !== undefined && (!Number.isInteger(n) || n < 0 || n > MAX_WARMUP_BARS)) {
    throw bad(`a warmupBars outside 0..${MAX_WARMUP_BARS}:`, n);
  }
  return subs;
}
