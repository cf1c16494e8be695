import type { IncomingMessage, ServerResponse } from "node:http";
import type { SimParams } from "../exchange/sim-exchange-api.ts";
import {
  checkRequestTiming,
  isTimingFailure,
  parseRequestTiming,
  type RequestTiming,
} from "./check-request-time.ts";
import { parseRequestParams } from "./parse-request-params.ts";
import { MAX_BODY_BYTES, readBody } from "./read-body.ts";
import type { RequestLog } from "./request-log.ts";
import type { RestEndpoint } from "./rest-endpoints.ts";
import { restSignaturePayload } from "./signature-payload.ts";
import type { SimClock } from "./sim-clock.ts";
import { isSimFailure, type SimCredentialStore } from "./sim-credential-store.ts";
import { mandatoryParamError, SimErrorMsg, type SimFailure, simError } from "./sim-errors.ts";
import type { FailRestFault, SimFaults } from "./sim-faults.ts";
import type { SimRateLimiter } from "./sim-rate-limiter.ts";

/** What the REST handler works with. */
export interface SimRestHandlerDeps {
  readonly endpoints: ReadonlyMap<string, RestEndpoint>;
  readonly credentials: SimCredentialStore;
  readonly limiter: SimRateLimiter;
  readonly faults: SimFaults;
  readonly clock: SimClock;
  readonly requestLog: RequestLog;
  readonly maxBodyBytes?: number;
}

/** One request on its way through the pipeline. */
interface RestCall {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly method: string;
  readonly path: string;
  readonly rawQuery: string;
  readonly arrivedMs: number;
  readonly endpoint: RestEndpoint;
  rawBody: string;
  params: SimParams;
  accountId: string;
  timing: RequestTiming | undefined;
  orderAccount: string | undefined;
}

const JSON_TYPE = "application/json;charset=UTF-8";
const EMPTY_PARAMS: SimParams = Object.freeze(Object.create(null));

/**
 * The /api/v3 REST server (reference sections 3 and 4): parses query + form body, rate-limits, applies the
 * REST faults, authenticates signed requests exactly as Binance (API key, signature, timestamp), and answers
 * with the exchange's result plus the X-MBX-USED-WEIGHT-1M / X-MBX-ORDER-COUNT-* headers.
 */
export class SimRestHandler {
  readonly #d: SimRestHandlerDeps;
  readonly #maxBodyBytes: number;
  /** Responses withheld by timeoutAfterAccept; destroyed by closeAll(). */
  readonly #held = new Set<ServerResponse>();
  /** Requests waiting out delayRest; answered with nothing and destroyed by closeAll(). */
  readonly #delayed = new Map<NodeJS.Timeout, ServerResponse>();

  constructor(deps: SimRestHandlerDeps) {
    this.#d = deps;
    this.#maxBodyBytes = deps.maxBodyBytes ?? MAX_BODY_BYTES;
  }

  /** Handles one /api request (the caller has split the URL). */
  handle(req: IncomingMessage, res: ServerResponse, path: string, rawQuery: string): void {
    const method = req.method ?? "GET";
    const arrivedMs = this.#d.clock.now();
    const endpoint = this.#d.endpoints.get(`${method} ${path}`);
    if (endpoint === undefined) {
      req.resume();
      this.#sendError(
        res,
        method,
        path,
        arrivedMs,
        simError(404, -1000, `Unknown endpoint: ${method} ${path}`),
      );
      return;
    }
    const call: RestCall = {
      req,
      res,
      method,
      path,
      rawQuery,
      arrivedMs,
      endpoint,
      rawBody: "",
      params: EMPTY_PARAMS,
      accountId: "",
      timing: undefined,
      orderAccount: undefined,
    };
    if (method === "GET") {
      req.resume();
      this.#start(call);
      return;
    }
    readBody(req, this.#maxBodyBytes, (body) => {
      if (body === undefined) {
        res.shouldKeepAlive = false;
        this.#fail(call, simError(413, -1101, "Too many parameters sent for this endpoint."));
        return;
      }
      call.rawBody = body;
      this.#start(call);
    });
  }

  /** Withheld and delayed requests still open. */
  pendingCount(): number {
    return this.#held.size + this.#delayed.size;
  }

  /** Destroys withheld responses and cancels delayed requests (at stop, kill or restart). */
  closeAll(): void {
    for (const [timer, res] of this.#delayed) {
      clearTimeout(timer);
      res.destroy();
    }
    this.#delayed.clear();
    for (const res of this.#held) res.destroy();
    this.#held.clear();
  }

  #start(call: RestCall): void {
    const parsed = parseRequestParams(call.rawQuery, call.rawBody);
    if (!parsed.ok) {
      this.#fail(call, parsed);
      return;
    }
    call.params = parsed.params;
    const admitted = this.#d.limiter.admit(call.endpoint.weight(call.params));
    if (!admitted.ok) {
      this.#fail(call, admitted.failure, admitted.retryAfterS);
      return;
    }
    const failing = this.#d.faults.takeFailRest(call.method, call.path);
    if (failing !== undefined && !failing.process) {
      this.#sendFault(call, failing);
      return;
    }
    if (call.endpoint.security === "SIGNED") {
      const denied = this.#authenticate(call);
      if (denied !== undefined) {
        this.#fail(call, denied);
        return;
      }
    }
    const delayMs = this.#d.faults.restDelayMs;
    if (delayMs > 0) {
      const timer = setTimeout(() => {
        this.#delayed.delete(timer);
        this.#execute(call, failing);
      }, delayMs);
      this.#delayed.set(timer, call.res);
      return;
    }
    this.#execute(call, failing);
  }

  /** API key (-2014/-2015), signature present (-1102), timing params, signature valid (-1022), timing (-1021). */
  #authenticate(call: RestCall): SimFailure | undefined {
    const header = call.req.headers["x-mbx-apikey"];
    const credential = this.#d.credentials.lookup(Array.isArray(header) ? header[0] : header);
    if (isSimFailure(credential)) return credential;
    const signature = call.params["signature"];
    if (signature === undefined || signature.length === 0) return mandatoryParamError("signature");
    const timing = parseRequestTiming(call.params);
    if (isTimingFailure(timing)) return timing;
    if (!credential.verify(restSignaturePayload(call.rawQuery, call.rawBody), signature)) {
      return simError(400, -1022, SimErrorMsg.badSignature);
    }
    const late = checkRequestTiming(timing, this.#d.clock.now());
    if (late !== undefined) return late;
    call.accountId = credential.accountId;
    call.timing = timing;
    return undefined;
  }

  /** Runs the request; a client that left meanwhile still has its request processed (as on a real venue). */
  #execute(call: RestCall, failing: FailRestFault | undefined): void {
    if (call.timing !== undefined) {
      // Binance checks the recvWindow again just before the matching engine (reference section 3.1).
      const late = checkRequestTiming(call.timing, this.#d.clock.now());
      if (late !== undefined) {
        this.#fail(call, late);
        return;
      }
    }
    if (call.endpoint.isNewOrder) {
      const admitted = this.#d.limiter.admitOrder(call.accountId);
      if (!admitted.ok) {
        this.#fail(call, admitted.failure, admitted.retryAfterS);
        return;
      }
      call.orderAccount = call.accountId;
    }
    const result = call.endpoint.run(call.params, call.accountId);
    if (failing !== undefined) {
      this.#sendFault(call, failing);
      return;
    }
    if (call.endpoint.isNewOrder && this.#d.faults.takeTimeoutAfterAccept()) {
      this.#hold(call);
      return;
    }
    if (!result.ok) {
      this.#fail(call, result);
      return;
    }
    this.#send(call, 200, JSON.stringify(result.body), undefined);
  }

  #hold(call: RestCall): void {
    const res = call.res;
    this.#held.add(res);
    res.on("close", () => this.#held.delete(res));
    this.#log(call, 0, undefined);
  }

  #fail(call: RestCall, failure: SimFailure, retryAfterS?: number): void {
    this.#send(
      call,
      failure.status,
      JSON.stringify({ code: failure.code, msg: failure.msg }),
      retryAfterS,
      failure.code,
    );
  }

  #sendError(
    res: ServerResponse,
    method: string,
    path: string,
    arrivedMs: number,
    failure: SimFailure,
  ): void {
    const body = JSON.stringify({ code: failure.code, msg: failure.msg });
    res.writeHead(failure.status, {
      "Content-Type": JSON_TYPE,
      "Content-Length": Buffer.byteLength(body),
      "X-MBX-USED-WEIGHT-1M": this.#d.limiter.usedWeight(),
    });
    res.end(body);
    this.#d.requestLog.record({
      transport: "rest",
      method,
      path,
      timeMs: arrivedMs,
      status: failure.status,
      code: failure.code,
    });
  }

  #sendFault(call: RestCall, fault: FailRestFault): void {
    if (call.res.destroyed) {
      this.#log(call, 0, undefined);
      return;
    }
    const text = fault.status >= 500 ? `${fault.status} Server Error` : `${fault.status} Error`;
    const body =
      fault.body === "html"
        ? `<html><head><title>${text}</title></head><body><h1>${text}</h1></body></html>`
        : "";
    const headers: Record<string, string | number> = { "Content-Length": Buffer.byteLength(body) };
    if (fault.body === "html") headers["Content-Type"] = "text/html";
    call.res.writeHead(fault.status, headers);
    call.res.end(body);
    this.#log(call, fault.status, undefined);
  }

  #send(call: RestCall, status: number, body: string, retryAfterS: number | undefined, code?: number): void {
    const res = call.res;
    if (res.destroyed) {
      this.#log(call, 0, code);
      return;
    }
    const used = this.#d.limiter.usedWeight();
    const headers: Record<string, string | number> = {
      "Content-Type": JSON_TYPE,
      "Content-Length": Buffer.byteLength(body),
      "X-MBX-USED-WEIGHT-1M": used,
      "X-MBX-USED-WEIGHT": used,
    };
    if (call.orderAccount !== undefined) {
      const counts = this.#d.limiter.orderCounts(call.orderAccount);
      headers["X-MBX-ORDER-COUNT-10S"] = counts.tenSeconds;
      headers["X-MBX-ORDER-COUNT-1D"] = counts.day;
    }
    if (retryAfterS !== undefined) headers["Retry-After"] = retryAfterS;
    res.writeHead(status, headers);
    res.end(body);
    this.#log(call, status, code);
  }

  #log(call: RestCall, status: number, code: number | undefined): void {
    this.#d.requestLog.record(
      code === undefined
        ? { transport: "rest", method: call.method, path: call.path, timeMs: call.arrivedMs, status }
        : { transport: "rest", method: call.method, path: call.path, timeMs: call.arrivedMs, status, code },
    );
  }
}
