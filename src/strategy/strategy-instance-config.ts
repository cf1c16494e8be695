import { z } from "zod";
import { Decimal, DesError, ErrorCode, type InstrumentId, type StrategyId } from "../core/index.ts";
import { BAR_INTERVALS, type BarInterval } from "../model/index.ts";
import { decimalParam } from "./builtin/decimal-param.ts";
import { describeIssue } from "./strategy-params.ts";

/** How an instance runs: on the engine's thread, or isolated in its own worker thread. */
export type StrategyMode = "inline" | "worker";

/** A protection level: a percentage of the entry price, or an absolute price (exactly one). */
export interface ProtectionLevelConfig {
  readonly percent?: Decimal | undefined;
  readonly price?: Decimal | undefined;
}

/**
 * The stop-loss, take-profit and trailing stop that protect the instance's position in its instrument
 * (docs/protective-orders.md); it fits the execution layer's ProtectionConfig.
 */
export interface StrategyProtectionConfig {
  readonly stopLoss?: ProtectionLevelConfig | undefined;
  readonly takeProfit?: ProtectionLevelConfig | undefined;
  readonly trailingStop?: { readonly percent: Decimal } | undefined;
  readonly mode: "emulated" | "native";
}

/** A PnL limit that stops the instance: an amount of its instrument's quote asset, and whether to flatten then. */
export interface PnlLimitConfig {
  readonly amount: Decimal;
  /** True: panic (cancel its orders, flatten its position) instead of a plain stop. */
  readonly flatten: boolean;
}

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
  /** Protective orders on its position (none by default). */
  readonly protection: StrategyProtectionConfig | undefined;
  /** Stop once its total PnL (realized + unrealized, net of fees) reaches this much profit. */
  readonly profitTarget: PnlLimitConfig | undefined;
  /** Stop once its total PnL falls to minus this amount. */
  readonly maxLoss: PnlLimitConfig | undefined;
}

const HUNDRED = Decimal.from("100");
const MAX_TAKE_PROFIT_PERCENT = Decimal.from("1000");

/** A percentage in (0, max) (or (0, max] when inclusive), as a decimal string. */
function percentParam(max: Decimal, inclusive: boolean) {
  return decimalParam({ positive: true }).refine((d) => (inclusive ? d.lte(max) : d.lt(max)), {
    message: `expected a percentage in (0, ${max}${inclusive ? "]" : ")"}`,
  });
}

function levelSchema(maxPercent: Decimal, inclusive: boolean) {
  return z
    .object({
      percent: percentParam(maxPercent, inclusive).optional(),
      price: decimalParam({ positive: true }).optional(),
    })
    .strict()
    .refine((l) => (l.percent === undefined) !== (l.price === undefined), {
      message: 'expected exactly one of percent or price, such as { "percent": "2" }',
    });
}

const protectionSchema = z
  .object({
    stopLoss: levelSchema(HUNDRED, false).optional(),
    takeProfit: levelSchema(MAX_TAKE_PROFIT_PERCENT, true).optional(),
    trailingStop: z
      .object({ percent: percentParam(HUNDRED, false) })
      .strict()
      .optional(),
    mode: z.enum(["emulated", "native"]).default("emulated"),
  })
  .strict()
  .refine((p) => p.stopLoss !== undefined || p.takeProfit !== undefined || p.trailingStop !== undefined, {
    message: "expected at least one of stopLoss, takeProfit, trailingStop",
  });

const pnlLimitSchema = z
  .object({
    amount: decimalParam({ positive: true }),
    flatten: z.boolean().default(false),
  })
  .strict();

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
    protection: protectionSchema.optional(),
    profitTarget: pnlLimitSchema.optional(),
    maxLoss: pnlLimitSchema.optional(),
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
    protection: c.protection === undefined ? undefined : freezeProtection(c.protection),
    profitTarget: c.profitTarget === undefined ? undefined : Object.freeze({ ...c.profitTarget }),
    maxLoss: c.maxLoss === undefined ? undefined : Object.freeze({ ...c.maxLoss }),
  });
}

function freezeProtection(p: StrategyProtectionConfig): StrategyProtectionConfig {
  const level = (l: ProtectionLevelConfig | undefined) =>
    l === undefined ? undefined : Object.freeze({ ...l });
  return Object.freeze({
    stopLoss: level(p.stopLoss),
    takeProfit: level(p.takeProfit),
    trailingStop: p.trailingStop === undefined ? undefined : Object.freeze({ ...p.trailingStop }),
    mode: p.mode,
  });
}
