import type { BinanceCredentials } from "../binance-credentials.ts";
import type { QueryValue } from "./build-query-string.ts";

/**
 * Returns the WebSocket API signature payload (reference section 3.6): every parameter except
 * `signature`, sorted by name, `name=value` joined by `&`, raw UTF-8 (NOT percent-encoded). Undefined
 * and null parameters are left out, as they are not sent; arrays and objects are JSON text.
 */
export function wsApiSignaturePayload(params: Readonly<Record<string, QueryValue>>): string {
  const names = Object.keys(params)
    .filter((name) => name !== "signature" && params[name] !== undefined && params[name] !== null)
    // Code-unit order, which is what "alphabetical by parameter name" means for Binance's ASCII names.
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let out = "";
  for (const name of names) {
    const value = params[name];
    const text = typeof value === "object" ? JSON.stringify(value) : String(value);
    out += `${out.length === 0 ? "" : "&"}${name}=${text}`;
  }
  return out;
}

/**
 * Returns the params with `apiKey`, `timestamp` (kept when the params already carry one, else
 * `timestampMs`) and `signature` added, ready for a signed WebSocket API request.
 */
export function signWsApiParams(
  params: Readonly<Record<string, QueryValue>>,
  credentials: BinanceCredentials,
  timestampMs: number = Date.now(),
): Record<string, QueryValue> & { apiKey: string; timestamp: QueryValue; signature: string } {
  const unsigned: Record<string, QueryValue> = {
    ...params,
    apiKey: credentials.apiKey,
    timestamp: params.timestamp ?? Math.trunc(timestampMs),
  };
  delete unsigned.signature;
  const signature = credentials.signer.sign(wsApiSignaturePayload(unsigned));
  return { ...unsigned, apiKey: credentials.apiKey, timestamp: unsigned.timestamp, signature };
}
