import { isUserParseError, parseUserEvent, type UserParseError } from "./parse-user-event.ts";
import { integerField, objectField, stringField, UserFieldError } from "./parse-user-fields.ts";
import type { UserEventMsg, WsApiErrorMsg, WsApiResponseMsg } from "./user-msgs.ts";

/** One WebSocket API frame, read: a response to a request, an event, or why it could not be read. */
export type UserFrame =
  | { readonly kind: "response"; readonly response: WsApiResponseMsg }
  | { readonly kind: "event"; readonly subscriptionId: number | undefined; readonly event: UserEventMsg }
  | UserParseError;

/**
 * Parses one text frame of the WebSocket API: `{id, status, result | error, rateLimits}` responses
 * and `{subscriptionId, event}` events (section 3.6 and 6.1). Keys are case-sensitive. Returns a
 * UserParseError value instead of throwing.
 */
export function parseUserFrame(text: string): UserFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: "invalid", reason: `not JSON: ${JSON.stringify(text.slice(0, 60))}` };
  }
  try {
    const obj = objectField(value, "frame");
    if ("event" in obj) {
      const subscriptionId =
        obj["subscriptionId"] === undefined ? undefined : integerField(obj, "subscriptionId");
      const event = parseUserEvent(obj["event"]);
      if (isUserParseError(event)) return event;
      return { kind: "event", subscriptionId, event };
    }
    if ("status" in obj) return { kind: "response", response: parseResponse(obj) };
    return { kind: "invalid", reason: "frame is neither a response (status) nor an event (event)" };
  } catch (err) {
    if (err instanceof UserFieldError) return { kind: "invalid", reason: err.message };
    throw err;
  }
}

function parseResponse(obj: Record<string, unknown>): WsApiResponseMsg {
  const id = obj["id"];
  if (id !== null && typeof id !== "string" && typeof id !== "number") {
    throw new UserFieldError(`response field "id" is not a string, number or null`);
  }
  const response: WsApiResponseMsg = { id, status: integerField(obj, "status") };
  if ("result" in obj) response.result = obj["result"];
  if (obj["error"] !== undefined) {
    const err = objectField(obj["error"], "response error");
    const error: WsApiErrorMsg = { code: integerField(err, "code"), msg: stringField(err, "msg") };
    if (err["data"] !== undefined) error.data = err["data"];
    response.error = error;
  } else if (response.status !== 200) {
    throw new UserFieldError(`response with status ${response.status} has no "error"`);
  }
  const rateLimits = obj["rateLimits"];
  if (Array.isArray(rateLimits)) response.rateLimits = rateLimits;
  return response;
}
