import type { z } from "zod";
import { DesError, ErrorCode } from "../core/index.ts";

/**
 * Returns the value validated by the schema; throws DES_ERR_BAD_REQUEST (400) naming each offending
 * field and what was expected, e.g. `invalid body: state: Invalid option: expected one of ...`.
 */
export function parseRequest<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const problems = r.error.issues.map(
    (i) => `${i.path.length > 0 ? i.path.join(".") : `(${what})`}: ${i.message}`,
  );
  throw new DesError(ErrorCode.BadRequest, `invalid ${what}: ${problems.join("; ")}`, {
    fields: r.error.issues.map((i) => i.path.join(".")),
  });
}
