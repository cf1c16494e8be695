import { z } from "zod";

/** Strategy ids as DES accepts them (core's strategyId). */
const strategyIdField = z
  .string()
  .regex(/^[a-zA-Z0-9-_.]{1,64}$/, "expected a strategy id: 1-64 of [a-zA-Z0-9-_.]");
/** Symbols as DES accepts them (core's instrumentId). */
const instrumentIdField = z.string().regex(/^[A-Z0-9]{2,20}$/, "expected a symbol: 2-20 of [A-Z0-9]");
const reasonField = z
  .string()
  .trim()
  .min(1, "expected a non-empty reason")
  .max(500, "at most 500 characters");

/** A missing body (no content) counts as {}. */
function orEmpty<S extends z.ZodType>(schema: S) {
  return z.preprocess((v) => (v === undefined || v === null ? {} : v), schema);
}

/** POST /api/risk/trading-state. */
export const tradingStateBody = z
  .object({
    state: z.enum(["ACTIVE", "REDUCING", "HALTED"]),
    reason: reasonField,
    strategyId: strategyIdField.optional(),
  })
  .strict();

/** PUT /api/risk/config: an object; the risk engine's own schema checks the rest. */
export const riskConfigBody = z.record(z.string(), z.unknown());

/** POST /api/strategies/:id/pause | resume | stop | panic: an optional reason. */
export const lifecycleBody = orEmpty(z.object({ reason: reasonField.optional() }).strict());

/** PUT /api/strategies/:id/params: the whole parameter object (the definition's schema checks it). */
export const paramsBody = z.record(z.string(), z.unknown());

/** GET /api/orders query and POST /api/orders/cancel-all body. */
const orderFilterShape = z
  .object({ strategyId: strategyIdField.optional(), instrumentId: instrumentIdField.optional() })
  .strict();

/** GET /api/orders?strategyId=&instrumentId= */
export const orderQuery = orEmpty(orderFilterShape);

/** POST /api/orders/cancel-all: {} cancels every open order. */
export const cancelAllBody = orEmpty(orderFilterShape);

/** POST /api/orders/:clientOrderId/cancel: nothing, or {}. */
export const emptyBody = orEmpty(z.object({}).strict());

/** POST /api/db/switch-primary: {} switches once the secondary has caught up. */
export const switchPrimaryBody = orEmpty(
  z
    .object({
      force: z.boolean().optional(),
      drainTimeoutMs: z.number().int("expected whole milliseconds").min(0).max(60_000).optional(),
    })
    .strict(),
);
