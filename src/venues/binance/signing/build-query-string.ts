/** A request parameter value; arrays and objects travel as JSON text, undefined and null are left out. */
export type QueryValue = string | number | boolean | bigint | readonly unknown[] | object | null | undefined;

/**
 * Returns `k=v&k=v` in insertion order with each value percent-encoded (encodeURIComponent), the exact
 * string Binance signs on REST (reference section 3.2). Arrays and objects are sent as JSON text, then
 * encoded (`symbols=%5B%22A%22%5D`); undefined and null parameters are skipped.
 */
export function buildQueryString(params: Readonly<Record<string, QueryValue>>): string {
  let out = "";
  for (const key in params) {
    const value = params[key];
    if (value === undefined || value === null) continue;
    const text = typeof value === "object" ? JSON.stringify(value) : String(value);
    out += `${out.length === 0 ? "" : "&"}${encodeURIComponent(key)}=${encodeURIComponent(text)}`;
  }
  return out;
}
