import { DesError, ErrorCode } from "../../../core/index.ts";

/**
 * Hand-written checks of Binance response bodies (no schema library: they run on every order response).
 * Each throws DES_ERR_VENUE_PROTOCOL_ERROR naming the endpoint and the field path, never the value.
 */
export type WireObject = Record<string, unknown>;

const DECIMAL_RE = /^-?\d+(\.\d+)?$/;

/** Returns the error for a body that does not have the shape the protocol says. */
export function protocolError(endpoint: string, path: string, expected: string, got: unknown): DesError {
  return new DesError(
    ErrorCode.VenueProtocolError,
    `Binance ${endpoint}: ${path} must be ${expected}, got ${describe(got)}`,
    { endpoint, field: path },
  );
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return value.length === 0 ? "an empty string" : "a string";
  return typeof value === "undefined" ? "nothing" : `a ${typeof value}`;
}

/** Returns the value as an object (not null, not an array). */
export function asObject(value: unknown, endpoint: string, path: string): WireObject {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw protocolError(endpoint, path, "an object", value);
  }
  return value as WireObject;
}

/** Returns the value as an array. */
export function asArray(value: unknown, endpoint: string, path: string): unknown[] {
  if (!Array.isArray(value)) throw protocolError(endpoint, path, "an array", value);
  return value;
}

/** Checks that `obj[key]` is a string. */
export function checkString(obj: WireObject, key: string, endpoint: string, path: string): void {
  if (typeof obj[key] !== "string") throw protocolError(endpoint, `${path}.${key}`, "a string", obj[key]);
}

/** Checks that `obj[key]` is a decimal string such as "0.00100000" (Binance's prices and quantities). */
export function checkDecimal(obj: WireObject, key: string, endpoint: string, path: string): void {
  const v = obj[key];
  if (typeof v !== "string" || !DECIMAL_RE.test(v)) {
    throw protocolError(endpoint, `${path}.${key}`, "a decimal string", v);
  }
}

/** Checks that `value` is a decimal string (for array elements). */
export function checkDecimalValue(value: unknown, endpoint: string, path: string): void {
  if (typeof value !== "string" || !DECIMAL_RE.test(value)) {
    throw protocolError(endpoint, path, "a decimal string", value);
  }
}

/** Checks that `obj[key]` is an integer (ids, times in ms, counts). */
export function checkInteger(obj: WireObject, key: string, endpoint: string, path: string): void {
  if (!Number.isInteger(obj[key])) throw protocolError(endpoint, `${path}.${key}`, "an integer", obj[key]);
}

/** Checks that `obj[key]` is a boolean. */
export function checkBoolean(obj: WireObject, key: string, endpoint: string, path: string): void {
  if (typeof obj[key] !== "boolean") throw protocolError(endpoint, `${path}.${key}`, "a boolean", obj[key]);
}

/** Checks that `obj[key]` is one of the allowed strings. */
export function checkOneOf(
  obj: WireObject,
  key: string,
  allowed: ReadonlySet<string>,
  endpoint: string,
  path: string,
): void {
  const v = obj[key];
  if (typeof v !== "string" || !allowed.has(v)) {
    throw protocolError(endpoint, `${path}.${key}`, `one of ${[...allowed].join(", ")}`, v);
  }
}

/** Runs `check` only when `obj[key]` is present (optional and conditional fields). */
export function ifPresent(
  obj: WireObject,
  key: string,
  check: (obj: WireObject, key: string, endpoint: string, path: string) => void,
  endpoint: string,
  path: string,
): void {
  if (obj[key] !== undefined) check(obj, key, endpoint, path);
}
