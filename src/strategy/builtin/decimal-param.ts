import { z } from "zod";
import { Decimal } from "../../core/index.ts";

/** Options of a decimal parameter. */
export interface DecimalParamOptions {
  /** Rejects zero and negative values. */
  readonly positive?: boolean;
}

/**
 * Returns a zod schema that accepts a decimal string ("0.001") or a Decimal and outputs a Decimal.
 * Numbers are refused on purpose: a float such as 0.1 is not the decimal the operator wrote, and a
 * quantity or a price must reach the order exactly. Accepting a Decimal keeps parsed params re-parseable.
 */
export function decimalParam(options: DecimalParamOptions = {}): z.ZodType<Decimal, unknown> {
  return z.unknown().transform((value, ctx) => {
    let parsed: Decimal;
    if (value instanceof Decimal) {
      parsed = value;
    } else if (typeof value === "string") {
      try {
        parsed = Decimal.from(value);
      } catch {
        ctx.issues.push({
          code: "custom",
          input: value,
          message: `expected a decimal string such as "0.001", got ${JSON.stringify(value)}`,
        });
        return z.NEVER;
      }
    } else if (value === undefined) {
      ctx.issues.push({
        code: "custom",
        input: value,
        message: 'required: a decimal string such as "0.001"',
      });
      return z.NEVER;
    } else {
      ctx.issues.push({
        code: "custom",
        input: value,
        message: `expected a decimal string such as "0.001", got ${typeof value === "number" ? `the number ${value} (write it as a string)` : typeof value}`,
      });
      return z.NEVER;
    }
    if (options.positive === true && !parsed.isPositive()) {
      ctx.issues.push({ code: "custom", input: value, message: `must be greater than 0, got ${parsed}` });
      return z.NEVER;
    }
    return parsed;
  });
}
