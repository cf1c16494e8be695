/**
 * Returns the REST signature payload: the raw query string concatenated, without a separator, with the raw
 * body, each with its `signature=...` pair removed (reference section 3.2: the bytes exactly as sent).
 */
export function restSignaturePayload(rawQuery: string, rawBody: string): string {
  return withoutSignature(rawQuery) + withoutSignature(rawBody);
}

/**
 * Returns the WebSocket API signature payload: every param except `signature`, sorted by name, as
 * `name=value` joined by `&`, values raw UTF-8 and not percent-encoded (reference section 3.6).
 */
export function wsApiSignaturePayload(params: Readonly<Record<string, unknown>>): string {
  const names = Object.keys(params)
    .filter((n) => n !== "signature")
    .sort();
  let out = "";
  for (const name of names) {
    if (out.length > 0) out += "&";
    out += `${name}=${wsParamText(params[name])}`;
  }
  return out;
}

/** Returns a WebSocket API param value as the text that is signed and validated (numbers as sent). */
export function wsParamText(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
    return String(value);
  return JSON.stringify(value) ?? "";
}

function withoutSignature(raw: string): string {
  if (raw.indexOf("signature") === -1) return raw;
  return raw
    .split("&")
    .filter((pair) => pair !== "signature" && !pair.startsWith("signature="))
    .join("&");
}
