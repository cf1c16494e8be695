import { z } from "zod";
import { Decimal, DesError, ErrorCode } from "../core/index.ts";

const DECIMAL_RE = /^\d+(\.\d{1,18})?$/;

/** A non-negative decimal string ("1000.5"), parsed into a Decimal; never a float. */
const decimalString = z
  .string()
  .regex(DECIMAL_RE, 'a non-negative decimal string such as "1000.5"')
  .transform((s) => Decimal.from(s));

const ratio = z.number().gt(0).lte(1);
const count = z.number().int().min(0);

const limitsShape = {
  /** Smallest order notional (quote) accepted. */
  minOrderNotional: decimalString.optional(),
  /** Largest order notional (quote) accepted. */
  maxOrderNotional: decimalString.optional(),
  /** Largest absolute position (base quantity) per instrument. */
  maxPosition: decimalString.optional(),
  /** What an order that would pass maxPosition gets: clipped to the room left, or rejected. */
  positionLimitMode: z.enum(["clip", "reject"]),
  /** Largest exposure (quote): marked positions + pending open orders + this order. */
  maxExposure: decimalString.optional(),
  /** Most fills per day. */
  maxDailyTrades: count.optional(),
  /** Largest net realized loss (quote, positive) per day. */
  maxDailyLoss: decimalString.optional(),
  /** Orders per second, sliding window. */
  maxOrdersPerSecond: count.optional(),
  /** Orders per minute, sliding window. */
  maxOrdersPerMinute: count.optional(),
  /** A reduce-only order larger than the position: clipped to it, or rejected. */
  reduceOnlyMode: z.enum(["clip", "reject"]),
  /** Halt the strategy when its daily loss reaches 100 %. */
  haltOnDailyLoss: z.boolean(),
};

const strategyLimits = z.object(limitsShape).strict();
const strategyOverride = z.object(limitsShape).partial().strict();

const softLimits = z
  .object({
    /** Loss ratio at which a warning event is emitted (once per day). */
    warnRatio: ratio.default(0.8),
    /** Loss ratio at which order sizes are scaled by scaleFactor. */
    scaleRatio: ratio.default(0.9),
    /** Factor applied to the quantity above scaleRatio (quantity then rounded down to step). */
    scaleFactor: ratio.default(0.5),
  })
  .strict()
  .refine((s) => s.warnRatio <= s.scaleRatio, {
    message: "warnRatio must not exceed scaleRatio",
    path: ["warnRatio"],
  });

const accountLimits = z
  .object({
    /** Largest exposure (quote) over every strategy: positions + pending orders + this order. */
    maxExposure: decimalString.optional(),
    /** Largest absolute account position per instrument (needs RiskContext.accountPosition). */
    maxPosition: decimalString.optional(),
    /** Most fills per day over every strategy. */
    maxDailyTrades: count.optional(),
    /** Largest net realized loss per day over every strategy. */
    maxDailyLoss: decimalString.optional(),
    /** Halt everything (global HALTED) when the account's daily loss reaches 100 %. */
    haltAllOnDailyLoss: z.boolean().default(false),
  })
  .strict();

/** The risk configuration as written in a file (decimal strings), validated by zod. */
export const riskConfigSchema = z
  .object({
    /** Minutes after 00:00 UTC at which the risk day starts (e.g. 300 = 05:00 UTC). */
    dayBoundaryOffsetMinutes: z.number().int().min(-1439).max(1439).default(0),
    softLimits: softLimits.default({ warnRatio: 0.8, scaleRatio: 0.9, scaleFactor: 0.5 }),
    /** Limits that apply to each strategy unless it overrides them. */
    global: strategyLimits
      .partial({ positionLimitMode: true, reduceOnlyMode: true, haltOnDailyLoss: true })
      .default({})
      .transform((g) => ({
        ...g,
        positionLimitMode: g.positionLimitMode ?? ("reject" as const),
        reduceOnlyMode: g.reduceOnlyMode ?? ("clip" as const),
        haltOnDailyLoss: g.haltOnDailyLoss ?? false,
      })),
    /** Per-strategy overrides, keyed by strategy id; a key set here replaces the global value. */
    strategies: z.record(z.string().min(1), strategyOverride).default({}),
    /** Totals over every strategy. */
    account: accountLimits.default({ haltAllOnDailyLoss: false }),
  })
  .strict();

/** The config as written (input of setConfig). */
export type RiskConfigInput = z.input<typeof riskConfigSchema>;
/** The validated config, with Decimals. */
export type RiskConfig = z.output<typeof riskConfigSchema>;
/** The limits that apply to one strategy (global merged with its override). */
export type StrategyLimits = z.output<typeof strategyLimits>;
export type AccountLimits = RiskConfig["account"];
export type SoftLimits = RiskConfig["softLimits"];

/** Returns the validated config; throws DES_ERR_INVALID_CONFIG naming every offending key. */
export function parseRiskConfig(raw: unknown): RiskConfig {
  const r = riskConfigSchema.safeParse(raw);
  if (r.success) return r.data;
  const problems = r.error.issues.map(
    (i) => `${i.path.length > 0 ? i.path.join(".") : "(root)"}: ${i.message}`,
  );
  throw new DesError(ErrorCode.InvalidConfig, `invalid risk config: ${problems.join("; ")}`, {
    keys: r.error.issues.map((i) => i.path.join(".")),
  });
}

/** Returns the limits of one strategy: its override's keys on top of the global ones. */
export function strategyLimitsFor(config: RiskConfig, strategyId: string): StrategyLimits {
  const override = config.strategies[strategyId];
  if (override === undefined) return config.global;
  const merged: Record<string, unknown> = { ...config.global };
  for (const [k, v] of Object.entries(override)) if (v !== undefined) merged[k] = v;
  return merged as StrategyLimits;
}
