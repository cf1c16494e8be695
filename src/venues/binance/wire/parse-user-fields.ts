import { Decimal } from "../../../core/index.ts";

/** A field that is missing or has the wrong type; caught by the parsers and returned as a value. */
export class UserFieldError extends Error {
  override readonly name = "UserFieldError";
}

/** Returns the value as a plain JSON object, or throws UserFieldError naming `what`. */
export function objectField(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new UserFieldError(`${what} is not an object`);
  }
  return value as Record<string, unknown>;
}

/** Returns obj[key] as a string, or throws UserFieldError. */
export function stringField(obj: Record<string, unknown>, key: string): string {
  const v = obj[key];
  if (typeof v !== "string") throw new UserFieldError(`field "${key}" is not a string`);
  return v;
}

/** Returns obj[key] as a string when present (undefined when absent), or throws UserFieldError. */
export function optionalStringField(obj: Record<string, unknown>, key: string): string | undefined {
  const v = obj[key];
  if (v === undefined) return undefined;
  if (typeof v !== "string") throw new UserFieldError(`field "${key}" is not a string`);
  return v;
}

/**
 * Decimal strings as Binance writes them ("0.00100000", "-12.5"): at most 30 integer digits and 18
 * decimals, so Decimal.from accepts every one. Testing them against this pattern allocates nothing;
 * building a Decimal only to validate (regex match, padded strings, bigints) was the largest source
 * of garbage on the user data stream (three executionReport/account frames per order).
 */
const PLAIN_DECIMAL = /^-?\d{1,30}(?:\.\d{0,18})?$/;

/** Returns obj[key] as a decimal string Decimal.from accepts, or throws UserFieldError. */
export function decimalField(obj: Record<string, unknown>, key: string): string {
  const v = stringField(obj, key);
  if (PLAIN_DECIMAL.test(v)) return v;
  // Any other form (sign "+", ".5", spaces, more digits) is decided by Decimal.from itself.
  try {
    Decimal.from(v);
  } catch {
    throw new UserFieldError(`field "${key}" is not a decimal string: ${JSON.stringify(v.slice(0, 40))}`);
  }
  return v;
}

/** Returns obj[key] as a decimal string when present, or throws UserFieldError. */
export function optionalDecimalField(obj: Record<string, unknown>, key: string): string | undefined {
  return obj[key] === undefined ? undefined : decimalField(obj, key);
}

/** Returns obj[key] as an integer number, or throws UserFieldError. */
export function integerField(obj: Record<string, unknown>, key: string): number {
  const v = obj[key];
  if (typeof v !== "number" || !Number.isSafeInteger(v)) {
    throw new UserFieldError(`field "${key}" is not an integer`);
  }
  return v;
}

/** Returns obj[key] as an integer when present, or throws UserFieldError. */
export function optionalIntegerField(obj: Record<string, unknown>, key: string): number | undefined {
  return obj[key] === undefined ? undefined : integerField(obj, key);
}

/** Returns obj[key] as a boolean, or throws UserFieldError. */
export function booleanField(obj: Record<string, unknown>, key: string): boolean {
  const v = obj[key];
  if (typeof v !== "boolean") throw new UserFieldError(`field "${key}" is not a boolean`);
  return v;
}

/** Returns obj[key] as a boolean when present, or throws UserFieldError. */
export function optionalBooleanField(obj: Record<string, unknown>, key: string): boolean | undefined {
  return obj[key] === undefined ? undefined : booleanField(obj, key);
}

/** Returns obj[key] when it is one of `allowed`, or throws UserFieldError. */
export function enumField<T extends string>(
  obj: Record<string, unknown>,
  key: string,
  allowed: readonly T[],
): T {
  const v = obj[key];
  if (typeof v !== "string" || !(allowed as readonly string[]).includes(v)) {
    throw new UserFieldError(`field "${key}" is not one of ${allowed.join("|")}`);
  }
  return v as T;
}
