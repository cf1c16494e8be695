import { z } from "zod";
import { DesError, ErrorCode, type InstrumentId, type StrategyId } from "../core/index.ts";
import { BAR_INTERVALS, type BarInterval } from "../model/index.ts";
import { describeIssue } from "./strategy-params.ts";

/** How an instance runs: on the engine's thread, or isolated in its own worker thread. */
export type StrategyMode = "inline" | "worker";

/** One configured strategy instance, validated. */
export interface StrategyInstanceConfig {
  readonly id: StrategyId;
  /** The definition name in the registry ("ma_cross"). */
  readonly strategy: string;
  readonly instrument: InstrumentId;
  readonly interval: BarInterval;
  /** Raw parameters; the definition's schema validates them when the instance is created. */
  readonly params: Readonly<Record<string, unknown>>;
  readonly mode: StrategyMode;
  readonly enabled: boolean;
  /** Longest a hook may run before the strategy is paused (default: the engine's). */
  readonly timeBudgetMs: number | undefined;
}

/** The schema of a strategy instance entry in the configuration. */
export const strategyInstanceConfigSchema = z
  .object({
    id: z.string().regex(/^[a-zA-Z0-9-_.]{1,64}$/, "expected 1-64 of [a-zA-Z0-9-_.]"),
    strategy: z.string().min(1, "expected a strategy definition name"),
    instrument: z.string().regex(/^[A-Z0-9]{2,20}$/, "expected a symbol: 2-20 of [A-Z0-9]"),
    interval: z.enum(BAR_INTERVALS),
    params: z.record(z.string(), z.unknown()).default({}),
    mode: z.enum(["inline", "worker"]).default("inline"),
    enabled: z.boolean().default(true),
    timeBudgetMs: z.number().int().positive().max(3_600_000).optional(),
  })
  .strict();

/** Validates a strategy instance entry; a bad value throws DES_ERR_INVALID_CONFIG naming the key. */
export function parseStrategyInstanceConfig(raw: unknown): StrategyInstanceConfig {
  const result = strategyInstanceConfigSchema.safeParse(raw);
  if (!result.success) {
    const rawId = (raw as { id?: unknown } | null | undefined)?.id;
    const id = typeof rawId === "string" ? rawId : "?";
    const issues = result.error.issues.map((i) => describeIssue(raw, i));
    const first = issues[0]!;
    throw new DesError(
      ErrorCode.InvalidConfig,
      `strategy instance "${id}": ${first.key} = ${first.value} is invalid: ${first.expected}`,
      { id, key: first.key, value: first.value, expected: first.expected, issues },
    );
  }
  const c = result.data;
  return Object.freeze({
    id: c.id as StrategyId,
    strategy: c.strategy,
    instrument: c.instrument as InstrumentId,
    interval: c.interval,
    params: Object.freeze({ ...c.params }),
    mode: c.mode,
    enabled: c.enabled,
    timeBudgetMs: c.timeBudgetMs,
  });
}
