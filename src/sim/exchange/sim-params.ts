import type { SimParams } from "./sim-exchange-api.ts";
import {
  LONG_PARAM_RANGE,
  reject,
  rejectIllegalChars,
  rejectMandatory,
  SimMsg,
  type SimRejection,
} from "./sim-rejection.ts";
import type { SimSymbol } from "./sim-symbol.ts";

const LONG_RE = /^[0-9]{1,20}$/;

/** Returns true when a parameter reader answered with a rejection instead of a value. */
export function isRejection(value: unknown): value is SimRejection {
  return typeof value === "object" && value !== null && (value as { ok?: unknown }).ok === false;
}

/** Returns the parameter's text, or undefined when it was not sent or sent empty (Binance treats both alike). */
export function paramText(params: SimParams, name: string): string | undefined {
  const v = params[name];
  return v === undefined || v === "" ? undefined : v;
}

/** Returns the symbol named by the mandatory `symbol` parameter: -1102 when absent, -1121 when unknown. */
export function readSymbol(
  params: SimParams,
  symbols: ReadonlyMap<string, SimSymbol>,
): SimSymbol | SimRejection {
  const name = paramText(params, "symbol");
  if (name === undefined) return rejectMandatory("symbol");
  return symbols.get(name) ?? reject(-1121, SimMsg.invalidSymbol);
}

/** Returns a LONG parameter (ids, times, limits), undefined when absent, -1100 when not digits. */
export function readLong(params: SimParams, name: string): number | undefined | SimRejection {
  const text = paramText(params, name);
  if (text === undefined) return undefined;
  if (!LONG_RE.test(text)) return rejectIllegalChars(name, LONG_PARAM_RANGE);
  const n = Number(text);
  // Larger than any id or time the simulator hands out: such an order or time cannot exist.
  return Number.isSafeInteger(n) ? n : Number.MAX_SAFE_INTEGER;
}

/** Returns a BOOLEAN parameter ("true"/"false", any case), undefined when absent. */
export function readBoolean(params: SimParams, name: string): boolean | undefined | SimRejection {
  const text = paramText(params, name);
  if (text === undefined) return undefined;
  const lower = text.toLowerCase();
  if (lower === "true") return true;
  if (lower === "false") return false;
  return rejectIllegalChars(name, "true, false");
}
