import type { SimParams } from "../exchange/sim-exchange-api.ts";
import { checkRequestTiming, isTimingFailure, parseRequestTiming } from "./check-request-time.ts";
import type { RequestLog } from "./request-log.ts";
import { wsApiSignaturePayload, wsParamText } from "./signature-payload.ts";
import type { SimClock } from "./sim-clock.ts";
import { isSimFailure, type SimCredential, type SimCredentialStore } from "./sim-credential-store.ts";
import {
  illegalCharsError,
  mandatoryParamError,
  SimErrorMsg,
  type SimFailure,
  simError,
} from "./sim-errors.ts";
import type { SimRateLimiter } from "./sim-rate-limiter.ts";
import type { UserEventRouter, UserSubscription } from "./user-event-router.ts";
import { MAX_SUBSCRIPTION_IDS, type WsApiId, type WsApiSession } from "./ws-api-session.ts";

/** What the WebSocket API methods work with. */
export interface WsApiContext {
  readonly clock: SimClock;
  readonly limiter: SimRateLimiter;
  readonly credentials: SimCredentialStore;
  readonly router: UserEventRouter;
  readonly requestLog: RequestLog;
}

type Params = Readonly<Record<string, unknown>>;
type MethodResult = { readonly ok: true; readonly result: unknown } | SimFailure;

interface WsApiMethod {
  readonly weight: number;
  run(ctx: WsApiContext, session: WsApiSession, params: Params): MethodResult;
}

const ID_STRING = /^[A-Za-z0-9_-]{1,36}$/;
const WS_PATH = "/ws-api/v3";

/** The WebSocket API methods of reference sections 3.6 and 6.1. */
const METHODS: ReadonlyMap<string, WsApiMethod> = new Map<string, WsApiMethod>([
  ["ping", { weight: 1, run: () => ok({}) }],
  ["time", { weight: 1, run: (ctx) => ok({ serverTime: ctx.clock.now() }) }],
  ["session.logon", { weight: 2, run: sessionLogon }],
  ["session.status", { weight: 2, run: (ctx, s) => ok(sessionStatus(ctx, s)) }],
  ["session.logout", { weight: 2, run: sessionLogout }],
  ["userDataStream.subscribe", { weight: 2, run: subscribeLogon }],
  ["userDataStream.subscribe.signature", { weight: 2, run: subscribeSignature }],
  ["userDataStream.unsubscribe", { weight: 2, run: unsubscribe }],
  [
    "session.subscriptions",
    {
      weight: 2,
      run: (_ctx, s) => ok([...s.subscriptions.keys()].map((subscriptionId) => ({ subscriptionId }))),
    },
  ],
]);

/** A decoded request frame, or the error to answer a malformed one with. */
type DecodedFrame =
  | {
      readonly ok: true;
      readonly id: WsApiId;
      readonly method: string;
      readonly params: Params;
      readonly withLimits: boolean;
    }
  | { readonly ok: false; readonly id: WsApiId; readonly method: string; readonly failure: SimFailure };

/**
 * Handles one incoming frame: parses {id, method, params}, rate-limits, runs the method and answers
 * {id, status, result | error, rateLimits?}. A malformed frame gets an error answer; the connection stays.
 */
export function handleWsApiFrame(ctx: WsApiContext, session: WsApiSession, text: string | undefined): void {
  const arrivedMs = ctx.clock.now();
  const frame = decodeFrame(text, session.returnRateLimits);
  if (!frame.ok) {
    answer(ctx, session, frame.method, frame.id, frame.failure, session.returnRateLimits, arrivedMs);
    return;
  }
  const method = METHODS.get(frame.method.startsWith("v3/") ? frame.method.slice(3) : frame.method);
  if (method === undefined) {
    const failure = simError(400, -1020, SimErrorMsg.unsupported);
    answer(ctx, session, frame.method, frame.id, failure, frame.withLimits, arrivedMs);
    return;
  }
  const admitted = ctx.limiter.admit(method.weight);
  if (!admitted.ok) {
    const now = ctx.clock.now();
    const data = { serverTime: now, retryAfter: now + admitted.retryAfterS * 1000 };
    answer(ctx, session, frame.method, frame.id, admitted.failure, frame.withLimits, arrivedMs, data);
    return;
  }
  const outcome = method.run(ctx, session, frame.params);
  answer(ctx, session, frame.method, frame.id, outcome, frame.withLimits, arrivedMs);
}

function decodeFrame(text: string | undefined, defaultWithLimits: boolean): DecodedFrame {
  const invalidJson = {
    ok: false,
    id: null,
    method: "?",
    failure: simError(400, -1135, SimErrorMsg.invalidJson),
  } as const;
  let frame: unknown;
  try {
    if (text === undefined) return invalidJson;
    frame = JSON.parse(text);
  } catch {
    return invalidJson;
  }
  if (typeof frame !== "object" || frame === null || Array.isArray(frame)) return invalidJson;
  const f = frame as Record<string, unknown>;
  const id = f["id"];
  const validId =
    id === null ||
    (typeof id === "number" && Number.isSafeInteger(id)) ||
    (typeof id === "string" && ID_STRING.test(id));
  if (!validId) return { ok: false, id: null, method: "?", failure: mandatoryParamError("id") };
  const wsId = id as WsApiId;
  const method = f["method"];
  if (typeof method !== "string" || method.length === 0) {
    return { ok: false, id: wsId, method: "?", failure: mandatoryParamError("method") };
  }
  const params = f["params"] ?? {};
  if (typeof params !== "object" || params === null || Array.isArray(params)) {
    return { ok: false, id: wsId, method, failure: mandatoryParamError("params") };
  }
  const flag = (params as Params)["returnRateLimits"];
  const withLimits = typeof flag === "boolean" ? flag : defaultWithLimits;
  return { ok: true, id: wsId, method, params: params as Params, withLimits };
}

/** Sends the serverShutdown event in the WebSocket API form. */
export function sendServerShutdown(session: WsApiSession, nowMs: number): void {
  session.send(`{"event":{"e":"serverShutdown","E":${nowMs}}}`);
}

/** Ends a subscription: removes it and sends its eventStreamTerminated event. */
export function endSubscription(ctx: WsApiContext, session: WsApiSession, sub: UserSubscription): void {
  ctx.router.remove(sub);
  session.subscriptions.delete(sub.subscriptionId);
  session.sendEvent(sub.subscriptionId, `{"e":"eventStreamTerminated","E":${ctx.clock.now()}}`);
}

/** Drops every subscription of a closed connection (nothing is sent). */
export function dropSubscriptions(ctx: WsApiContext, session: WsApiSession): void {
  for (const sub of session.subscriptions.values()) ctx.router.remove(sub);
  session.subscriptions.clear();
}

function answer(
  ctx: WsApiContext,
  session: WsApiSession,
  method: string,
  id: WsApiId,
  outcome: MethodResult,
  withLimits: boolean,
  arrivedMs: number,
  errorData?: Record<string, unknown>,
): void {
  const msg: Record<string, unknown> = { id, status: outcome.ok ? 200 : outcome.status };
  if (outcome.ok) msg["result"] = outcome.result;
  else {
    msg["error"] =
      errorData === undefined
        ? { code: outcome.code, msg: outcome.msg }
        : { code: outcome.code, msg: outcome.msg, data: errorData };
  }
  if (withLimits) {
    msg["rateLimits"] = [
      {
        rateLimitType: "REQUEST_WEIGHT",
        interval: "MINUTE",
        intervalNum: 1,
        limit: ctx.limiter.limits.weightPerMinute,
        count: ctx.limiter.usedWeight(),
      },
    ];
  }
  session.send(JSON.stringify(msg));
  const status = outcome.ok ? 200 : outcome.status;
  ctx.requestLog.record(
    outcome.ok
      ? { transport: "ws-api", method, path: WS_PATH, timeMs: arrivedMs, status }
      : { transport: "ws-api", method, path: WS_PATH, timeMs: arrivedMs, status, code: outcome.code },
  );
}

function ok(result: unknown): MethodResult {
  return { ok: true, result };
}

/** Checks apiKey, signature and timing of a signed request (payload: sorted params, reference section 3.6). */
function authenticate(ctx: WsApiContext, params: Params): SimCredential | SimFailure {
  const apiKey = params["apiKey"];
  if (typeof apiKey !== "string" || apiKey.length === 0) return mandatoryParamError("apiKey");
  const credential = ctx.credentials.lookup(apiKey);
  if (isSimFailure(credential)) return credential;
  const signature = params["signature"];
  if (typeof signature !== "string" || signature.length === 0) return mandatoryParamError("signature");
  const asText: Record<string, string> = Object.create(null);
  for (const name of ["timestamp", "recvWindow"]) {
    if (params[name] !== undefined) asText[name] = wsParamText(params[name]);
  }
  const timing = parseRequestTiming(asText as SimParams);
  if (isTimingFailure(timing)) return timing;
  if (!credential.verify(wsApiSignaturePayload(params), signature)) {
    return simError(400, -1022, SimErrorMsg.badSignature);
  }
  return checkRequestTiming(timing, ctx.clock.now()) ?? credential;
}

function sessionStatus(ctx: WsApiContext, session: WsApiSession): Record<string, unknown> {
  return {
    apiKey: session.logon?.credential.apiKey ?? null,
    authorizedSince: session.logon?.authorizedSinceMs ?? null,
    connectedSince: session.connectedSinceMs,
    returnRateLimits: session.returnRateLimits,
    serverTime: ctx.clock.now(),
    userDataStream: session.logonSubscription() !== undefined,
  };
}

function sessionLogon(ctx: WsApiContext, session: WsApiSession, params: Params): MethodResult {
  const credential = authenticate(ctx, params);
  if (isSimFailure(credential)) return credential;
  // "Only Ed25519 keys are supported for this feature" (reference section 3.6).
  if (credential.keyType !== "ED25519") return simError(401, -2015, SimErrorMsg.rejectedKey);
  const previous = session.logonSubscription();
  if (previous !== undefined && previous.accountId !== credential.accountId)
    endSubscription(ctx, session, previous);
  session.logon = { credential, authorizedSinceMs: ctx.clock.now() };
  return ok(sessionStatus(ctx, session));
}

function sessionLogout(ctx: WsApiContext, session: WsApiSession): MethodResult {
  // Logout ends only the subscription made with userDataStream.subscribe (reference section 6.1).
  const sub = session.logonSubscription();
  if (sub !== undefined) endSubscription(ctx, session, sub);
  session.logon = undefined;
  return ok(sessionStatus(ctx, session));
}

function subscribeLogon(ctx: WsApiContext, session: WsApiSession): MethodResult {
  if (session.logon === undefined) return simError(401, -1002, SimErrorMsg.unauthorized);
  return subscribe(ctx, session, session.logon.credential.accountId, true);
}

function subscribeSignature(ctx: WsApiContext, session: WsApiSession, params: Params): MethodResult {
  const credential = authenticate(ctx, params);
  if (isSimFailure(credential)) return credential;
  return subscribe(ctx, session, credential.accountId, false);
}

function subscribe(
  ctx: WsApiContext,
  session: WsApiSession,
  accountId: string,
  viaLogon: boolean,
): MethodResult {
  if (session.subscriptionOf(accountId) !== undefined)
    return simError(400, -2035, SimErrorMsg.subscriptionActive);
  if (session.nextSubscriptionId >= MAX_SUBSCRIPTION_IDS)
    return simError(400, -2042, SimErrorMsg.maxSubscriptionIds);
  const sub: UserSubscription = {
    subscriptionId: session.nextSubscriptionId++,
    accountId,
    sink: session,
    viaLogon,
  };
  session.subscriptions.set(sub.subscriptionId, sub);
  ctx.router.add(sub);
  return ok({ subscriptionId: sub.subscriptionId });
}

function unsubscribe(ctx: WsApiContext, session: WsApiSession, params: Params): MethodResult {
  const raw = params["subscriptionId"];
  if (raw === undefined) {
    if (session.subscriptions.size === 0) return simError(400, -2036, SimErrorMsg.subscriptionInactive);
    for (const sub of [...session.subscriptions.values()]) endSubscription(ctx, session, sub);
    return ok({});
  }
  const id =
    typeof raw === "number" ? raw : typeof raw === "string" && /^[0-9]{1,5}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(id)) return illegalCharsError("subscriptionId", "^[0-9]{1,5}$");
  const sub = session.subscriptions.get(id);
  if (sub === undefined) return simError(400, -2036, SimErrorMsg.subscriptionInactive);
  endSubscription(ctx, session, sub);
  return ok({});
}
