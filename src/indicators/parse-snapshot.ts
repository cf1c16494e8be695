import { z } from "zod";
import { DesError, ErrorCode, isDesError } from "../core/index.ts";

/** Returns the snapshot parsed by the schema, or throws a DesError listing what was wrong with it. */
export function parseSnapshot<T>(indicator: string, schema: z.ZodType<T>, snapshot: unknown): T {
  const result = schema.safeParse(snapshot);
  if (result.success) return result.data;
  throw invalidSnapshot(indicator, z.prettifyError(result.error), {
    issues: result.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
  });
}

/** Returns the error for a snapshot that cannot be restored. */
export function invalidSnapshot(
  indicator: string,
  reason: string,
  details: Record<string, unknown>,
): DesError {
  // No dedicated error code exists for restored state yet; indicator state belongs to a strategy.
  return new DesError(ErrorCode.InvalidIndicatorState, `${indicator} snapshot is invalid: ${reason}`, {
    indicator,
    ...details,
  });
}

/** Returns a nested indicator restored from its snapshot; its errors name the outer indicator too. */
export function restoreNested<T>(
  indicator: string,
  field: string,
  restore: (snapshot: unknown) => T,
  snapshot: unknown,
): T {
  try {
    return restore(snapshot);
  } catch (e) {
    if (!isDesError(e)) throw e;
    throw invalidSnapshot(indicator, `${field}: ${e.message}`, { field, nested: e.details });
  }
}

/** A finite JSON number (zod 4's number already rejects NaN and Infinity). */
export const finiteNumber = z.number();

/** A count or a period in a snapshot. */
export const nonNegativeInt = z.number().int().nonnegative();
