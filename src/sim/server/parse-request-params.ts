import type { SimParams } from "../exchange/sim-exchange-api.ts";
import { SimErrorMsg, type SimFailure, simError } from "./sim-errors.ts";

/** Parsed parameters, or the Binance failure for a malformed or duplicated one. */
export type ParsedParams = { readonly ok: true; readonly params: SimParams } | SimFailure;

/**
 * Parses the raw query string and the raw application/x-www-form-urlencoded body into one parameter map.
 * A name sent in both wins from the query string (reference section 3.2); a name sent twice in the same
 * part is -1101; bad percent-encoding is -1100. The map has no prototype, so any name is safe as a key.
 */
export function parseRequestParams(rawQuery: string, rawBody: string): ParsedParams {
  const params: Record<string, string> = Object.create(null);
  const fromQuery = addPairs(params, rawQuery, undefined);
  if (fromQuery !== undefined) return fromQuery;
  if (rawBody.length === 0) return { ok: true, params };
  const queryNames = new Set(Object.keys(params));
  const fromBody = addPairs(params, rawBody, queryNames);
  return fromBody ?? { ok: true, params };
}

/** Adds `a=b&c=d` pairs; names in `keep` are left as they are (query wins). Returns a failure or undefined. */
function addPairs(
  into: Record<string, string>,
  raw: string,
  keep: ReadonlySet<string> | undefined,
): SimFailure | undefined {
  if (raw.length === 0) return undefined;
  const seen = keep === undefined ? undefined : new Set<string>();
  let start = 0;
  while (start <= raw.length) {
    let end = raw.indexOf("&", start);
    if (end === -1) end = raw.length;
    if (end > start) {
      const pair = raw.slice(start, end);
      const eq = pair.indexOf("=");
      const name = decode(eq === -1 ? pair : pair.slice(0, eq));
      const value = decode(eq === -1 ? "" : pair.slice(eq + 1));
      if (name === undefined || value === undefined) return simError(400, -1100, SimErrorMsg.illegalChars);
      if (keep?.has(name)) {
        // Still a duplicate if the body itself repeats the name.
        if (seen?.has(name)) return simError(400, -1101, SimErrorMsg.duplicateParam);
        seen?.add(name);
      } else {
        if (name in into) return simError(400, -1101, SimErrorMsg.duplicateParam);
        into[name] = value;
      }
    }
    start = end + 1;
  }
  return undefined;
}

/** Decodes one form-encoded component ('+' is a space); undefined when the percent-encoding is broken. */
function decode(text: string): string | undefined {
  if (text.indexOf("%") === -1 && text.indexOf("+") === -1) return text;
  try {
    return decodeURIComponent(text.replaceAll("+", " "));
  } catch {
    return undefined;
  }
}
