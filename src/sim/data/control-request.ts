import { isValidStreamName } from "./stream-name.ts";

/** A request id as Binance accepts it: a 64-bit integer, an alphanumeric string of up to 36 chars, or null. */
export type ControlRequestId = number | string | null;

/** A valid live control message (reference 1.5). */
export type ControlRequest =
  | {
      readonly method: "SUBSCRIBE" | "UNSUBSCRIBE";
      readonly id: ControlRequestId;
      readonly streams: readonly string[];
    }
  | { readonly method: "LIST_SUBSCRIPTIONS"; readonly id: ControlRequestId }
  | { readonly method: "SET_PROPERTY"; readonly id: ControlRequestId; readonly value: boolean }
  | { readonly method: "GET_PROPERTY"; readonly id: ControlRequestId };

/** Either the request, or the error reply (JSON text) to send back. */
export type ControlParse =
  | { readonly ok: true; readonly request: ControlRequest }
  | { readonly ok: false; readonly reply: string };

const METHODS = ["SUBSCRIBE", "UNSUBSCRIBE", "LIST_SUBSCRIPTIONS", "SET_PROPERTY", "GET_PROPERTY"];
const EXPECTED =
  "expected one of `SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, `GET_PROPERTY`";
const STRING_ID = /^[A-Za-z0-9_-]{1,36}$/;
const METHOD_VALUE = /"method"\s*:\s*(?:"(?:[^"\\]|\\.)*"|[^,}\s]+)/;

/** Returns `{"result":...,"id":...}` (reference 1.5). */
export function resultReply(result: unknown, id: ControlRequestId): string {
  return `{"result":${JSON.stringify(result)},"id":${JSON.stringify(id)}}`;
}

/**
 * Returns an error reply `{"error":{"code":n,"msg":"..."},"id":...}`: the codes and messages are the
 * documented ones (reference 1.5); the envelope is the one Binance actually sends. Without an id
 * (unparsable JSON) the id key is left out.
 */
export function errorReply(code: number, msg: string, id?: ControlRequestId): string {
  const error = `{"error":{"code":${code},"msg":${JSON.stringify(msg)}}`;
  return id === undefined ? `${error}}` : `${error},"id":${JSON.stringify(id)}}`;
}

/**
 * Parses and validates a control message with Binance's error codes: 3 for invalid JSON, 2 for an
 * invalid request (missing or unknown method, bad id, invalid stream, too many parameters, property
 * name not a string), 0 for an unknown property, 1 for a non-boolean property value.
 */
export function parseControlRequest(text: string): ControlParse {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch (thrown) {
    const [line, column] = jsonErrorPosition(text, (thrown as Error).message);
    return fail(3, `Invalid JSON: expected value at line ${line} column ${column}`);
  }
  if (message === null || typeof message !== "object" || Array.isArray(message) || !("method" in message)) {
    const [line, column] = position(text, Math.max(0, text.trimEnd().length - 1));
    return fail(2, `Invalid request: missing field \`method\` at line ${line} column ${column}`);
  }
  const m = message as Record<string, unknown>;
  const method = m["method"];
  if (typeof method !== "string" || !METHODS.includes(method)) {
    const found = METHOD_VALUE.exec(text);
    const end = found === null ? text.length : found.index + found[0].length;
    const [line, column] = position(text, Math.max(0, end - 1));
    const shown = typeof method === "string" ? method : JSON.stringify(method);
    return fail(
      2,
      `Invalid request: unknown variant \`${shown}\`, ${EXPECTED} at line ${line} column ${column}`,
    );
  }
  const rawId = m["id"];
  const idOk =
    rawId === null ||
    (typeof rawId === "number" && Number.isInteger(rawId)) ||
    (typeof rawId === "string" && STRING_ID.test(rawId));
  if (!idOk) return fail(2, "Invalid request: request ID must be an unsigned integer", null);
  const id = rawId as ControlRequestId;
  const params = m["params"];
  switch (method) {
    case "SUBSCRIBE":
    case "UNSUBSCRIBE": {
      if (!Array.isArray(params)) return fail(2, "Invalid request: invalid stream", id);
      for (const p of params) {
        if (typeof p !== "string" || !isValidStreamName(p))
          return fail(2, "Invalid request: invalid stream", id);
      }
      return { ok: true, request: { method, id, streams: params as string[] } };
    }
    case "LIST_SUBSCRIPTIONS":
      if (params !== undefined && !(Array.isArray(params) && params.length === 0)) {
        return fail(2, "Invalid request: too many parameters", id);
      }
      return { ok: true, request: { method, id } };
    default: {
      const list = Array.isArray(params) ? params : [];
      if (typeof list[0] !== "string") return fail(2, "Invalid request: property name must be a string", id);
      const max = method === "SET_PROPERTY" ? 2 : 1;
      if (list.length > max) return fail(2, "Invalid request: too many parameters", id);
      if (list[0] !== "combined") return fail(0, "Unknown property", id);
      if (method === "GET_PROPERTY") return { ok: true, request: { method, id } };
      if (typeof list[1] !== "boolean") return fail(1, "Invalid value type: expected Boolean", id);
      return { ok: true, request: { method: "SET_PROPERTY", id, value: list[1] } };
    }
  }
}

function fail(code: number, msg: string, id?: ControlRequestId): ControlParse {
  return { ok: false, reply: errorReply(code, msg, id) };
}

/** Line and column (1-based) of a character offset. */
function position(text: string, offset: number): [number, number] {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return [line, offset - lineStart + 1];
}

/** Where JSON.parse gave up: V8 names "(line L column C)" for most errors; else the end or the first token. */
function jsonErrorPosition(text: string, message: string): [number, number] {
  const m = /\(line (\d+) column (\d+)\)/.exec(message);
  if (m !== null) return [Number(m[1]), Number(m[2])];
  if (/end of JSON input/.test(message)) return position(text, text.length);
  const first = text.search(/\S/);
  return position(text, first < 0 ? text.length : first);
}
