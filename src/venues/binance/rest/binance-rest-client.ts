import { Pool } from "undici";
import { DesError, ErrorCode, isDesError } from "../../../core/index.ts";
import { BinanceApiError } from "../binance-api-error.ts";
import type { BinanceCredentials } from "../binance-credentials.ts";
import { assertNotProductionUrl } from "../binance-environment.ts";
import { buildQueryString, type QueryValue } from "../signing/build-query-string.ts";
import type {
  AccountMsg,
  BinanceExchangeInfoMsg,
  CancelOrderResponseMsg,
  DepthSnapshotMsg,
  KlineRowMsg,
  MyTradeMsg,
  NewOrderResponseMsg,
  QueryOrderMsg,
} from "../wire/rest-msgs.ts";
import type {
  BinanceRestApi,
  KlinesQuery,
  MyTradesQuery,
  NewOrderParams,
  OrderRef,
  RateLimitSnapshot,
} from "./binance-rest-api.ts";
import { type HttpResponse, sendHttpRequest } from "./http-request.ts";
import { parseAccountResponse, parseMyTradesResponse } from "./parse-account-responses.ts";
import {
  parseDepthResponse,
  parseExchangeInfoResponse,
  parseKlinesResponse,
  parseServerTimeResponse,
} from "./parse-market-responses.ts";
import {
  parseCancelOrderResponse,
  parseNewOrderResponse,
  parseOpenOrdersResponse,
  parseQueryOrderResponse,
  parseTestOrderResponse,
} from "./parse-order-responses.ts";
import { headerNumber, type RateLimits, RateLimitTracker } from "./rate-limit-tracker.ts";
import { depthEndpoint, ENDPOINTS, type EndpointSpec } from "./rest-endpoints.ts";

/** What the client reports after every HTTP answer (for metrics); never parameters. */
export interface RestResponseInfo {
  endpoint: string;
  status: number;
  durationMs: number;
  /** X-MBX-USED-WEIGHT-1M after this answer. */
  weight1m: number;
}

/** Options of BinanceRestClient. */
export interface BinanceRestClientOptions {
  /** REST origin, e.g. https://testnet.binance.vision or http://127.0.0.1:9900 (the simulator). */
  baseUrl: string;
  /** Needed for signed endpoints (orders, account); market data works without. */
  credentials?: BinanceCredentials;
  /** recvWindow of signed requests, 1..60000 ms (default 5000). */
  recvWindowMs?: number;
  /** Per-request timeout, and the bound of a rate-limit wait (default 10000 ms). */
  timeoutMs?: number;
  /** Keep-alive connections of the pool (default 8). */
  connections?: number;
  /** Refuse a production host at construction (set it for testnet and custom environments). */
  forbidProductionHosts?: boolean;
  /** Local wall clock in epoch ms (default Date.now); timestamps add the server offset to it. */
  nowMs?: () => number;
  onResponse?: (info: RestResponseInfo) => void;
  logger?: { warn(obj: object, msg: string): void };
  /** Near a limit: wait for the window to roll over (default) or reject with DES_ERR_VENUE_RATE_LIMITED. */
  throttle?: "wait" | "reject";
  /** Fraction of each rate limit kept free (default 0.05). */
  safetyMargin?: number;
  /** Limits to assume until exchangeInfo gives them (default 6000 weight/min, 50 orders/10 s, 160000/day). */
  rateLimits?: Partial<RateLimits>;
  /** How the client waits for a rate-limit window (default a timer); tests inject a fake clock's. */
  sleep?: (ms: number) => Promise<void>;
}

type Parser<T> = (body: unknown, endpoint: string) => T;
type Params = Record<string, QueryValue>;

/** Parameters the client sets itself on signed requests; a caller's values for them are dropped. */
const RESERVED_PARAMS = new Set(["signature", "timestamp", "recvWindow"]);

/**
 * The Binance spot REST API over an undici keep-alive pool (pipelining 1). Signed requests carry
 * timestamp (local clock + server offset, synced lazily from /api/v3/time), recvWindow and the signature
 * last, with X-MBX-APIKEY; a -1021 triggers one resync and one retry. Rate limits are tracked from the
 * response headers; while a 429/418 Retry-After runs every call throws without any network I/O. Every
 * response body is validated before it is returned. Signed parameters are never logged.
 */
export class BinanceRestClient implements BinanceRestApi {
  readonly #pool: Pool;
  readonly #pathPrefix: string;
  readonly #credentials: BinanceCredentials | undefined;
  readonly #recvWindowMs: number;
  readonly #timeoutMs: number;
  readonly #nowMs: () => number;
  readonly #onResponse: ((info: RestResponseInfo) => void) | undefined;
  readonly #logger: { warn(obj: object, msg: string): void } | undefined;
  readonly #throttle: "wait" | "reject";
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #limits: RateLimitTracker;
  #timeOffsetMs = 0;
  #timeSynced = false;
  #syncing: Promise<void> | undefined;
  #closed = false;

  constructor(options: BinanceRestClientOptions) {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch {
      throw new DesError(ErrorCode.InvalidConfig, `Binance REST base URL is not a URL: ${options.baseUrl}`, {
        baseUrl: options.baseUrl,
      });
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new DesError(
        ErrorCode.InvalidConfig,
        `Binance REST base URL must be http(s): ${options.baseUrl}`,
        {
          baseUrl: options.baseUrl,
        },
      );
    }
    if (options.forbidProductionHosts === true) assertNotProductionUrl(options.baseUrl);
    const recvWindowMs = options.recvWindowMs ?? 5000;
    if (!(recvWindowMs > 0 && recvWindowMs <= 60_000)) {
      throw new DesError(ErrorCode.InvalidConfig, `recvWindowMs must be in 1..60000, got ${recvWindowMs}`, {
        recvWindowMs,
      });
    }
    const timeoutMs = options.timeoutMs ?? 10_000;
    if (!(timeoutMs > 0)) {
      throw new DesError(ErrorCode.InvalidConfig, `timeoutMs must be positive, got ${timeoutMs}`, {
        timeoutMs,
      });
    }
    this.#pathPrefix = url.pathname.replace(/\/+$/, "");
    this.#credentials = options.credentials;
    this.#recvWindowMs = recvWindowMs;
    this.#timeoutMs = timeoutMs;
    this.#nowMs = options.nowMs ?? Date.now;
    this.#onResponse = options.onResponse;
    this.#logger = options.logger;
    this.#throttle = options.throttle ?? "wait";
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#limits = new RateLimitTracker({ limits: options.rateLimits, safetyMargin: options.safetyMargin });
    this.#pool = new Pool(url.origin, {
      connections: options.connections ?? 8,
      pipelining: 1,
      connect: { timeout: timeoutMs },
    });
  }

  get timeOffsetMs(): number {
    return this.#timeOffsetMs;
  }

  async serverTime(): Promise<number> {
    return (await this.#request(ENDPOINTS.time, {}, parseServerTimeResponse)).serverTime;
  }

  syncTime(): Promise<void> {
    // Concurrent signed requests share one sync rather than each asking the server.
    this.#syncing ??= this.#doSyncTime().finally(() => {
      this.#syncing = undefined;
    });
    return this.#syncing;
  }

  async #doSyncTime(): Promise<void> {
    const sentAt = this.#nowMs();
    const serverTime = await this.serverTime();
    const receivedAt = this.#nowMs();
    // The server read its clock somewhere in the round trip: the midpoint halves the worst-case error.
    this.#timeOffsetMs = Math.round(serverTime - (sentAt + receivedAt) / 2);
    this.#timeSynced = true;
  }

  async exchangeInfo(symbols?: readonly string[]): Promise<BinanceExchangeInfoMsg> {
    const params: Params = { symbols: symbols !== undefined && symbols.length > 0 ? symbols : undefined };
    const info = await this.#request(ENDPOINTS.exchangeInfo, params, parseExchangeInfoResponse);
    if (info.rateLimits !== undefined) this.#limits.applyExchangeLimits(info.rateLimits);
    return info;
  }

  klines(query: KlinesQuery): Promise<KlineRowMsg[]> {
    const params: Params = {
      symbol: query.symbol,
      interval: query.interval,
      startTime: query.startTime,
      endTime: query.endTime,
      limit: query.limit,
    };
    return this.#request(ENDPOINTS.klines, params, parseKlinesResponse);
  }

  depth(symbol: string, limit?: number): Promise<DepthSnapshotMsg> {
    return this.#request(depthEndpoint(limit), { symbol, limit }, parseDepthResponse);
  }

  newOrder(params: NewOrderParams): Promise<NewOrderResponseMsg> {
    const p = orderParams(params);
    p.newOrderRespType ??= "FULL";
    return this.#request(ENDPOINTS.newOrder, p, parseNewOrderResponse);
  }

  testOrder(params: NewOrderParams): Promise<Record<string, unknown>> {
    return this.#request(ENDPOINTS.testOrder, orderParams(params), parseTestOrderResponse);
  }

  async cancelOrder(ref: OrderRef): Promise<CancelOrderResponseMsg> {
    return this.#request(
      ENDPOINTS.cancelOrder,
      refParams(ref, ENDPOINTS.cancelOrder),
      parseCancelOrderResponse,
    );
  }

  async queryOrder(ref: OrderRef): Promise<QueryOrderMsg> {
    return this.#request(ENDPOINTS.queryOrder, refParams(ref, ENDPOINTS.queryOrder), parseQueryOrderResponse);
  }

  openOrders(symbol?: string): Promise<QueryOrderMsg[]> {
    const spec = symbol === undefined ? ENDPOINTS.openOrdersAllSymbols : ENDPOINTS.openOrders;
    return this.#request(spec, { symbol }, parseOpenOrdersResponse);
  }

  account(): Promise<AccountMsg> {
    return this.#request(ENDPOINTS.account, {}, parseAccountResponse);
  }

  myTrades(query: MyTradesQuery): Promise<MyTradeMsg[]> {
    const spec = query.orderId === undefined ? ENDPOINTS.myTrades : ENDPOINTS.myTradesByOrder;
    const params: Params = {
      symbol: query.symbol,
      orderId: query.orderId,
      fromId: query.fromId,
      startTime: query.startTime,
      endTime: query.endTime,
      limit: query.limit,
    };
    return this.#request(spec, params, parseMyTradesResponse);
  }

  rateLimits(): RateLimitSnapshot {
    return this.#limits.snapshot(this.#nowMs());
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.close();
  }

  /** Runs one call: a -1021 resyncs the clock and retries once; a GET with an unknown outcome retries once. */
  async #request<T>(spec: EndpointSpec, params: Params, parse: Parser<T>): Promise<T> {
    let timestampRetried = false;
    let readRetried = false;
    for (;;) {
      try {
        return await this.#attempt(spec, params, parse);
      } catch (err) {
        if (spec.signed && !timestampRetried && err instanceof BinanceApiError && err.binanceCode === -1021) {
          timestampRetried = true;
          this.#logger?.warn(
            { endpoint: spec.endpoint, binanceCode: -1021 },
            "Binance timestamp rejected; resyncing",
          );
          await this.syncTime();
          continue;
        }
        // Reading twice is harmless; anything that places or cancels is never resent blindly.
        if (spec.method === "GET" && !readRetried && isDesError(err, ErrorCode.VenueUnknownOutcome)) {
          readRetried = true;
          continue;
        }
        throw err;
      }
    }
  }

  async #attempt<T>(spec: EndpointSpec, params: Params, parse: Parser<T>): Promise<T> {
    if (this.#closed) {
      throw new DesError(ErrorCode.VenueUnavailable, `Binance ${spec.endpoint}: the REST client is closed`, {
        endpoint: spec.endpoint,
      });
    }
    this.#throwIfBlocked(spec);
    let credentials: BinanceCredentials | undefined;
    if (spec.signed) {
      credentials = this.#credentials;
      if (credentials === undefined) {
        throw new DesError(
          ErrorCode.InvalidCredentials,
          `Binance ${spec.endpoint} is a signed endpoint and the REST client has no credentials (BINANCE_API_KEY)`,
          { endpoint: spec.endpoint },
        );
      }
      if (!this.#timeSynced) await this.syncTime();
    }
    await this.#waitForCapacity(spec);

    let query = buildQueryString(params);
    let headers: Record<string, string> | undefined;
    if (credentials !== undefined) {
      // Computed after any wait, right before sending, so the timestamp is as fresh as it can be.
      const timestamp = Math.round(this.#nowMs() + this.#timeOffsetMs);
      query += `${query.length === 0 ? "" : "&"}recvWindow=${this.#recvWindowMs}&timestamp=${timestamp}`;
      query += `&signature=${encodeURIComponent(credentials.signer.sign(query))}`;
      headers = { "X-MBX-APIKEY": credentials.apiKey };
    }
    const path = `${this.#pathPrefix}${spec.path}${query.length === 0 ? "" : `?${query}`}`;

    this.#limits.begin(spec.weight, spec.orders);
    const started = performance.now();
    let res: HttpResponse;
    try {
      res = await sendHttpRequest(this.#pool, {
        method: spec.method,
        path,
        headers,
        endpoint: spec.endpoint,
        timeoutMs: this.#timeoutMs,
      });
    } catch (err) {
      if (isDesError(err)) {
        this.#logger?.warn(
          { endpoint: spec.endpoint, code: err.code, reason: err.details.reason },
          err.message,
        );
      }
      throw err;
    } finally {
      this.#limits.end(spec.weight, spec.orders);
    }
    this.#limits.observe(res.headers, this.#serverNowMs());
    this.#onResponse?.({
      endpoint: spec.endpoint,
      status: res.status,
      durationMs: performance.now() - started,
      weight1m: this.#limits.snapshot(0).usedWeight1m,
    });
    if (res.status >= 200 && res.status < 300) return this.#parseBody(spec, res.body, parse);
    throw this.#errorFor(spec, res);
  }

  #parseBody<T>(spec: EndpointSpec, text: string, parse: Parser<T>): T {
    // A 2xx to an order request means the venue acted: an unreadable answer leaves the outcome unknown.
    const outcomeUnknown = spec.method !== "GET";
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      this.#logger?.warn(
        { endpoint: spec.endpoint, code: ErrorCode.VenueProtocolError },
        "Binance body not JSON",
      );
      throw new DesError(
        ErrorCode.VenueProtocolError,
        `Binance ${spec.endpoint}: the response body is not JSON`,
        {
          endpoint: spec.endpoint,
          ...(outcomeUnknown ? { outcomeUnknown } : {}),
        },
      );
    }
    try {
      return parse(body, spec.endpoint);
    } catch (err) {
      if (!isDesError(err)) throw err;
      this.#logger?.warn({ endpoint: spec.endpoint, code: err.code, field: err.details.field }, err.message);
      if (!outcomeUnknown) throw err;
      throw new DesError(err.code, err.message, { ...err.details, outcomeUnknown });
    }
  }

  #errorFor(spec: EndpointSpec, res: HttpResponse): BinanceApiError {
    let binanceCode: number | undefined;
    let binanceMsg: string | undefined;
    try {
      const body = JSON.parse(res.body) as { code?: unknown; msg?: unknown } | null;
      if (body !== null && Number.isInteger(body.code) && typeof body.msg === "string") {
        binanceCode = body.code as number;
        binanceMsg = body.msg;
      }
    } catch {
      // Not a Binance error object (a proxy's HTML page, an empty 5xx): the HTTP status decides alone.
    }
    let retryAtMs: number | undefined;
    if (res.status === 429 || res.status === 418) {
      const banned = res.status === 418;
      const now = this.#nowMs();
      const retryAfterS = headerNumber(res.headers, "retry-after");
      retryAtMs =
        retryAfterS !== undefined
          ? now + retryAfterS * 1000
          : (bannedUntilOf(binanceMsg) ?? now + (banned ? 120_000 : 60_000));
      this.#limits.block(retryAtMs, banned);
    }
    const err = new BinanceApiError({
      endpoint: spec.endpoint,
      httpStatus: res.status,
      binanceCode,
      binanceMsg,
      retryAtMs,
    });
    if (WARN_CODES.has(err.code)) {
      this.#logger?.warn(
        { endpoint: spec.endpoint, httpStatus: res.status, binanceCode, code: err.code, retryAtMs },
        err.message,
      );
    }
    return err;
  }

  async #waitForCapacity(spec: EndpointSpec): Promise<void> {
    const deadline = this.#nowMs() + this.#timeoutMs;
    for (;;) {
      const decision = this.#limits.check(spec.weight, spec.orders, this.#serverNowMs());
      if (decision === undefined) return;
      const now = this.#nowMs();
      if (this.#throttle === "reject" || now + decision.waitMs > deadline) {
        const retryAtMs = now + decision.waitMs;
        this.#logger?.warn(
          { endpoint: spec.endpoint, code: ErrorCode.VenueRateLimited, retryAtMs },
          "Binance request held back by the rate limit",
        );
        throw new DesError(
          ErrorCode.VenueRateLimited,
          `Binance ${spec.endpoint} not sent: ${decision.reason}; the window rolls over at ${new Date(retryAtMs).toISOString()}`,
          { endpoint: spec.endpoint, retryAtMs, reason: decision.reason },
        );
      }
      await this.#sleep(decision.waitMs);
      this.#throwIfBlocked(spec);
    }
  }

  #throwIfBlocked(spec: EndpointSpec): void {
    const block = this.#limits.blockedAt(this.#nowMs());
    if (block === undefined) return;
    const until = new Date(block.untilMs).toISOString();
    throw new DesError(
      block.banned ? ErrorCode.VenueBanned : ErrorCode.VenueRateLimited,
      `Binance ${spec.endpoint} not sent: ${block.banned ? "IP banned (418)" : "rate limited (429)"} until ${until}`,
      { endpoint: spec.endpoint, retryAtMs: block.untilMs, banned: block.banned },
    );
  }

  #serverNowMs(): number {
    return this.#nowMs() + this.#timeOffsetMs;
  }
}

const WARN_CODES: ReadonlySet<string> = new Set([
  ErrorCode.VenueRateLimited,
  ErrorCode.VenueBanned,
  ErrorCode.VenueUnknownOutcome,
  ErrorCode.VenueAuthFailed,
  ErrorCode.VenueTimestampRejected,
]);

/** Returns the epoch ms of "IP banned until 1659146400000" in a -1003 message, if it is there. */
function bannedUntilOf(msg: string | undefined): number | undefined {
  const m = msg === undefined ? null : /banned until (\d{10,})/.exec(msg);
  return m === null ? undefined : Number(m[1]);
}

/** Copies an order's parameters in their order, leaving out the ones the client signs itself. */
function orderParams(params: NewOrderParams): Params {
  const out: Params = {};
  for (const [key, value] of Object.entries(params)) {
    if (!RESERVED_PARAMS.has(key)) out[key] = value as QueryValue;
  }
  return out;
}

function refParams(ref: OrderRef, spec: EndpointSpec): Params {
  if (ref.orderId === undefined && ref.origClientOrderId === undefined) {
    throw new DesError(
      ErrorCode.VenueRejected,
      `Binance ${spec.endpoint} needs orderId or origClientOrderId; nothing was sent`,
      { endpoint: spec.endpoint },
    );
  }
  return { symbol: ref.symbol, orderId: ref.orderId, origClientOrderId: ref.origClientOrderId };
}
