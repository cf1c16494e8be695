import { z } from "zod";
import { DesError, ErrorCode } from "../core/index.ts";
import { TradingState } from "./risk-events.ts";

const DECIMAL_RE = /^-?\d+(\.\d{1,18})?$/;
const tradingState = z.enum([TradingState.Active, TradingState.Reducing, TradingState.Halted]);
const counters = z.object({ trades: z.number().int().min(0), realizedPnl: z.string().regex(DECIMAL_RE) });

const snapshotSchema = z.object({
  version: z.literal(1),
  dayStart: z.number().int(),
  account: counters,
  strategies: z.record(z.string(), counters),
  emittedLevels: z.array(z.string()),
  tradingState: z.object({ global: tradingState, strategies: z.record(z.string(), tradingState) }),
});

/** The risk engine's durable state, JSON-safe (decimals as strings, times as UnixMicros numbers). */
export type RiskStateSnapshot = z.infer<typeof snapshotSchema>;

/** Where the risk state survives a restart; the app implements it (SQLite). */
export interface RiskStateStore {
  /** Returns the last saved snapshot, or undefined when none was saved. */
  load(): RiskStateSnapshot | undefined | Promise<RiskStateSnapshot | undefined>;
  /** Saves a snapshot, replacing the previous one. */
  save(snapshot: RiskStateSnapshot): void | Promise<void>;
}

/** Returns the snapshot validated; throws DES_ERR_INVALID_RISK_STATE naming what is wrong. */
export function parseRiskStateSnapshot(raw: unknown): RiskStateSnapshot {
  const r = snapshotSchema.safeParse(raw);
  if (r.success) return r.data;
  const problems = r.error.issues.map(
    (i) => `${i.path.length > 0 ? i.path.join(".") : "(root)"}: ${i.message}`,
  );
  throw new DesError(ErrorCode.InvalidRiskState, `invalid risk state snapshot: ${problems.join("; ")}`, {
    keys: r.error.issues.map((i) => i.path.join(".")),
  });
}
