import type { IncomingMessage, ServerResponse } from "node:http";
import type { SimExchangeApi } from "../exchange/sim-exchange-api.ts";
import { readBody } from "./read-body.ts";
import type { RequestLog } from "./request-log.ts";
import type { SimClock } from "./sim-clock.ts";
import type { SimCredentialStore } from "./sim-credential-store.ts";
import type { SimFaults } from "./sim-faults.ts";
import type { SimRateLimiter } from "./sim-rate-limiter.ts";

/** What the control routes read and act on. */
export interface SimControlDeps {
  readonly faults: SimFaults;
  readonly exchange: SimExchangeApi;
  readonly credentials: SimCredentialStore;
  readonly limiter: SimRateLimiter;
  readonly clock: SimClock;
  readonly requestLog: RequestLog;
  /** Extra numbers for GET /sim/state (connection counts). */
  connections(): Record<string, number>;
}

/** Reads fields of a fault's JSON body with type checks. */
class FaultArgs {
  readonly #body: Record<string, unknown>;
  constructor(body: Record<string, unknown>) {
    this.#body = body;
  }
  num(name: string): number {
    const v = this.optNum(name);
    if (v === undefined) throw new TypeError(`'${name}' is required (a number)`);
    return v;
  }
  optNum(name: string): number | undefined {
    const v = this.#body[name];
    if (v === undefined) return undefined;
    if (typeof v !== "number" || !Number.isFinite(v)) throw new TypeError(`'${name}' must be a number`);
    return v;
  }
  optStr(name: string): string | undefined {
    const v = this.#body[name];
    if (v === undefined) return undefined;
    if (typeof v !== "string") throw new TypeError(`'${name}' must be a string`);
    return v;
  }
  optBool(name: string): boolean | undefined {
    const v = this.#body[name];
    if (v === undefined) return undefined;
    if (typeof v !== "boolean") throw new TypeError(`'${name}' must be true or false`);
    return v;
  }
}

/** Every fault reachable as POST /sim/faults/<name>, with the JSON fields it reads. */
const FAULTS: Readonly<Record<string, (f: SimFaults, a: FaultArgs) => void>> = {
  killConnections: (f) => f.killConnections(),
  delayRest: (f, a) => f.delayRest(a.num("ms")),
  failRest: (f, a) => {
    const body = a.optStr("body");
    if (body !== undefined && body !== "html" && body !== "empty")
      throw new TypeError("'body' must be html or empty");
    f.failRest({
      status: a.optNum("status"),
      count: a.optNum("count"),
      path: a.optStr("path"),
      method: a.optStr("method"),
      body,
      process: a.optBool("process"),
    });
  },
  timeoutAfterAccept: (f, a) => f.timeoutAfterAccept({ count: a.optNum("count") }),
  clockSkewMs: (f, a) => f.clockSkewMs(a.num("ms")),
  rateLimit429: (f, a) => f.rateLimit429({ retryAfterS: a.num("retryAfterS"), count: a.optNum("count") }),
  ban418: (f, a) => f.ban418({ retryAfterS: a.num("retryAfterS") }),
  serverShutdown: (f) => f.serverShutdown(),
  stallStreams: (f, a) => f.streams.stall(a.optBool("on") ?? true),
  malformedStreams: (f, a) => f.streams.malformed(a.num("count")),
  killStreams: (f) => f.streams.killAll(),
  reset: (f) => f.reset(),
};

/** The names POST /sim/faults/<name> accepts. */
export const SIM_FAULT_NAMES: readonly string[] = Object.keys(FAULTS);

/**
 * The unsigned control surface, separate from /api: `GET /sim/state` (balances, open orders, faults, weight)
 * and `POST /sim/faults/<name>` with a JSON body of the fault's options (e.g. {"ms": 200} for delayRest).
 * Control requests are never rate-limited or faulted.
 */
export function handleControlRequest(
  deps: SimControlDeps,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): void {
  const method = req.method ?? "GET";
  const arrivedMs = deps.clock.now();
  const reply = (status: number, body: unknown, after?: () => void) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
    // killConnections would cut this very response off: run it once the answer is out.
    if (after !== undefined) res.on("finish", after);
    res.end(text);
    deps.requestLog.record({ transport: "rest", method, path, timeMs: arrivedMs, status });
  };
  if (method === "GET" && path === "/sim/state") {
    req.resume();
    reply(200, simState(deps));
    return;
  }
  const name = path.startsWith("/sim/faults/") ? path.slice("/sim/faults/".length) : undefined;
  const fault = name === undefined ? undefined : FAULTS[name];
  if (method !== "POST" || fault === undefined || name === undefined || !Object.hasOwn(FAULTS, name)) {
    req.resume();
    reply(404, { error: `unknown control route ${method} ${path}`, faults: SIM_FAULT_NAMES });
    return;
  }
  readBody(req, 16 * 1024, (text) => {
    let body: unknown = {};
    try {
      if (text === undefined) throw new TypeError("body too large");
      if (text.trim().length > 0) body = JSON.parse(text);
      if (typeof body !== "object" || body === null || Array.isArray(body)) {
        throw new TypeError("body must be a JSON object");
      }
      const args = new FaultArgs(body as Record<string, unknown>);
      if (name === "killConnections") {
        reply(200, { ok: true, fault: name }, () => fault(deps.faults, args));
        return;
      }
      fault(deps.faults, args);
    } catch (e) {
      reply(400, { error: `fault ${name}: ${(e as Error).message}` });
      return;
    }
    reply(200, { ok: true, fault: name });
  });
}

function simState(deps: SimControlDeps): Record<string, unknown> {
  const accounts = deps.credentials.accounts().map((a) => {
    const account = deps.exchange.account(a.accountId, { omitZeroBalances: "true" });
    const open = deps.exchange.openOrders(a.accountId, {});
    return {
      accountId: a.accountId,
      apiKey: `${a.apiKey.slice(0, 4)}...${a.apiKey.slice(-3)}`,
      keyType: a.hmacSecret !== undefined ? "HMAC" : "PUBLIC_KEY",
      balances: account.ok ? account.body["balances"] : null,
      openOrders: open.ok ? open.body.length : null,
    };
  });
  return {
    serverTimeMs: deps.clock.now(),
    usedWeight1m: deps.limiter.usedWeight(),
    faults: deps.faults.state(),
    connections: deps.connections(),
    requestLog: { size: deps.requestLog.size, dropped: deps.requestLog.dropped },
    accounts,
  };
}
