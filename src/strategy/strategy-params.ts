import type { z } from "zod";
import { DesError, ErrorCode } from "../core/index.ts";

/** One validation problem, named the way an operator reads it. */
export interface ParamIssue {
  /** The dotted key ("fast", "levels.0"), or "(root)" for the value as a whole. */
  readonly key: string;
  /** The offending value, JSON-rendered and shortened. */
  readonly value: string;
  /** What was expected (zod's message). */
  readonly expected: string;
}

/** Validates raw parameters with a definition's schema; throws DES_ERR_INVALID_STRATEGY_PARAMS naming the key. */
export function parseStrategyParams<P>(schema: z.ZodType<P>, raw: unknown, instanceId: string): P {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => describeIssue(raw, i));
  const first = issues[0]!;
  throw new DesError(
    ErrorCode.InvalidStrategyParams,
    `strategy instance "${instanceId}": parameter ${first.key} = ${first.value} is invalid: ${first.expected}`,
    { id: instanceId, key: first.key, value: first.value, expected: first.expected, issues },
  );
}

/** Returns the key, value and expectation of a zod issue found in the raw input. */
export function describeIssue(raw: unknown, issue: z.core.$ZodIssue): ParamIssue {
  if (issue.code === "unrecognized_keys") {
    const prefix = issue.path.length > 0 ? `${issue.path.join(".")}.` : "";
    const first = issue.keys[0] ?? "";
    return {
      key: prefix + issue.keys.join(","),
      value: show(valueAt(raw, [...issue.path, first])),
      expected: issue.message,
    };
  }
  return {
    key: issue.path.length > 0 ? issue.path.join(".") : "(root)",
    value: show(valueAt(raw, issue.path)),
    expected: issue.message,
  };
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = raw;
  for (const k of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

function show(value: unknown): string {
  if (value === undefined) return "(missing)";
  if (typeof value === "bigint") return `${value}n`;
  try {
    const s = JSON.stringify(value);
    if (s === undefined) return String(value);
    return s.length > 80 ? `${s.slice(0, 77)}...` : s;
  } catch {
    return String(value);
  }
}
